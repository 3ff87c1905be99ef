import assert from "node:assert/strict";
import { run } from "../../cli/run";
import { createRuntime } from "../../provider/dynamic/providers";
import { KooDriveProvider } from "../../provider/plugin/koodrive-provider";
import { type Simulator, startSimulator } from "../../sim";
import { TEST_TOKEN } from "../helpers/secrets";

const URN = "urn:pulumi:test::project::koodrive:index:CapacityGuard::onboarding";

/** The same figures and plan through every front end of the guard core. */
describe("the guard's front ends (dynamic provider, plugin, CLI)", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ fixture: { tokens: [TEST_TOKEN], usage: { userCount: 90, userMaxCount: 100 } } });
  });
  after(() => sim.close());

  const plan = { plannedUsers: 12, plannedSpaceGB: { group: 1800 }, warnAtPercent: 10 };
  const violations = [
    "seats: plan needs 12 new users, 10 seats left; exceeds by 2 seats: buy 2 more seats, or raise the OrgID user maximum (POST /koodrive/ose/v1/user/expand/{orgId})",
    "group pool quota: plan needs 1800 GB, 1798 GB left; exceeds by 2 GB: free 2 GB of the group pool quota, or reallocate 2 GB to it in KooDrive's Storage Settings (the department pool quota has 6102 GB left)",
  ];
  const message = `the plan exceeds capacity: ${violations.join("; ")}`;

  it("give the same violations and verdict for the same figures and plan", async () => {
    const dynamic = await createRuntime(undefined, { write: async () => undefined }).capacityGuard.check(
      {},
      {
        kind: "CapacityGuard",
        guardName: "onboarding",
        guardUrn: URN,
        connection: { endpoint: sim.url, accessToken: TEST_TOKEN },
        ...plan,
      },
    );
    assert.deepEqual(
      dynamic.failures.map((failure) => failure.reason),
      violations,
    );
    assert.equal(dynamic.inputs.message, message);

    const plugin = new KooDriveProvider();
    plugin.configure({ endpoint: sim.url, accessToken: TEST_TOKEN });
    const checked = await plugin.check(URN, {}, plan);
    assert.deepEqual(
      checked.failures.map((failure) => failure.reason),
      violations,
    );
    assert.equal(checked.inputs.message, message);

    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await run(
      ["--json", "--endpoint", sim.url, "--plan-users", "12", "--plan-group-gb", "1800", "--warn-at-percent", "10"],
      { KOODRIVE_ACCESS_TOKEN: TEST_TOKEN },
      { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) },
    );
    assert.equal(code, 1);
    assert.equal(JSON.parse(stdout.join("\n")).plan.message, message);
    assert.deepEqual(
      stderr.filter((line) => !line.startsWith("warning:")),
      violations,
    );
  });
});
