/**
 * What a deployment may still add to a tenant, figure by figure: the pure arithmetic behind admitting
 * Users and Spaces at create. The ledger (tenant/ledger.ts) applies it atomically across a
 * deployment's processes; the guard layer (guard/addition.ts) words it.
 */
import { allocatedOf, type CapacityFigure, type FigureRow, figureOf, PLAN_FIGURES, POOL_FIGURES } from "./figures";
import type { Allocation, PlannedSpaceGB } from "./plan";
import { remainingOf, type Usage } from "./usage";

/** An amount per figure a plan is judged on (seats, each pool, all pools), 0 where nothing. */
export type FigureAmounts = Record<CapacityFigure, number>;

/** Each figure's amount in `allocation`. */
export function amountsOf(allocation: Allocation): FigureAmounts {
  return Object.fromEntries(PLAN_FIGURES.map((row) => [row.outputKey, allocatedOf(row, allocation)])) as FigureAmounts;
}

/** The allocations added up, figure by figure; figures none of them sets stay out. */
export function sumAllocations(allocations: readonly Allocation[]): Allocation {
  const users = allocations.reduce((sum, allocation) => sum + (allocation.users ?? 0), 0);
  const pools = POOL_FIGURES.map((row) => [row.planKey, allocations.reduce((sum, a) => sum + allocatedOf(row, a), 0)]);
  const spaceGB = Object.fromEntries(pools.filter(([, gb]) => (gb as number) > 0)) as PlannedSpaceGB;
  return {
    ...(users > 0 ? { users } : {}),
    ...(Object.keys(spaceGB).length > 0 ? { spaceGB } : {}),
  };
}

/** What `allocation` adds beyond `taken`, figure by figure, floored at 0. */
export function beyond(allocation: Allocation, taken: Allocation | undefined): Allocation {
  if (!taken) return allocation;
  const users = Math.max(0, (allocation.users ?? 0) - (taken.users ?? 0));
  const spaceGB = Object.fromEntries(
    POOL_FIGURES.map((row) => [
      row.planKey,
      Math.max(0, allocatedOf(row, allocation) - allocatedOf(row, taken)),
    ]).filter(([, gb]) => (gb as number) > 0),
  ) as PlannedSpaceGB;
  return sumAllocations([{ users, spaceGB }]);
}

/**
 * What `allocation` costs the tenant when every new user gets a personal space of
 * `personalSpaceSize` GB (the subscription's default; 0 when none is enabled): its users' default
 * spaces added to the personal pool.
 */
export function withDefaultSpaces(allocation: Allocation, personalSpaceSize: number): Allocation {
  const users = allocation.users ?? 0;
  if (personalSpaceSize <= 0 || users <= 0) return allocation;
  return sumAllocations([allocation, { spaceGB: { personal: users * personalSpaceSize } }]);
}

/** True for the figures a new user's default personal space counts against: the personal pool, and all pools. */
export function countsDefaultSpaces(figure: CapacityFigure): boolean {
  return allocatedOf(figureOf(figure), { spaceGB: { personal: 1 } }) > 0;
}

/** "; each new user also takes a personal space of 10 GB (the subscription's personalSpaceSize)", when it does. */
export function defaultSpaceNote(personalSpaceSize: number): string {
  return personalSpaceSize > 0
    ? `; each new user also takes a personal space of ${personalSpaceSize} GB (the subscription's personalSpaceSize)`
    : "";
}

/** The reserves that keep part of a figure free. */
export interface Reserves {
  minFreeSeats?: number | undefined;
  minFreeGB?: number | undefined;
}

/** What may be added of each figure: what is left of it, less what must stay free (floored at 0). */
export function roomOf(usage: Usage, reserves: Reserves): FigureAmounts {
  const kept = (row: FigureRow) => (row.reserve === undefined ? 0 : (reserves[row.reserve] ?? 0));
  return Object.fromEntries(
    PLAN_FIGURES.map((row) => [row.outputKey, Math.max(0, (remainingOf(row, usage) ?? 0) - kept(row))]),
  ) as FigureAmounts;
}

/** The first figure where `before` plus `need` does not fit in `room`, if any. */
export function shortFigure(
  need: FigureAmounts,
  before: FigureAmounts,
  room: FigureAmounts,
): CapacityFigure | undefined {
  return PLAN_FIGURES.map((row) => row.outputKey as CapacityFigure).find(
    (figure) => need[figure] > 0 && before[figure] + need[figure] > room[figure],
  );
}
