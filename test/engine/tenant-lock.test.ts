import assert from "node:assert/strict";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";
import { ADD_USER_SCRIPT, GUARDED_ONBOARDING_JS } from "../helpers/programs";

const TOKEN = "engine-test-token-tenant-lock-7c19";

/** The outcome of a run: its output, and whether it succeeded. */
async function outcome(run: Promise<{ stdout: string; stderr: string }>): Promise<{ ok: boolean; text: string }> {
  try {
    const result = await run;
    return { ok: true, text: [result.stdout, result.stderr].join("\n") };
  } catch (error) {
    return { ok: false, text: String((error as Error).message) };
  }
}

/** Two stacks that each onboard `users` users behind a guard, against one tenant. */
describe("several stacks, one tenant, under the real engine", function () {
  this.timeout(1_200_000);
  let sim: Simulator;
  const stacks: ProgramStack[] = [];

  before(async () => {
    // 20 of 100 seats used: 80 left.
    sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: { userCount: 20, userMaxCount: 100 } } });
    for (const name of ["dept-a", "dept-b"]) {
      const users = Array.from({ length: 50 }, (_, n) => `${name}-${n}`);
      stacks.push(
        await createProgramStack(name, {
          files: { "index.js": GUARDED_ONBOARDING_JS, "add-user.js": ADD_USER_SCRIPT },
          config: {
            "koodrive:endpoint": { value: sim.url },
            "koodrive:accessToken": { value: TOKEN, secret: true },
            users: { value: JSON.stringify(users) },
            guardOnly: { value: "true" },
          },
          env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TOKEN },
        }),
      );
    }
  });
  after(async () => {
    for (const test of stacks) await test.remove();
    await sim?.close();
  });

  it("serializes two concurrent `up`s: one adds its 50, the other waits, names the holder and fails naming 30 left", async () => {
    const [a, b] = stacks as [ProgramStack, ProgramStack];
    const runs = await Promise.all([outcome(a.stack.up()), outcome(b.stack.up())]);
    const succeeded = runs.filter((run) => run.ok);
    const failed = runs.filter((run) => !run.ok);
    assert.equal(succeeded.length, 1, runs.map((run) => run.text).join("\n----\n"));
    assert.equal(failed.length, 1);
    const loser = failed[0]?.text ?? "";
    assert.match(
      loser,
      /waiting for the KooDrive tenant .*: stack dept-\w\/test on .* has been deploying to this tenant since/,
    );
    assert.match(loser, /seats: plan needs 50 new users, 30 left; exceeds by 20/);
    assert.equal(sim.usage().userCount, 70, "exactly one stack added its 50 users");
    assert.ok(
      sim.requestLog().every((entry) => !(entry.path.endsWith("/users") && entry.status >= 400)),
      "no user creation was refused",
    );
  });
});
