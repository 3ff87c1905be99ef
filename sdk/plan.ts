import { type GetServiceUsageResult, percent } from "./usage";

/** New quota to allocate, in GB, per pool. */
export interface PlannedSpaceGB {
  dept?: number;
  personal?: number;
  group?: number;
}

/** An allocation to check against the tenant's capacity. Every figure is optional. */
export interface CapacityPlan {
  /** New users to add; each takes a seat. */
  users?: number;
  /** New quota per pool, in GB. */
  spaceGB?: PlannedSpaceGB;
  /** Seats that must stay free after the plan. */
  minFreeSeats?: number;
  /** Allocatable quota (all pools) that must stay free after the plan, in GB. */
  minFreeGB?: number;
  /** Warn when a figure's utilisation after the plan reaches this percentage. */
  warnAtPercent?: number;
}

/** The figures a plan is judged on. */
export type CapacityFigure = "seats" | "deptQuotaGB" | "personalQuotaGB" | "groupQuotaGB" | "quotaGB";

/** A figure the plan does not fit. */
export interface Violation {
  figure: CapacityFigure;
  /** What the plan takes (users, or GB). */
  planned: number;
  /** What is left before the plan. */
  remaining: number;
  /** What must stay free (minFreeSeats / minFreeGB), 0 when none. */
  reserve: number;
  /** planned + reserve − remaining: by how much the plan does not fit. */
  exceededBy: number;
  /** One line a person can act on. */
  message: string;
}

/** A figure that stays within capacity but passes `warnAtPercent`. */
export interface UtilisationWarning {
  figure: CapacityFigure;
  /** Utilisation after the plan, in percent. */
  percentAfterPlan: number;
  warnAtPercent: number;
  message: string;
}

/** What is left of each figure once the plan is carried out. */
export interface RemainingAfterPlan {
  seats: number;
  deptQuotaGB: number;
  personalQuotaGB: number;
  groupQuotaGB: number;
  quotaGB: number;
}

/** The verdict on a plan. */
export interface PlanEvaluation {
  /** True when there is no violation. */
  fits: boolean;
  /** Every violation, not just the first. */
  violations: Violation[];
  warnings: UtilisationWarning[];
  remainingAfterPlan: RemainingAfterPlan;
}

const FIGURE_LABELS: Record<CapacityFigure, { name: string; unit: string }> = {
  seats: { name: "seats", unit: "" },
  deptQuotaGB: { name: "department pool quota", unit: " GB" },
  personalQuotaGB: { name: "personal pool quota", unit: " GB" },
  groupQuotaGB: { name: "group pool quota", unit: " GB" },
  quotaGB: { name: "allocatable quota (all pools)", unit: " GB" },
};

function violationMessage(
  figure: CapacityFigure,
  planned: number,
  remaining: number,
  reserve: number,
  exceededBy: number,
): string {
  const { name, unit } = FIGURE_LABELS[figure];
  const what = figure === "seats" ? `${planned} new user${planned === 1 ? "" : "s"}` : `${planned}${unit}`;
  const keep = reserve > 0 ? `, keeping ${reserve}${unit} free` : "";
  return `${name}: plan needs ${what}${keep}, ${remaining}${unit} left; exceeds by ${exceededBy}${unit}`;
}

function check(figure: CapacityFigure, planned: number, remaining: number, reserve: number): Violation | undefined {
  const exceededBy = planned + reserve - remaining;
  if ((planned === 0 && reserve === 0) || exceededBy <= 0) return undefined;
  return {
    figure,
    planned,
    remaining,
    reserve,
    exceededBy,
    message: violationMessage(figure, planned, remaining, reserve, exceededBy),
  };
}

/** Judges a plan against current usage: pure, so the guard, the CLI and the tests share it. */
export function evaluatePlan(usage: GetServiceUsageResult, plan: CapacityPlan): PlanEvaluation {
  const users = plan.users ?? 0;
  const dept = plan.spaceGB?.dept ?? 0;
  const personal = plan.spaceGB?.personal ?? 0;
  const group = plan.spaceGB?.group ?? 0;
  const minFreeSeats = plan.minFreeSeats ?? 0;
  const minFreeGB = plan.minFreeGB ?? 0;

  const violations = [
    check("seats", users, usage.remainingSeats, minFreeSeats),
    check("deptQuotaGB", dept, usage.remainingDeptQuotaGB, 0),
    check("personalQuotaGB", personal, usage.remainingPersonalQuotaGB, 0),
    check("groupQuotaGB", group, usage.remainingGroupQuotaGB, 0),
    minFreeGB > 0 ? check("quotaGB", dept + personal + group, usage.remainingQuotaGB, minFreeGB) : undefined,
  ].filter((violation): violation is Violation => violation !== undefined);

  const utilisation: [CapacityFigure, number, number][] = [
    ["seats", usage.userCount + users, usage.userMaxCount],
    ["deptQuotaGB", usage.deptSpaceQuotaUsed + dept, usage.deptSpaceQuota],
    ["personalQuotaGB", usage.personalSpaceQuotaUsed + personal, usage.personalSpaceQuota],
    ["groupQuotaGB", usage.groupSpaceQuotaUsed + group, usage.groupSpaceQuota],
  ];
  const { warnAtPercent } = plan;
  const warnings =
    warnAtPercent === undefined
      ? []
      : utilisation
          // A figure with no capacity has no utilisation: a percentage of nothing would read as "0% used".
          .filter(([, , total]) => total > 0)
          .map(([figure, used, total]) => ({ figure, percentAfterPlan: percent(used, total), warnAtPercent }))
          .filter(({ figure }) => !violations.some((violation) => violation.figure === figure))
          .filter(({ percentAfterPlan }) => percentAfterPlan >= warnAtPercent)
          .map((warning) => ({
            ...warning,
            message: `${FIGURE_LABELS[warning.figure].name}: ${warning.percentAfterPlan}% used after the plan (warning at ${warnAtPercent}%)`,
          }));

  return {
    fits: violations.length === 0,
    violations,
    warnings,
    remainingAfterPlan: {
      seats: usage.remainingSeats - users,
      deptQuotaGB: usage.remainingDeptQuotaGB - dept,
      personalQuotaGB: usage.remainingPersonalQuotaGB - personal,
      groupQuotaGB: usage.remainingGroupQuotaGB - group,
      quotaGB: usage.remainingQuotaGB - dept - personal - group,
    },
  };
}
