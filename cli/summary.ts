import { amount, FIGURES, type FigureRow, labelOf } from "../provider/capacity/figures";
import {
  describeDays,
  describeRate,
  type GetServiceUsageResult,
  type Reading,
  type Runway,
  type RunwayFigure,
} from "../provider/capacity/runway";
import { percent, remainingOf } from "../provider/capacity/usage";
import { variableOf } from "../provider/config/connection-settings";
import { sparkline } from "./sparkline";

const BAR_WIDTH = 20;

/** A text bar of `percentUsed` (clamped to 0–100), e.g. `[####................]`. */
function usageBar(percentUsed: number): string {
  const filled = Math.round((Math.min(Math.max(percentUsed, 0), 100) / 100) * BAR_WIDTH);
  return `[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}]`;
}

/** Pads every column to its widest cell: the first left-aligned, the rest right-aligned, bars as they are. */
function table(rows: readonly string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

/** One line of the table: a figure's used / total, what is left (`deriveUsage`'s figure), percent and bar. */
function row(figure: FigureRow, usage: GetServiceUsageResult, remaining: number): string[] {
  const [used, total] = [figure.used(usage), figure.capacity(usage)];
  const share = percent(used, total);
  // Of a capacity of 0 no percentage can be said: "0.0%" would claim it is unused.
  const shown = total === 0 ? "none" : `${share.toFixed(1)}%`;
  return [
    labelOf(figure, true),
    `${used} / ${amount(figure.unit, total)}`,
    `${amount(figure.unit, remaining)} left`,
    shown,
    total === 0 ? "" : usageBar(share),
  ];
}

/** The readable summary: each figure with a remaining figure (used / total, remaining, percent, bar), then the others (stored data). */
export function formatUsageSummary(usage: GetServiceUsageResult, endpoint: string): string {
  const lines = table(
    FIGURES.flatMap((figure) => {
      const remaining = remainingOf(figure, usage);
      return remaining === undefined ? [] : [row(figure, usage, remaining)];
    }),
  );
  return [
    `KooDrive usage at ${endpoint}`,
    "",
    ...lines,
    "",
    `Capacity: ${usage.spaceCapacity} GB (reserved ${usage.reservedSpaceQuota} GB)`,
    ...FIGURES.filter((figure) => figure.remainingKey === undefined).map((figure) => {
      const [used, total] = [figure.used(usage), figure.capacity(usage)];
      return `${labelOf(figure, true)}: ${amount(figure.unit, used)}, ${percent(used, total)}% of capacity`;
    }),
    `  (spaceUsed ${usage.spaceUsed} read as ${usage.usedSpaceUnit}, an assumption: the API does not document its unit;`,
    `   set --used-space-unit or ${variableOf("usedSpaceUnit")} if it is another)`,
  ].join("\n");
}

/** "full in 18 days (1–18) at 2 seats a day (on 2026-12-19, 2026-12-02 to 2026-12-19)" and the like. */
function pace(row: FigureRow, forecast: RunwayFigure): string {
  const { perDay, perDayRange, daysUntilFull, daysUntilFullRange, fullOn, fullOnRange } = forecast;
  if (daysUntilFull === 0) return "full";
  if (perDay === null) return "no rate yet";
  const [low, high] = perDayRange ?? [perDay, perDay];
  const rates = low === high ? "" : `, ${low}–${high}`;
  if (daysUntilFull === null) return `not growing (${describeRate(row, perDay)}${rates})`;
  const [soonest, latest] = fullOnRange ?? [null, null];
  const dates =
    soonest === null || soonest === latest
      ? ""
      : latest === null
        ? `, ${soonest} or later`
        : `, ${soonest} to ${latest}`;
  return `full in ${describeDays(daysUntilFull, daysUntilFullRange)} at ${describeRate(row, perDay)} (on ${fullOn}${dates})`;
}

/** Most readings a sparkline shows: the newest. */
const SPARK_READINGS = 30;

/**
 * The runway block: each figure's history as a sparkline (the newest {@link SPARK_READINGS} readings,
 * oldest first), its rate and when it is full, then the forecast's note.
 */
export function formatRunway(runway: Runway, history: readonly Reading[]): string {
  const shown = history.slice(-SPARK_READINGS);
  const width = Math.max(...FIGURES.map((figure) => figure.label.length));
  return [
    "Runway:",
    ...FIGURES.map((figure) =>
      [
        `  ${labelOf(figure, true).padEnd(width)}`,
        shown.length > 0 ? sparkline(shown.map((reading) => reading[figure.readingKey])).padEnd(shown.length) : "",
        pace(figure, runway[figure.runwayKey]),
      ]
        .filter(Boolean)
        .join("  "),
    ),
    `  (${runway.note})`,
  ].join("\n");
}
