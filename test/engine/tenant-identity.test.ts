import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createProgramStack, type ProgramSpec, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";
import { Gate } from "../helpers/gate";
import { assertFigures, outcome, watchFor } from "../helpers/outcome";
import { startPostgres } from "../helpers/postgres";
import { ADD_USER_SCRIPT } from "../helpers/programs";

const TOKEN = "engine-test-token-tenant-identity-3a71";
const OTHER_TOKEN = "engine-test-token-tenant-identity-8c05";

/**
 * A program of one guard per tenant in `tenants` (its endpoint, and the users it plans and adds), every
 * user added behind every guard; with `gate`, behind a Command that waits at it too.
 */
function onboarding(
  tenants: { name: string; endpoint?: string; users: number }[],
  gate?: Gate,
): Record<string, string> {
  const source = `
const command = require("@pulumi/command");
const koodrive = require("pulumi-koodrive");
const tenants = ${JSON.stringify(tenants)};
const guards = tenants.map(
  (tenant) =>
    new koodrive.CapacityGuard(tenant.name, {
      plannedUsers: tenant.users,
      ...(tenant.endpoint ? { endpoint: tenant.endpoint } : {}),
    }),
);
const before = ${gate ? `[new command.local.Command("gate", { create: ${JSON.stringify(gate.command)} }, { dependsOn: guards })]` : "guards"};
for (const tenant of tenants) {
  for (let n = 0; n < tenant.users; n++) {
    const user = tenant.name + "-" + n;
    const at = tenant.endpoint ? "KOODRIVE_ENDPOINT=" + tenant.endpoint + " " : "";
    new command.local.Command("add-" + user, { create: at + "node add-user.js " + user }, { dependsOn: before });
  }
}
`;
  return { "index.js": source, "add-user.js": ADD_USER_SCRIPT };
}

describe("who the tenant is, under the real engine: KooDrive's tenant id", function () {
  this.timeout(1_200_000);
  let sim: Simulator;
  const sims: Simulator[] = [];
  const made: ProgramStack[] = [];
  const gates: Gate[] = [];
  const caches: string[] = [];
  /** A cache folder of its own (`XDG_CACHE_HOME`), removed after the test. */
  const cacheOfItsOwn = () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), "koodrive-cache-"));
    caches.push(cache);
    return { XDG_CACHE_HOME: cache };
  };

  /** A simulator of its own tenant (its own tenant id), with `used` of 100 seats used; both tokens reach it. */
  const tenant = async (used: number) => {
    const started = await startSimulator({
      fixture: { tokens: [TOKEN, OTHER_TOKEN], usage: { userCount: used, userMaxCount: 100 } },
    });
    sims.push(started);
    return started;
  };
  beforeEach(async () => {
    sim = await tenant(20); // 80 seats left
  });
  afterEach(async () => {
    for (const gate of gates.splice(0)) gate.remove();
    for (const test of made.splice(0)) await test.remove();
    for (const started of sims.splice(0)) await started.close();
    for (const cache of caches.splice(0)) rmSync(cache, { recursive: true, force: true });
  });

  const gate = () => {
    const made = new Gate();
    gates.push(made);
    return made;
  };
  /** A stack reaching `sim` with `token` (the stack config and the Commands' environment). */
  const stack = async (name: string, spec: ProgramSpec, token = TOKEN) => {
    const test = await createProgramStack(name, {
      ...spec,
      config: {
        "koodrive:endpoint": { value: sim.url },
        "koodrive:accessToken": { value: token, secret: true },
        ...spec.config,
      },
      env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: token, ...spec.env },
    });
    made.push(test);
    return test;
  };

  /**
   * The holder's `up` of 50 users takes the tenant and waits at its gate; the waiter's `up` of 50 is
   * seen waiting for the tenant; the gate opens: the holder adds its 50 and the waiter, judged on the
   * 30 left, fails. Serialized, nothing over-admitted.
   */
  const assertSerialized = async (
    holder: (held: Gate) => Promise<ProgramStack>,
    waiter: () => Promise<ProgramStack>,
  ) => {
    const held = gate();
    const holding = outcome((await holder(held)).stack.up());
    await Promise.race([
      held.reached(),
      holding.then((run) => {
        throw new Error(`the holder ended before its gate: ${run.text}`);
      }),
    ]);
    const waiting = watchFor(/waiting for the KooDrive tenant/);
    const waited = outcome((await waiter()).stack.up({ onOutput: waiting.onOutput }));
    await Promise.race([
      waiting.seen,
      waited.then((run) => {
        throw new Error(`the waiter did not wait for the holder: ${run.text}`);
      }),
    ]);
    held.open();
    const [holderRun, waiterRun] = await Promise.all([holding, waited]);
    assert.ok(holderRun.ok, holderRun.text);
    assert.equal(waiterRun.ok, false, waiterRun.text);
    assert.match(waiterRun.text, /the plan exceeds capacity: seats: plan needs 50 new users, 30 seats left/);
    assertFigures(sim, 70);
    return { holder: holderRun.text, waiter: waiterRun.text };
  };
  const fifty = (held?: Gate) => onboarding([{ name: "onboarding", users: 50 }], held);
  /** How often `text` says the container warning. */
  const containerWarnings = (text: string) =>
    text.match(/runs in a container and takes the KooDrive tenant/g)?.length ?? 0;

  it("fails the run naming both endpoints when one koodrive:tenant name covers two tenants; nothing is added", async () => {
    // Another tenant, 15 seats left: each plan fits its own tenant, and only the name is wrong.
    const other = await tenant(85);
    const test = await stack("two-tenants", {
      files: onboarding([
        { name: "east", endpoint: sim.url, users: 10 },
        { name: "west", endpoint: other.url, users: 10 },
      ]),
      config: { "koodrive:tenant": { value: "prod" } },
    });
    const run = await outcome(test.stack.up());
    assert.equal(run.ok, false, run.text);
    assert.match(run.text, /the tenant name prod covers two KooDrive tenants/);
    assert.ok(run.text.includes(sim.url) && run.text.includes(other.url), run.text);
    assertFigures(sim, 20);
    assertFigures(other, 85);
  });

  it("serializes two tokens of one tenant without any tenant name, each stack with its own cache folder", async () => {
    await assertSerialized(
      (held) => stack("token-a", { files: fifty(held), env: cacheOfItsOwn() }, TOKEN),
      () => stack("token-b", { files: fifty(), env: cacheOfItsOwn() }, OTHER_TOKEN),
    );
  });

  it("serializes under one koodrive:tenant name a stack whose credential cannot read the subscription and one whose can", async () => {
    const named = { "koodrive:tenant": { value: `join-${process.pid}-${Date.now()}` } };
    const said = await assertSerialized(
      async (held) => {
        // The holder's one subscription read is refused: the name stands in for its tenant.
        sim.queueFault("service", { kind: "status", status: 403 });
        return stack("refused", { files: fifty(held), config: named, env: cacheOfItsOwn() }, TOKEN);
      },
      () => stack("reading", { files: fifty(), config: named, env: cacheOfItsOwn() }, OTHER_TOKEN),
    );
    assert.match(
      said.holder,
      /cannot tell which KooDrive tenant .* is \(reading its subscription failed: .*\); the tenant name join-/,
    );
    assert.doesNotMatch(said.waiter, /cannot tell which KooDrive tenant/, "the waiter read its tenant id");
    assert.match(said.waiter, /waiting for the KooDrive tenant join-\d+-\d+: stack refused\/test/);
  });

  it("serializes two stacks of one machine with two XDG_CACHE_HOMEs, warning once in a container without lockUrl", async () => {
    const said = await assertSerialized(
      (held) => stack("cache-a", { files: fifty(held), env: { ...cacheOfItsOwn(), KOODRIVE_CONTAINER: "1" } }),
      () => stack("cache-b", { files: fifty(), env: cacheOfItsOwn() }),
    );
    assert.ok(containerWarnings(said.holder) >= 1, said.holder);
    assert.match(said.holder, /set koodrive:lockUrl \(a PostgreSQL server\) on every stack of the tenant/);
    assert.equal(containerWarnings(said.waiter), 0, "KOODRIVE_CONTAINER=0 (the harness's) is no container");
  });

  it("serializes a stack with koodrive:lockUrl and one without on one machine", async () => {
    const postgres = await startPostgres();
    try {
      const said = await assertSerialized(
        (held) =>
          stack("with-lock-url", {
            files: fifty(held),
            // The server's owner, who may make the lease's table on first use.
            config: { "koodrive:lockUrl": { value: postgres.adminUrl, secret: true } },
            env: { KOODRIVE_CONTAINER: "1" },
          }),
        () => stack("without-lock-url", { files: fifty() }),
      );
      assert.equal(containerWarnings(said.holder), 0, "lockUrl set: nothing to warn of");
      assert.match(said.waiter, /waiting for the KooDrive tenant .*: stack with-lock-url\/test/);
    } finally {
      await postgres.stop();
    }
  });
});
