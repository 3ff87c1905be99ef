/**
 * Capacity runway: a history of readings, and when each figure runs out at its recent pace. The
 * README's "Capacity runway" section gives the same formulas.
 */
import type { PlanEvaluation } from "./plan";
import type { GetServiceUsageResult } from "./usage";

/** The figures that matter for capacity, as read at one time. */
export interface Reading {
  /** When it was read, ISO 8601: KooDrive's clock (the answer's `Date` header), else the local clock. */
  takenAt: string;
  userCount: number;
  deptSpaceQuotaUsed: number;
  personalSpaceQuotaUsed: number;
  groupSpaceQuotaUsed: number;
  spaceQuotaUsed: number;
  /** Stored data in GB, so that readings taken with different `usedSpaceUnit`s compare. */
  spaceUsedGB: number;
}

/** One figure's forecast. */
export interface RunwayFigure {
  /** What is used now. */
  used: number;
  /** What there is in all. */
  capacity: number;
  /** Growth per day, the slope of a least-squares line through the window's readings; null without enough history. */
  perDay: number | null;
  /**
   * (capacity − used) / perDay; 0 when already full; null when not growing (perDay ≤ 0 at 3 decimals),
   * when full is more than {@link HORIZON_DAYS} days away, or without enough history.
   */
  daysUntilFull: number | null;
  /** The day it is full (YYYY-MM-DD, UTC), counted from the newest reading; null when `daysUntilFull` is. */
  fullOn: string | null;
}

/** The forecast for seats, each pool's quota, all pools' quota and the stored data. */
export interface Runway {
  /** Seats taken, against the seats subscribed. */
  seats: RunwayFigure;
  /** Quota allocated out of the department pool (GB). */
  deptQuota: RunwayFigure;
  /** Quota allocated out of the personal pool (GB). */
  personalQuota: RunwayFigure;
  /** Quota allocated out of the group pool (GB). */
  groupQuota: RunwayFigure;
  /** Quota allocated out of all three pools together. */
  allocatableQuota: RunwayFigure;
  /** Data stored, against the subscribed capacity (GB). */
  storedData: RunwayFigure;
  /** Readings in the window the rates are fitted over. */
  readings: number;
  /** Days between the window's first and last reading. */
  spanDays: number;
  /** Says how much the forecast rests on, and that a forecast from few points is rough. */
  note: string;
}

/** The names of the figures a runway forecasts. */
export type RunwayFigureName = Exclude<keyof Runway, "readings" | "spanDays" | "note">;

/** Most readings a history keeps; beyond it, the densest are thinned. */
export const MAX_READINGS = 100;
/** Rates are fitted over the readings of this many days before the newest. */
export const WINDOW_DAYS = 30;
/** A forecast needs readings at least this far apart. */
export const MIN_SPAN_DAYS = 1;
/** Beyond this many days (a century), a figure counts as not running out. */
export const HORIZON_DAYS = 36_500;
/** Below this many readings in the window, the note calls the forecast rough. */
const SOLID_READINGS = 5;

const DAY_MS = 86_400_000;
const timeOf = (reading: Reading): number => Date.parse(reading.takenAt);
const round = (value: number, decimals: number): number => Number(value.toFixed(decimals));

/** The capacity figures of `usage`, taken at `takenAt`. */
export function readingOf(usage: GetServiceUsageResult, takenAt: Date): Reading {
  return {
    takenAt: takenAt.toISOString(),
    userCount: usage.userCount,
    deptSpaceQuotaUsed: usage.deptSpaceQuotaUsed,
    personalSpaceQuotaUsed: usage.personalSpaceQuotaUsed,
    groupSpaceQuotaUsed: usage.groupSpaceQuotaUsed,
    spaceQuotaUsed: usage.spaceQuotaUsed,
    spaceUsedGB: usage.spaceUsedGB,
  };
}

function sameFigures(a: Reading, b: Reading): boolean {
  return (Object.keys(a) as (keyof Reading)[]).every((key) => key === "takenAt" || a[key] === b[key]);
}

/**
 * The history with `reading` added, unless its figures equal the newest one's. Past `max` readings,
 * the reading whose neighbours are closest in time goes (never the first or the newest), so a long
 * history keeps its reach into the past and loses detail where it had most.
 */
export function appendReading(history: readonly Reading[], reading: Reading, max = MAX_READINGS): Reading[] {
  const newest = history.at(-1);
  if (newest && sameFigures(newest, reading)) return [...history];
  const next = [...history, reading];
  while (next.length > Math.max(max, 2)) {
    let densest = 1;
    for (let index = 2; index < next.length - 1; index += 1) {
      const gap = timeOf(next[index + 1] as Reading) - timeOf(next[index - 1] as Reading);
      const best = timeOf(next[densest + 1] as Reading) - timeOf(next[densest - 1] as Reading);
      if (gap < best) densest = index;
    }
    next.splice(densest, 1);
  }
  return next;
}

/** A point of a time series: days since some origin, and a value. */
export interface Point {
  day: number;
  value: number;
}

/**
 * The least-squares slope of `points` (value per day): Σ(d−d̄)(v−v̄) / Σ(d−d̄)². Null when fewer
 * than two points or when they all share one day (the slope is undefined, not infinite).
 */
export function fitRate(points: readonly Point[]): number | null {
  if (points.length < 2) return null;
  const sorted = [...points].sort((a, b) => a.day - b.day || a.value - b.value);
  const meanDay = sorted.reduce((sum, point) => sum + point.day, 0) / sorted.length;
  const meanValue = sorted.reduce((sum, point) => sum + point.value, 0) / sorted.length;
  let covariance = 0;
  let variance = 0;
  for (const { day, value } of sorted) {
    covariance += (day - meanDay) * (value - meanValue);
    variance += (day - meanDay) ** 2;
  }
  return variance === 0 ? null : covariance / variance;
}

function figure(used: number, capacity: number, perDay: number | null, newest: number): RunwayFigure {
  // The shown rate is the one counted with: a float residue (1e-12 a day) would put the day past any date.
  const rate = perDay === null ? null : round(perDay, 3);
  const days = used >= capacity ? 0 : rate !== null && rate > 0 ? (capacity - used) / rate : null;
  const inSight = days !== null && days <= HORIZON_DAYS;
  return {
    used,
    capacity,
    perDay: rate,
    daysUntilFull: inSight ? round(days, 1) : null,
    fullOn: inSight ? new Date(newest + days * DAY_MS).toISOString().slice(0, 10) : null,
  };
}

/**
 * The runway of each figure from `history` (a reading of `usage` included) and the capacities in
 * `usage`. Rates come from the readings of the {@link WINDOW_DAYS} days before the newest; with fewer
 * than two of them, or less than {@link MIN_SPAN_DAYS} between the first and last, every rate is null.
 */
export function forecastRunway(history: readonly Reading[], usage: GetServiceUsageResult): Runway {
  const newest = Math.max(...history.map(timeOf));
  const window = history.filter((reading) => timeOf(reading) >= newest - WINDOW_DAYS * DAY_MS);
  const days = window.map((reading) => (timeOf(reading) - newest) / DAY_MS);
  const spanDays = window.length > 0 ? round(Math.max(...days) - Math.min(...days), 2) : 0;
  const enough = window.length >= 2 && spanDays >= MIN_SPAN_DAYS;
  const rate = (figureOf: (reading: Reading) => number): number | null =>
    enough ? fitRate(window.map((reading, index) => ({ day: days[index] as number, value: figureOf(reading) }))) : null;
  const at = Number.isFinite(newest) ? newest : Date.now();
  const poolsQuota = usage.deptSpaceQuota + usage.personalSpaceQuota + usage.groupSpaceQuota;
  return {
    seats: figure(
      usage.userCount,
      usage.userMaxCount,
      rate((r) => r.userCount),
      at,
    ),
    deptQuota: figure(
      usage.deptSpaceQuotaUsed,
      usage.deptSpaceQuota,
      rate((r) => r.deptSpaceQuotaUsed),
      at,
    ),
    personalQuota: figure(
      usage.personalSpaceQuotaUsed,
      usage.personalSpaceQuota,
      rate((r) => r.personalSpaceQuotaUsed),
      at,
    ),
    groupQuota: figure(
      usage.groupSpaceQuotaUsed,
      usage.groupSpaceQuota,
      rate((r) => r.groupSpaceQuotaUsed),
      at,
    ),
    allocatableQuota: figure(
      usage.spaceQuotaUsed,
      poolsQuota,
      rate((r) => r.spaceQuotaUsed),
      at,
    ),
    storedData: figure(
      usage.spaceUsedGB,
      usage.spaceCapacity,
      rate((r) => r.spaceUsedGB),
      at,
    ),
    readings: window.length,
    spanDays,
    note: enough
      ? `from ${window.length} readings over ${spanDays} days${window.length < SOLID_READINGS ? "; a forecast from few readings is rough" : ""}`
      : `not enough history: needs 2 readings at least ${MIN_SPAN_DAYS} day apart within ${WINDOW_DAYS} days (has ${window.length} over ${spanDays} days)`,
  };
}

/** What a plan adds to each figure it allocates from, at once (stored data is not allocated by a plan). */
export type PlanGrowth = Partial<Record<RunwayFigureName, number>>;

/** What a plan's new allocation adds to each figure: seats, each pool, and all pools together. */
export function planGrowth(allocation: PlanEvaluation["newAllocation"]): PlanGrowth {
  const { dept, personal, group } = allocation.spaceGB;
  return {
    seats: allocation.users,
    deptQuota: dept,
    personalQuota: personal,
    groupQuota: group,
    allocatableQuota: dept + personal + group,
  };
}

/** A figure that, after the plan, would be full within `minRunwayDays` at its current rate. */
export interface RunwayShortfall {
  /** The figure that runs out: seats, deptQuota, personalQuota, groupQuota or allocatableQuota. */
  figure: RunwayFigureName;
  /** Growth per day. */
  perDay: number;
  /** Days until full after the plan. */
  daysUntilFull: number;
  /** The day it would be full (YYYY-MM-DD, UTC). */
  fullOn: string;
  /** The guard's minRunwayDays it falls short of. */
  minRunwayDays: number;
  /** One line a person can act on. */
  message: string;
}

const FIGURE_NAMES: RunwayFigureName[] = [
  "seats",
  "deptQuota",
  "personalQuota",
  "groupQuota",
  "allocatableQuota",
  "storedData",
];

/**
 * The figures that, once `growth` is allocated, would be full in fewer than `minRunwayDays` days at
 * the rate of `runway`, counted from `asOf` (the newest reading's time). A figure without a rate
 * (too little history) or not growing has no shortfall: one already over capacity is the plan's violation.
 */
export function judgeRunway(
  runway: Runway,
  growth: PlanGrowth,
  minRunwayDays: number,
  asOf: string,
): RunwayShortfall[] {
  return FIGURE_NAMES.flatMap((name) => {
    const { used, capacity, perDay } = runway[name];
    const after = figure(used + (growth[name] ?? 0), capacity, perDay, Date.parse(asOf));
    if (perDay === null || perDay <= 0 || after.daysUntilFull === null || after.fullOn === null) return [];
    if (after.daysUntilFull >= minRunwayDays) return [];
    return [
      {
        figure: name,
        perDay,
        daysUntilFull: after.daysUntilFull,
        fullOn: after.fullOn,
        minRunwayDays,
        message: `${name}: full in ${after.daysUntilFull} days at ${perDay} a day (on ${after.fullOn}) after the plan, under minRunwayDays ${minRunwayDays}`,
      },
    ];
  });
}
