import type { QuotaUsedData } from "../client/quota-used";
import type { SameType } from "../client/same-type";
import { toGB, type UsedSpaceUnit } from "../client/units";
import { FIGURES, type FigureRow, type RemainingKey } from "./figures";

/** The figures derived from the raw ones; docs/_index.md, "Result: `GetServiceUsageResult`", gives the same formulas. */
export interface DerivedUsage {
  /** userMaxCount − userCount. @integer */
  remainingSeats: number;
  /** deptSpaceQuota − deptSpaceQuotaUsed, in GB. @integer */
  remainingDeptQuotaGB: number;
  /** personalSpaceQuota − personalSpaceQuotaUsed, in GB. @integer */
  remainingPersonalQuotaGB: number;
  /** groupSpaceQuota − groupSpaceQuotaUsed, in GB. @integer */
  remainingGroupQuotaGB: number;
  /** The three pools' remaining quota added up, in GB. @integer */
  remainingQuotaGB: number;
  /** spaceUsed converted from `usedSpaceUnit` to GB (1 GB = 1024³ B), rounded to 3 decimals. */
  spaceUsedGB: number;
  /** spaceUsedGB / spaceCapacity × 100, rounded to 2 decimals (0 when the capacity is 0). */
  spaceUsedPercent: number;
  /** userCount / userMaxCount × 100, rounded to 2 decimals (0 when there are no seats). */
  seatsUsedPercent: number;
  /** The unit `spaceUsed` was read in (an assumption: the API reference does not say). */
  usedSpaceUnit: UsedSpaceUnit;
}

/** The 17 raw figures unchanged, and the derived ones: what plans are judged and runways forecast against. */
export interface Usage extends QuotaUsedData, DerivedUsage {}

const round = (value: number, decimals: number): number => Number(value.toFixed(decimals));

/** `part / whole × 100`, rounded to 2 decimals; 0 when `whole` is 0. */
export function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : round((part / whole) * 100, 2);
}

// Compile-time check: the table's remaining figures are exactly the usage's.
const remainingKeysMatch: SameType<RemainingKey, Extract<keyof DerivedUsage, `remaining${string}`>> = true;
void remainingKeysMatch;

/** What is left of a figure in `usage` (its remaining figure), or undefined when it has none. */
export function remainingOf(row: FigureRow, usage: DerivedUsage): number | undefined {
  return row.remainingKey === undefined ? undefined : usage[row.remainingKey as RemainingKey];
}

/** Adds the derived figures to the raw ones. Remaining figures go negative when a pool is over-allocated. */
export function deriveUsage(data: QuotaUsedData, usedSpaceUnit: UsedSpaceUnit): Usage {
  const spaceUsedGB = round(toGB(data.spaceUsed, usedSpaceUnit), 3);
  const figures = { ...data, spaceUsedGB };
  const remaining = Object.fromEntries(
    FIGURES.flatMap((row) =>
      row.remainingKey === undefined ? [] : [[row.remainingKey, row.capacity(figures) - row.used(figures)]],
    ),
  ) as Record<RemainingKey, number>;
  return {
    ...data,
    ...remaining,
    spaceUsedGB,
    spaceUsedPercent: percent(spaceUsedGB, data.spaceCapacity),
    seatsUsedPercent: percent(data.userCount, data.userMaxCount),
    usedSpaceUnit,
  };
}
