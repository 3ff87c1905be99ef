import assert from "node:assert/strict";
import { type CapacityPlan, evaluatePlan } from "../../provider/capacity/plan";
import { deriveUsage } from "../../provider/capacity/usage";
import { DOCUMENTED_EXAMPLE } from "../../provider/client/quota-used";

// The example leaves 80 seats, and 6102 / 2013 / 1798 GB in the dept / personal / group pools (9913 GB in all).
const usage = deriveUsage(DOCUMENTED_EXAMPLE, "KB");
const evaluate = (plan: CapacityPlan) => evaluatePlan(usage, plan);

describe("evaluatePlan", () => {
  it("finds an empty plan fitting, with what is left now", () => {
    assert.deepEqual(evaluate({}), {
      fits: true,
      violations: [],
      warnings: [],
      newAllocation: { users: 0, spaceGB: { dept: 0, personal: 0, group: 0 } },
      remainingAfterPlan: { seats: 80, deptQuotaGB: 6102, personalQuotaGB: 2013, groupQuotaGB: 1798, quotaGB: 9913 },
    });
  });

  it("subtracts the plan in remainingAfterPlan", () => {
    const result = evaluate({ plannedUsers: 10, plannedSpaceGB: { dept: 100, personal: 13, group: 98 } });
    assert.equal(result.fits, true);
    assert.deepEqual(result.remainingAfterPlan, {
      seats: 70,
      deptQuotaGB: 6002,
      personalQuotaGB: 2000,
      groupQuotaGB: 1700,
      quotaGB: 9913 - 211,
    });
  });

  it("fits a plan that takes exactly what is left", () => {
    const result = evaluate({ plannedUsers: 80, plannedSpaceGB: { dept: 6102, personal: 2013, group: 1798 } });
    assert.equal(result.fits, true);
    assert.deepEqual(Object.values(result.remainingAfterPlan), [0, 0, 0, 0, 0]);
  });

  it("reports every violation, not just the first", () => {
    const result = evaluate({
      plannedUsers: 81,
      plannedSpaceGB: { dept: 6103, personal: 2015, group: 1801 },
      minFreeGB: 1,
    });
    assert.equal(result.fits, false);
    assert.deepEqual(
      result.violations.map(({ figure, planned, remaining, reserve, exceededBy }) => ({
        figure,
        planned,
        remaining,
        reserve,
        exceededBy,
      })),
      [
        { figure: "seats", planned: 81, remaining: 80, reserve: 0, exceededBy: 1 },
        { figure: "deptQuotaGB", planned: 6103, remaining: 6102, reserve: 0, exceededBy: 1 },
        { figure: "personalQuotaGB", planned: 2015, remaining: 2013, reserve: 0, exceededBy: 2 },
        { figure: "groupQuotaGB", planned: 1801, remaining: 1798, reserve: 0, exceededBy: 3 },
        { figure: "quotaGB", planned: 9919, remaining: 9913, reserve: 1, exceededBy: 7 },
      ],
    );
    assert.equal(result.violations[0]?.message, "seats: plan needs 81 new users, 80 seats left; exceeds by 1 seat");
    assert.equal(result.violations[3]?.message, "group pool quota: plan needs 1801 GB, 1798 GB left; exceeds by 3 GB");
  });

  describe("reserves", () => {
    it("keeps minFreeSeats free: 70 users fit with 10 to keep, 71 do not", () => {
      assert.equal(evaluate({ plannedUsers: 70, minFreeSeats: 10 }).fits, true);
      const [violation] = evaluate({ plannedUsers: 71, minFreeSeats: 10 }).violations;
      assert.equal(violation?.exceededBy, 1);
      assert.equal(
        violation?.message,
        "seats: plan needs 71 new users, keeping 10 seats free, 80 seats left; exceeds by 1 seat",
      );
    });

    it("flags a reserve that is already not met, with nothing planned", () => {
      const [violation] = evaluate({ minFreeSeats: 81 }).violations;
      assert.deepEqual([violation?.figure, violation?.planned, violation?.exceededBy], ["seats", 0, 1]);
    });

    it("keeps minFreeGB free across all pools", () => {
      assert.equal(evaluate({ plannedSpaceGB: { dept: 100 }, minFreeGB: 9813 }).fits, true);
      const result = evaluate({ plannedSpaceGB: { dept: 100 }, minFreeGB: 9814 });
      assert.deepEqual(
        result.violations.map((violation) => [violation.figure, violation.reserve, violation.exceededBy]),
        [["quotaGB", 9814, 1]],
      );
      assert.match(result.violations[0]?.message ?? "", /keeping 9814 GB free/);
    });
  });

  describe("warnings", () => {
    it("warns for each figure at or above warnAtPercent after the plan, and still fits", () => {
      const result = evaluate({ warnAtPercent: 12 });
      assert.equal(result.fits, true);
      assert.deepEqual(
        result.warnings.map(({ figure, percentAfterPlan }) => [figure, percentAfterPlan]),
        [
          ["seats", 20],
          ["groupQuotaGB", 12.21],
        ],
      );
      assert.equal(result.warnings[0]?.message, "seats: 20% used after the plan (warning at 12%)");
    });

    it("counts the plan in the utilisation", () => {
      const result = evaluate({ plannedUsers: 70, warnAtPercent: 90 });
      assert.deepEqual(
        result.warnings.map(({ figure, percentAfterPlan }) => [figure, percentAfterPlan]),
        [["seats", 90]],
      );
    });

    it("gives no warnings without warnAtPercent, however full", () => {
      assert.deepEqual(evaluate({ plannedUsers: 80 }).warnings, []);
    });

    it("does not also warn about a figure that is already a violation", () => {
      const result = evaluate({ plannedUsers: 90, warnAtPercent: 10 });
      assert.deepEqual(
        result.violations.map((violation) => violation.figure),
        ["seats"],
      );
      assert.ok(!result.warnings.some((warning) => warning.figure === "seats"));
    });
  });

  describe("what is new", () => {
    it("judges only the growth over what is deployed, and says both", () => {
      const deployed = { users: 45, spaceGB: { dept: 6000 } };
      assert.equal(evaluate({ plannedUsers: 45, deployed }).fits, true);
      const grown = evaluate({ plannedUsers: 125, deployed });
      assert.deepEqual(grown.newAllocation, { users: 80, spaceGB: { dept: 0, personal: 0, group: 0 } });
      assert.equal(grown.fits, true);
      const [violation] = evaluate({ plannedUsers: 126, deployed }).violations;
      assert.equal(
        violation?.message,
        "seats: plan 126 users (45 users already deployed, 81 new users), 80 seats left; exceeds by 1 seat",
      );
      assert.deepEqual([violation?.planned, violation?.deployed, violation?.new], [126, 45, 81]);
      const [pool] = evaluate({ plannedSpaceGB: { dept: 12103 }, deployed }).violations;
      assert.equal(
        pool?.message,
        "department pool quota: plan 12103 GB (6000 GB already deployed, 6103 GB new), 6102 GB left; exceeds by 1 GB",
      );
    });

    it("never fails a shrinking or unchanged plan, even with its reserve no longer met", () => {
      const deployed = { users: 200 };
      assert.equal(evaluate({ plannedUsers: 150, deployed, minFreeSeats: 90 }).fits, true);
      assert.equal(evaluate({ plannedUsers: 200, deployed, minFreeSeats: 90 }).fits, true);
      assert.equal(evaluate({ plannedUsers: 150, deployed }).newAllocation.users, 0);
    });

    it("judges the sum of the guards sharing the connection, naming every share", () => {
      const others = [{ name: "pilot", allocation: { users: 50 } }];
      const result = evaluate({ name: "onboarding", plannedUsers: 50, others });
      assert.equal(
        result.violations[0]?.message,
        "seats: guards onboarding (50 seats) and pilot (50 seats) need 100 new seats together, 80 seats left; exceeds by 20 seats",
      );
      assert.deepEqual(result.remainingAfterPlan.seats, 30, "what is left after this guard's own share");
      assert.equal(
        evaluate({ name: "onboarding", plannedUsers: 30, others: [{ name: "pilot", allocation: { users: 30 } }] }).fits,
        true,
      );
      const reversed = evaluate({
        name: "pilot",
        plannedUsers: 50,
        others: [{ name: "onboarding", allocation: { users: 50 } }],
      });
      assert.equal(reversed.violations[0]?.message, result.violations[0]?.message);
    });
  });
});
