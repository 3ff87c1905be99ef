import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { ProgramStack } from "../../harness/program-stack";
import type { Simulator } from "../../sim";
import type { Gate } from "../helpers/gate";
import { oneTenant } from "../helpers/one-tenant";
import { interruptWhileWaiting, outcome, watchFor } from "../helpers/outcome";
import { providerProcesses, until } from "../helpers/processes";

const TOKEN = "engine-test-token-user-faults-7c31";
const USERS_PATH = "/koodrive/ose/v1/users";

/**
 * A program of `User`s (pulumi-koodrive's, the TypeScript SDK's class) in stages, each after the one
 * before it: a stage is a list of user ids, or a FIFO gate a Command waits at; with `beside`, a Command
 * waiting at that gate beside them (it keeps the engine running).
 */
function usersProgram(stages: Array<string[] | Gate>, beside?: Gate): Record<string, string> {
  const lines = stages.map((stage, n) => {
    const after = n === 0 ? "[]" : `stage${n - 1}`;
    return Array.isArray(stage)
      ? `const stage${n} = ${JSON.stringify(stage)}.map((id) => new User("user-" + id, { userId: id }, { dependsOn: ${after} }));`
      : `const stage${n} = [new command.local.Command("gate", { create: ${JSON.stringify(stage.command)} }, { dependsOn: ${after} })];`;
  });
  const source = `
const command = require("@pulumi/command");
const { User } = require("pulumi-koodrive");
${lines.join("\n")}
${beside ? `new command.local.Command("beside", { create: ${JSON.stringify(beside.command)} });` : ""}
`;
  return { "index.js": source };
}

/** `count` user ids `prefix-from`, `prefix-(from+1)`, … */
const ids = (prefix: string, count: number, from = 0) =>
  Array.from({ length: count }, (_, n) => `${prefix}-${from + n}`);

/** The user ids of the `User`s in a stack's state. */
async function usersInState(test: ProgramStack): Promise<string[]> {
  const { deployment } = await test.stack.exportStack();
  return (deployment.resources ?? [])
    .filter((resource: { type: string }) => resource.type.endsWith("koodrive:User"))
    .map((resource: { outputs: { userId: string } }) => resource.outputs.userId);
}

/** How many `User`s the stack's state file records so far, read while its engine runs (0 while it is being written). */
function recordedUsers(test: ProgramStack): number {
  try {
    const stacks = path.join(test.stateDir, ".pulumi", "stacks");
    const file = readdirSync(stacks, { recursive: true, encoding: "utf8" }).find((name) => name.endsWith("test.json"));
    const { checkpoint } = JSON.parse(readFileSync(path.join(stacks, String(file)), "utf8"));
    return (checkpoint.latest?.resources ?? []).filter((resource: { type: string }) =>
      resource.type.endsWith("koodrive:User"),
    ).length;
  } catch {
    return 0;
  }
}

/** The pending CREATE operations of a stack's state (a run killed mid-create leaves them): URN and user id. */
async function pendingCreates(test: ProgramStack): Promise<Array<{ urn: string; userId: string }>> {
  const { deployment } = await test.stack.exportStack();
  return (deployment.pending_operations ?? [])
    .filter((operation: { type: string }) => operation.type === "creating")
    .map((operation: { resource: { urn: string; inputs: { userId: string } } }) => ({
      urn: operation.resource.urn,
      userId: operation.resource.inputs.userId,
    }));
}

/** The adds KooDrive was sent (`POST /users`), in order. */
const adds = (sim: Simulator) =>
  sim.requestLog().filter((entry) => entry.method === "POST" && entry.path === USERS_PATH);

/**
 * The simulator's figures at the end of a test: `used` seats used, never more than the tenant has;
 * no add refused by KooDrive (only the faults the test injected failed); every user KooDrive holds is
 * in exactly one of `stacks`' states (nothing lost, nothing added twice), and every state's user is in KooDrive.
 */
async function assertFigures(sim: Simulator, used: number, stacks: ProgramStack[]): Promise<void> {
  assert.equal(sim.usage().userCount, used);
  assert.ok(sim.usage().userCount <= sim.usage().userMaxCount, "nothing over-admitted");
  const refused = adds(sim).filter((entry) => entry.status >= 400 && entry.fault === undefined);
  assert.deepEqual(refused, [], "no add was refused by KooDrive");
  const recorded = (await Promise.all(stacks.map(usersInState))).flat().sort();
  const held = sim
    .users()
    .map((user) => user.userId)
    .sort();
  assert.deepEqual(recorded, held, "every user in KooDrive is in one stack's state, once");
  assert.equal(held.length, used - 20, "20 seats were taken before the test");
}

/** Resolves once `run`'s output says it waits for the tenant; rejects when it ends first. */
async function waitingIn(run: Promise<{ ok: boolean; text: string }>, seen: Promise<void>, who: string) {
  await Promise.race([
    seen,
    run.then((ended) => {
      throw new Error(`${who} ended before it waited for the tenant: ${ended.text}`);
    }),
  ]);
}

describe("User resources under faults, under the real engine (kill -9, a partly failed up, SIGINT)", function () {
  this.timeout(600_000);
  const tenant = oneTenant(TOKEN);

  /**
   * Pulumi's remedy for the pending CREATE operations a killed run leaves in its state, once KooDrive is
   * seen to hold none of their users (as Pulumi's warning asks: check the provider first): `pulumi up`
   * only warns of them and keeps them, and `pulumi refresh` clears them only interactively or with
   * `--clear-pending-creates`. Returns how many it cleared.
   */
  async function clearPendingCreates(test: ProgramStack, sim: Simulator): Promise<number> {
    const pending = await pendingCreates(test);
    if (pending.length === 0) return 0;
    const inKooDrive = new Set(sim.users().map((user) => user.userId));
    assert.deepEqual(
      pending.filter((operation) => inKooDrive.has(operation.userId)),
      [],
      "KooDrive made none of the users whose create was pending",
    );
    const refreshed = await outcome(
      test.cli(["refresh", "--yes", "--non-interactive", "--stack", "test", "--clear-pending-creates"]),
    );
    assert.ok(refreshed.ok, refreshed.text);
    assert.deepEqual(await pendingCreates(test), [], "no pending operation is left");
    return pending.length;
  }

  /**
   * An `up` of 30 Users whose first 10 adds are answered at once and the others held (koodrive-sim's
   * delay fault on the add endpoint: an add whose client is gone before it ends is never made), with `beside`
   * a Command waiting at a gate beside them; another stack's `up` of 50 waits for the tenant meanwhile.
   * Returns once the holder's `victim` is killed, with the waiter's output so far.
   */
  async function killMidUp(victim: "engine" | "provider", beside?: Gate) {
    const { sim } = tenant;
    // Its held adds must stay in flight until the kill, however long a loaded machine takes to get there:
    // with the default per-attempt timeout, they fail and end the holder's up (and its hold) first.
    const holder = await tenant.stack("holder", {
      files: usersProgram([ids("holder", 30)], beside),
      env: { KOODRIVE_TIMEOUT_MS: "240000", KOODRIVE_DEADLINE_MS: "240000" },
    });
    const waiter = await tenant.stack("waiter", { files: usersProgram([ids("waiter", 50)]) });
    sim.queueFault("addUser", { kind: "delay", ms: 0 }, 10);
    sim.queueFault("addUser", { kind: "delay", ms: 300_000 }, 20);

    // Every create (and the Command beside) at once: held adds would otherwise fill the engine's
    // parallel steps, and the Command would wait for them.
    const upArgs = ["up", "--yes", "--skip-preview", "--parallel", "64", "--stack", "test", "--non-interactive"];
    const engine = victim === "engine" ? holder.start(upArgs) : undefined;
    const holding = victim === "engine" ? undefined : outcome(holder.stack.up({ parallel: 64 }));
    // Mid-way: 10 added and recorded, and more adds sent than that, held.
    await until("the holder's adds pass the first 10", () => adds(sim).length >= 12);
    await until("the holder's state records its first 10", () => recordedUsers(holder) === 10);
    if (beside) await beside.reached();
    let output = "";
    const waiting = watchFor(/waiting for the KooDrive tenant/);
    const waiterRun = outcome(
      waiter.stack.up({
        onOutput: (text) => {
          output += text;
          waiting.onOutput(text);
        },
      }),
    );
    await waitingIn(waiterRun, waiting.seen, "the waiter");
    assert.equal(sim.users().length, 10, "the holder is mid-way");

    if (engine) engine.kill("SIGKILL");
    else for (const pid of providerProcesses(holder.dir)) process.kill(pid, "SIGKILL");
    sim.clearFaults(); // the holds the holder's adds did not reach: the waiter's adds are answered at once
    return { sim, holder, waiter, holding, waiterRun, output: () => output };
  }

  it("kill -9 of the engine mid-up of Users: the waiter is admitted on what is left, and the retried up adds no user twice", async () => {
    const { sim, holder, waiter, waiterRun } = await killMidUp("engine");
    await until(
      "the holder's provider processes end with its engine",
      () => providerProcesses(holder.dir).length === 0,
      30_000,
    );

    // The waiter takes over, reading the figures anew: the holder's 10 leave 70, and its 50 fit.
    const waited = await waiterRun;
    assert.ok(waited.ok, waited.text);
    assert.match(
      waited.text,
      /whose process ended at .* without releasing it: that deployment ended uncleanly \(killed\)/,
    );
    assert.equal(sim.usage().userCount, 80);

    // What Pulumi requires before the retry: the killed engine left its stack locked (this backend's lock
    // file), which `pulumi cancel` removes; and its creates in flight are pending in its state, which
    // `pulumi refresh` resolves (their adds were held, and dropped when the provider process ended).
    const cancelled = await outcome(holder.cli(["cancel", "--yes", "--stack", "test"]));
    assert.ok(cancelled.ok, cancelled.text);
    assert.ok((await clearPendingCreates(holder, sim)) >= 2, "the creates in flight were pending");
    const retried = await outcome(holder.stack.up());
    assert.ok(retried.ok, retried.text);
    await assertFigures(sim, 100, [holder, waiter]);
  });

  it("kill -9 of the provider process mid-up of Users: the up fails, the waiter gets the tenant once that engine ends, and the retry completes", async () => {
    const beside = tenant.gate();
    const { sim, holder, waiter, holding, waiterRun, output } = await killMidUp("provider", beside);
    // The holder's engine still runs (its Command waits at the gate): the waiter stays out, saying why.
    await until("the waiter says it waits for the killed holder's engine", () =>
      /ended without releasing it while its engine still runs the deployment; waiting for that deployment to end/.test(
        output(),
      ),
    );
    assert.equal(sim.users().length, 10, "nothing added while the holder's engine runs");
    beside.open();
    const held = await (holding as Promise<{ ok: boolean; text: string }>);
    assert.equal(held.ok, false, held.text);
    // Cleanly: the creates in flight fail as their provider's connection ends, and no user was added.
    assert.match(held.text, /User user-holder-\d+ \*\*creating failed\*\* error: error reading from server: EOF/);
    assert.doesNotMatch(held.text, /already exists|exceeds/);
    const waited = await waiterRun;
    assert.ok(waited.ok, waited.text);
    assert.match(
      waited.text,
      /whose process ended at .* without releasing it: that deployment ended uncleanly \(killed\)/,
    );
    assert.equal(sim.usage().userCount, 80, "20 before, the holder's 10 and the waiter's 50");

    await clearPendingCreates(holder, sim); // whatever its engine left pending (it saw its creates fail)
    const retried = await outcome(holder.stack.up());
    assert.ok(retried.ok, retried.text);
    await assertFigures(sim, 100, [holder, waiter]);
  });

  it("the retry of a partly failed up of Users holds the tenant before its remaining users; another stack waits, then fails on what is left", async () => {
    const { sim } = tenant;
    const gate = tenant.gate();
    // 10 users; then one more, whose add meets a 500 storm; then a gate; then 39 more.
    const retried = await tenant.stack("retried", {
      files: usersProgram([ids("retry", 10), ["retry-10"], gate, ids("retry", 39, 11)]),
    });
    sim.queueFault("addUser", { kind: "delay", ms: 0 }, 10);
    sim.queueFault("addUser", { kind: "status", status: 500 }, 10);
    const first = await outcome(retried.stack.up());
    assert.equal(first.ok, false, first.text);
    assert.match(first.text, /cannot tell whether user retry-10 was added/);
    assert.equal(adds(sim).length, 11, "the add that met a 500 was not sent again");
    assert.equal(sim.usage().userCount, 30, "10 of its 50 users added, then the failing step");
    sim.clearFaults();

    // The retry takes the tenant at its first create (retry-10) and waits at the gate before the other 39.
    const retry = outcome(retried.stack.up());
    await Promise.race([
      gate.reached(),
      retry.then((ended) => {
        throw new Error(`the retry ended before its gate: ${ended.text}`);
      }),
    ]);
    const other = await tenant.stack("other", { files: usersProgram([ids("other", 40)]) });
    const waiting = watchFor(/waiting for the KooDrive tenant http:\/\/127\.0\.0\.1:\d+: stack retried\/test on /);
    const otherRun = outcome(other.stack.up({ onOutput: waiting.onOutput }));
    await waitingIn(otherRun, waiting.seen, "the other stack");
    gate.open();

    const [retryDone, otherDone] = await Promise.all([retry, otherRun]);
    assert.ok(retryDone.ok, retryDone.text);
    assert.equal(otherDone.ok, false, otherDone.text);
    // 20 + 50 = 70 used when the other takes the tenant: its 40 no longer fit. It is refused on those 30
    // seats, judging every user the engine had checked by then (all or nothing within what was checked).
    assert.match(otherDone.text, /seats: .* the KooDrive tenant .*; exceeds by \d+ seats?/);
    for (const [, left] of otherDone.text.matchAll(/(\d+) seats? were left when it took the tenant/g)) {
      assert.equal(left, "30", "judged on the figures read when it took the tenant, read once");
    }
    const otherAdded = (await usersInState(other)).length;
    console.log(`      (the other stack added ${otherAdded} of its 40 before its refusal)`);
    assert.ok(otherAdded <= 30, `the other stack added ${otherAdded}, beyond the 30 left`);
    await assertFigures(sim, 70 + otherAdded, [retried, other]);
  });

  it("SIGINT ends a `pulumi up` of Users waiting for another stack within 5 s, adding nothing, and its next `up` runs", async () => {
    const { sim } = tenant;
    const gate = tenant.gate();
    // The holder takes the tenant at its first user's create, and waits at the gate before the other 9.
    const holder = await tenant.stack("holder", { files: usersProgram([["holder-0"], gate, ids("holder", 9, 1)]) });
    const waiter = await tenant.stack("waiter", { files: usersProgram([ids("waiter", 50)]) });
    const holding = outcome(holder.stack.up());
    await Promise.race([
      gate.reached(),
      holding.then((ended) => {
        throw new Error(`the holder ended before its gate: ${ended.text}`);
      }),
    ]);

    const run = await interruptWhileWaiting((options) => waiter.stack.up(options));
    assert.equal(run.ok, false, run.text);
    assert.ok(run.tookMs < 5_000, `the cancelled up ended ${run.tookMs} ms after SIGINT`);
    assert.match(
      run.text,
      /cancelled while waiting for the KooDrive tenant http:\/\/127\.0\.0\.1:\d+ held by stack holder\/test on .* \(pid \d+, deploying since \d\d:\d\d:\d\d UTC\)/,
    );
    assert.deepEqual(await usersInState(waiter), [], "the cancelled up added nothing");
    assert.equal(sim.usage().userCount, 21, "the holder's first user only");

    gate.open();
    const held = await holding;
    assert.ok(held.ok, held.text);
    // No `pulumi cancel`, no state surgery: the next `up` of the cancelled stack runs.
    const next = await outcome(waiter.stack.up());
    assert.ok(next.ok, next.text);
    await assertFigures(sim, 80, [holder, waiter]);
  });
});
