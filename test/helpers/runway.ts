import type { RunwayFigure } from "../../provider/capacity/runway";

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
