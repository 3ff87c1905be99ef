/** A reading of the figures as resources record it, shared by the data source and the guard. */

import type { GetServiceUsageResult } from "../capacity/runway";
import { appendReading, forecastRunway, type Reading, readingOf } from "../capacity/runway";
import { historyValidator } from "../capacity/validators";
import { isKooDriveError } from "../client/errors";
import { unknownValue } from "../process/protocol";

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
