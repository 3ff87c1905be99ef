import assert from "node:assert/strict";
import { forecastRunway, readingOf } from "../../provider/capacity/runway";
import { deriveUsage } from "../../provider/capacity/usage";
import { DOCUMENTED_EXAMPLE } from "../../provider/client/quota-used";
import { judgeGuard } from "../../provider/guard/judge";

const DAY_MS = 86_400_000;
const DAY_0 = Date.parse("2026-11-01T00:00:00.000Z");

describe("the guard core's minRunwayDays, judged for the tenant", () => {
  // 20, 30 and 40 of 100 seats used on days 0, 5 and 10: 2 a day, 30 days left.
  const seats = (userCount: number) => deriveUsage({ ...DOCUMENTED_EXAMPLE, userCount, userMaxCount: 100 }, "KB");
  const history = [20, 30, 40].map((count, index) => readingOf(seats(count), new Date(DAY_0 + index * 5 * DAY_MS)));
  const takenAt = new Date(DAY_0 + 10 * DAY_MS);
  const usage = { ...seats(40), runway: forecastRunway(history, seats(40)) };
  const judged = (others: { name: string; allocation: { users: number } }[]) =>
    judgeGuard({
      plan: { plannedUsers: 10, minRunwayDays: 21, enforcement: "mandatory" },
      enforcement: "mandatory",
      admitted: undefined,
      name: "pilot",
      figures: { read: "done", usage, takenAt },
      others,
    });

  it("counts the other guards' new allocation too, and names every guard it counted", () => {
    assert.deepEqual(judged([]).failures, [], "alone, 25 days are left");
    const { failures, outputs } = judged([{ name: "onboarding", allocation: { users: 10 } }]);
    assert.deepEqual(failures, [
      {
        property: "minRunwayDays",
        reason:
          "seats: full in 20 days at 2 seats a day (on 2026-12-01) after guards onboarding (10 seats) and pilot (10 seats) take 20 new seats together, under minRunwayDays 21",
      },
    ]);
    assert.equal(outputs.status, "exceeds");
    assert.deepEqual(outputs.runwayShortfalls[0]?.shares, [
      { name: "onboarding", new: 10 },
      { name: "pilot", new: 10 },
    ]);
  });
});
