/**
 * What `koodrive-usage report` draws, whatever it is drawn in (the HTML page, the Markdown summary):
 * each figure's readings over time, its forecast at the median rate with the 80 % range as a band,
 * its capacity, the reserve the plan keeps, `minRunwayDays`, and the plan's effect.
 */
import { FIGURES, type FigureRow, labelOf, type RunwayFigureName } from "../provider/capacity/figures";
import type { CheckedPlan } from "../provider/capacity/plan-schema";
import { planGrowth, type Reading, type Runway, type RunwayFigure } from "../provider/capacity/runway";
import type { CliPlanOutcome } from "./plan-output";

/** A point of a chart: a time (ms since the epoch) and a value. */
export interface ChartPoint {
  x: number;
  y: number;
}

/** A reserve a plan flag keeps free, and the level the figure must stay under for it. */
export interface ReserveLine {
  /** The flag's plan field: `minFreeSeats` or `minFreeGB`. */
  argument: NonNullable<FigureRow["reserve"]>;
  /** What it keeps free. */
  value: number;
  /** capacity − value: where the reserve starts. */
  level: number;
}

/** One figure's chart. */
export interface FigureChart {
  /** Its key in the runway: `seats`, `deptQuota`, … */
  key: RunwayFigureName;
  /** "Seats", "Department pool quota", … */
  title: string;
  /** Its unit, plural: "seats", "GB". */
  unit: string;
  /** Its row of the figures' table. */
  row: FigureRow;
  /** Its forecast, as the runway gives it. */
  forecast: RunwayFigure;
  /** Every reading of the history, oldest first. */
  readings: ChartPoint[];
  /** The forecast at the median rate, a point a day from the newest reading; empty without a rate. */
  median: ChartPoint[];
  /** The 80 % range's ends, a point a day each; empty without a rate. */
  band: { low: ChartPoint[]; high: ChartPoint[] };
  /** The reserve a plan flag keeps of it, when one does. */
  reserve: ReserveLine | undefined;
  /** What the plan adds to it at once, and the forecast from there; undefined when the plan adds nothing to it. */
  plan: { added: number; points: ChartPoint[] } | undefined;
  /** The top of its value axis: a round number above its capacity, readings and the plan's start. */
  top: number;
}

/** Everything the report shows. */
export interface ReportModel {
  /** The endpoint read. */
  endpoint: string;
  /** The newest reading's time (ISO 8601): what the forecast counts from. */
  asOf: string;
  /** The runway's note: what the forecast rests on. */
  note: string;
  /** Days drawn past the newest reading. */
  horizonDays: number;
  /** The time axis: the oldest reading to the horizon, in ms since the epoch. */
  start: number;
  end: number;
  /** `--min-runway-days` and the time it reaches, when given. */
  minRunway: { days: number; at: number } | undefined;
  /** Seats, each pool, all pools and the stored data, in the table's order. */
  figures: FigureChart[];
  /** The plan's verdict, when plan flags were given. */
  plan: CliPlanOutcome | undefined;
}

const DAY_MS = 86_400_000;
/** Days the forecast is drawn at least; longer when `minRunwayDays` needs it. */
export const FORECAST_DAYS = 30;
const round = (value: number): number => Number(value.toFixed(3));

/** Days drawn past the newest reading: {@link FORECAST_DAYS}, or a quarter past `minRunwayDays` when that is further. */
export function horizonOf(minRunwayDays: number | undefined): number {
  return Math.max(FORECAST_DAYS, Math.ceil((minRunwayDays ?? 0) * 1.25));
}

/** The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (times a power of ten) that is at least `value` (1 for 0). */
export function roundUp(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((mantissa) => mantissa * power >= value * (1 - 1e-12));
  return (step ?? 10) * power;
}

/** `from + perDay × day` for each whole day 0 … `days`, dated from `at`. */
function line(at: number, from: number, perDay: number, days: number): ChartPoint[] {
  return Array.from({ length: days + 1 }, (_, day) => ({ x: at + day * DAY_MS, y: round(from + perDay * day) }));
}

/** The reserve a plan keeps of `row`, when the plan sets one. */
function reserveOf(row: FigureRow, capacity: number, plan: CheckedPlan | undefined): ReserveLine | undefined {
  const value = row.reserve && plan?.[row.reserve];
  if (row.reserve === undefined || value === undefined || value === null) return undefined;
  return { argument: row.reserve, value, level: capacity - value };
}

/** What the report shows, from the history, its runway and the plan (its flags and its verdict). */
export function reportModel(input: {
  endpoint: string;
  history: readonly Reading[];
  runway: Runway;
  plan: CheckedPlan | undefined;
  evaluation: CliPlanOutcome | undefined;
}): ReportModel {
  const { history, runway, plan, evaluation } = input;
  const times = history.map((reading) => Date.parse(reading.takenAt));
  const asOf = Math.max(...times);
  const minRunwayDays = plan?.minRunwayDays ?? undefined;
  const horizonDays = horizonOf(minRunwayDays);
  const growth = evaluation ? planGrowth(evaluation.newAllocation) : {};
  const figures = FIGURES.map((row): FigureChart => {
    const forecast = runway[row.runwayKey];
    const { used, capacity, perDay, perDayRange } = forecast;
    const readings = history.map((reading, index) => ({ x: times[index] as number, y: reading[row.readingKey] }));
    const [low, high] = perDayRange ?? [0, 0];
    const added = growth[row.runwayKey] ?? 0;
    const reserve = reserveOf(row, capacity, plan);
    return {
      key: row.runwayKey,
      title: labelOf(row, true),
      unit: row.unit.many,
      row,
      forecast,
      readings,
      median: perDay === null ? [] : line(asOf, used, perDay, horizonDays),
      band:
        perDay === null
          ? { low: [], high: [] }
          : { low: line(asOf, used, low, horizonDays), high: line(asOf, used, high, horizonDays) },
      reserve,
      plan: added > 0 ? { added, points: line(asOf, used + added, perDay ?? 0, horizonDays) } : undefined,
      top: roundUp(Math.max(capacity, used + added, ...readings.map((point) => point.y)) * 1.1),
    };
  });
  return {
    endpoint: input.endpoint,
    asOf: new Date(asOf).toISOString(),
    note: runway.note,
    horizonDays,
    start: Math.min(...times),
    end: asOf + horizonDays * DAY_MS,
    minRunway: minRunwayDays === undefined ? undefined : { days: minRunwayDays, at: asOf + minRunwayDays * DAY_MS },
    figures,
    plan: evaluation,
  };
}
