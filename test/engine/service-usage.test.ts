import assert from "node:assert/strict";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";

const TOKEN = "usage-test-token-0b1d2e3f";

const MANY_READERS_TS = `
import * as pulumi from "@pulumi/pulumi";
import { CapacityGuard, getServiceUsage, getServiceUsageOutput } from "pulumi-koodrive";

const guards = [1, 2, 3].map((n) => new CapacityGuard("guard-" + n, { plannedUsers: n }));
export const seats = getServiceUsageOutput().remainingSeats;
export const capacity = pulumi.output(getServiceUsage()).spaceCapacity;
export const statuses = pulumi.all(guards.map((guard) => guard.status));
`;

/** One stack over its life: previewed, deployed, updated as the figures move, refreshed and destroyed. */
describe("getServiceUsage under the real engine", function () {
  this.timeout(600_000);
  let sim: Simulator;
  let test: ProgramStack;

  before(async () => {
    sim = await startSimulator({ fixture: { tokens: [TOKEN] } });
    test = await createProgramStack("readers", {
      files: { "index.ts": MANY_READERS_TS },
      env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TOKEN },
    });
  });
  after(async () => {
    await test?.remove();
    await sim?.close();
  });

  it("reads KooDrive once per preview for three guards and two data-source calls, and once more under the tenant lock in an up", async () => {
    const preview = await test.stack.preview();
    assert.match(preview.stdout, /seats\s*:\s*80\b/);
    assert.equal(sim.requestCount("quotaUsed"), 1);

    const up = await test.stack.up();
    assert.equal(up.outputs.seats?.value, 80);
    assert.equal(up.outputs.capacity?.value, 10240);
    assert.deepEqual(up.outputs.statuses?.value, ["fits", "fits", "fits"]);
    // The update's check reads once; creating the guards holds the tenant and reads afresh, once.
    assert.equal(sim.requestCount("quotaUsed"), 3);
  });

  it("records the figures in the state and shows when they changed (the record, not the guards)", async () => {
    sim.setUsage({ userCount: 30 });
    const preview = await test.stack.preview({ diff: true });
    assert.equal(preview.changeSummary.update, 1, preview.stdout);
    assert.equal(preview.changeSummary.same, 4, "the stack and the three guards, whose plans did not change");
    assert.match(preview.stdout, /userCount\s*:\s*20\s*=>\s*30/);
    const up = await test.stack.up();
    assert.equal(up.outputs.seats?.value, 70);
  });

  it("refreshes and destroys a stack that holds guards", async () => {
    const refresh = await test.stack.refresh();
    assert.equal(refresh.summary.result, "succeeded");
    const destroy = await test.stack.destroy();
    assert.equal(destroy.summary.result, "succeeded");
    const state = await test.stack.exportStack();
    assert.deepEqual(state.deployment.resources ?? [], []);
  });
});
