/**
 * The table of figures, one row each: what every message, summary and runway line calls a figure, its
 * unit, how it is read from the usage, and its keys in a plan, a reading, a runway and the outputs.
 * Nothing else names a figure: adding a pool is one row here (and its members in the declared types
 * that the compile-time checks of plan.ts, runway.ts and usage.ts hold to this table).
 */
import type { QuotaUsedData } from "../client/quota-used";

/** A unit in words: singular, plural, and where "new" goes ("3 new seats", but "30 GB new"). */
export interface Unit {
  /** One of it: "seat". */
  one: string;
  /** Any other number of it: "seats". */
  many: string;
  /** True for things counted one by one, which take "new" before the word. */
  counted: boolean;
}

const SEATS: Unit = { one: "seat", many: "seats", counted: true };
const USERS: Unit = { one: "user", many: "users", counted: true };
const GB: Unit = { one: "GB", many: "GB", counted: false };

/** The raw figures and the stored data in GB: what a figure's use and capacity are read from. */
export type UsageFigures = QuotaUsedData & { spaceUsedGB: number };

/** One figure. Keys are `undefined` where the figure has no such key (stored data is not planned). */
export interface FigureRow {
  /** Its name in every line a person reads ("department pool quota"). */
  label: string;
  /** The unit of what is used, left, reserved and forecast. */
  unit: Unit;
  /** The unit a plan allocates it in, when other than `unit`: users, each taking a seat. */
  plannedIn: Unit;
  /** What is used of it, read from the usage. */
  used: (usage: UsageFigures) => number;
  /** What there is of it in all, read from the usage. */
  capacity: (usage: UsageFigures) => number;
  /** Its field in a reading (a history's entry), of the same name in the usage. */
  readingKey:
    | "userCount"
    | "deptSpaceQuotaUsed"
    | "personalSpaceQuotaUsed"
    | "groupSpaceQuotaUsed"
    | "spaceQuotaUsed"
    | "spaceUsedGB";
  /** Its remaining figure in the usage (capacity − used). */
  remainingKey: string | undefined;
  /** What a plan allocates it from: `users`, a pool of `plannedSpaceGB`, or `pools` (all of them added up). */
  planKey: string | undefined;
  /** The guard argument its violations are reported against when the plan allocates it. */
  argument: "plannedUsers" | "plannedSpaceGB" | "minFreeGB" | undefined;
  /** The guard argument that keeps some of it free, when there is one. */
  reserve: "minFreeSeats" | "minFreeGB" | undefined;
  /** True when `warnAtPercent` applies to it. */
  warns: boolean;
  /** Its name in the outputs: a violation's `figure`, a key of `remainingAfterPlan`. */
  outputKey: string | undefined;
  /** Its key in a runway (`runway`, a shortfall's `figure`). */
  runwayKey: string;
  /** The `type` of a space whose quota it is (a `Space`'s argument, a pool's spaces); undefined for a figure that is no pool. */
  spaceType: string | undefined;
}

/** The pools' figures added up: what is used of them, or what there is. */
function poolsTotal(usage: UsageFigures, side: "used" | "capacity"): number {
  return POOL_FIGURES.reduce((sum, row) => sum + row[side](usage), 0);
}

/** The figures, in the order every list of them follows. */
export const FIGURE_TABLE = [
  {
    label: "seats",
    unit: SEATS,
    plannedIn: USERS,
    used: (usage) => usage.userCount,
    capacity: (usage) => usage.userMaxCount,
    readingKey: "userCount",
    remainingKey: "remainingSeats",
    planKey: "users",
    argument: "plannedUsers",
    reserve: "minFreeSeats",
    warns: true,
    outputKey: "seats",
    runwayKey: "seats",
    spaceType: undefined,
  },
  {
    label: "department pool quota",
    unit: GB,
    plannedIn: GB,
    used: (usage) => usage.deptSpaceQuotaUsed,
    capacity: (usage) => usage.deptSpaceQuota,
    readingKey: "deptSpaceQuotaUsed",
    remainingKey: "remainingDeptQuotaGB",
    planKey: "dept",
    argument: "plannedSpaceGB",
    reserve: undefined,
    warns: true,
    outputKey: "deptQuotaGB",
    runwayKey: "deptQuota",
    spaceType: "department",
  },
  {
    label: "personal pool quota",
    unit: GB,
    plannedIn: GB,
    used: (usage) => usage.personalSpaceQuotaUsed,
    capacity: (usage) => usage.personalSpaceQuota,
    readingKey: "personalSpaceQuotaUsed",
    remainingKey: "remainingPersonalQuotaGB",
    planKey: "personal",
    argument: "plannedSpaceGB",
    reserve: undefined,
    warns: true,
    outputKey: "personalQuotaGB",
    runwayKey: "personalQuota",
    spaceType: "personal",
  },
  {
    label: "group pool quota",
    unit: GB,
    plannedIn: GB,
    used: (usage) => usage.groupSpaceQuotaUsed,
    capacity: (usage) => usage.groupSpaceQuota,
    readingKey: "groupSpaceQuotaUsed",
    remainingKey: "remainingGroupQuotaGB",
    planKey: "group",
    argument: "plannedSpaceGB",
    reserve: undefined,
    warns: true,
    outputKey: "groupQuotaGB",
    runwayKey: "groupQuota",
    spaceType: "group",
  },
  {
    label: "allocatable quota (all pools)",
    unit: GB,
    plannedIn: GB,
    used: (usage) => poolsTotal(usage, "used"),
    capacity: (usage) => poolsTotal(usage, "capacity"),
    readingKey: "spaceQuotaUsed",
    remainingKey: "remainingQuotaGB",
    planKey: "pools",
    argument: "minFreeGB",
    reserve: "minFreeGB",
    warns: false,
    outputKey: "quotaGB",
    runwayKey: "allocatableQuota",
    spaceType: undefined,
  },
  {
    label: "stored data",
    unit: GB,
    plannedIn: GB,
    used: (usage) => usage.spaceUsedGB,
    capacity: (usage) => usage.spaceCapacity,
    readingKey: "spaceUsedGB",
    remainingKey: undefined,
    planKey: undefined,
    argument: undefined,
    reserve: undefined,
    warns: false,
    outputKey: undefined,
    runwayKey: "storedData",
    spaceType: undefined,
  },
] as const satisfies readonly FigureRow[];

/** A row of the table, as written: its keys are the figures' names. */
type Row = (typeof FIGURE_TABLE)[number];

/** A figure as the outputs name it (a violation's `figure`, a key of `remainingAfterPlan`). */
export type CapacityFigure = NonNullable<Row["outputKey"]>;
/** A figure as a runway names it (a key of `runway`, a shortfall's `figure`). */
export type RunwayFigureName = Row["runwayKey"];
/** A pool a plan allocates quota from (a key of `plannedSpaceGB`). */
export type PoolKey = Exclude<NonNullable<Row["planKey"]>, "users" | "pools">;
/** A space's type as a pool names it (`department`, `personal`, `group`). */
export type SpaceKind = NonNullable<Row["spaceType"]>;
/** A derived remaining figure of the usage. */
export type RemainingKey = NonNullable<Row["remainingKey"]>;

/** Every figure, as rows whose keys keep their names. */
export const FIGURES: readonly (FigureRow & Row)[] = FIGURE_TABLE;

/** The figures a plan is judged on, each with its output key. */
export const PLAN_FIGURES = FIGURES.filter(
  (row): row is Extract<Row, { outputKey: CapacityFigure }> => row.outputKey !== undefined,
);

/** The pools of `plannedSpaceGB`, each with its key. */
export const POOL_FIGURES = FIGURES.filter(
  (row): row is Extract<Row, { planKey: PoolKey }> =>
    row.planKey !== "users" && row.planKey !== "pools" && row.planKey !== undefined,
);

/** The row of a figure named by its output key. */
export function figureOf(key: CapacityFigure): (typeof PLAN_FIGURES)[number] {
  return PLAN_FIGURES.find((row) => row.outputKey === key) as (typeof PLAN_FIGURES)[number];
}

/** Users and quota per pool, as a plan or a guard's admitted plan holds them (plan.ts `Allocation`). */
export interface AllocationFigures {
  users?: number | undefined;
  spaceGB?: { [pool in PoolKey]?: number | undefined } | undefined;
}

/** How much of a figure `allocation` takes: its users, a pool's quota, or all pools' quota added up (0 for none). */
export function allocatedOf(row: FigureRow, allocation: AllocationFigures): number {
  if (row.planKey === "users") return allocation.users ?? 0;
  if (row.planKey === "pools") return POOL_FIGURES.reduce((sum, pool) => sum + allocatedOf(pool, allocation), 0);
  return row.planKey === undefined ? 0 : (allocation.spaceGB?.[row.planKey as PoolKey] ?? 0);
}

/** The figure a reserve argument keeps free. */
export function reservedBy(reserve: NonNullable<FigureRow["reserve"]>): FigureRow {
  return FIGURES.find((row) => row.reserve === reserve) as FigureRow;
}

/** Whether `allocation` sets the figure: its users, its pool, or any pool for all pools. */
export function setIn(row: FigureRow, allocation: AllocationFigures): boolean {
  if (row.planKey === "users") return allocation.users !== undefined;
  if (row.planKey === "pools") return allocation.spaceGB !== undefined;
  return row.planKey !== undefined && allocation.spaceGB?.[row.planKey as PoolKey] !== undefined;
}

/** The figure a plan's users take (seats). */
export const USERS_FIGURE = FIGURES.find((row) => row.planKey === "users") as FigureRow;

/** True when a plan allocates the figure by a key of its own (users, a pool), false for a sum or nothing. */
export function plannedDirectly(row: FigureRow): boolean {
  return row.planKey !== undefined && row.planKey !== "pools";
}

/** `3 seats`, `1 seat`, `400 GB`: a number with its unit. */
export function amount(unit: Unit, value: number): string {
  return `${value} ${value === 1 ? unit.one : unit.many}`;
}

/** `3 new seats`, `30 GB new`: a new amount, "new" where the unit takes it. */
export function newAmount(unit: Unit, value: number): string {
  const word = value === 1 ? unit.one : unit.many;
  return unit.counted ? `${value} new ${word}` : `${value} ${word} new`;
}

/** `seats`, `department pool quota`: the label with its first letter capitalised when `capital`. */
export function labelOf(row: FigureRow, capital = false): string {
  return capital ? `${row.label.charAt(0).toUpperCase()}${row.label.slice(1)}` : row.label;
}

/** `35 seats`, `50 GB of department pool quota`: an amount of a figure, named. */
export function amountOf(row: FigureRow, value: number): string {
  const counted = amount(row.unit, value);
  return row.label === row.unit.many ? counted : `${counted} of ${row.label}`;
}
