/**
 * What the dynamic provider does, run in Pulumi's provider process (see providers.ts). `check`
 * does the work on every preview and update: it reads the figures (once per process for each
 * connection), judges guards, and returns the figures as the resource's new inputs, which the
 * engine shows as outputs even during preview. `read` re-reads the figures for `pulumi refresh`.
 */
import "./compile-cache";
import { createHash, randomUUID } from "node:crypto";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { z } from "zod";
import { CONNECTION_KEYS } from "../sdk/nodejs/connection";
import { KooDriveClient } from "./client/client";
import { isKooDriveError } from "./client/errors";
import { type Allocation, describePlan, evaluatePlan, type GuardShare, newAllocation } from "./client/plan";
import type { KooDriveConnectionArgs, SettingsSource } from "./client/settings";
import type { GetServiceUsageResult } from "./client/usage";
import type { GuardOutputs } from "./guard-plan";
import { GuardPlanSchema } from "./guard-plan-schema";

type Inputs = Record<string, unknown>;
interface CheckFailure {
  property: string;
  reason: string;
}

let stackConfig: SettingsSource = { values: {}, name: (key) => `koodrive:${key}` };

/** Keeps the stack's `koodrive:*` config (secrets already decrypted) for the life of the process. */
export function configure(config: { get(key: string): string | undefined }): void {
  const values = Object.fromEntries(CONNECTION_KEYS.map((key) => [key, config.get(`koodrive:${key}`)]));
  stackConfig = { ...stackConfig, values };
}

const usageReads = new Map<string, Promise<GetServiceUsageResult>>();

/** Which tenant a connection reaches: its settings and the stack config they fall back to. */
function connectionKey(connection: KooDriveConnectionArgs): string {
  return createHash("sha256")
    .update(JSON.stringify([connection, stackConfig.values]))
    .digest("hex");
}

/** One quotaUsed request per connection for the whole run, however many resources ask. */
function readUsage(connection: KooDriveConnectionArgs): Promise<GetServiceUsageResult> {
  const key = connectionKey(connection);
  let read = usageReads.get(key);
  if (!read) {
    read = (async () => {
      const client = new KooDriveClient(connection, [stackConfig]);
      try {
        return await client.getServiceUsage();
      } finally {
        await client.close();
      }
    })();
    usageReads.set(key, read);
  }
  return read;
}

function containsUnknown(value: unknown): boolean {
  if (value === unknownValue) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

const ConnectionSchema = z
  .object(Object.fromEntries(CONNECTION_KEYS.map((key) => [key, z.string().optional()])))
  .partial();

function readError(error: unknown): string {
  return isKooDriveError(error) ? error.message : `unexpected failure: ${String(error)}`;
}

/** The inputs the engine keeps: everything but the credentials, which never reach the state this way. */
function withoutCredentials(news: Inputs): Inputs {
  const connection = { ...(news.connection as Record<string, unknown> | undefined) };
  delete connection.accessToken;
  delete connection.appSecret;
  return { ...news, connection };
}

async function checkServiceUsage(news: Inputs): Promise<{ inputs: Inputs; failures: CheckFailure[] }> {
  const kept = withoutCredentials(news);
  if (containsUnknown(news.connection)) return { inputs: kept, failures: [] };
  try {
    const usage = await readUsage(ConnectionSchema.parse(news.connection ?? {}));
    return { inputs: { ...kept, usage }, failures: [] };
  } catch (error) {
    return {
      inputs: kept,
      failures: [{ property: "connection", reason: `cannot read KooDrive usage: ${readError(error)}` }],
    };
  }
}

const PLAN_KEYS = ["plannedUsers", "plannedSpaceGB", "minFreeSeats", "minFreeGB", "warnAtPercent", "enforcement"];

/**
 * The new allocation of every guard checked so far in this run, by connection and guard name. The
 * engine checks resources one after another in one provider process, so the guard checked last sees
 * every share; a guard checked again (preview, then update) replaces its share rather than adding it.
 */
const ledger = new Map<string, Map<string, Allocation>>();

const AllocationSchema = z.object({
  users: z.number().optional(),
  spaceGB: z.object({ dept: z.number(), personal: z.number(), group: z.number() }).partial().optional(),
});

/**
 * The plan a guard admitted at its last successful create or update: `admittedPlan` in its state, or
 * for a guard deployed by 0.1.0 (which recorded none) its recorded plan. Undefined for a new guard.
 */
function admittedPlan(olds: Inputs): { plan: Allocation; upgraded: boolean } | undefined {
  if (olds.kind !== "CapacityGuard") return undefined;
  const recorded = AllocationSchema.safeParse(olds.admittedPlan);
  if (olds.admittedPlan !== undefined && recorded.success) return { plan: recorded.data, upgraded: false };
  const legacy = AllocationSchema.safeParse({ users: olds.plannedUsers, spaceGB: olds.plannedSpaceGB });
  return { plan: legacy.success ? legacy.data : {}, upgraded: true };
}

/** A guard's plan as an allocation, without the figures it leaves out (the engine refuses undefined values). */
function allocationOf(plan: { plannedUsers?: number; plannedSpaceGB?: Allocation["spaceGB"] }): Allocation {
  return JSON.parse(JSON.stringify({ users: plan.plannedUsers, spaceGB: plan.plannedSpaceGB }));
}

/** The connection settings still unknown in preview, by name. */
function unknownSettings(connection: unknown): string[] {
  if (connection === unknownValue) return ["connection"];
  return Object.entries((connection ?? {}) as Inputs)
    .filter(([, value]) => containsUnknown(value))
    .map(([key]) => key);
}

function pendingMessage(settings: string[], planKnown: boolean): string {
  const connection =
    settings.length > 0
      ? `the connection is not known until the update (${settings.join(", ")} ${settings.length === 1 ? "is" : "are"} computed from another resource)`
      : "";
  const plan = planKnown ? "" : "the plan is not known until the update";
  return `${[connection, plan].filter(Boolean).join(", and ")}; the check runs then`;
}

async function checkCapacityGuard(olds: Inputs, news: Inputs): Promise<{ inputs: Inputs; failures: CheckFailure[] }> {
  const kept = withoutCredentials(news);
  const planKnown = !PLAN_KEYS.some((key) => containsUnknown(news[key]));
  const parsed = planKnown ? GuardPlanSchema.safeParse(news) : undefined;
  if (parsed && !parsed.success) {
    return {
      inputs: kept,
      failures: parsed.error.issues.map((issue) => ({
        property: issue.path.join(".") || "plan",
        reason: issue.message,
      })),
    };
  }
  const plan = parsed?.data;
  const mandatory = news.enforcement !== "advisory";
  const unknownConnection = unknownSettings(news.connection);
  let usage: GetServiceUsageResult | undefined;
  let connection: KooDriveConnectionArgs | undefined;
  if (unknownConnection.length === 0) {
    try {
      connection = ConnectionSchema.parse(news.connection ?? {});
      usage = await readUsage(connection);
    } catch (error) {
      const reason = `cannot read KooDrive usage, so the plan cannot be checked: ${readError(error)}`;
      const outputs: GuardOutputs = {
        status: "unreadable",
        fits: false,
        violations: [],
        warnings: [],
        message: reason,
        // An advisory guard lets the deployment go on unjudged: its plan counts as deployed.
        ...(plan ? { admittedPlan: allocationOf(plan) } : {}),
      };
      return { inputs: { ...kept, ...outputs }, failures: mandatory ? [{ property: "connection", reason }] : [] };
    }
  }
  if (usage === undefined || plan === undefined || connection === undefined) {
    const outputs: GuardOutputs = {
      status: "pending",
      fits: true,
      violations: [],
      warnings: [],
      message: pendingMessage(unknownConnection, plan !== undefined),
      ...(usage ? { usage } : {}),
    };
    return { inputs: { ...kept, ...outputs }, failures: [] };
  }
  const planned = allocationOf(plan);
  const admitted = admittedPlan(olds);
  const name = String(news.guardName ?? "this guard");
  const others = shareLedger(connection, name, planned, admitted?.plan);
  const judged = { ...planned, deployed: admitted?.plan, name, others };
  const verdict = evaluatePlan(usage, {
    ...judged,
    minFreeSeats: plan.minFreeSeats,
    minFreeGB: plan.minFreeGB,
    warnAtPercent: plan.warnAtPercent,
  });
  const summary = describePlan(usage, judged).join("; ");
  const outputs: GuardOutputs = {
    status: verdict.fits ? "fits" : "exceeds",
    fits: verdict.fits,
    violations: verdict.violations,
    warnings: verdict.warnings,
    remainingAfterPlan: verdict.remainingAfterPlan,
    newAllocation: verdict.newAllocation,
    admittedPlan: planned,
    ...(admitted?.upgraded
      ? { notice: "first run after the upgrade from 0.1.0: the recorded plan counts as already deployed" }
      : {}),
    usage,
    message: verdict.fits
      ? `the plan fits${summary ? `: ${summary}` : ""}`
      : `the plan exceeds capacity: ${verdict.violations.map((violation) => violation.message).join("; ")}`,
  };
  const failures = mandatory
    ? verdict.violations.map((violation) => ({ property: PLAN_PROPERTY[violation.figure], reason: violation.message }))
    : [];
  return { inputs: { ...kept, ...outputs }, failures };
}

/** Records this guard's new allocation for its connection and returns the other guards' shares. */
function shareLedger(
  connection: KooDriveConnectionArgs,
  name: string,
  planned: Allocation,
  deployed: Allocation | undefined,
): GuardShare[] {
  const key = connectionKey(connection);
  const shares = ledger.get(key) ?? new Map<string, Allocation>();
  ledger.set(key, shares);
  shares.set(name, newAllocation(planned, deployed));
  return [...shares].filter(([other]) => other !== name).map(([other, allocation]) => ({ name: other, allocation }));
}

/** The guard argument each figure's violation is reported against. */
const PLAN_PROPERTY = {
  seats: "plannedUsers",
  deptQuotaGB: "plannedSpaceGB.dept",
  personalQuotaGB: "plannedSpaceGB.personal",
  groupQuotaGB: "plannedSpaceGB.group",
  quotaGB: "minFreeGB",
} as const;

/** Dispatches on the resource's `kind`. */
export async function check(olds: Inputs, news: Inputs): Promise<{ inputs: Inputs; failures: CheckFailure[] }> {
  return news.kind === "CapacityGuard" ? checkCapacityGuard(olds, news) : checkServiceUsage(news);
}

const stable = (inputs: Inputs): string =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries(inputs)
        .filter(([key]) => key !== "__provider")
        .sort(),
    ),
  );

/** An update whenever anything the check produced differs from the state: figures, plan, verdict or version. */
export async function diff(_id: string, olds: Inputs, news: Inputs): Promise<{ changes: boolean }> {
  return { changes: stable(olds) !== stable(news) };
}

/** Nothing to create in KooDrive: the state records what the check found. */
export async function create(inputs: Inputs): Promise<{ id: string; outs: Inputs }> {
  return { id: randomUUID(), outs: inputs };
}

/** The state takes the new figures and verdict. */
export async function update(_id: string, _olds: Inputs, news: Inputs): Promise<{ outs: Inputs }> {
  return { outs: news };
}

/**
 * `pulumi refresh`: reads the figures again into the state. A guard re-judges nothing (its plan was
 * judged when deployed) but reports the current figures. Credentials given as resource arguments are
 * not kept in the state, so the read takes them from the stack config or the environment; when
 * none is there, the refresh fails saying what is missing.
 */
export async function read(id: string, props: Inputs): Promise<{ id: string; props: Inputs }> {
  try {
    const usage = await readUsage(ConnectionSchema.parse(props.connection ?? {}));
    return { id, props: { ...props, usage } };
  } catch (error) {
    throw new Error(`cannot refresh the KooDrive figures: ${readError(error)}`);
  }
}
