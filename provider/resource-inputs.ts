import { randomUUID } from "node:crypto";
import { z } from "zod";
import { CancelledError } from "./cancellation";
import { CONNECTION_KEYS, isConnectionKey, isSecretSetting } from "./client/connection-settings";
import { ConfigurationError, isKooDriveError } from "./client/errors";
import { ReadingSchema } from "./client/reading-schema";
import { appendReading, forecastRunway, type Reading, readingOf } from "./client/runway";
import type { KooDriveConnectionArgs } from "./client/settings";
import type { GetServiceUsageResult } from "./client/usage";
import { describeIssues } from "./client/zod-issues";
import { unknownValue } from "./protocol";
import type { ProviderState } from "./provider-state";

/** A resource's inputs or state, as the engine hands them to a dynamic provider. */
export type Inputs = Record<string, unknown>;

/** A check failure: the engine reports it against the resource's property. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/** What `check` returns: the inputs to record (and show as outputs in preview), and the failures. */
export interface CheckResult {
  inputs: Inputs;
  failures: CheckFailure[];
}

/** The methods of a dynamic resource's provider, as the provider process runs them. */
export interface ResourceMethods {
  check(olds: Inputs, news: Inputs): Promise<CheckResult>;
  diff(id: string, olds: Inputs, news: Inputs): Promise<{ changes: boolean }>;
  create(inputs: Inputs): Promise<{ id: string; outs: Inputs }>;
  /** `inputs`, when given, replace the recorded inputs, so the next check sees what the read found. */
  read(id: string, props: Inputs): Promise<{ id: string; props: Inputs; inputs?: Inputs }>;
  update(id: string, olds: Inputs, news: Inputs): Promise<{ outs: Inputs }>;
}

/** True when a value, or anything in it, is still unknown (computed from another resource, in preview). */
export function containsUnknown(value: unknown): boolean {
  if (value === unknownValue) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/** The connection settings still unknown in preview, by name. */
function unknownSettings(connection: unknown): string[] {
  if (connection === unknownValue) return ["connection"];
  return Object.entries((connection ?? {}) as Inputs)
    .filter(([, value]) => containsUnknown(value))
    .map(([key]) => key);
}

const ConnectionSchema = z
  .object(Object.fromEntries(CONNECTION_KEYS.map((key) => [key, z.string({ error: "must be a string" }).optional()])))
  .partial();

/** A resource's `connection` input, checked: every setting a string. */
function connectionOf(inputs: Inputs): KooDriveConnectionArgs {
  const parsed = ConnectionSchema.safeParse(inputs.connection ?? {});
  if (!parsed.success) {
    throw new ConfigurationError("invalid connection", describeIssues(parsed.error, { prefix: "connection" }));
  }
  return parsed.data;
}

/** A failed read, said in a line: the client's own message, or what else went wrong. */
function readError(error: unknown): string {
  if (isKooDriveError(error) || error instanceof CancelledError) return error.message;
  return `unexpected failure: ${String(error)}`;
}

/** A resource's figures: read (once per run and connection), pending a setting computed in preview, or unreadable. */
export type Figures =
  | { read: "done"; usage: GetServiceUsageResult; takenAt: Date; connection: KooDriveConnectionArgs }
  | { read: "pending"; unknown: string[] }
  | { read: "failed"; error: string };

/** Reads the figures for the resource's `connection` input, unless a setting is still unknown. */
export async function readFigures(state: ProviderState, inputs: Inputs): Promise<Figures> {
  const unknown = unknownSettings(inputs.connection);
  if (unknown.length > 0) return { read: "pending", unknown };
  try {
    const connection = connectionOf(inputs);
    return { read: "done", ...(await state.readUsage(connection)), connection };
  } catch (error) {
    return { read: "failed", error: readError(error) };
  }
}

const HistorySchema = z.array(ReadingSchema);

/**
 * The resource's `history` with this run's reading added (unless its figures equal the newest's), and
 * the figures with the runway forecast from it. A history that is absent (a new record, or state
 * from 0.1.0) or not valid starts empty. Only figures and times go in: no setting, no credential.
 */
export function recordReading(
  olds: Inputs,
  read: { usage: GetServiceUsageResult; takenAt: Date },
): { usage: GetServiceUsageResult; history: Reading[] } {
  const recorded = HistorySchema.safeParse(olds.history);
  const history = appendReading(recorded.success ? recorded.data : [], readingOf(read.usage, read.takenAt));
  return { usage: { ...read.usage, runway: forecastRunway(history, read.usage) }, history };
}

/** The inputs the engine keeps: everything but the secret settings, which never reach the state this way. */
export function withoutCredentials(news: Inputs): Inputs {
  const connection = Object.fromEntries(
    Object.entries((news.connection as Inputs | undefined) ?? {}).filter(
      ([key]) => !(isConnectionKey(key) && isSecretSetting(key)),
    ),
  );
  return { ...news, connection };
}

/**
 * `read` for `pulumi refresh`: reads the figures again into the state, and into the history. A guard re-judges nothing (its
 * plan was judged when deployed) but reports the current figures. Credentials given as resource
 * arguments are not kept in the state, so the read takes them from the stack config or the
 * environment; when none is there, the refresh fails saying what is missing.
 */
function refreshRead(state: ProviderState): ResourceMethods["read"] {
  return async (id, props) => {
    try {
      const read = await state.readUsage(connectionOf(props));
      const refreshed = { ...props, ...recordReading(props, read) };
      return { id, props: refreshed, inputs: refreshed };
    } catch (error) {
      throw new Error(`cannot refresh the KooDrive figures: ${readError(error)}`);
    }
  };
}

const stable = (inputs: Inputs): string =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries(inputs)
        .filter(([key]) => key !== "__provider")
        .sort(),
    ),
  );

/**
 * A resource's provider methods: its own `check` does the work, the state records what it found.
 * An update whenever anything the check produced differs from the state (figures, plan, verdict or version).
 */
export function resourceMethods(state: ProviderState, check: ResourceMethods["check"]): ResourceMethods {
  return { ...recordedState, check, read: refreshRead(state) };
}

const recordedState = {
  async diff(_id: string, olds: Inputs, news: Inputs): Promise<{ changes: boolean }> {
    return { changes: stable(olds) !== stable(news) };
  },
  /** Nothing to create in KooDrive: the state records what the check found. */
  async create(inputs: Inputs): Promise<{ id: string; outs: Inputs }> {
    return { id: randomUUID(), outs: inputs };
  },
  /** The state takes the new figures and verdict. */
  async update(_id: string, _olds: Inputs, news: Inputs): Promise<{ outs: Inputs }> {
    return { outs: news };
  },
};
