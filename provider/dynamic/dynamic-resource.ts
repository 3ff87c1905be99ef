/**
 * The dynamic providers' side of a resource: the inputs and methods as `@pulumi/pulumi/dynamic` runs
 * them, the `connection` input, the figures of a data source, refresh, and what the state records.
 */

import { randomUUID } from "node:crypto";
import type { Failure } from "../client/errors";
import { isConnectionKey, isSecretSetting } from "../config/connection-settings";
import type { KooDriveConnectionArgs } from "../config/settings";
import type { AdditionVerdict } from "../guard/addition";
import type { Figures } from "../guard/judge";
import { connectionOf, containsUnknown, readError } from "../guard/reading";
import type { LogSink } from "../process/engine-log";
import { unknownValue, type Values } from "../process/protocol";
import type { ProviderState, TenantReading } from "../process/provider-state";

/** What `check` returns: the inputs to record (and show as outputs in preview), and the failures. */
export interface CheckResult {
  /** The inputs to record, figures and verdict included. */
  inputs: Values;
  /** Each against a top-level property; none when the check passes. */
  failures: Failure[];
}

/** The methods of a dynamic resource's provider, as the provider process runs them. */
export interface ResourceMethods {
  check(olds: Values, news: Values): Promise<CheckResult>;
  /** `replaces` names the changed inputs that replace the resource. */
  diff(id: string, olds: Values, news: Values): Promise<{ changes: boolean; replaces?: string[] }>;
  create(inputs: Values): Promise<{ id: string; outs: Values }>;
  /** `inputs`, when given, replace the recorded inputs, so the next check sees what the read found. */
  read(id: string, props: Values): Promise<{ id: string; props: Values; inputs?: Values }>;
  update(id: string, olds: Values, news: Values): Promise<{ outs: Values }>;
  /** Deletes what the resource made in KooDrive; absent for a resource that made nothing there. */
  delete?(id: string, props: Values): Promise<void>;
}

/** The connection settings still unknown in preview, by name. */
export function unknownSettings(connection: unknown): string[] {
  if (connection === unknownValue) return ["connection"];
  return Object.entries((connection ?? {}) as Values)
    .filter(([, value]) => containsUnknown(value))
    .map(([key]) => key);
}

/**
 * The `connection` input as checked: empty while a setting is unknown (the judgement says which), or
 * the failure against `connection` naming what is wrong with it.
 */
export function checkedConnection(news: Values): { connection: KooDriveConnectionArgs } | { failures: Failure[] } {
  if (unknownSettings(news.connection).length > 0) return { connection: {} };
  try {
    return { connection: connectionOf(news) };
  } catch (error) {
    return { failures: [{ property: "connection", reason: (error as Error).message }] };
  }
}

/** Reads the figures for the resource's `connection` input, unless a setting is still unknown. */
export async function readFigures(
  state: ProviderState,
  inputs: Values,
): Promise<Exclude<Figures, { read: "done" }> | ({ read: "done" } & TenantReading)> {
  const unknown = unknownSettings(inputs.connection);
  if (unknown.length > 0) return { read: "pending", unknown };
  try {
    return { read: "done", ...(await state.readUsage(connectionOf(inputs))) };
  } catch (error) {
    return { read: "failed", error: readError(error) };
  }
}

/** The inputs the engine keeps: everything but the secret settings, which never reach the state this way. */
export function withoutCredentials(news: Values): Values {
  const connection = Object.fromEntries(
    Object.entries((news.connection as Values | undefined) ?? {}).filter(
      ([key]) => !(isConnectionKey(key) && isSecretSetting(key)),
    ),
  );
  return { ...news, connection };
}

/** Nothing to create in KooDrive: the state records what the check found. */
export async function recordCreate(inputs: Values): Promise<{ id: string; outs: Values }> {
  return { id: randomUUID(), outs: inputs };
}

/** The check result of a User or Space: its recorded inputs and failures; its warnings said against `urn`. */
export async function additionChecked(
  log: LogSink,
  urn: string,
  news: Values,
  verdict: AdditionVerdict,
): Promise<CheckResult> {
  if (verdict.warnings.length > 0) {
    await log.write(
      urn,
      verdict.warnings.map((message) => ({ severity: "warning", message })),
    );
  }
  return { inputs: withoutCredentials(news), failures: verdict.failures };
}
