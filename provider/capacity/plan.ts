import type { SameType } from "../client/same-type";
import {
  allocatedOf,
  amount,
  type CapacityFigure,
  type FigureRow,
  figureOf,
  newAmount,
  PLAN_FIGURES,
  POOL_FIGURES,
  type PoolKey,
  plannedDirectly,
  setIn,
  USERS_FIGURE,
} from "./figures";
import { percent, remainingOf, type Usage } from "./usage";

export type { CapacityFigure } from "./figures";

/** New quota to allocate, in GB, per pool. */
export interface PlannedSpaceGB {
  /** quota the stack allocates from the department pool, in all, GB @integer */
  dept?: number;
  /** quota the stack allocates from the personal pool, in all, GB @integer */
  personal?: number;
  /** quota the stack allocates from the group pool, in all, GB @integer */
  group?: number;
}

// Compile-time check: the pools of a plan are the table's.
const poolsMatchTheTable: SameType<keyof PlannedSpaceGB, PoolKey> = true;
void poolsMatchTheTable;

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

/** What a guard does with a plan that does not fit: `mandatory` (the default) fails, `advisory` warns. */
export type Enforcement = "mandatory" | "advisory";

/** `mandatory` fails the deployment when the plan does not fit; `advisory` warns and goes on. */
export const ENFORCEMENTS = ["mandatory", "advisory"] as const satisfies readonly Enforcement[];

// Compile-time check: ENFORCEMENTS lists every enforcement.
const everyEnforcement: SameType<(typeof ENFORCEMENTS)[number], Enforcement> = true;
void everyEnforcement;

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
  /** How a remedy names the reserves: as a guard's arguments (the default), or as the provider's settings (`koodrive:`). */
  reservesAs?: "arguments" | "settings";
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
  /** What would make it fit: seats to buy (or the user maximum to raise), GB to free or reallocate to the pool, a reserve to lower. */
  remedy: string;
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

// Compile-time check: what is left is told of every figure a plan is judged on, and only of those.
const remainingMatchesTheTable: SameType<keyof RemainingAfterPlan, CapacityFigure> = true;
void remainingMatchesTheTable;

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
  /** Figures at or over `warnAtPercent` after the plan: a warning each, never a failure. */
  warnings: UtilisationWarning[];
  /** What is left of each figure once the plan (and the others' shares) is allocated. */
  remainingAfterPlan: RemainingAfterPlan;
}

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

/** "a (50 GB), b (30 GB) and c (20 GB)": each guard's new share, in `unit` when given. */
export function listShares(shares: readonly GuardNewShare[], unit?: FigureRow["unit"]): string {
  const names = shares.map((share) => `${share.name} (${unit ? amount(unit, share.new) : share.new})`);
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1)}` : names.join("");
}

/**
 * "seats: plan 46 users (45 users already deployed, 1 new user), 35 seats left", or the joint form
 * naming every guard: the figure's label, and every number with its unit.
 */
function describe(demand: FigureDemand): string {
  const { figure, planned, deployed, shares, remaining, reserve } = demand;
  const { label, unit, plannedIn } = figureOf(figure);
  const keep = reserve > 0 ? `, keeping ${amount(unit, reserve)} free` : "";
  const left = `${amount(unit, remaining)} left`;
  if (shares) {
    return `${label}: guards ${listShares(shares, unit)} need ${newAmount(unit, demand.new)} together${keep}, ${left}`;
  }
  if (deployed === undefined) {
    const what = plannedIn.counted ? newAmount(plannedIn, planned) : amount(plannedIn, planned);
    return `${label}: plan needs ${what}${keep}, ${left}`;
  }
  return `${label}: plan ${amount(plannedIn, planned)} (${amount(plannedIn, deployed)} already deployed, ${newAmount(plannedIn, demand.new)})${keep}, ${left}`;
}

/**
 * What would make a figure fit, in words a tenant admin acts on: seats to buy or the OrgID user
 * maximum to raise; GB to free in a pool or reallocate to it (naming a pool with that much left); GB
 * to free across the pools; and the reserve to lower, when lowering it alone would do.
 */
function remedyOf(row: FigureRow, exceededBy: number, reserve: number, usage: Usage, prefix: string): string {
  const lacking = amount(row.unit, exceededBy);
  const lower = reserve >= exceededBy && row.reserve ? `, or lower ${prefix}${row.reserve} by ${lacking}` : "";
  if (row === USERS_FIGURE) {
    const more = `${exceededBy} more ${exceededBy === 1 ? row.unit.one : row.unit.many}`;
    return `buy ${more}, or raise the OrgID user maximum (POST /koodrive/ose/v1/user/expand/{orgId})${lower}`;
  }
  const pool = POOL_FIGURES.find((other) => other === row);
  if (!pool) return `free ${lacking} across the pools, or buy more storage${lower}`;
  const donor = POOL_FIGURES.filter((other) => other !== pool)
    .map((other) => ({ other, left: remainingOf(other, usage) ?? 0 }))
    .filter(({ left }) => left >= exceededBy)
    .sort((a, b) => b.left - a.left)[0];
  const from = donor ? ` (the ${donor.other.label} has ${amount(row.unit, donor.left)} left)` : "";
  return `free ${lacking} of the ${row.label}, or reallocate ${lacking} to it in KooDrive's Storage Settings${from}`;
}

function judge(demand: FigureDemand, usage: Usage, prefix: string): Violation | undefined {
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
    message: `${describe(demand)}; exceeds by ${amount(figureOf(figure).unit, exceededBy)}`,
    remedy: remedyOf(figureOf(figure), exceededBy, reserve, usage, prefix),
  };
}

/** What `plan` allocates anew over `deployed`, per figure, floored at 0. */
export function newAllocation(plan: Allocation, deployed: Allocation = {}): NewAllocation {
  const grown = (row: FigureRow) => Math.max(0, allocatedOf(row, plan) - allocatedOf(row, deployed));
  return {
    users: grown(USERS_FIGURE),
    spaceGB: Object.fromEntries(POOL_FIGURES.map((row) => [row.planKey, grown(row)])) as Required<PlannedSpaceGB>,
  };
}

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
  const reserves = { minFreeSeats: plan.minFreeSeats ?? 0, minFreeGB: plan.minFreeGB ?? 0 };

  const demand = (row: (typeof PLAN_FIGURES)[number]): FigureDemand => {
    const share = (allocation: Allocation) => allocatedOf(row, allocation);
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
    const deployed = plan.deployed && allocatedOf(row, plan.deployed);
    return {
      figure: row.outputKey,
      planned: share(planned),
      ...(deployed === undefined ? {} : { deployed }),
      ...(shares ? { shares } : {}),
      new: sum,
      remaining: remainingOf(row, usage) ?? 0,
      reserve: row.reserve === undefined ? 0 : reserves[row.reserve],
    };
  };
  // A figure a plan allocates only as a sum (all pools) is judged when a reserve of it is set.
  const demands = PLAN_FIGURES.filter(
    (row) => plannedDirectly(row) || (row.reserve !== undefined && reserves[row.reserve] > 0),
  ).map(demand);
  const violations = demands
    .map((demand) => judge(demand, usage, plan.reservesAs === "settings" ? "koodrive:" : ""))
    .filter((violation): violation is Violation => violation !== undefined);

  const newOf = (figure: CapacityFigure) => demands.find((item) => item.figure === figure)?.new ?? 0;
  const { warnAtPercent } = plan;
  const warnings =
    warnAtPercent === undefined
      ? []
      : PLAN_FIGURES.filter((row) => row.warns)
          .map((row) => ({ row, used: row.used(usage) + newOf(row.outputKey), total: row.capacity(usage) }))
          // A figure with no capacity has no utilisation: a percentage of nothing would read as "0% used".
          .filter(({ total }) => total > 0)
          .map(({ row, used, total }) => ({ row, percentAfterPlan: percent(used, total) }))
          .filter(({ row }) => !violations.some((violation) => violation.figure === row.outputKey))
          .filter(({ percentAfterPlan }) => percentAfterPlan >= warnAtPercent)
          .map(({ row, percentAfterPlan }) => ({
            figure: row.outputKey,
            percentAfterPlan,
            warnAtPercent,
            message: `${row.label}: ${percentAfterPlan}% used after the plan (warning at ${warnAtPercent}%)`,
          }));

  return {
    fits: violations.length === 0,
    violations,
    warnings,
    newAllocation: own,
    remainingAfterPlan: Object.fromEntries(
      PLAN_FIGURES.map((row) => [row.outputKey, (remainingOf(row, usage) ?? 0) - allocatedOf(row, own)]),
    ) as Record<CapacityFigure, number>,
  };
}

/** One line per figure the plan allocates by its own key: what is planned, already deployed and new, and what is left. */
export function describePlan(usage: Usage, plan: CapacityPlan): string[] {
  const planned = allocationOf(plan);
  const own = newAllocation(planned, plan.deployed);
  return PLAN_FIGURES.filter((row) => plannedDirectly(row) && setIn(row, planned)).map((row) =>
    describe({
      figure: row.outputKey,
      planned: allocatedOf(row, planned),
      deployed: plan.deployed ? allocatedOf(row, plan.deployed) : 0,
      new: allocatedOf(row, own),
      remaining: remainingOf(row, usage) ?? 0,
      reserve: 0,
    }),
  );
}
