import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { createProgramStack, type ProgramSpec, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";
import { oneTenant } from "../helpers/one-tenant";
import { storeInPersonalSpace } from "../helpers/simulator";

const TOKEN = "engine-test-token-users-4b9a";
const USERS_PATH = "/koodrive/ose/v1/users";

/** `count` Users (config), the first with role `firstRole`, all with `forceDestroy` (config). */
const USERS_TS = `
import * as pulumi from "@pulumi/pulumi";
import { User } from "pulumi-koodrive";

const config = new pulumi.Config();
const count = config.requireNumber("count");
const firstRole = config.getNumber("firstRole") ?? 1;
const forceDestroy = config.getBoolean("forceDestroy") ?? false;
const prefix = config.get("prefix") ?? "u";
const users = Array.from(
  { length: count },
  (_, n) => new User("user-" + (n + 1), { userId: prefix + (n + 1), role: n === 0 ? firstRole : 1, forceDestroy }),
);
export const first = users[0] && { userId: users[0].userId, role: users[0].role, status: users[0].status };
`;

/** Deletes a user in the simulator through its API, as someone outside Pulumi would. */
async function deleteByHand(sim: Simulator, userId: string): Promise<void> {
  const deleted = await fetch(`${sim.url}${USERS_PATH}/${userId}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(deleted.status, 200);
}

/** Adds a user in the simulator through its API, as a Command's curl or another tool would. */
async function addByHand(sim: Simulator, userId: string): Promise<void> {
  const added = await fetch(`${sim.url}${USERS_PATH}`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ userId, modifyUserInfoReq: { role: 1 } }),
  });
  assert.equal(added.status, 200);
}

/** What a run that may fail printed, and whether it succeeded. */
interface Outcome {
  ok: boolean;
  output: string;
}

/** One stack of Users over its life against one simulator of 80 free seats (20 of 100 taken). */
describe("User under the real engine (TypeScript)", function () {
  this.timeout(1_200_000);
  let sim: Simulator;
  let test: ProgramStack;

  before(async () => {
    sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: { userCount: 20, userMaxCount: 100 } } });
    test = await createProgramStack("users", {
      files: { "index.ts": USERS_TS },
      config: {
        "koodrive:endpoint": { value: sim.url },
        "koodrive:accessToken": { value: TOKEN, secret: true },
        count: { value: "81" },
      },
    });
  });
  after(async () => {
    await test?.remove();
    await sim?.close();
  });

  const run = (command: string[]): Promise<Outcome> =>
    test.cli([...command, "--stack", "test", "--non-interactive"]).then(
      ({ stdout, stderr }) => ({ ok: true, output: `${stdout}${stderr}` }),
      (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout}${error.stderr}` }),
    );
  /** The adds KooDrive was sent: each was answered with success (no refusal) when it equals the users. */
  const adds = () => sim.requestLog().filter((entry) => entry.method === "POST" && entry.path === USERS_PATH).length;
  const userIds = () =>
    sim
      .users()
      .map((user) => user.userId)
      .sort();

  it("fails the preview of 81 new Users against 80 free seats, naming the seats and the count", async () => {
    const preview = await run(["preview"]);
    assert.equal(preview.ok, false, preview.output);
    assert.match(
      preview.output,
      /seats: this deployment adds 81 new seats to the KooDrive tenant .* \(80 Users \(80 seats\) and user-\d+ \(1 seat\)\), 80 seats left; exceeds by 1 seat/,
    );
    assert.equal(adds(), 0);
    assert.deepEqual(sim.usage().userCount, 20);
  });

  it("up --skip-preview of 90 Users: KooDrive refuses no add, the tenant never exceeds its seats; destroy frees them", async () => {
    await test.stack.setConfig("count", { value: "90" });
    const skipped = await run(["up", "--yes", "--skip-preview"]);
    assert.equal(skipped.ok, false, skipped.output);
    assert.match(
      skipped.output,
      /seats: (this deployment adds \d+ new seats to|the rest of this deployment's plan \(\d+ Users\) needs \d+ new seats of) the KooDrive tenant .*; exceeds by \d+ seats?/,
    );
    assert.equal(adds(), sim.users().length, "every add sent was made: KooDrive refused none");
    // How far all-or-nothing got: the engine may create some users before the last checks arrive.
    console.log(`      (--skip-preview of 90 against 80 free seats: ${sim.users().length} users added)`);
    assert.ok(sim.users().length <= 80, `${sim.users().length} users added`);
    const recorded = (await test.stack.exportStack()).deployment.resources.filter((resource: { type: string }) =>
      resource.type.endsWith("koodrive:User"),
    );
    assert.equal(recorded.length, sim.users().length, "every user added is in the state");
    assert.ok(sim.usage().userCount <= sim.usage().userMaxCount, `userCount ${sim.usage().userCount}`);

    const destroy = await test.stack.destroy();
    assert.equal(destroy.summary.result, "succeeded");
    assert.deepEqual(userIds(), []);
    assert.deepEqual([sim.usage().userCount, sim.usage().userMaxCount], [20, 100]);
  });

  it("deploys 80 new Users against 80 free seats: the tenant shows 100", async () => {
    sim.resetLog();
    await test.stack.setConfig("count", { value: "80" });
    const up = await test.stack.up();
    assert.equal(up.summary.result, "succeeded");
    assert.equal(sim.users().length, 80);
    assert.equal(adds(), 80, "no add was refused, none was sent twice");
    assert.deepEqual([sim.usage().userCount, sim.usage().userMaxCount], [100, 100]);
  });

  it("changes a role in place", async () => {
    await test.stack.setConfig("firstRole", { value: "0" });
    const up = await test.stack.up();
    assert.deepEqual(up.summary.resourceChanges, { same: 80, update: 1 });
    assert.deepEqual(up.outputs.first?.value, { userId: "u1", role: 0, status: 0 });
    assert.equal(sim.users().find((user) => user.userId === "u1")?.role, 0);
    assert.equal(sim.usage().userCount, 100);
  });

  it("shows a user deleted in KooDrive as drift on refresh", async () => {
    await deleteByHand(sim, "u2");
    const refresh = await run(["refresh", "--yes"]);
    assert.equal(refresh.ok, true, refresh.output);
    assert.match(refresh.output, /-\s+pulumi-nodejs:dynamic\/koodrive:User\s+user-2\s+deleted/);
    const state = JSON.stringify((await test.stack.exportStack()).deployment);
    assert.doesNotMatch(state, /::user-2"/);
    assert.equal(sim.usage().userCount, 99);
  });

  it("frees the seats on destroy, refusing a user whose space stores data unless forceDestroy", async () => {
    await storeInPersonalSpace(sim, TOKEN, "u3", 3 * 1024 * 1024);

    const refused = await run(["destroy", "--yes"]);
    assert.equal(refused.ok, false, refused.output);
    assert.match(refused.output, /the KooDrive user u3 was not deleted: its personal space store 3145728 KB \(3 GB\)/);
    assert.match(refused.output, /set forceDestroy: true/);
    // The engine stops at the refusal: u3 stays, with whichever others it had not deleted yet.
    assert.ok(userIds().includes("u3"), "the user with data stays");
    assert.equal(sim.usage().userCount, 20 + sim.users().length);

    await test.stack.setConfig("forceDestroy", { value: "true" });
    const user3 = (await test.stack.exportStack()).deployment.resources.find((resource: { urn: string }) =>
      resource.urn.endsWith("::user-3"),
    );
    const forced = await test.stack.up({ target: [String(user3?.urn)] });
    assert.equal(forced.summary.resourceChanges?.update, 1);
    const destroy = await test.stack.destroy();
    assert.equal(destroy.summary.result, "succeeded");
    assert.deepEqual(userIds(), []);
    assert.deepEqual([sim.usage().userCount, sim.usage().userMaxCount], [20, 100]);
  });
});

/** Pulumi YAML of `count` plugin Users, the first with role `firstRole`, all with `forceDestroy`. */
function usersYaml(count: number, firstRole = 1, forceDestroy = false, prefix = "u"): string {
  const lines = ["name: koodrive-users-yaml", "runtime: yaml", "resources:"];
  for (let n = 1; n <= count; n++) {
    lines.push(
      `  user-${n}:`,
      "    type: koodrive:index:User",
      "    properties:",
      `      userId: ${prefix}${n}`,
      `      role: ${n === 1 ? firstRole : 1}`,
      `      forceDestroy: ${forceDestroy}`,
    );
  }
  lines.push("outputs:", `  firstRole: \${user-1.role}`, `  firstStatus: \${user-1.status}`);
  return `${lines.join("\n")}\n`;
}

/** A stack of 50 new Users whose ids start with `prefix`, in TypeScript or in Pulumi YAML (through the plugin). */
const fiftyUsers = (language: "TypeScript" | "YAML", prefix: string): ProgramSpec =>
  language === "TypeScript"
    ? { files: { "index.ts": USERS_TS }, config: { count: { value: "50" }, prefix: { value: prefix } } }
    : { files: { "Pulumi.yaml": usersYaml(50, 1, false, prefix) }, pluginOnPath: true };

for (const language of ["TypeScript", "YAML"] as const) {
  /** Two stacks of one tenant, each adding 50 Users, against 80 free seats, as CI runs them: `pulumi up --yes`. */
  describe(`two stacks of 50 Users each, pulumi up at once (${language})`, function () {
    this.timeout(600_000);
    const tenant = oneTenant(TOKEN);

    it("exactly one succeeds; the other fails before its first user, on its preview's whole plan; the tenant ends at 70", async () => {
      const stacks = await Promise.all(
        ["a", "b"].map((prefix) =>
          tenant.stack(`users-${language.toLowerCase()}-${prefix}`, fiftyUsers(language, prefix)),
        ),
      );
      // The CLI's `up` runs its preview first (the Automation API's skips it): the update's first create
      // judges the whole plan the preview checked, not only what the update has checked by then.
      const outcomes = await Promise.allSettled(
        stacks.map((stack) => stack.cli(["up", "--yes", "--stack", "test", "--non-interactive"])),
      );
      const won = outcomes.flatMap((outcome, n) => (outcome.status === "fulfilled" ? [["a", "b"][n] as string] : []));
      assert.equal(won.length, 1, `exactly one stack succeeds: ${won.join(", ") || "none"}`);
      const lost = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
      assert.match(
        String((lost?.reason as { stdout?: string } | undefined)?.stdout ?? lost?.reason),
        /seats: the rest of this deployment's plan \(50 Users\) needs 50 new seats of the KooDrive tenant .*; 30 seats were left when it took the tenant; exceeds by 20 seats: [\s\S]*nor is anything more of the plan/,
      );
      const added = tenant.sim.users().map((user) => user.userId);
      assert.deepEqual(
        [added.filter((id) => id.startsWith(won[0] as string)).length, added.length],
        [50, 50],
        "the winner added its 50, the other no one",
      );
      const posts = tenant.sim.requestLog().filter((entry) => entry.method === "POST" && entry.path === USERS_PATH);
      assert.equal(posts.length, 50, "every add sent was made: KooDrive refused none");
      assert.equal(tenant.sim.usage().userCount, 70);
    });
  });
}

/** The same life through the provider plugin, in Pulumi YAML, against 3 free seats (97 of 100 taken). */
describe("User under the real engine (YAML, through the plugin)", function () {
  this.timeout(1_200_000);
  let sim: Simulator;
  let test: ProgramStack;

  before(async () => {
    sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: { userCount: 97, userMaxCount: 100 } } });
    test = await createProgramStack("users-yaml", {
      files: { "Pulumi.yaml": usersYaml(4) },
      config: {
        "koodrive:endpoint": { value: sim.url },
        "koodrive:accessToken": { value: TOKEN, secret: true },
      },
      pluginOnPath: true,
    });
  });
  after(async () => {
    await test?.remove();
    await sim?.close();
  });

  const program = (yaml: string) => writeFileSync(path.join(test.dir, "Pulumi.yaml"), yaml);
  const failed = (run: Promise<unknown>): Promise<string> =>
    run.then(
      () => assert.fail("the run should fail"),
      (error: Error) => error.message,
    );

  it("fails the preview of 4 new Users against 3 free seats; 3 deploy; a role changes in place", async () => {
    assert.match(
      await failed(test.stack.preview()),
      /seats: this deployment adds 4 new seats to the KooDrive tenant .* \(3 Users \(3 seats\) and \S+ \(1 seat\)\), 3 seats left; exceeds by 1 seat/,
    );
    assert.equal(sim.users().length, 0);

    program(usersYaml(3));
    const up = await test.stack.up();
    assert.equal(up.summary.result, "succeeded");
    assert.deepEqual([sim.usage().userCount, sim.usage().userMaxCount], [100, 100]);

    program(usersYaml(3, 0));
    const changed = await test.stack.up();
    assert.deepEqual(changed.summary.resourceChanges, { same: 3, update: 1 });
    assert.equal(changed.outputs.firstRole?.value, 0);
    assert.equal(sim.users().find((user) => user.userId === "u1")?.role, 0);
    assert.equal(sim.usage().userCount, 100);
  });

  it("shows a user deleted in KooDrive as drift on refresh, adopts one added by hand, and refuses to destroy one with data until forceDestroy", async () => {
    await deleteByHand(sim, "u2");
    const refresh = await test.stack.refresh();
    assert.equal(refresh.summary.resourceChanges?.delete, 1);
    assert.equal(sim.usage().userCount, 99);

    // Added again outside Pulumi (the tenant full), then adopted: imported with its seat, none taken twice.
    await addByHand(sim, "u2");
    assert.equal(sim.usage().userCount, 100);
    const imported = await test.cli(["import", "koodrive:index:User", "user-2", "u2", "--yes", "--stack", "test"]);
    // The code to copy declares the user as KooDrive holds it (the simulator's default department).
    assert.match(
      imported.stdout,
      /user-2:\n\s+type: koodrive:User\n\s+properties:\n\s+deptId: '1'\n\s+role: 1\n\s+status: 0\n\s+userId: u2/,
    );
    const adopted = await test.stack.preview();
    assert.deepEqual(adopted.changeSummary, { same: 4 }, "the program's user-2 is the imported user");
    const urn = (await test.stack.exportStack()).deployment.resources.find((resource: { urn: string }) =>
      resource.urn.endsWith("::user-2"),
    )?.urn;
    await test.cli(["state", "unprotect", String(urn), "--yes", "--stack", "test"]);

    await storeInPersonalSpace(sim, TOKEN, "u3", 1024 * 1024);
    assert.match(
      await failed(test.stack.destroy()),
      /the KooDrive user u3 was not deleted: its personal space store 1048576 KB \(1 GB\)/,
    );
    assert.ok(sim.users().some((user) => user.userId === "u3"));

    program(usersYaml(3, 0, true).replace(/ {2}user-2:\n(.*\n){5}/, ""));
    await test.stack.up();
    const destroy = await test.stack.destroy();
    assert.equal(destroy.summary.result, "succeeded");
    assert.deepEqual([sim.users().length, sim.usage().userCount], [0, 97]);
  });

  it("moves a user added by a Command to a User as the README says, counting no one twice", async () => {
    // Before: a guard's plannedUsers, and a Command that adds the user with curl once the guard fits.
    const body = JSON.stringify({ userId: "u9", modifyUserInfoReq: { role: 1 } });
    const curl = `curl -fsS -X POST ${sim.url}${USERS_PATH} -H "Authorization: Bearer ${TOKEN}" -H "Content-Type: application/json" -d '${body}'`;
    program(
      [
        "name: koodrive-users-yaml",
        "runtime: yaml",
        "resources:",
        "  capacity:",
        "    type: koodrive:index:CapacityGuard",
        "    properties:",
        "      plannedUsers: 1",
        "  add-users:",
        "    type: command:local:Command",
        "    properties:",
        "      create: >-",
        `        ${curl}`,
        "    options:",
        "      dependsOn:",
        `        - \${capacity}`,
        "",
      ].join("\n"),
    );
    await test.stack.up();
    assert.deepEqual([sim.users().map((user) => user.userId), sim.usage().userCount], [["u9"], 98]);

    // 1. the user adopted; 2. the Command removed; 3. the guard, which planned only that user, dropped.
    await test.cli(["import", "koodrive:index:User", "user-9", "u9", "--yes", "--stack", "test"]);
    program(
      usersYaml(0)
        .replace(
          "resources:\n",
          "resources:\n  user-9:\n    type: koodrive:index:User\n    properties:\n      userId: u9\n      role: 1\n",
        )
        .replace(/outputs:\n(.*\n)*/, ""),
    );
    const moved = await test.stack.preview();
    assert.deepEqual(moved.changeSummary, { delete: 2, same: 2 }, "the Command and the guard go; the User stays");
    await test.stack.up();
    assert.deepEqual([sim.users().map((user) => user.userId), sim.usage().userCount], [["u9"], 98]);

    const urn = (await test.stack.exportStack()).deployment.resources.find((resource: { urn: string }) =>
      resource.urn.endsWith("::user-9"),
    )?.urn;
    await test.cli(["state", "unprotect", String(urn), "--yes", "--stack", "test"]);
    await test.stack.destroy();
    assert.deepEqual([sim.users().length, sim.usage().userCount], [0, 97]);
  });
});
