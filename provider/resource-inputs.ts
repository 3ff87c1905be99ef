import { randomUUID } from "node:crypto";
import { z } from "zod";
import { CancelledError } from "./cancellation";
import { CONNECTION_KEYS, isConnectionKey, isSecretSetting } from "./client/connection-settings";
import { ConfigurationError, isKooDriveError } from "./client/errors";
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
  read(id: string, props: Inputs): Promise<{ id: string; props: Inputs }>;
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
  | { read: "done"; usage: GetServiceUsageResult; connection: KooDriveConnectionArgs }
  | { read: "pending"; unknown: string[] }
  | { read: "failed"; error: string };

/** Reads the figures for the resource's `connection` input, unless a setting is still unknown. */
export async function readFigures(state: ProviderState, inputs: Inputs): Promise<Figures> {
  const unknown = unknownSettings(inputs.connection);
  if (unknown.length > 0) return { read: "pending", unknown };
  try {
    const connection = connectionOf(inputs);
    return { read: "done", usage: await state.readUsage(connection), connection };
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
 * `read` for `pulumi refresh`: reads the figures again into the state. A guard re-judges nothing (its
 * plan was judged when deployed) but reports the current figures. Credentials given as resource
 * arguments are not kept in the state, so the read takes them from the stack config or the
 * environment; when none is there, the refresh fails saying what is missing.
 */
function refreshRead(state: ProviderState): ResourceMethods["read"] {
  return async (id, props) => {
    try {
      const usage = await state.readUsage(connectionOf(props));
      return { id, props: { ...props, usage } };
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
