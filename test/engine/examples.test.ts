import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../harness/engine";
import { createProgramStack, exampleFiles, type ProgramStack, programWorkspaceRoot } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";

const TOKEN = "examples-test-token-c0ffee12";

/** The README's "A first stack": its TypeScript program, and the failure it shows (one line per violation). */
function readmeFirstStack(): { program: string; failure: string[] } {
  const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n## A first stack\n"), readme.indexOf("\n### YAML\n"));
  const block = (language: string) =>
    section.match(new RegExp(`^\`\`\`${language}\n([\\s\\S]*?)^\`\`\`$`, "m"))?.[1] ?? "";
  return { program: block("ts"), failure: block("text").trim().split("\n") };
}

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

  it("the README's first stack (TypeScript): its preview fits, and fails as the README shows on one free seat", async () => {
    const { program, failure } = readmeFirstStack();
    assert.equal(failure.length, 1);
    const test = await createProgramStack("first-stack", { files: { "index.ts": program }, env });
    stacks.push(test);
    const fits = await test.stack.preview(); // 5 seats and 6102 GB of the department pool left
    assert.match(fits.stdout, /koodrive:User\s+user-100000000000000202\s+create/);
    assert.match(fits.stdout, /koodrive:Space\s+sales\s+create/);
    sim.setUsage({ userCount: 99 }); // 1 seat left
    const error = await test.stack.preview().then(
      () => assert.fail("the preview should fail"),
      (failed: Error) => failed.message,
    );
    // The second user checked is refused: which of the two is the engine's order.
    const either = (text: string) => text.replace(/10000000000000020[12]/g, "…");
    const line = either(failure[0]?.replace("https://cn.myhuaweicloud-koodrive.com", sim.url) ?? "");
    assert.ok(either(error).includes(line), `${line}\nin\n${error}`);
    assert.equal(sim.users().length, 0);
  });

  it("onboard-users: adds a CSV that fits as Users; one that grows by too many fails its preview, and its up never over-admits", async () => {
    const { stack, dir } = await stackOf("onboard-users", ["index.ts", "users.csv"]);
    const up = await stack.up();
    assert.deepEqual(up.outputs.added?.value, ["100000000000000101", "100000000000000102", "100000000000000103"]);
    assert.deepEqual([sim.users().length, sim.usage().userCount], [3, 98]);
    const again = await stack.preview();
    assert.deepEqual(again.changeSummary, { same: 4 }, "the users added hold their seats: no change");

    const crowd = ["userId,deptId,role", ...Array.from({ length: 6 }, (_, n) => `10000000000000010${n + 1},1,1`)];
    writeFileSync(path.join(dir, "crowd.csv"), `${crowd.join("\n")}\n`);
    await stack.setConfig("usersCsv", { value: "crowd.csv" });
    await assert.rejects(
      stack.preview(),
      /seats: this deployment adds 3 new seats to the KooDrive tenant .* \(2 Users \(2 seats\) and user-\d+ \(1 seat\)\), 2 seats left; exceeds by 1 seat/,
    );
    assert.deepEqual([sim.users().length, sim.usage().userCount], [3, 98]);
    // Without a preview (Automation API's up skips it), the first create judges the whole plan: nobody is added.
    await assert.rejects(
      stack.up(),
      /seats: (this deployment adds|the rest of this deployment's plan \(3 Users\) needs) 3 new seats/,
    );
    assert.deepEqual([sim.users().length, sim.usage().userCount], [3, 98]);
  });
});
