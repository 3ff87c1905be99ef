import { percent, type Usage } from "./usage";

/** New quota to allocate, in GB, per pool. */
export interface PlannedSpaceGB {
  /** quota the stack allocates from the department pool, in all, GB @integer */
  dept?: number;
  /** quota the stack allocates from the personal pool, in all, GB @integer */
  personal?: number;
  /** quota the stack allocates from the group pool, in all, GB @integer */
  group?: number;
}

/** Users and quota per pool: what a plan allocates, or what is already deployed of it. */
export interface Allocation {
  /** Users, each taking a seat. @integer */
  users?: number;
  /** Quota per pool, in GB. */
  spaceGB?: PlannedSpaceGB;
}

/** The new allocation of another guard on the same connection, judged together with this plan. */
export interface GuardShare {
  /** The guard's name, as its messages show it. */
  name: string;
  /** Its new users and quota (growth over what it already deployed). */
  allocation: Allocation;
}

/** `mandatory` fails the deployment when the plan does not fit; `advisory` warns and goes on. */
export const ENFORCEMENTS = ["mandatory", "advisory"] as const;

/** What a guard does with a plan that does not fit: `mandatory` (the default) fails, `advisory` warns. */
export type Enforcement = (typeof ENFORCEMENTS)[number];

/**
 * A capacity plan, argument for argument as `CapacityGuard` takes it; every field is optional. Its
 * schema (`CapacityPlanSchema`, plan-schema.ts) is checked against it at compile time, and a test
 * holds these docs to the schema's descriptions.
 */
export interface GuardPlan {
  /** users the stack allocates in all (e.g. its CSV's rows); each takes a seat */
  plannedUsers?: number;
  /** quota the stack allocates per pool, in all */
  plannedSpaceGB?: PlannedSpaceGB;
  /** seats that must stay free after the plan */
  minFreeSeats?: number;
  /** allocatable quota (all pools) that must stay free after the plan */
  minFreeGB?: number;
  /** warn when seats or a pool's quota would be this many percent used after the plan */
  warnAtPercent?: number;
  /** days each figure must last after the tenant's new allocation in this run at its recent growth rate (needs a history: 3 readings over 3 days) */
  minRunwayDays?: number;
  /** fail the deployment, or only warn */
  enforcement?: Enforcement;
}

/**
 * A plan to check against the tenant's capacity (its `enforcement` is the caller's business). With
 * `deployed`, only the growth beyond it (per figure, floored at 0) is new; without it, the whole plan is new.
 */
export interface CapacityPlan extends Omit<GuardPlan, "enforcement"> {
  /** The part of the plan already deployed: a guard's plan admitted at its last create or update. */
  deployed?: Allocation;
  /** This plan's name in joint messages (a guard's name). */
  name?: string;
  /** New allocations of other guards sharing the connection in this run: the sum must fit. */
  others?: GuardShare[];
}

/** What a plan allocates, in the form guards record (`admittedPlan`); figures the plan leaves out stay out. */
export function allocationOf(plan: Pick<GuardPlan, "plannedUsers" | "plannedSpaceGB">): Allocation {
  const spaceGB = Object.fromEntries(
    Object.entries(plan.plannedSpaceGB ?? {}).filter(([, value]) => value !== undefined),
  ) as PlannedSpaceGB;
  return {
    ...(plan.plannedUsers === undefined ? {} : { users: plan.plannedUsers }),
    ...(plan.plannedSpaceGB === undefined ? {} : { spaceGB }),
  };
}

/** The figures a plan is judged on. */
export type CapacityFigure = "seats" | "deptQuotaGB" | "personalQuotaGB" | "groupQuotaGB" | "quotaGB";

/** One guard's part of a joint violation or runway shortfall. */
export interface GuardNewShare {
  /** The guard's name. */
  name: string;
  /** What it allocates anew of the figure. @integer */
  new: number;
}

/** A figure the plan does not fit. */
export interface Violation {
  /** The figure: `seats`, `deptQuotaGB`, `personalQuotaGB`, `groupQuotaGB` or `quotaGB` (all pools). */
  figure: CapacityFigure;
  /** What the whole plan allocates (users, or GB). @integer */
  planned: number;
  /** What of it is already deployed (0 when nothing is). @integer */
  deployed: number;
  /** What is new: the growth of this plan, plus the new shares of the guards judged with it. @integer */
  new: number;
  /** Every guard's new share when guards are judged together (absent for one plan alone). */
  shares?: GuardNewShare[];
  /** What is left before the plan. @integer */
  remaining: number;
  /** What must stay free (minFreeSeats / minFreeGB), 0 when none. @integer */
  reserve: number;
  /** new + reserve − remaining: by how much the plan does not fit. @integer */
  exceededBy: number;
  /** One line a person can act on. */
  message: string;
}

/** A figure that stays within capacity but passes `warnAtPercent`. */
export interface UtilisationWarning {
  /** The figure: `seats`, `deptQuotaGB`, `personalQuotaGB`, `groupQuotaGB` or `quotaGB` (all pools). */
  figure: CapacityFigure;
  /** Utilisation after the plan, in percent. */
  percentAfterPlan: number;
  /** The threshold it passes, in percent. */
  warnAtPercent: number;
  /** One line a person can act on. */
  message: string;
}

/** What is left of each figure once the plan is carried out. */
export interface RemainingAfterPlan {
  /** Seats left. @integer */
  seats: number;
  /** Department pool quota left, in GB. @integer */
  deptQuotaGB: number;
  /** Personal pool quota left, in GB. @integer */
  personalQuotaGB: number;
  /** Group pool quota left, in GB. @integer */
  groupQuotaGB: number;
  /** Allocatable quota left in all pools, in GB. @integer */
  quotaGB: number;
}

/** What a plan allocates anew, per figure. */
export interface NewAllocation {
  /** New users (seats). @integer */
  users: number;
  /** New quota per pool, in GB. */
  spaceGB: Required<PlannedSpaceGB>;
}

/** The verdict on a plan. */
export interface PlanEvaluation {
  /** What this plan allocates anew, per figure: the growth over `deployed`, floored at 0. */
  newAllocation: NewAllocation;
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

/** How one figure's new allocation came about, and what it is judged against. */
interface FigureDemand {
  figure: CapacityFigure;
  planned: number;
  deployed?: number;
  /** Shares of every guard judged together, this one included; absent when judged alone. */
  shares?: { name: string; new: number }[];
  new: number;
  remaining: number;
  reserve: number;
}

const amount = (figure: CapacityFigure, value: number): string =>
  figure === "seats" ? `${value} user${value === 1 ? "" : "s"}` : `${value} GB`;

/** "a (50), b (30) and c (20)": each guard's new share, with `unit`. */
export function listShares(shares: readonly GuardNewShare[], unit = ""): string {
  const names = shares.map((share) => `${share.name} (${share.new}${unit})`);
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1)}` : names.join("");
}

/** "seats: plan 46 users (45 already deployed, 1 new), 35 left", or the joint form naming every guard. */
function describe(demand: FigureDemand): string {
  const { figure, planned, deployed, shares, remaining, reserve } = demand;
  const { name, unit } = FIGURE_LABELS[figure];
  const keep = reserve > 0 ? `, keeping ${reserve}${unit} free` : "";
  if (shares) {
    const listed = listShares(shares, unit);
    const what = figure === "seats" ? `${demand.new} new seat${demand.new === 1 ? "" : "s"}` : `${demand.new} GB new`;
    return `${name}: guards ${listed} need ${what} together${keep}, ${remaining}${unit} left`;
  }
  if (deployed === undefined) {
    const what = figure === "seats" ? `${planned} new user${planned === 1 ? "" : "s"}` : `${planned}${unit}`;
    return `${name}: plan needs ${what}${keep}, ${remaining}${unit} left`;
  }
  return `${name}: plan ${amount(figure, planned)} (${deployed}${unit} already deployed, ${demand.new}${unit} new)${keep}, ${remaining}${unit} left`;
}

function judge(demand: FigureDemand): Violation | undefined {
  const { figure, planned, deployed = 0, shares, remaining, reserve } = demand;
  const exceededBy = demand.new + reserve - remaining;
  // Nothing new never fails: a deployed plan passes its own next run, a shrinking plan always passes.
  // A reserve alone (nothing planned) is a standing condition and is checked on every run.
  if (exceededBy <= 0 || (demand.new === 0 && (planned > 0 || reserve === 0))) return undefined;
  return {
    figure,
    planned,
    deployed,
    new: demand.new,
    ...(shares ? { shares } : {}),
    remaining,
    reserve,
    exceededBy,
    message: `${describe(demand)}; exceeds by ${exceededBy}${FIGURE_LABELS[figure].unit}`,
  };
}

const growth = (planned: number | undefined, deployed: number | undefined): number =>
  Math.max(0, (planned ?? 0) - (deployed ?? 0));

/** What `plan` allocates anew over `deployed`, per figure, floored at 0. */
export function newAllocation(plan: Allocation, deployed: Allocation = {}): PlanEvaluation["newAllocation"] {
  return {
    users: growth(plan.users, deployed.users),
    spaceGB: {
      dept: growth(plan.spaceGB?.dept, deployed.spaceGB?.dept),
      personal: growth(plan.spaceGB?.personal, deployed.spaceGB?.personal),
      group: growth(plan.spaceGB?.group, deployed.spaceGB?.group),
    },
  };
}

type Pool = keyof PlannedSpaceGB;
const total = (allocation: Allocation): number =>
  (allocation.spaceGB?.dept ?? 0) + (allocation.spaceGB?.personal ?? 0) + (allocation.spaceGB?.group ?? 0);

/**
 * Judges a plan against current usage: pure, so the guard, the CLI and the tests share it. Only what
 * is new is judged: the growth over `deployed`, together with the new shares of `others`.
 */
export function evaluatePlan(usage: Usage, plan: CapacityPlan): PlanEvaluation {
  const planned = allocationOf(plan);
  const own = newAllocation(planned, plan.deployed);
  const others = (plan.others ?? []).map((other) => ({
    name: other.name,
    allocation: newAllocation(other.allocation),
  }));
  const minFreeSeats = plan.minFreeSeats ?? 0;
  const minFreeGB = plan.minFreeGB ?? 0;

  const demand = (
    figure: CapacityFigure,
    planned: number,
    deployed: number | undefined,
    share: (allocation: Allocation) => number,
    remaining: number,
    reserve: number,
  ): FigureDemand => {
    const mine = share(own);
    const joined = others.filter((other) => share(other.allocation) > 0);
    const shares =
      mine > 0 && joined.length > 0
        ? [
            { name: plan.name ?? "this", new: mine },
            ...joined.map((other) => ({ name: other.name, new: share(other.allocation) })),
          ].sort((a, b) => a.name.localeCompare(b.name))
        : undefined;
    const sum = shares ? shares.reduce((sum, item) => sum + item.new, 0) : mine;
    return {
      figure,
      planned,
      ...(deployed === undefined ? {} : { deployed }),
      ...(shares ? { shares } : {}),
      new: sum,
      remaining,
      reserve,
    };
  };
  const deployed = plan.deployed;
  const pool = (figure: CapacityFigure, key: Pool, remaining: number) =>
    demand(
      figure,
      planned.spaceGB?.[key] ?? 0,
      deployed && (deployed.spaceGB?.[key] ?? 0),
      (a) => a.spaceGB?.[key] ?? 0,
      remaining,
      0,
    );
  const demands = [
    demand(
      "seats",
      planned.users ?? 0,
      deployed && (deployed.users ?? 0),
      (a) => a.users ?? 0,
      usage.remainingSeats,
      minFreeSeats,
    ),
    pool("deptQuotaGB", "dept", usage.remainingDeptQuotaGB),
    pool("personalQuotaGB", "personal", usage.remainingPersonalQuotaGB),
    pool("groupQuotaGB", "group", usage.remainingGroupQuotaGB),
    ...(minFreeGB > 0
      ? [demand("quotaGB", total(planned), deployed && total(deployed), total, usage.remainingQuotaGB, minFreeGB)]
      : []),
  ];
  const violations = demands.map(judge).filter((violation): violation is Violation => violation !== undefined);

  const newOf = (figure: CapacityFigure) => demands.find((item) => item.figure === figure)?.new ?? 0;
  const utilisation: [CapacityFigure, number, number][] = [
    ["seats", usage.userCount + newOf("seats"), usage.userMaxCount],
    ["deptQuotaGB", usage.deptSpaceQuotaUsed + newOf("deptQuotaGB"), usage.deptSpaceQuota],
    ["personalQuotaGB", usage.personalSpaceQuotaUsed + newOf("personalQuotaGB"), usage.personalSpaceQuota],
    ["groupQuotaGB", usage.groupSpaceQuotaUsed + newOf("groupQuotaGB"), usage.groupSpaceQuota],
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

  const { dept, personal, group } = own.spaceGB;
  return {
    fits: violations.length === 0,
    violations,
    warnings,
    newAllocation: own,
    remainingAfterPlan: {
      seats: usage.remainingSeats - own.users,
      deptQuotaGB: usage.remainingDeptQuotaGB - dept,
      personalQuotaGB: usage.remainingPersonalQuotaGB - personal,
      groupQuotaGB: usage.remainingGroupQuotaGB - group,
      quotaGB: usage.remainingQuotaGB - dept - personal - group,
    },
  };
}

/** One line per planned figure: what is planned, already deployed and new, and what is left. */
export function describePlan(usage: Usage, plan: CapacityPlan): string[] {
  const own = newAllocation(allocationOf(plan), plan.deployed);
  const { plannedUsers, plannedSpaceGB } = plan;
  const lines: [CapacityFigure, number | undefined, number | undefined, number, number][] = [
    ["seats", plannedUsers, plan.deployed?.users, own.users, usage.remainingSeats],
    ["deptQuotaGB", plannedSpaceGB?.dept, plan.deployed?.spaceGB?.dept, own.spaceGB.dept, usage.remainingDeptQuotaGB],
    [
      "personalQuotaGB",
      plannedSpaceGB?.personal,
      plan.deployed?.spaceGB?.personal,
      own.spaceGB.personal,
      usage.remainingPersonalQuotaGB,
    ],
    [
      "groupQuotaGB",
      plannedSpaceGB?.group,
      plan.deployed?.spaceGB?.group,
      own.spaceGB.group,
      usage.remainingGroupQuotaGB,
    ],
  ];
  return lines
    .filter(([, planned]) => planned !== undefined)
    .map(([figure, planned = 0, deployed, fresh, remaining]) =>
      describe({ figure, planned, deployed: deployed ?? 0, new: fresh, remaining, reserve: 0 }),
    );
}
