import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createProgramStack, exampleFiles, type ProgramStack, programWorkspaceRoot } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";

const TOKEN = "examples-test-token-c0ffee12";

describe("examples under the real engine", function () {
  this.timeout(600_000);
  let sim: Simulator;
  const stacks: ProgramStack[] = [];
  let env: Record<string, string>;

  beforeEach(async () => {
    sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: { userCount: 95, userMaxCount: 100 } } });
    env = { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TOKEN };
  });
  afterEach(async () => {
    for (const stack of stacks.splice(0)) await stack.remove();
    await sim.close();
  });

  async function stackOf(
    example: string,
    files: string[],
    extra: Parameters<typeof createProgramStack>[1] = { files: {} },
  ) {
    const test = await createProgramStack(path.basename(example), {
      ...extra,
      files: { ...exampleFiles(example, files), ...extra.files },
      env: { ...env, ...extra.env },
    });
    stacks.push(test);
    return test;
  }

  it("ci-guardrail: preview passes a plan that fits and fails one that does not", async () => {
    const { stack } = await stackOf("ci-guardrail", ["index.ts"]);
    await stack.setAllConfig({
      plannedUsers: { value: "5" },
      plannedSpaceGB: { value: JSON.stringify({ dept: 100 }) },
    });
    const preview = await stack.preview();
    assert.match(preview.stdout, /verdict\s*:\s*"the plan fits/);
    await stack.setConfig("plannedUsers", { value: "6" });
    await assert.rejects(stack.preview(), /seats: plan needs 6 new users, 5 seats left; exceeds by 1 seat/);
  });

  it("stack-outputs: the consumer decides from the platform's published figures", async () => {
    // In the program workspace, which the run removes.
    const stateDir = mkdtempSync(path.join(await programWorkspaceRoot(), "shared-backend-"));
    const { stack: platform } = await stackOf("stack-outputs/platform", ["index.ts"], { files: {}, stateDir });
    const published = await platform.up();
    assert.equal(published.outputs.remainingSeats?.value, 5);
    const { stack: consumer } = await stackOf("stack-outputs/consumer", ["index.ts"], {
      files: {},
      stateDir,
      env: { KOODRIVE_ENDPOINT: "", KOODRIVE_ACCESS_TOKEN: "" },
    });
    await consumer.setAllConfig({
      platformStack: { value: "organization/platform/test" },
      wantedSeats: { value: "4" },
    });
    const decided = await consumer.up();
    assert.equal(decided.outputs.canOnboard?.value, true);
    assert.equal(decided.outputs.decision?.value, "onboard 4 users (5 seats left)");
    await consumer.setConfig("wantedSeats", { value: "9" });
    const waiting = await consumer.up();
    assert.equal(waiting.outputs.canOnboard?.value, false);
  });

  it("onboard-users: adds a CSV that fits, and adds no one from a CSV that does not", async () => {
    const { stack, dir } = await stackOf("onboard-users", ["index.ts", "users.csv"]);
    const up = await stack.up();
    assert.deepEqual(up.outputs.added?.value, ["100000000000000101", "100000000000000102", "100000000000000103"]);
    assert.equal(sim.usage().userCount, 98);
    assert.equal(up.outputs.seatsLeftAfter?.value, 2);

    const crowd = ["userId,deptId,role", ...Array.from({ length: 6 }, (_, n) => `10000000000000020${n},1,1`)];
    writeFileSync(path.join(dir, "crowd.csv"), `${crowd.join("\n")}\n`);
    await stack.setConfig("usersCsv", { value: "crowd.csv" });
    await assert.rejects(
      stack.up(),
      /seats: plan 6 users \(3 users already deployed, 3 new users\), 2 seats left; exceeds by 1 seat/,
    );
    assert.equal(sim.usage().userCount, 98);
  });
});
