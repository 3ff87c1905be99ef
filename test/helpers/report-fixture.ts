import { writeFileSync } from "node:fs";
import type { Reading } from "../../provider/capacity/runway";
import type { Simulator } from "../../sim";

const DAY_MS = 86_400_000;

/** The first simulated day of the report's fixture. */
export const REPORT_DAY0 = new Date("2026-11-01T09:00:00.000Z");

/** Seats taken on each of the ten simulated days: mostly 2 a day, one onboarding of 8 (so the 80 % range is wide). */
const USERS = [20, 22, 24, 27, 29, 31, 39, 41, 43, 45];
/** Each pool's quota in use on day `day`: the department pool grows by 100 GB a day, personal by 10, group by 5 and 20. */
function pools(day: number): { dept: number; personal: number; group: number } {
  return { dept: 1000 + 100 * day, personal: 35 + 10 * day, group: 250 + (day % 2 === 0 ? 5 : 20) * day };
}

/** Day `day`'s figures, as the simulator's usage. */
function usageOn(day: number) {
  const { dept, personal, group } = pools(day);
  return {
    userCount: USERS[day] as number,
    deptSpaceQuotaUsed: dept,
    personalSpaceQuotaUsed: personal,
    groupSpaceQuotaUsed: group,
    spaceQuotaUsed: dept + personal + group,
  };
}

/**
 * Ten simulated days of one tenant: the `--history` file (the CLI's format, one JSON line a reading)
 * holds days 0 to 8, and the simulator's clock and figures are set to day 9, which the report reads
 * and appends. Returns the number of readings the report draws (10).
 */
export function tenDaysOfHistory(sim: Simulator, file: string): number {
  const lines = USERS.slice(0, -1).map((_, day) => {
    const reading: Reading = {
      takenAt: new Date(REPORT_DAY0.getTime() + day * DAY_MS).toISOString(),
      ...usageOn(day),
      spaceUsedGB: 7.394,
    };
    return JSON.stringify(reading);
  });
  writeFileSync(file, `${lines.join("\n")}\n`);
  const last = USERS.length - 1;
  sim.setClock(new Date(REPORT_DAY0.getTime() + last * DAY_MS));
  sim.setUsage(usageOn(last));
  return USERS.length;
}
