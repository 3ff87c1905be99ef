/**
 * Turns on Node's module compile cache for the provider process before the runtime loads its
 * dependencies: compiling undici and zod is about half of loading the runtime, and every `pulumi
 * preview` and `up` starts a fresh provider process. The cache (keyed by Node version and file
 * content, so never stale) goes to the folder `NODE_COMPILE_CACHE` names, else to
 * `pulumi-koodrive/node-compile-cache` in the user's cache folder (`XDG_CACHE_HOME`, else
 * `~/.cache`), beside the project's other caches; `NODE_DISABLE_COMPILE_CACHE=1` turns it off. A
 * no-op on Node releases without it (before 22.8); a folder it cannot write only leaves it off.
 */
import module from "node:module";
import path from "node:path";
import { cacheFolder } from "../config/cache-folder";

module.enableCompileCache?.(
  process.env.NODE_COMPILE_CACHE ? undefined : path.join(cacheFolder(), "node-compile-cache"),
);
// Node writes the cache at exit, but the engine kills its provider processes: write it once the
// runtime, loaded synchronously after this module, is compiled.
setImmediate(() => module.flushCompileCache?.());
