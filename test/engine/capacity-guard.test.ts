import assert from "node:assert/strict";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";
import { ADD_USER_SCRIPT, GUARDED_ONBOARDING_JS } from "../helpers/programs";

const TOKEN = "engine-test-token-7f3c9a51";

describe("CapacityGuard under the real engine", function () {
  this.timeout(600_000);

  /**
   * One onboarding stack over its life, each step building on the one before: a fitting plan previewed,
   * over-plans refused in preview and in the update, the fitting plan deployed, then an advisory over-plan.
   */
  describe("one onboarding stack, deployment after deployment", () => {
    let sim: Simulator;
    let test: ProgramStack;
    const onboarding = (users: string[], config: Record<string, string> = {}) =>
      test.stack.setAllConfig({
        users: { value: JSON.stringify(users) },
        ...Object.fromEntries(Object.entries(config).map(([key, value]) => [key, { value }])),
      });

    before(async () => {
      sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: { userCount: 95, userMaxCount: 100 } } });
      test = await createProgramStack("onboarding", {
        files: { "index.js": GUARDED_ONBOARDING_JS, "add-user.js": ADD_USER_SCRIPT },
        env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TOKEN },
      });
    });
    after(async () => {
      await test?.remove();
      await sim?.close();
    });

    it("previews a fitting plan with the figures known", async () => {
      await onboarding(["ann", "bob"]);
      const preview = await test.stack.preview();
      assert.equal(preview.changeSummary.create, 5, preview.stdout);
      assert.match(preview.stdout, /remainingSeats\s*:\s*5\b/);
      assert.match(preview.stdout, /guardStatus\s*:\s*"fits"/);
      assert.equal(sim.requestCount("quotaUsed"), 1);
    });

    it("fails the preview of an over-plan with every violation, creating nothing", async () => {
      await onboarding(["a", "b", "c", "d", "e", "f"], { plannedSpaceGB: JSON.stringify({ dept: 7000 }) });
      const error = await test.stack.preview().then(
        () => assert.fail("preview should fail"),
        (e: Error) => e,
      );
      assert.match(error.message, /CapacityGuard resource 'onboarding'/);
      assert.match(error.message, /seats: plan needs 6 new users, 5 seats left; exceeds by 1 seat/);
      assert.match(error.message, /department pool quota: plan needs 7000 GB, 6102 GB left; exceeds by 898 GB/);
      const state = await test.stack.exportStack();
      assert.deepEqual(state.deployment.resources ?? [], []);
    });

    it("fails the update of an over-plan before any user is added", async () => {
      await test.stack.removeConfig("plannedSpaceGB");
      await assert.rejects(test.stack.up(), /seats: plan needs 6 new users, 5 seats left; exceeds by 1 seat/);
      assert.equal(sim.usage().userCount, 95);
    });

    it("adds the users of a fitting plan, and the next preview sees the new figures", async () => {
      await onboarding(["ann", "bob"]);
      const up = await test.stack.up();
      assert.equal(up.summary.result, "succeeded");
      assert.equal(sim.usage().userCount, 97);
      assert.equal(up.outputs.remainingSeats?.value, 5, "figures as read before the users were added");
      assert.deepEqual(up.outputs.remainingAfterPlan?.value?.seats, 3);
      const preview = await test.stack.preview({ diff: true });
      assert.match(preview.stdout, /remainingSeats\s*:\s*5\s*=>\s*3/);
    });

    it("only warns in advisory mode, and the deployment goes on", async () => {
      await onboarding(["ann", "bob", "cat", "dan"], { enforcement: "advisory", minFreeSeats: "2" });
      const up = await test.stack.up();
      assert.equal(up.summary.result, "succeeded");
      assert.match(
        up.stdout,
        /advisory capacity guard: seats: plan 4 users \(2 users already deployed, 2 new users\), keeping 2 seats free, 3 seats left; exceeds by 1 seat/,
      );
      assert.equal(up.outputs.guardStatus?.value, "exceeds");
      assert.equal(sim.usage().userCount, 99);
    });
  });

  describe("on its own stacks", () => {
    let sim: Simulator;
    let test: ProgramStack;

    beforeEach(async () => {
      sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: { userCount: 95, userMaxCount: 100 } } });
    });
    afterEach(async () => {
      await test?.remove();
      await sim.close();
    });

    it("fails closed when KooDrive cannot be reached, and only warns when advisory", async () => {
      test = await createProgramStack("onboarding", {
        files: { "index.js": GUARDED_ONBOARDING_JS, "add-user.js": ADD_USER_SCRIPT },
        config: { users: { value: JSON.stringify(["ann"]) }, guardOnly: { value: "true" } },
        env: { KOODRIVE_ENDPOINT: "http://127.0.0.1:9", KOODRIVE_ACCESS_TOKEN: TOKEN },
      });
      const { stack } = test;
      await assert.rejects(
        stack.preview(),
        /cannot read KooDrive usage, so the plan cannot be checked: cannot reach KooDrive/,
      );
      await stack.setConfig("enforcement", { value: "advisory" });
      const preview = await stack.preview();
      assert.match(preview.stdout, /advisory capacity guard: cannot read KooDrive usage/);
    });

    it("leaves a plan computed from other resources to the update, then checks it", async () => {
      test = await createProgramStack("computed-plan", {
        files: {
          "index.js": `
const command = require("@pulumi/command");
const koodrive = require("pulumi-koodrive");
const count = new command.local.Command("count-new-users", { create: "echo " + process.env.NEW_USERS });
const guard = new koodrive.CapacityGuard("computed", { plannedUsers: count.stdout.apply(Number) });
exports.status = guard.status;
`,
        },
        env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TOKEN, NEW_USERS: "9" },
      });
      const preview = await test.stack.preview();
      assert.match(preview.stdout, /the plan is not known until the update; the check runs then/);
      await assert.rejects(test.stack.up(), /seats: plan needs 9 new users, 5 seats left; exceeds by 4 seats/);
    });
  });
});
