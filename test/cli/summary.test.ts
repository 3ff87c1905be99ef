import assert from "node:assert/strict";
import { planDiagnostics } from "../../cli/plan-output";
import { formatUsageSummary } from "../../cli/summary";
import { evaluatePlan } from "../../provider/capacity/plan";
import { deriveUsage } from "../../provider/capacity/usage";
import { DOCUMENTED_EXAMPLE } from "../../provider/client/quota-used";

describe("koodrive-usage summary of a tenant with no seats", () => {
  const usage = deriveUsage({ ...DOCUMENTED_EXAMPLE, userCount: 0, userMaxCount: 0 }, "KB");

  it("shows no percentage for a capacity of 0", () => {
    const seats = formatUsageSummary(usage, "https://x")
      .split("\n")
      .find((line) => line.startsWith("Seats"));
    assert.ok(seats, "a Seats line");
    assert.doesNotMatch(seats, /%/);
    assert.match(seats, /none/);
  });

  it("warns of no utilisation of a capacity of 0", () => {
    const lines = planDiagnostics({ ...evaluatePlan(usage, { warnAtPercent: 0 }), runwayShortfalls: [], message: "" });
    assert.ok(!lines.some((line) => /seats: 0% used/.test(line)), lines.join("\n"));
  });
});
