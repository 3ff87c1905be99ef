/**
 * What the dynamic providers run in Pulumi's provider process (`pulumi-koodrive/provider-runtime`).
 * `check` does the work on every preview and update: it reads the figures (once per run for each
 * connection), judges guards, and returns the figures as the resource's new inputs, which the engine
 * shows as outputs even during preview. `read` re-reads the figures for `pulumi refresh`.
 *
 * One serialized provider serves every resource (sdk/nodejs/dynamic-provider.ts): the top-level
 * methods dispatch on the resource's `kind` (providers.ts) and refuse one they do not know. They, and
 * the types they take, are the entry's whole public surface (api/provider-runtime.api.md).
 */
import "../process/compile-cache";
import "../process/zod-locales";
import { EngineLog } from "../process/engine-log";
import type { Values } from "../process/protocol";
import { engineAddressOf } from "../process/provider-state";
import type { CheckResult } from "./dynamic-resource";
import { onEngineCancel } from "./engine-cancel";
import { createRuntime } from "./providers";

export type { Failure } from "../client/errors";
export type { Values } from "../process/protocol";
export type { CheckResult } from "./dynamic-resource";

/**
 * The runtime of this provider process, which the engine starts with its address as the first
 * argument. This module is the process's entry point: it lends the state `process.exit` (so no lock
 * outlives the engine), and wires the engine's `Cancel`, which the host answers, to the state.
 */
const engineAddress = engineAddressOf(process.argv.slice(2));
const runtime = createRuntime(engineAddress, new EngineLog(engineAddress), { exit: (code) => process.exit(code) });
onEngineCancel(() => runtime.state.cancellation.cancel());

/** Keeps the stack's `koodrive:*` config for the life of this process. */
export const configure = runtime.configure;

/** Checks the resource of `news`'s kind. */
export async function check(olds: Values, news: Values): Promise<CheckResult> {
  return runtime.forKind(news).check(olds, news);
}

/** Diffs the resource of `news`'s kind. */
export async function diff(id: string, olds: Values, news: Values): Promise<{ changes: boolean; replaces?: string[] }> {
  return runtime.forKind(news).diff(id, olds, news);
}

/** Creates the resource of `inputs`'s kind. */
export async function create(inputs: Values): Promise<{ id: string; outs: Values }> {
  return runtime.forKind(inputs).create(inputs);
}

/** Refreshes the resource of `props`'s kind. */
export async function read(id: string, props: Values): Promise<{ id: string; props: Values; inputs?: Values }> {
  return runtime.forKind(props).read(id, props);
}

/** Updates the resource of `news`'s kind. */
export async function update(id: string, olds: Values, news: Values): Promise<{ outs: Values }> {
  return runtime.forKind(news).update(id, olds, news);
}

/** Deletes the resource of `props`'s kind: in KooDrive for a `User` or a `Space`, nothing for the others. */
export async function remove(id: string, props: Values): Promise<void> {
  await runtime.forKind(props).delete?.(id, props);
}
