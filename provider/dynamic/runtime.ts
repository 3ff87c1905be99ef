/**
 * What the dynamic providers run in Pulumi's provider process (`pulumi-koodrive/provider-runtime`).
 * `check` does the work on every preview and update: it reads the figures (once per run for each
 * connection), judges guards, and returns the figures as the resource's new inputs, which the engine
 * shows as outputs even during preview. `read` re-reads the figures for `pulumi refresh`.
 *
 * One serialized provider serves both resources (sdk/nodejs/dynamic-provider.ts): the top-level
 * methods dispatch on the resource's `kind` and refuse one they do not know.
 */
import { UnsupportedStateError } from "../client/errors";
import "../process/compile-cache";
import "../process/zod-locales";
import { CONNECTION_KEYS, CONNECTION_SETTINGS } from "../config/connection-settings";
import { EngineLog, type LogSink } from "../process/engine-log";
import type { Values } from "../process/protocol";
import { engineAddressOf, ProviderState, type ProviderStateOptions } from "../process/provider-state";
import { capacityGuardMethods } from "./capacity-guard";
import type { CheckResult, ResourceMethods } from "./dynamic-resource";
import { onEngineCancel } from "./engine-cancel";
import { serviceUsageMethods } from "./service-usage";

/** The providers of one provider process, over one state; `createRuntime()` makes a fresh one (tests do). */
export interface ProviderRuntime {
  state: ProviderState;
  /** Keeps the stack's `koodrive:*` config (secrets already decrypted) for the rest of the run. */
  configure(config: { get(key: string): string | undefined }): void;
  serviceUsage: ResourceMethods;
  capacityGuard: ResourceMethods;
  /** The provider of the resource whose inputs or state these are, by its `kind`; throws for an unknown kind. */
  forKind(inputs: Values): ResourceMethods;
}

/**
 * A runtime with a fresh state: no config, no read, an empty ledger. `engineAddress` (what the engine
 * started the process with) tells the deployment and receives the guards' lines, unless `log` is given.
 */
export function createRuntime(
  engineAddress?: string,
  log: LogSink = new EngineLog(engineAddress),
  options: ProviderStateOptions = {},
): ProviderRuntime {
  const state = new ProviderState(engineAddress, options);
  const serviceUsage = serviceUsageMethods(state);
  const capacityGuard = capacityGuardMethods(state, log);
  const byKind: Record<string, ResourceMethods> = { ServiceUsage: serviceUsage, CapacityGuard: capacityGuard };
  return {
    state,
    configure: (config) =>
      state.configure(
        Object.fromEntries(CONNECTION_KEYS.map((key) => [key, config.get(CONNECTION_SETTINGS[key].config)])),
      ),
    serviceUsage,
    capacityGuard,
    forKind(inputs) {
      const methods = typeof inputs.kind === "string" ? byKind[inputs.kind] : undefined;
      if (!methods) {
        throw new UnsupportedStateError(
          `pulumi-koodrive cannot handle a resource of kind ${JSON.stringify(inputs.kind)}`,
          `it knows ${Object.keys(byKind).join(" and ")}; the state may come from a newer pulumi-koodrive, so upgrade the package in this program`,
        );
      }
      return methods;
    },
  };
}

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
export async function diff(id: string, olds: Values, news: Values): Promise<{ changes: boolean }> {
  return runtime.forKind(news).diff(id, olds, news);
}

/** Creates the resource of `inputs`'s kind. */
export async function create(inputs: Values): Promise<{ id: string; outs: Values }> {
  return runtime.forKind(inputs).create(inputs);
}

/** Refreshes the resource of `props`'s kind. */
export async function read(id: string, props: Values): ReturnType<ResourceMethods["read"]> {
  return runtime.forKind(props).read(id, props);
}

/** Updates the resource of `news`'s kind. */
export async function update(id: string, olds: Values, news: Values): Promise<{ outs: Values }> {
  return runtime.forKind(news).update(id, olds, news);
}
