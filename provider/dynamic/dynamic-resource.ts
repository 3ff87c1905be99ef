/**
 * The dynamic providers' side of a resource: the inputs and methods as `@pulumi/pulumi/dynamic` runs
 * them, the `connection` input, the figures of a data source, refresh, and what the state records.
 */

import { randomUUID } from "node:crypto";
import type { GetServiceUsageResult } from "../capacity/runway";
import { ConfigurationError, isKooDriveError, KooDriveError } from "../client/errors";
import { describeIssues } from "../client/zod-issues";
import { isConnectionKey, isSecretSetting } from "../config/connection-settings";
import type { KooDriveConnectionArgs } from "../config/settings";
import { connectionValuesValidator } from "../config/validators";
import { containsUnknown, readError, recordReading } from "../guard/reading";
import { unknownValue } from "../process/protocol";
import type { ProviderState } from "../process/provider-state";

/** A resource's inputs or state, as the engine hands them to a dynamic provider. */
export type Inputs = Record<string, unknown>;

/** A check failure: the engine reports it against the resource's (top-level) input. */
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

/** The connection settings still unknown in preview, by name. */
export function unknownSettings(connection: unknown): string[] {
  if (connection === unknownValue) return ["connection"];
  return Object.entries((connection ?? {}) as Inputs)
    .filter(([, value]) => containsUnknown(value))
    .map(([key]) => key);
}

/** A resource's `connection` input, checked: every setting a string. */
export function connectionOf(inputs: Inputs): KooDriveConnectionArgs {
  const parsed = connectionValuesValidator.safeParse(inputs.connection ?? {});
  if (!parsed.success) {
    throw new ConfigurationError("invalid connection", describeIssues(parsed.error, { prefix: "connection" }));
  }
  return parsed.data;
}

/** A data source's figures: read (once per run and tenant), pending a setting computed in preview, or unreadable. */
export type Figures =
  | { read: "done"; usage: GetServiceUsageResult; takenAt: Date }
  | { read: "pending"; unknown: string[] }
  | { read: "failed"; error: string };

/** Reads the figures for the resource's `connection` input, unless a setting is still unknown. */
export async function readFigures(state: ProviderState, inputs: Inputs): Promise<Figures> {
  const unknown = unknownSettings(inputs.connection);
  if (unknown.length > 0) return { read: "pending", unknown };
  try {
    return { read: "done", ...(await state.readUsage(connectionOf(inputs))) };
  } catch (error) {
    return { read: "failed", error: readError(error) };
  }
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
 * `read` for `pulumi refresh`: reads the figures again into the state, and into the history. A guard
 * re-judges nothing (its plan was judged when deployed) but reports the current figures. Credentials
 * given as resource arguments are not kept in the state, so the read takes them from the stack config
 * or the environment; when none is there, the refresh fails saying what is missing.
 */
export function refreshRead(state: ProviderState): ResourceMethods["read"] {
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

/** The inputs as a stable text, `__provider` aside: what `diff` compares. */
export function stableText(inputs: Inputs, keys?: readonly string[]): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(inputs)
        .filter(([key]) => key !== "__provider" && (keys === undefined || keys.includes(key)))
        .sort(),
    ),
  );
}

/** Nothing to create in KooDrive: the state records what the check found. */
export async function recordCreate(inputs: Inputs): Promise<{ id: string; outs: Inputs }> {
  return { id: randomUUID(), outs: inputs };
}
