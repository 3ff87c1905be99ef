import type { Reading, RunwayFigure } from "../../provider/capacity/runway";

/** A figure's runway under steady growth: every day grew alike, so each range is its point. */
export function steadyRunway(
  used: number,
  capacity: number,
  perDay: number,
  daysUntilFull: number,
  fullOn: string,
): RunwayFigure {
  return {
    used,
    capacity,
    perDay,
    perDayRange: [perDay, perDay],
    daysUntilFull,
    daysUntilFullRange: [daysUntilFull, daysUntilFull],
    fullOn,
    fullOnRange: [fullOn, fullOn],
  };
}

/** A reading at `takenAt` with `userCount` seats taken and nothing allocated or stored. */
export function seatReading(takenAt: Date, userCount: number): Reading {
  return {
    takenAt: takenAt.toISOString(),
    userCount,
    deptSpaceQuotaUsed: 0,
    personalSpaceQuotaUsed: 0,
    groupSpaceQuotaUsed: 0,
    spaceQuotaUsed: 0,
    spaceUsedGB: 0,
  };
}
