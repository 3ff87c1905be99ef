/**
 * Capacity runway: a history of readings, and when each figure runs out at its recent pace, with a
 * range. The "Capacity runway" section of docs/_index.md gives the same method, with a worked example.
 */
import type { SameType } from "../client/same-type";
import { allocatedOf, amount, FIGURES, type FigureRow, newAmount, type RunwayFigureName } from "./figures";
import { type GuardNewShare, listShares, type PlanEvaluation } from "./plan";
import type { Usage } from "./usage";

export type { RunwayFigureName } from "./figures";

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

/** A low and a high end, in that order. */
export type Range<T> = [low: T, high: T];

/** One figure's forecast. */
export interface RunwayFigure {
  /** What is used now. */
  used: number;
  /** What there is in all. */
  capacity: number;
  /**
   * Growth per day: the median of the window's daily growth (each change between two readings spread
   * evenly over the days between them), so one bulk step or clean-up does not bend it; null without
   * enough history.
   */
  perDay: number | null;
  /** [low, high]: the 10th and 90th percentile of the window's daily growth, about 80 % of it; null without enough history. */
  perDayRange: Range<number> | null;
  /**
   * (capacity − used) / perDay; 0 when already full; null when not growing (perDay ≤ 0 at 3 decimals),
   * when full is more than {@link HORIZON_DAYS} days away, or without enough history.
   */
  daysUntilFull: number | null;
  /**
   * [low, high]: `daysUntilFull` at the high and at the low end of `perDayRange`; an end is null when
   * that rate is not growth or full is beyond {@link HORIZON_DAYS} days. Null without enough history.
   */
  daysUntilFullRange: Range<number | null> | null;
  /** The day it is full (YYYY-MM-DD, UTC), counted from the newest reading; null when `daysUntilFull` is. */
  fullOn: string | null;
  /** [earliest, latest]: the days of `daysUntilFullRange`'s ends; null where they are. */
  fullOnRange: Range<string | null> | null;
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
  /** Readings in the window the rates are estimated from. */
  readings: number;
  /** Days between the window's first and last reading. */
  spanDays: number;
  /** Says how much the forecast rests on, that a forecast from few points is rough, or what history is missing. */
  note: string;
}

/** What `getServiceUsage` returns: the 17 raw figures unchanged, and the derived ones. */
export interface GetServiceUsageResult extends Usage {
  /**
   * When each figure runs out at its recent pace: present where a history is kept (the data source,
   * `koodrive-usage --history`). README "Capacity runway" gives the formulas.
   */
  runway?: Runway;
}

/** The usage, and when it was read. */
export interface ServiceUsageReading {
  /** The figures read, with the derived ones. */
  usage: GetServiceUsageResult;
  /** KooDrive's clock when it answered (its `Date` header), else the local clock. */
  takenAt: Date;
  /** Whose clock `takenAt` is: `koodrive` (the `Date` header) or `local` (missing or unparseable). */
  clock: "koodrive" | "local";
}

// Compile-time checks: a runway forecasts the table's figures, and a reading holds each figure's field.
const runwayMatchesTheTable: SameType<RunwayFigureName, Exclude<keyof Runway, "readings" | "spanDays" | "note">> = true;
const readingMatchesTheTable: SameType<FigureRow["readingKey"], Exclude<keyof Reading, "takenAt">> = true;
void runwayMatchesTheTable;
void readingMatchesTheTable;

/** Most readings a history keeps; beyond it, the densest are thinned. */
export const MAX_READINGS = 100;
/** Rates are estimated from the readings of this many days before the newest. */
export const WINDOW_DAYS = 30;
/** A forecast needs at least this many readings in the window… */
export const MIN_READINGS = 3;
/** …spanning at least this many days. */
export const MIN_SPAN_DAYS = 3;
/** Beyond this many days (a century), a figure counts as not running out. */
export const HORIZON_DAYS = 36_500;
/** The share of daily growth below the range's low end, and above its high end. */
export const RANGE_TAIL = 0.1;
/** Below this many readings in the window, the note calls the forecast rough. */
const SOLID_READINGS = 5;

const DAY_MS = 86_400_000;
const timeOf = (reading: Reading): number => Date.parse(reading.takenAt);
const round = (value: number, decimals: number): number => Number(value.toFixed(decimals));
const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? "" : "s"}`;

/** The capacity figures of `usage`, taken at `takenAt`. */
export function readingOf(usage: Usage, takenAt: Date): Reading {
  const figures = Object.fromEntries(FIGURES.map(({ readingKey }) => [readingKey, usage[readingKey]]));
  return { takenAt: takenAt.toISOString(), ...figures } as Reading;
}

/**
 * Whether `reading` adds to a history whose newest reading is `newest`: when a figure changed, or a
 * day or more has passed (so that days without growth count in the median too).
 */
export function isNewReading(newest: Reading | undefined, reading: Reading): boolean {
  if (!newest || timeOf(reading) - timeOf(newest) >= DAY_MS) return true;
  return (Object.keys(reading) as (keyof Reading)[]).some((key) => key !== "takenAt" && reading[key] !== newest[key]);
}

/**
 * The history with `reading` added, when {@link isNewReading}. Past `max` readings, the reading whose
 * neighbours are closest in time goes (never the first or the newest), so a long history keeps its
 * reach into the past and loses detail where it had most.
 */
export function appendReading(history: readonly Reading[], reading: Reading, max = MAX_READINGS): Reading[] {
  if (!isNewReading(history.at(-1), reading)) return [...history];
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

/** A growth rate per day and its range. */
export interface Growth {
  perDay: number;
  range: Range<number>;
}

/**
 * The `q` quantile of `rates` (sorted ascending), each counting for its `days`: the first rate at which
 * the days counted reach q of all; on an exact tie, halfway to the next (so q = ½ is the usual median).
 */
function quantile(rates: readonly { rate: number; days: number }[], q: number): number {
  const total = rates.reduce((sum, item) => sum + item.days, 0);
  const target = q * total;
  const tolerance = 1e-9 * total;
  let counted = 0;
  for (const [index, { rate, days }] of rates.entries()) {
    counted += days;
    if (Math.abs(counted - target) <= tolerance && index < rates.length - 1) {
      return (rate + (rates[index + 1] as { rate: number }).rate) / 2;
    }
    if (counted > target) return rate;
  }
  return (rates.at(-1) as { rate: number }).rate;
}

/**
 * The daily growth of `points`: each change between two readings is spread evenly over the days
 * between them, and the rate is the median of those days' growth, its range their 10th to 90th
 * percentile, each interval counting for its days. A bulk step or a clean-up is one interval's growth:
 * among three or more intervals of a day each it cannot move the median, whatever its size. The readings' order does not matter. Null when fewer than two
 * points lie on different days' times (the rate is undefined, not infinite).
 */
export function dailyGrowth(points: readonly Point[]): Growth | null {
  const sorted = [...points].sort((a, b) => a.day - b.day || a.value - b.value);
  const rates = sorted
    .slice(1)
    .map((point, index) => {
      const before = sorted[index] as Point;
      const days = point.day - before.day;
      return { rate: days > 0 ? (point.value - before.value) / days : 0, days };
    })
    .filter((item) => item.days > 0)
    .sort((a, b) => a.rate - b.rate);
  if (rates.length === 0) return null;
  return {
    perDay: quantile(rates, 0.5),
    range: [quantile(rates, RANGE_TAIL), quantile(rates, 1 - RANGE_TAIL)],
  };
}

/** When a figure at `used` of `capacity` is full at `perDay` from `newest`: days and date, null beyond sight. */
function fullAt(used: number, capacity: number, perDay: number, newest: number): { days: number; on: string } | null {
  const days = used >= capacity ? 0 : perDay > 0 ? (capacity - used) / perDay : null;
  if (days === null || days > HORIZON_DAYS) return null;
  return { days: round(days, 1), on: new Date(newest + days * DAY_MS).toISOString().slice(0, 10) };
}

function figure(used: number, capacity: number, growth: Growth | null, newest: number): RunwayFigure {
  if (growth === null) {
    const full = used >= capacity ? fullAt(used, capacity, 0, newest) : null;
    return {
      used,
      capacity,
      perDay: null,
      perDayRange: null,
      daysUntilFull: full?.days ?? null,
      daysUntilFullRange: null,
      fullOn: full?.on ?? null,
      fullOnRange: null,
    };
  }
  // The shown rates are the ones counted with: a float residue (1e-12 a day) would put the day past any date.
  const [perDay, low, high] = [growth.perDay, ...growth.range].map((rate) => round(rate, 3)) as [
    number,
    number,
    number,
  ];
  const [soonest, point, latest] = [high, perDay, low].map((rate) => fullAt(used, capacity, rate, newest));
  return {
    used,
    capacity,
    perDay,
    perDayRange: [low, high],
    daysUntilFull: point?.days ?? null,
    daysUntilFullRange: [soonest?.days ?? null, latest?.days ?? null],
    fullOn: point?.on ?? null,
    fullOnRange: [soonest?.on ?? null, latest?.on ?? null],
  };
}

/** What a forecast from `readings` over `spanDays` lacks, said in a note; undefined when it lacks nothing. */
function missingHistory(readings: number, spanDays: number): string | undefined {
  const missing = [
    ...(readings < MIN_READINGS ? [plural(MIN_READINGS - readings, "more reading")] : []),
    ...(spanDays < MIN_SPAN_DAYS ? [`${plural(round(MIN_SPAN_DAYS - spanDays, 2), "more day")} of history`] : []),
  ];
  if (missing.length === 0) return undefined;
  return `not enough history for a forecast: needs ${MIN_READINGS} readings over at least ${MIN_SPAN_DAYS} days within ${WINDOW_DAYS} days, has ${plural(readings, "reading")} over ${spanDays} days; missing ${missing.join(" and ")}`;
}

/**
 * The runway of each figure from `history` (a reading of `usage` included) and the capacities in
 * `usage`. Rates come from the readings of the {@link WINDOW_DAYS} days before the newest
 * ({@link dailyGrowth}); with fewer than {@link MIN_READINGS} of them, or less than
 * {@link MIN_SPAN_DAYS} days between the first and last, every rate is null and the note says what is missing.
 */
export function forecastRunway(history: readonly Reading[], usage: Usage): Runway {
  const newest = Math.max(...history.map(timeOf));
  const window = history.filter((reading) => timeOf(reading) >= newest - WINDOW_DAYS * DAY_MS);
  const days = window.map((reading) => (timeOf(reading) - newest) / DAY_MS);
  const spanDays = window.length > 0 ? round(Math.max(...days) - Math.min(...days), 2) : 0;
  const missing = missingHistory(window.length, spanDays);
  const at = Number.isFinite(newest) ? newest : Date.now();
  const now = readingOf(usage, new Date(at));
  const figures = Object.fromEntries(
    FIGURES.map(({ runwayKey, readingKey, capacity }) => {
      const growth =
        missing === undefined
          ? dailyGrowth(window.map((reading, index) => ({ day: days[index] as number, value: reading[readingKey] })))
          : null;
      return [runwayKey, figure(now[readingKey], capacity(usage), growth, at)];
    }),
  ) as Record<RunwayFigureName, RunwayFigure>;
  return {
    ...figures,
    readings: window.length,
    spanDays,
    note:
      missing ??
      `from ${plural(window.length, "reading")} over ${spanDays} days${window.length < SOLID_READINGS ? "; a forecast from few readings is rough" : ""}`,
  };
}

/** What a plan adds to each figure it allocates from, at once (stored data is not allocated by a plan). */
export type PlanGrowth = Partial<Record<RunwayFigureName, number>>;

/** What a plan's new allocation adds to each figure: seats, each pool, and all pools together. */
export function planGrowth(allocation: PlanEvaluation["newAllocation"]): PlanGrowth {
  return Object.fromEntries(
    FIGURES.filter((row) => row.planKey !== undefined).map((row) => [row.runwayKey, allocatedOf(row, allocation)]),
  );
}

/** One guard's new allocation, per figure, judged with the others of its tenant. */
export interface RunwayShare {
  /** The guard's name, as its messages show it. */
  name: string;
  /** What its new allocation adds to each figure (seats, or GB). */
  growth: PlanGrowth;
}

/** A figure that, after the new allocation, would be full within `minRunwayDays` at its current rate. */
export interface RunwayShortfall {
  /** The figure that runs out: seats, deptQuota, personalQuota, groupQuota or allocatableQuota. */
  figure: RunwayFigureName;
  /** Growth per day. */
  perDay: number;
  /** Days until full after the new allocation. */
  daysUntilFull: number;
  /** [low, high] days until full after the new allocation, at the high and low end of the rate's range (null: not in sight). */
  daysUntilFullRange: Range<number | null>;
  /** The day it would be full (YYYY-MM-DD, UTC). */
  fullOn: string;
  /** The guard's minRunwayDays it falls short of. */
  minRunwayDays: number;
  /** The new allocation of each guard of the tenant counted for this figure, when more than this guard's own. */
  shares?: GuardNewShare[];
  /** One line a person can act on. */
  message: string;
}

/** "18 days (12–30)", "18 days (12 or more)" when the far end is not in sight, "18 days" when the range is that one point. */
export function describeDays(days: number, range: Range<number | null> | null): string {
  const counted = `${days} day${days === 1 ? "" : "s"}`;
  if (!range) return counted;
  const [low, high] = [range[0] ?? days, range[1]];
  if (high === null) return `${counted} (${low} or more)`;
  if (low === high) return low === days ? counted : `${counted} (${low})`;
  return `${counted} (${low}–${high})`;
}

/** "400 GB a day", "2 seats a day": a figure's growth rate with its unit. */
export function describeRate(row: FigureRow, perDay: number): string {
  return `${amount(row.unit, perDay)} a day`;
}

/**
 * The figures that, once every share's growth is allocated, would be full in fewer than `minRunwayDays`
 * days at the rate of `runway`, counted from `asOf` (the newest reading's time). `shares` are the
 * tenant's guards in this run, the judged one first: the runway is the tenant's, so every guard's new
 * allocation counts, as in the seat check, and a shortfall that counts others names them all. A figure
 * without a rate (too little history) or not growing has no shortfall: one already over capacity is
 * the plan's violation.
 */
export function judgeRunway(
  runway: Runway,
  shares: readonly RunwayShare[],
  minRunwayDays: number,
  asOf: string,
): RunwayShortfall[] {
  return FIGURES.flatMap((row) => {
    const name = row.runwayKey;
    const { used, capacity, perDay, perDayRange } = runway[name];
    if (perDay === null || perDay <= 0) return [];
    const counted = shares.map((share) => ({ name: share.name, new: share.growth[name] ?? 0 }));
    const added = counted.reduce((sum, share) => sum + share.new, 0);
    const growth = { perDay, range: perDayRange ?? [perDay, perDay] } satisfies Growth;
    const after = figure(used + added, capacity, growth, Date.parse(asOf));
    if (after.daysUntilFull === null || after.fullOn === null || after.daysUntilFull >= minRunwayDays) return [];
    const joint = counted.filter((share, index) => index === 0 || share.new > 0);
    const together = joint.length > 1 ? joint.sort((a, b) => a.name.localeCompare(b.name)) : undefined;
    const range = after.daysUntilFullRange ?? [after.daysUntilFull, after.daysUntilFull];
    const whose = together
      ? `after guards ${listShares(together, row.unit)} take ${newAmount(row.unit, added)} together`
      : "after the plan";
    return [
      {
        figure: name,
        perDay,
        daysUntilFull: after.daysUntilFull,
        daysUntilFullRange: range,
        fullOn: after.fullOn,
        minRunwayDays,
        ...(together ? { shares: together } : {}),
        message: `${row.label}: full in ${describeDays(after.daysUntilFull, range)} at ${describeRate(row, perDay)} (on ${after.fullOn}) ${whose}, under minRunwayDays ${minRunwayDays}`,
      },
    ];
  });
}
