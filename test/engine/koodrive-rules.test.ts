import assert from "node:assert/strict";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";

const TOKEN = "engine-test-token-rules-5e21";

/** `count` Users, and a guard planning `guardUsers` more when that is set (config). */
const RULES_TS = `
import * as pulumi from "@pulumi/pulumi";
import { CapacityGuard, User } from "pulumi-koodrive";

const config = new pulumi.Config();
const count = config.getNumber("count") ?? 0;
const guardUsers = config.getNumber("guardUsers");
if (guardUsers !== undefined) new CapacityGuard("onboarding", { plannedUsers: guardUsers });
for (let n = 1; n <= count; n++) new User("user-" + n, { userId: "r" + n });
`;

/** The message a run that must fail printed. */
async function failure(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    return String(error);
  }
  assert.fail("the run was expected to fail");
}

/**
 * KooDrive's own rules beyond quotaUsed, one stack over one simulator: a frozen subscription (status
 * 1) and the personal space every new user gets (`personalSpaceSize`), 80 seats and 300 GB of the
 * personal pool left.
 */
describe("KooDrive's subscription rules under the real engine (TypeScript)", function () {
  this.timeout(600_000);
  let sim: Simulator;
  let test: ProgramStack;

  before(async () => {
    sim = await startSimulator({
      fixture: {
        tokens: [TOKEN],
        usage: { userCount: 20, userMaxCount: 100, personalSpaceQuota: 2000, personalSpaceQuotaUsed: 1700 },
        subscription: { status: 1, personalSpaceSize: 10 },
      },
    });
    test = await createProgramStack("rules", {
      files: { "index.ts": RULES_TS },
      config: {
        "koodrive:endpoint": { value: sim.url },
        "koodrive:accessToken": { value: TOKEN, secret: true },
        guardUsers: { value: "5" },
      },
    });
  });
  after(async () => {
    await test?.remove();
    await sim?.close();
  });

  it("a frozen tenant fails the preview of a guard and of a User naming the status; unfrozen, the plan passes", async () => {
    const frozen =
      /the KooDrive tenant .*is frozen \(its subscription's status is 1.*renew or unfreeze the subscription/;
    assert.match(await failure(test.stack.preview()), frozen);
    await test.stack.removeConfig("guardUsers");
    await test.stack.setConfig("count", { value: "3" });
    assert.match(await failure(test.stack.preview()), frozen);
    sim.setSubscription({ status: 0 });
    const preview = await test.stack.preview();
    assert.deepEqual(preview.changeSummary, { create: 4 });
  });

  it("counts each new user's default personal space: 31 fail naming the personal pool, 30 deploy", async () => {
    await test.stack.setConfig("count", { value: "31" });
    assert.match(
      await failure(test.stack.preview()),
      /personal pool quota: this deployment adds 310 GB new to the KooDrive tenant .*, 300 GB left; exceeds by 10 GB; each new user also takes a personal space of 10 GB \(the subscription's personalSpaceSize\)/,
    );
    await test.stack.setConfig("count", { value: "30" });
    const up = await test.stack.up();
    assert.equal(up.summary.result, "succeeded");
    assert.equal(sim.users().length, 30);
    const usage = sim.usage();
    assert.deepEqual(
      [usage.userCount, usage.personalSpaceQuotaUsed, usage.personalSpaceQuota],
      [50, 2000, 2000],
      "30 seats and 300 GB of personal quota taken, the pool full, nothing over",
    );
  });
});
