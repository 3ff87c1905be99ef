/** A reading of the figures as resources record it, shared by the data source and the guard. */

import { forecastRunway, type GetServiceUsageResult } from "../capacity/runway";
import { historyValidator } from "../capacity/validators";
import { ConfigurationError, isKooDriveError, KooDriveError } from "../client/errors";
import { describeIssues } from "../client/zod-issues";
import type { KooDriveConnectionArgs } from "../config/settings";
import { connectionValuesValidator } from "../config/validators";
import { unknownValue, type Values } from "../process/protocol";
import type { ProviderState, TenantReading } from "../process/provider-state";

/** True when a value, or anything in it, is still unknown (computed from another resource, in preview). */
export function containsUnknown(value: unknown): boolean {
  if (value === unknownValue) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/** A failed read, said in a line: the client's own message, or what else went wrong. */
export function readError(error: unknown): string {
  if (isKooDriveError(error)) return error.message;
  return `unexpected failure: ${String(error)}`;
}

/**
 * The figures of `read` with the runway forecast from the tenant's history, which the reading joins
 * (recorded in it once; the state keeps no history). A `history` an older state of the resource
 * holds is recorded in the tenant's history too; an invalid one is ignored. `warning`: the history
 * could not be kept, said once per run.
 */
export async function recordReading(
  state: ProviderState,
  connection: KooDriveConnectionArgs,
  recorded: Record<string, unknown>,
  read: TenantReading,
): Promise<{ usage: GetServiceUsageResult; warning?: string }> {
  const imported = historyValidator.outputOf(recorded.history) ?? [];
  const { history, warning } = await state.history(read, connection, imported);
  return { usage: { ...read.usage, runway: forecastRunway(history, read.usage) }, ...(warning ? { warning } : {}) };
}

/** `values` without the `history` an older state recorded (the tenant's history keeps the readings now). */
export function withoutHistory(values: Values): Values {
  const { history: _history, ...rest } = values;
  return rest;
}

/** A resource's `connection` input, checked: every setting a string. */
export function connectionOf(inputs: Values): KooDriveConnectionArgs {
  const parsed = connectionValuesValidator.safeParse(inputs.connection ?? {});
  if (!parsed.success) {
    throw new ConfigurationError("invalid connection", describeIssues(parsed.error, { prefix: "connection" }));
  }
  return parsed.data;
}

/**
 * `read` for `pulumi refresh`: reads the figures again into the state, and into the tenant's history. A guard
 * re-judges nothing (its plan was judged when deployed) but reports the current figures. Credentials
 * given as resource arguments are not kept in the state, so the read takes them from the stack config
 * or the environment; when none is there, the refresh fails saying what is missing.
 */
export function refreshRead(
  state: ProviderState,
): (id: string, props: Values) => Promise<{ id: string; props: Values; inputs: Values }> {
  return async (id, props) => {
    try {
      const connection = connectionOf(props);
      const read = await state.readUsage(connection);
      const refreshed = {
        ...withoutHistory(props),
        usage: (await recordReading(state, connection, props, read)).usage,
      };
      return { id, props: refreshed, inputs: refreshed };
    } catch (error) {
      // Said again with what failed: the cause's code (the client's), or a fault of the package's own.
      const code = isKooDriveError(error) ? error.code : "ERR_KOODRIVE_INTERNAL";
      throw new KooDriveError(code, "cannot refresh the KooDrive figures", readError(error), { cause: error });
    }
  };
}
