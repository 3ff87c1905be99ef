/**
 * The pack's own view of the tenant, through the guard's own machinery (ProviderState: the same client, the same
 * settings resolution, one read per tenant, the same ledger): each guard's connection, then the pack's `connection`
 * policy config, then the stack's `koodrive:*` config (which the language host hands a policy pack in PULUMI_CONFIG),
 * then the policy process's KOODRIVE_* environment.
 */
import { CONNECTION_KEYS, CONNECTION_SETTINGS, type ConnectionValues } from "../provider/config/connection-settings";
import { ProviderState } from "../provider/process/provider-state";

/** The stack's config, by key (`koodrive:endpoint`), as the policy process received it (secrets decrypted, as the engine sends them). */
export function stackConfig(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  try {
    return JSON.parse(env.PULUMI_CONFIG ?? "{}") as Record<string, unknown>;
  } catch {
    // No readable stack config: the pack's own settings and the environment remain.
    return {};
  }
}

/** The stack's `koodrive:*` connection settings. */
function stackConnection(env: NodeJS.ProcessEnv): ConnectionValues {
  const config = stackConfig(env);
  return Object.fromEntries(
    CONNECTION_KEYS.map((key) => [key, config[CONNECTION_SETTINGS[key].config]]).filter(
      ([, value]) => typeof value === "string",
    ),
  );
}

let state: ProviderState | undefined;

/** The policy process's state, configured with the pack's `connection` over the stack's config. */
export function packState(policyConnection: ConnectionValues | undefined): ProviderState {
  state ??= new ProviderState();
  state.configure({ ...stackConnection(process.env), ...policyConnection });
  return state;
}
