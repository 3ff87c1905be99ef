import { variableOf } from "../provider/client/connection-settings";
import { type GetServiceUsageResult, percent } from "../provider/client/usage";

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
