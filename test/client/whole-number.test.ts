import assert from "node:assert/strict";
import { CapacityPlanSchema } from "../../provider/capacity/plan-schema";
import { BEYOND_SAFE_WHOLE_NUMBER, wholeNumberProblem } from "../../provider/client/whole-number";
import { wholeNumberSchema } from "../../provider/client/whole-number-schema";
import { describeIssues } from "../../provider/client/zod-issues";

/** The one-line refusal of `plannedUsers: value`, as the guard and the plugin say it; "" when accepted. */
function plannedUsersRefusal(value: unknown): string {
  const parsed = CapacityPlanSchema.safeParse({ plannedUsers: value });
  return parsed.success ? "" : describeIssues(parsed.error);
}

describe("whole numbers", () => {
  it("calls a whole number past Number.MAX_SAFE_INTEGER beyond the largest safe one, once", () => {
    assert.equal(BEYOND_SAFE_WHOLE_NUMBER, "is beyond the largest safe whole number, 9007199254740991");
    // biome-ignore lint/correctness/noPrecisionLoss: the value as a program writes it, which a number cannot hold
    for (const value of [9007199254740993, 2 ** 53, 2 ** 60, 1e300]) {
      assert.equal(plannedUsersRefusal(value), `plannedUsers ${BEYOND_SAFE_WHOLE_NUMBER}`, String(value));
    }
  });

  it("keeps the rule's wording for what is not a whole number ≥ 0, once per value", () => {
    for (const value of [-1, -(2 ** 60), 1.5, Number.NaN, "12", null]) {
      assert.equal(plannedUsersRefusal(value), "plannedUsers must be a whole number ≥ 0", String(value));
    }
    assert.equal(plannedUsersRefusal(Number.MAX_SAFE_INTEGER), "");
    assert.equal(plannedUsersRefusal(0), "");
  });

  it("says the range, not the safe limit, when the rule has its own maximum", () => {
    assert.equal(wholeNumberProblem(2 ** 60, 0, 100), "must be a whole number from 0 to 100");
    assert.equal(wholeNumberProblem(101, 0, 100), "must be a whole number from 0 to 100");
    assert.equal(wholeNumberProblem(100, 0, 100), undefined);
    const percent = wholeNumberSchema(0, 100).safeParse(2 ** 60);
    assert.equal(
      percent.success ? "" : describeIssues(percent.error),
      "(top level) must be a whole number from 0 to 100",
    );
  });

  it("finds nothing wrong with a safe whole number in range", () => {
    assert.equal(wholeNumberProblem(Number.MAX_SAFE_INTEGER), undefined);
    assert.equal(wholeNumberProblem(0), undefined);
    assert.equal(wholeNumberProblem(-1), "must be a whole number ≥ 0");
    assert.equal(wholeNumberProblem(Number.POSITIVE_INFINITY), "must be a whole number ≥ 0");
  });
});
