import type { GetServiceUsageResult } from "../provider/capacity/runway";
import {
  describeDays,
  type Reading,
  RUNWAY_FIGURES,
  type Runway,
  type RunwayFigure,
  type RunwayFigureName,
} from "../provider/capacity/runway";
import { percent } from "../provider/capacity/usage";
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

/** One line of the table; `remaining` and `share` are `deriveUsage`'s figures where it has them. */
function row(
  name: string,
  used: number,
  total: number,
  remaining: number,
  unit: string,
  share = percent(used, total),
): string[] {
  // Of a capacity of 0 no percentage can be said: "0.0%" would claim it is unused.
  const shown = total === 0 ? "none" : `${share.toFixed(1)}%`;
  return [name, `${used} / ${total}${unit}`, `${remaining}${unit} left`, shown, total === 0 ? "" : usageBar(share)];
}

/** The readable summary: seats and each pool (used / total, remaining, percent, bar), then stored data. */
export function formatUsageSummary(usage: GetServiceUsageResult, endpoint: string): string {
  const poolsUsed = usage.deptSpaceQuotaUsed + usage.personalSpaceQuotaUsed + usage.groupSpaceQuotaUsed;
  const poolsTotal = usage.deptSpaceQuota + usage.personalSpaceQuota + usage.groupSpaceQuota;
  const lines = table([
    row("Seats", usage.userCount, usage.userMaxCount, usage.remainingSeats, "", usage.seatsUsedPercent),
    row("Department pool", usage.deptSpaceQuotaUsed, usage.deptSpaceQuota, usage.remainingDeptQuotaGB, " GB"),
    row("Personal pool", usage.personalSpaceQuotaUsed, usage.personalSpaceQuota, usage.remainingPersonalQuotaGB, " GB"),
    row("Group pool", usage.groupSpaceQuotaUsed, usage.groupSpaceQuota, usage.remainingGroupQuotaGB, " GB"),
    row("All pools", poolsUsed, poolsTotal, usage.remainingQuotaGB, " GB"),
  ]);
  return [
    `KooDrive usage at ${endpoint}`,
    "",
    ...lines,
    "",
    `Capacity: ${usage.spaceCapacity} GB (reserved ${usage.reservedSpaceQuota} GB)`,
    `Stored data: ${usage.spaceUsedGB} GB, ${usage.spaceUsedPercent}% of capacity`,
    `  (spaceUsed ${usage.spaceUsed} read as ${usage.usedSpaceUnit}, an assumption: the API does not document its unit;`,
    `   set --used-space-unit or ${variableOf("usedSpaceUnit")} if it is another)`,
  ].join("\n");
}

/** Each runway figure's label in the summary. */
const RUNWAY_LABELS: Record<RunwayFigureName, string> = {
  seats: "Seats",
  deptQuota: "Department pool",
  personalQuota: "Personal pool",
  groupQuota: "Group pool",
  allocatableQuota: "All pools",
  storedData: "Stored data",
};

/** "full in 18 days (1–18) at 2 a day (on 2026-12-19, 2026-12-02 to 2026-12-19)" and the like. */
function pace({ perDay, perDayRange, daysUntilFull, daysUntilFullRange, fullOn, fullOnRange }: RunwayFigure): string {
  if (daysUntilFull === 0) return "full";
  if (perDay === null) return "no rate yet";
  const rates = perDayRange ? `, ${perDayRange[0]}–${perDayRange[1]}` : "";
  if (daysUntilFull === null) return `not growing (${perDay} a day${rates})`;
  const [soonest, latest] = fullOnRange ?? [null, null];
  const dates = soonest === null ? "" : latest === null ? `, ${soonest} or later` : `, ${soonest} to ${latest}`;
  return `full in ${describeDays(daysUntilFull, daysUntilFullRange)} at ${perDay} a day (on ${fullOn}${dates})`;
}

/** Most readings a sparkline shows: the newest. */
const SPARK_READINGS = 30;

/**
 * The runway block: each figure's history as a sparkline (the newest {@link SPARK_READINGS} readings,
 * oldest first), its rate and when it is full, then the forecast's note.
 */
export function formatRunway(runway: Runway, history: readonly Reading[]): string {
  const shown = history.slice(-SPARK_READINGS);
  const width = Math.max(...Object.values(RUNWAY_LABELS).map((label) => label.length));
  return [
    "Runway:",
    ...RUNWAY_FIGURES.map(({ name, value }) =>
      [
        `  ${RUNWAY_LABELS[name].padEnd(width)}`,
        shown.length > 0 ? sparkline(shown.map(value)).padEnd(shown.length) : "",
        pace(runway[name]),
      ]
        .filter(Boolean)
        .join("  "),
    ),
    `  (${runway.note})`,
  ].join("\n");
}
