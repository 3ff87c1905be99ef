import assert from "node:assert/strict";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";
import { ADD_SPACE_SCRIPT, ADD_USER_SCRIPT, GUARD_CYCLE_JS } from "../helpers/programs";

const TOKEN = "engine-test-token-cycle-4d21";

/** One stack driven through the life of a guard, as the README's "How the guard counts" tells it. */
describe("CapacityGuard life cycle under the real engine", function () {
  this.timeout(1_200_000);
  let sim: Simulator;
  let test: ProgramStack;

  before(async () => {
    // 20 of 100 seats used; the department pool has 200 of 300 GB free.
    sim = await startSimulator({
      fixture: {
        tokens: [TOKEN],
        usage: { userCount: 20, userMaxCount: 100, deptSpaceQuota: 300, deptSpaceQuotaUsed: 100 },
      },
    });
    test = await createProgramStack("guard-cycle", {
      files: { "index.js": GUARD_CYCLE_JS, "add-user.js": ADD_USER_SCRIPT, "add-space.js": ADD_SPACE_SCRIPT },
      env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TOKEN },
    });
  });
  after(async () => {
    await test?.remove();
    await sim?.close();
  });

  const plan = (users: number, spaces: number[], extra: Record<string, string> = {}) =>
    test.stack.setAllConfig({
      users: { value: String(users) },
      spaces: { value: JSON.stringify(spaces) },
      ...Object.fromEntries(Object.entries(extra).map(([key, value]) => [key, { value }])),
    });
  /** The plan the guard "onboarding" admitted, from the state. */
  const admitted = async () =>
    (await test.stack.exportStack()).deployment.resources?.find((resource: { urn: string }) =>
      resource.urn.endsWith("CapacityGuard::onboarding"),
    )?.outputs?.admittedPlan;
  const failure = (run: Promise<unknown>) =>
    run.then(
      () => assert.fail("the run should fail"),
      (error: Error) => error.message,
    );

  it("judges only what is new after each deployment, for seats and a pool", async () => {
    await plan(45, [50, 50, 50]);
    const up = await test.stack.up();
    assert.equal(up.summary.result, "succeeded");
    assert.equal(sim.usage().userCount, 65, "the dependents added 45 users");
    assert.equal(sim.usage().deptSpaceQuotaUsed, 250, "and 150 GB of department spaces");

    // No change to show: the guard judged 0 new against 35 left, and the plan did not change.
    const unchanged = await test.stack.preview();
    assert.doesNotMatch(unchanged.stdout, /CapacityGuard onboarding\s+update/);
    assert.doesNotMatch(unchanged.stdout, /exceeds/);

    await plan(46, [50, 50, 50, 10]);
    const grown = await test.stack.preview();
    assert.match(grown.stdout, /seats: plan 46 users \(45 users already deployed, 1 new user\), 35 seats left/);
    assert.match(grown.stdout, /department pool quota: plan 160 GB \(150 GB already deployed, 10 GB new\), 50 GB left/);

    await plan(81, [50, 50, 50, 51]);
    const over = await failure(test.stack.preview());
    assert.match(
      over,
      /seats: plan 81 users \(45 users already deployed, 36 new users\), 35 seats left; exceeds by 1 seat/,
    );
    assert.match(
      over,
      /department pool quota: plan 201 GB \(150 GB already deployed, 51 GB new\), 50 GB left; exceeds by 1 GB/,
    );

    await plan(40, [50, 50]);
    const shrunk = await test.stack.preview();
    assert.match(shrunk.stdout, /seats: plan 40 users \(45 users already deployed, 0 new users\), 35 seats left/);

    // A second deployment: the growth is admitted, and the next run counts from it.
    await plan(46, [50, 50, 50, 10]);
    const grownUp = await test.stack.up();
    assert.equal(grownUp.summary.result, "succeeded");
    assert.equal(sim.usage().userCount, 66, "the new dependent added 1 user");
    assert.equal(sim.usage().deptSpaceQuotaUsed, 260, "and a 10 GB space");
    assert.deepEqual(await admitted(), { users: 46, spaceGB: { dept: 160 } });
    const afterGrowth = await test.stack.preview();
    assert.doesNotMatch(
      afterGrowth.stdout,
      /CapacityGuard onboarding\s+update|exceeds/,
      "nothing new: no change, no failure",
    );

    // A third: shrinking deploys without a check failure, and the smaller plan becomes the admitted one.
    await plan(45, [50, 50, 50]);
    const shrunkUp = await test.stack.up();
    assert.equal(shrunkUp.summary.result, "succeeded");
    assert.deepEqual(await admitted(), { users: 45, spaceGB: { dept: 150 } });
  });

  it("judges guards on one connection together, in either order", async () => {
    sim.setUsage({ userCount: 20 }); // 80 seats left
    for (const pilotFirst of ["false", "true"]) {
      await plan(95, [50, 50, 50], { pilotUsers: "50", pilotFirst });
      const both = await failure(test.stack.preview());
      assert.match(
        both,
        /seats: guards onboarding \(50 seats\) and pilot \(50 seats\) need 100 new seats together, 80 seats left; exceeds by 20 seats/,
      );
      await plan(75, [50, 50, 50], { pilotUsers: "30", pilotFirst });
      await test.stack.preview();
    }
  });

  it("re-reads the figures on refresh", async () => {
    await plan(45, [50, 50, 50], { pilotUsers: "0" });
    sim.setUsage({ userCount: 95 });
    await test.stack.refresh();
    const state = JSON.stringify((await test.stack.exportStack()).deployment);
    assert.match(state, /"remainingSeats":5\b/);
    const refreshed = await test.stack.refresh({ runProgram: true });
    assert.equal(refreshed.summary.result, "succeeded");
    assert.equal((await test.stack.outputs()).remainingSeats?.value, 5);
  });
});
