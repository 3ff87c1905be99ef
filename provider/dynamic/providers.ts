/**
 * The providers of one provider process over one state, by resource kind: what the entry point
 * (runtime.ts) serves. A module of its own, with no effect on load, so that tests make fresh runtimes
 * without loading the entry point, which is the process's and lends the state `process.exit`.
 */
import { UnsupportedStateError } from "../client/errors";
import { CONNECTION_KEYS, CONNECTION_SETTINGS } from "../config/connection-settings";
import { RESERVE_KEYS, RESERVE_SETTINGS } from "../config/reserve-settings";
import { EngineLog, type LogSink } from "../process/engine-log";
import type { Values } from "../process/protocol";
import { ProviderState, type ProviderStateOptions } from "../process/provider-state";
import { capacityGuardMethods } from "./capacity-guard";
import type { ResourceMethods } from "./dynamic-resource";
import { serviceUsageMethods } from "./service-usage";
import { spaceMethods } from "./space";
import { userMethods } from "./user";

/** The providers of one provider process, over one state; `createRuntime()` makes a fresh one (tests do). */
export interface ProviderRuntime {
  state: ProviderState;
  /** Keeps the stack's `koodrive:*` config (secrets already decrypted) for the rest of the run. */
  configure(config: { get(key: string): string | undefined }): void;
  serviceUsage: ResourceMethods;
  capacityGuard: ResourceMethods;
  user: ResourceMethods;
  space: ResourceMethods;
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
  const serviceUsage = serviceUsageMethods(state, log);
  const capacityGuard = capacityGuardMethods(state, log);
  const user = userMethods(state, log);
  const space = spaceMethods(state, log);
  const byKind: Record<string, ResourceMethods> = {
    ServiceUsage: serviceUsage,
    CapacityGuard: capacityGuard,
    User: user,
    Space: space,
  };
  return {
    state,
    configure: (config) =>
      state.configure(
        Object.fromEntries(CONNECTION_KEYS.map((key) => [key, config.get(CONNECTION_SETTINGS[key].config)])),
        Object.fromEntries(RESERVE_KEYS.map((key) => [key, config.get(RESERVE_SETTINGS[key].config)])),
      ),
    serviceUsage,
    capacityGuard,
    user,
    space,
    forKind(inputs) {
      const methods = typeof inputs.kind === "string" ? byKind[inputs.kind] : undefined;
      if (!methods) {
        throw new UnsupportedStateError(
          `pulumi-koodrive cannot handle a resource of kind ${JSON.stringify(inputs.kind)}`,
          `it knows ${Object.keys(byKind).join(", ")}; the state may come from a newer pulumi-koodrive, so upgrade the package in this program`,
        );
      }
      return methods;
    },
  };
}
