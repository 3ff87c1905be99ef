import assert from "node:assert/strict";
import { createProgramStack, type ProgramSpec, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";
import { Gate } from "../helpers/gate";
import { outcome } from "../helpers/outcome";
import { type PostgresServer, startPostgres } from "../helpers/postgres";
import { ADD_USER_SCRIPT } from "../helpers/programs";
import { runCli } from "../helpers/run-cli";

const TOKEN = "engine-test-token-tenant-lock-7c19";

/** `koodrive-usage db init --grant koodrive_lock` as the server's owner: the lock user may not create the schema. */
async function initLockServer(postgres: PostgresServer): Promise<void> {
  const init = await runCli(["db", "init", "--grant", "koodrive_lock"], { KOODRIVE_LOCK_URL: postgres.adminUrl });
  assert.equal(init.code, 0, init.stderr);
}

/**
 * An onboarding program: a guard of `users` users, then (after 5 s, so that a deployment started
 * beside it checks before any user is added; or, with `gate`, once the test opens that gate) a
 * command per user that adds it through the API. The
 * guard is the TypeScript one, or with `plugin` the provider plugin's by its schema token, as YAML,
 * Python and Go programs reach it. (JavaScript rather than YAML: the YAML host needs a provider's
 * schema, which the built stand-in `command` provider does not serve.)
 */
function onboarding(users: string[], guard: "typescript" | "plugin", gate?: Gate): Record<string, string> {
  const declared =
    guard === "typescript"
      ? `new (require("pulumi-koodrive").CapacityGuard)("onboarding", { plannedUsers: ${users.length} })`
      : `new pulumi.CustomResource("koodrive:index:CapacityGuard", "onboarding", { plannedUsers: ${users.length}, status: undefined })`;
  const source = `
const pulumi = require("@pulumi/pulumi");
const command = require("@pulumi/command");
const guard = ${declared};
const settle = new command.local.Command("settle", { create: ${JSON.stringify(gate ? gate.command : "sleep 5")} }, { dependsOn: [guard] });
for (const user of ${JSON.stringify(users)}) {
  new command.local.Command("add-" + user, { create: "node add-user.js " + user }, { dependsOn: [settle] });
}
`;
  return { "index.js": source, "add-user.js": ADD_USER_SCRIPT };
}

/** The two stacks' concurrent `up`: exactly one adds its 50 users, the other waits for it and fails naming 30 left. */
async function assertSerialized(sim: Simulator, stacks: ProgramStack[]): Promise<void> {
  const runs = await Promise.all(stacks.map((test) => outcome(test.stack.up())));
  const summary = runs.map((run) => run.text).join("\n----\n");
  assert.deepEqual(runs.map((run) => run.ok).sort(), [false, true], summary);
  const loser = runs.find((run) => !run.ok)?.text ?? "";
  assert.match(
    loser,
    /waiting for the KooDrive tenant http:\/\/127\.0\.0\.1:\d+: stack [\w-]+\/test on .* \(pid \d+\) has been deploying to this tenant since \d\d:\d\d:\d\d UTC/,
  );
  // The dynamic provider's message; the plugin's names the argument, as the engine renders a property's problem.
  assert.match(
    loser,
    /the plan exceeds capacity(: |\n\s+- property plannedUsers has a problem: )seats: plan needs 50 new users, 30 seats left; exceeds by 20 seats/,
  );
  assert.equal(sim.usage().userCount, 70, "exactly one stack added its 50 users");
  const refused = sim.requestLog().filter((entry) => entry.path.endsWith("/users") && entry.status >= 400);
  assert.deepEqual(refused, [], "no user creation was refused");
}

describe("several stacks, one tenant, under the real engine", function () {
  this.timeout(1_200_000);
  let sim: Simulator;
  const made: ProgramStack[] = [];
  /** The environment of a stack on a machine of its own: local sockets of another scope (local-lock.ts). */
  const onOwnMachine = (name: string) => ({ KOODRIVE_TEST_MACHINE: `${name}-${process.pid}` });

  beforeEach(async () => {
    // 20 of 100 seats used: 80 left.
    sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: { userCount: 20, userMaxCount: 100 } } });
  });
  afterEach(async () => {
    for (const test of made.splice(0)) await test.remove();
    await sim?.close();
  });

  const users = (stack: string) => Array.from({ length: 50 }, (_, n) => `${stack}-${n}`);
  const connection = () => ({
    "koodrive:endpoint": { value: sim.url },
    "koodrive:accessToken": { value: TOKEN, secret: true },
  });
  const stack = async (name: string, spec: ProgramSpec) => {
    const test = await createProgramStack(name, {
      ...spec,
      env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TOKEN, ...spec.env },
    });
    made.push(test);
    return test;
  };
  const typescriptStack = (name: string, extra: Partial<ProgramSpec> = {}) =>
    stack(name, {
      files: onboarding(users(name), "typescript"),
      config: { ...connection(), ...extra.config },
      ...(extra.env ? { env: extra.env } : {}),
    });

  it("serializes two concurrent TypeScript `up`s of 50 users against 80 left", async () => {
    await assertSerialized(sim, [await typescriptStack("dept-a"), await typescriptStack("dept-b")]);
  });

  it("serializes two concurrent `up`s of guards under the provider plugin", async () => {
    const onPlugin = (name: string) =>
      stack(name, { files: onboarding(users(name), "plugin"), config: connection(), pluginOnPath: true });
    await assertSerialized(sim, [await onPlugin("plugin-a"), await onPlugin("plugin-b")]);
  });

  it("serializes two machines through PostgreSQL, and fails closed when it is unreachable", async () => {
    const postgres: PostgresServer = await startPostgres();
    try {
      await initLockServer(postgres);
      const machine = (name: string) =>
        typescriptStack(name, {
          config: { "koodrive:lockUrl": { value: postgres.url, secret: true } },
          env: onOwnMachine(name),
        });
      await assertSerialized(sim, [await machine("east"), await machine("west")]);
    } finally {
      await postgres.stop();
    }
    sim.setUsage({ userCount: 20 });
    const unreachable = await typescriptStack("no-lock-server", {
      config: { "koodrive:lockUrl": { value: "postgres://koodrive:s3cret-pw@127.0.0.1:9/locks", secret: true } },
    });
    const run = await outcome(unreachable.stack.up());
    assert.equal(run.ok, false);
    assert.match(run.text, /koodrive:lockUrl/);
    assert.doesNotMatch(run.text, /s3cret-pw/);
    assert.equal(sim.usage().userCount, 20, "nothing was added without the lock");
  });

  describe("keeps the tenant through PostgreSQL faults against the holder", () => {
    const LEASE_SECONDS = 6;
    let postgres: PostgresServer;
    let gate: Gate;
    beforeEach(async () => {
      postgres = await startPostgres();
      await initLockServer(postgres);
      gate = new Gate();
      sim.setUsage({ userCount: 80 }); // 20 left
    });
    afterEach(async () => {
      gate?.remove();
      await postgres?.stop();
    });

    /**
     * The holder's `up` takes the lease and waits at its gate (a FIFO the test holds open) before adding
     * 15 users; the waiter's `up` of 15 waits for the tenant; `fault` strikes, and two lease terms
     * pass: the waiter is still out and the lease still the holder's. Then the gate opens: the holder
     * adds its users and releases, and the waiter, on what is left (5), fails. Nothing over-admitted.
     */
    const throughFault = async (fault: (holderPid: number) => Promise<void>) => {
      const onMachine = (name: string, gated?: Gate) =>
        stack(name, {
          files: onboarding(
            Array.from({ length: 15 }, (_, n) => `${name}-${n}`),
            "typescript",
            gated,
          ),
          config: {
            ...connection(),
            "koodrive:lockUrl": { value: postgres.url, secret: true },
            "koodrive:lockLease": { value: String(LEASE_SECONDS) },
          },
          env: onOwnMachine(name),
        });
      const holder = await onMachine("holder", gate);
      const waiter = await onMachine("waiter");
      const holderRun = outcome(holder.stack.up());
      // The holder waits at its gate holding the lease (or has failed, which the race says).
      await Promise.race([
        gate.reached(),
        holderRun.then((run) => {
          throw new Error(`the holder ended before its gate: ${run.text}`);
        }),
      ]);
      let waiterDone = false;
      let waiting: () => void = () => undefined;
      const saidWaiting = new Promise<void>((resolve) => {
        waiting = resolve;
      });
      const waiterRun = outcome(
        waiter.stack.up({ onOutput: (text) => /waiting for the KooDrive tenant/.test(text) && waiting() }),
      ).finally(() => {
        waiterDone = true;
      });
      try {
        await saidWaiting;
        const lease = async () =>
          (
            await postgres.adminQuery<{ deployment: string; pid: number }>(
              "SELECT deployment, pid FROM koodrive.tenant_lease",
            )
          )[0];
        const held = await lease();
        assert.ok(held, "the holder holds a lease");
        await fault(held.pid);
        await new Promise((resolve) => setTimeout(resolve, 2 * LEASE_SECONDS * 1000 + 1000));
        assert.equal(waiterDone, false, "the waiter still waits");
        assert.equal((await lease())?.deployment, held.deployment, "the lease is still the holder's");
        assert.equal(sim.usage().userCount, 80, "nobody added a user while the holder waited at its gate");
      } finally {
        gate.open();
      }
      const [holderDone, waiterFailed] = await Promise.all([holderRun, waiterRun]);
      assert.ok(holderDone.ok, holderDone.text);
      assert.doesNotMatch(holderDone.text, /lost the tenant's lease/);
      assert.equal(waiterFailed.ok, false, waiterFailed.text);
      assert.match(
        waiterFailed.text,
        /the plan exceeds capacity: seats: plan needs 15 new users, 5 seats left; exceeds by 10 seats/,
      );
      assert.doesNotMatch(waiterFailed.text, /ended uncleanly/, "the holder released its lease at its end");
      assert.equal(sim.usage().userCount, 95, "the holder's 15 users, and none of the waiter's");
      const refused = sim.requestLog().filter((entry) => entry.path.endsWith("/users") && entry.status >= 400);
      assert.deepEqual(refused, [], "no user creation was refused");
    };

    it("pg_terminate_backend of the holder's session", async () => {
      await throughFault(async (pid) => {
        const terminated = await postgres.adminQuery<{ done: boolean }>(
          "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = $1",
          [`koodrive tenant lock (pid ${pid})`],
        );
        assert.ok(terminated.length > 0 && terminated.every(({ done }) => done), "the holder's session was terminated");
      });
    });

    it("the role's idle_session_timeout, shorter than the holder's renewals", async () => {
      await throughFault(async () => {
        // Sessions opened from now on end when idle for 500 ms; the holder renews every 2 s.
        await postgres.adminQuery("ALTER ROLE koodrive_lock SET idle_session_timeout = '500ms'");
        await postgres.adminQuery(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'koodrive_lock'",
        );
      });
    });

    it("a restart of the PostgreSQL server", async () => {
      await throughFault(() => postgres.restart({ mode: "immediate", downMs: 1_000 }));
    });
  });
});
