/**
 * Turns on Node's module compile cache for the provider process before the runtime loads its
 * dependencies: compiling undici and zod is about half of loading the runtime, and every `pulumi
 * preview` and `up` starts a fresh provider process. The cache is Node's own (the folder
 * `NODE_COMPILE_CACHE` names, else `node-compile-cache` in the OS temp folder; keyed by Node version
 * and file content, so never stale); `NODE_DISABLE_COMPILE_CACHE=1` turns it off. A no-op on Node
 * releases without it (before 22.8).
 */
import module from "node:module";

module.enableCompileCache?.();
// Node writes the cache at exit, but the engine kills its provider processes: write it once the
// runtime, loaded synchronously after this module, is compiled.
setImmediate(() => module.flushCompileCache?.());
