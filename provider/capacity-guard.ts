/** What a `CapacityGuard` does in the provider process: its check judges the plan on every preview and update. */
import { z } from "zod";
import type { CapacityFigure, GuardPlan, PlannedSpaceGB } from "./client/plan";
import { type Allocation, allocationOf, describePlan, evaluatePlan } from "./client/plan";
import { CapacityPlanSchema, PLAN_FIELDS } from "./client/plan-schema";
import type { SameType } from "./client/same-type";
import { describeIssue } from "./client/zod-issues";
import type { GuardOutputs } from "./guard-plan";
import type { ProviderState } from "./provider-state";
import {
  type CheckResult,
  containsUnknown,
  type Inputs,
  type ResourceMethods,
  readFigures,
  resourceMethods,
  withoutCredentials,
} from "./resource-inputs";

/** What a guard records as admitted (`admittedPlan`): the plan's users and quota, read with the plan's own rules. */
const AllocationSchema = z.object({
  users: CapacityPlanSchema.shape.plannedUsers,
  spaceGB: CapacityPlanSchema.shape.plannedSpaceGB,
});

// Compile-time check: the schema reads exactly the published `Allocation`.
const allocationMatches: SameType<z.output<typeof AllocationSchema>, Allocation> = true;
void allocationMatches;

/** The guard argument each figure's violation is reported against. */
const PLAN_PROPERTY: Record<CapacityFigure, keyof GuardPlan | `plannedSpaceGB.${keyof PlannedSpaceGB}`> = {
  seats: "plannedUsers",
  deptQuotaGB: "plannedSpaceGB.dept",
  personalQuotaGB: "plannedSpaceGB.personal",
  groupQuotaGB: "plannedSpaceGB.group",
  quotaGB: "minFreeGB",
};

/**
 * The plan a guard admitted at its last successful create or update: `admittedPlan` in its state, or
 * for a guard deployed by 0.1.0 (which recorded none) its recorded plan. Undefined for a new guard.
 */
function admittedPlan(olds: Inputs): { plan: Allocation; upgraded: boolean } | undefined {
  if (olds.kind !== "CapacityGuard") return undefined;
  const recorded = AllocationSchema.safeParse(olds.admittedPlan);
  if (olds.admittedPlan !== undefined && recorded.success) return { plan: recorded.data, upgraded: false };
  const legacy = AllocationSchema.safeParse(allocationOf(olds as GuardPlan));
  return { plan: legacy.success ? legacy.data : {}, upgraded: true };
}

function pendingMessage(settings: string[], planKnown: boolean): string {
  const connection =
    settings.length > 0
      ? `the connection is not known until the update (${settings.join(", ")} ${settings.length === 1 ? "is" : "are"} computed from another resource)`
      : "";
  const plan = planKnown ? "" : "the plan is not known until the update";
  return `${[connection, plan].filter(Boolean).join(", and ")}; the check runs then`;
}

async function check(state: ProviderState, olds: Inputs, news: Inputs): Promise<CheckResult> {
  const kept = withoutCredentials(news);
  const planKnown = !PLAN_FIELDS.some((key) => containsUnknown(news[key]));
  const parsed = planKnown ? CapacityPlanSchema.safeParse(news) : undefined;
  if (parsed && !parsed.success) {
    return {
      inputs: kept,
      failures: parsed.error.issues.map((issue) => ({
        property: issue.path.join(".") || "plan",
        reason: describeIssue(issue),
      })),
    };
  }
  const plan = parsed?.data;
  // The schema gives the default; an enforcement still unknown in preview counts as mandatory (fail closed).
  const mandatory = (plan?.enforcement ?? news.enforcement) !== "advisory";
  const recorded = plan ? { ...kept, enforcement: plan.enforcement } : kept;
  const figures = await readFigures(state, news);
  if (figures.read === "failed") {
    const reason = `cannot read KooDrive usage, so the plan cannot be checked: ${figures.error}`;
    const outputs: GuardOutputs = {
      status: "unreadable",
      fits: false,
      violations: [],
      warnings: [],
      message: reason,
      // An advisory guard lets the deployment go on unjudged: its plan counts as deployed.
      ...(plan ? { admittedPlan: allocationOf(plan) } : {}),
    };
    return { inputs: { ...recorded, ...outputs }, failures: mandatory ? [{ property: "connection", reason }] : [] };
  }
  if (figures.read === "pending" || plan === undefined) {
    const outputs: GuardOutputs = {
      status: "pending",
      fits: true,
      violations: [],
      warnings: [],
      message: pendingMessage(figures.read === "pending" ? figures.unknown : [], plan !== undefined),
      ...(figures.read === "done" ? { usage: figures.usage } : {}),
    };
    return { inputs: { ...recorded, ...outputs }, failures: [] };
  }
  const { usage, connection } = figures;
  const planned = allocationOf(plan);
  const admitted = admittedPlan(olds);
  const name = String(news.guardName ?? "this guard");
  const others = state.shareLedger(connection, name, planned, admitted?.plan);
  const judged = { ...plan, deployed: admitted?.plan, name, others };
  const verdict = evaluatePlan(usage, judged);
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
  return { inputs: { ...recorded, ...outputs }, failures };
}

/** The provider methods of `CapacityGuard`, over the provider process's state. */
export function capacityGuardMethods(state: ProviderState): ResourceMethods {
  return resourceMethods(state, (olds, news) => check(state, olds, news));
}
