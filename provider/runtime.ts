/**
 * What the dynamic provider does, run in Pulumi's provider process (see providers.ts). `check`
 * does the work on every preview and update: it reads the figures (once per process for each
 * connection), judges guards, and returns the figures as the resource's new inputs, which the
 * engine shows as outputs even during preview.
 */
import { createHash, randomUUID } from "node:crypto";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { z } from "zod";
import { KooDriveClient } from "../sdk/client";
import { isKooDriveError } from "../sdk/errors";
import { evaluatePlan } from "../sdk/plan";
import type { KooDriveConnectionArgs, SettingsSource } from "../sdk/settings";
import type { GetServiceUsageResult } from "../sdk/usage";
import { CONNECTION_KEYS } from "./connection";
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

/** One quotaUsed request per connection for the whole run, however many resources ask. */
function readUsage(connection: KooDriveConnectionArgs): Promise<GetServiceUsageResult> {
  const key = createHash("sha256")
    .update(JSON.stringify([connection, stackConfig.values]))
    .digest("hex");
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

async function checkCapacityGuard(news: Inputs): Promise<{ inputs: Inputs; failures: CheckFailure[] }> {
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
  let usage: GetServiceUsageResult | undefined;
  if (!containsUnknown(news.connection)) {
    try {
      usage = await readUsage(ConnectionSchema.parse(news.connection ?? {}));
    } catch (error) {
      const reason = `cannot read KooDrive usage, so the plan cannot be checked: ${readError(error)}`;
      const outputs: GuardOutputs = {
        status: "unreadable",
        fits: false,
        violations: [],
        warnings: [],
        message: reason,
      };
      return { inputs: { ...kept, ...outputs }, failures: mandatory ? [{ property: "connection", reason }] : [] };
    }
  }
  if (usage === undefined || plan === undefined) {
    const outputs: GuardOutputs = {
      status: "pending",
      fits: true,
      violations: [],
      warnings: [],
      message: "the plan is not known until the update; the check runs then",
      ...(usage ? { usage } : {}),
    };
    return { inputs: { ...kept, ...outputs }, failures: [] };
  }
  const verdict = evaluatePlan(usage, {
    users: plan.plannedUsers,
    spaceGB: plan.plannedSpaceGB,
    minFreeSeats: plan.minFreeSeats,
    minFreeGB: plan.minFreeGB,
    warnAtPercent: plan.warnAtPercent,
  });
  const outputs: GuardOutputs = {
    status: verdict.fits ? "fits" : "exceeds",
    fits: verdict.fits,
    violations: verdict.violations,
    warnings: verdict.warnings,
    remainingAfterPlan: verdict.remainingAfterPlan,
    usage,
    message: verdict.fits
      ? "the plan fits"
      : `the plan exceeds capacity: ${verdict.violations.map((violation) => violation.message).join("; ")}`,
  };
  const failures = mandatory
    ? verdict.violations.map((violation) => ({ property: PLAN_PROPERTY[violation.figure], reason: violation.message }))
    : [];
  return { inputs: { ...kept, ...outputs }, failures };
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
export async function check(_olds: Inputs, news: Inputs): Promise<{ inputs: Inputs; failures: CheckFailure[] }> {
  return news.kind === "CapacityGuard" ? checkCapacityGuard(news) : checkServiceUsage(news);
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
