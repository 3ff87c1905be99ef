/** A reading of the figures as resources record it, shared by the data source and the guard. */

import type { GetServiceUsageResult } from "../capacity/runway";
import { appendReading, forecastRunway, type Reading, readingOf } from "../capacity/runway";
import { historyValidator } from "../capacity/validators";
import { ConfigurationError, isKooDriveError, KooDriveError } from "../client/errors";
import { describeIssues } from "../client/zod-issues";
import type { KooDriveConnectionArgs } from "../config/settings";
import { connectionValuesValidator } from "../config/validators";
import { unknownValue, type Values } from "../process/protocol";
import type { ProviderState } from "../process/provider-state";

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
 * The recorded `history` with this reading added (unless its figures equal the newest's), and the
 * figures with the runway forecast from it. A history that is absent (a new record) or not valid
 * starts empty. Only figures and times go in: no setting, no credential.
 */
export function recordReading(
  recorded: Record<string, unknown>,
  read: { usage: GetServiceUsageResult; takenAt: Date },
): { usage: GetServiceUsageResult; history: Reading[] } {
  const kept = historyValidator.outputOf(recorded.history) ?? [];
  const history = appendReading(kept, readingOf(read.usage, read.takenAt));
  return { usage: { ...read.usage, runway: forecastRunway(history, read.usage) }, history };
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
 * `read` for `pulumi refresh`: reads the figures again into the state, and into the history. A guard
 * re-judges nothing (its plan was judged when deployed) but reports the current figures. Credentials
 * given as resource arguments are not kept in the state, so the read takes them from the stack config
 * or the environment; when none is there, the refresh fails saying what is missing.
 */
export function refreshRead(
  state: ProviderState,
): (id: string, props: Values) => Promise<{ id: string; props: Values; inputs: Values }> {
  return async (id, props) => {
    try {
      const read = await state.readUsage(connectionOf(props));
      const refreshed = { ...props, ...recordReading(props, read) };
      return { id, props: refreshed, inputs: refreshed };
    } catch (error) {
      // Said again with what failed: the cause's code (the client's), or a fault of the package's own.
      const code = isKooDriveError(error) ? error.code : "ERR_KOODRIVE_INTERNAL";
      throw new KooDriveError(code, "cannot refresh the KooDrive figures", readError(error), { cause: error });
    }
  };
}
