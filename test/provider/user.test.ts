import assert from "node:assert/strict";
import { GuardRefusal, StoresDataError } from "../../provider/client/errors";
import { createRuntime, type ProviderRuntime } from "../../provider/dynamic/providers";
import { type Simulator, startSimulator } from "../../sim";
import { storeInPersonalSpace } from "../helpers/simulator";

const TOKEN = "user-provider-test-token-7c1d";
const USERS_PATH = "/koodrive/ose/v1/users";

/** The inputs of a `User` named `name`, as its class hands them to the provider. */
const userInputs = (sim: Simulator, name: string, fields: Record<string, unknown> = {}) => ({
  kind: "User",
  providerVersion: "0.0.0",
  userName: name,
  userUrn: `urn:pulumi:test::users::pulumi-nodejs:dynamic/koodrive:User::${name}`,
  connection: { endpoint: sim.url, accessToken: TOKEN },
  userId: name,
  ...fields,
});

/** The POSTs that added users (each one answered: the simulator refuses an add past the seats). */
const adds = (sim: Simulator) =>
  sim.requestLog().filter((entry) => entry.method === "POST" && entry.path === USERS_PATH).length;

describe("User (the dynamic provider's methods, against koodrive-sim)", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let runtime: ProviderRuntime;

  beforeEach(async () => {
    sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: { userCount: 97, userMaxCount: 100 } } });
    runtime = createRuntime();
  });
  afterEach(async () => {
    await runtime.state.close();
    await sim.close();
  });

  it("judges each new seat with the deployment's others: the fourth of 3 free seats fails naming them", async () => {
    for (const name of ["u1", "u2", "u3"]) {
      const { failures, inputs } = await runtime.user.check({}, userInputs(sim, name));
      assert.deepEqual(failures, [], name);
      assert.ok(!JSON.stringify(inputs).includes(TOKEN), "no credential in the recorded inputs");
    }
    // Checked again (the update after the preview), a user replaces its share instead of adding one.
    assert.deepEqual((await runtime.user.check({}, userInputs(sim, "u1"))).failures, []);
    const { failures } = await runtime.user.check({}, userInputs(sim, "u4"));
    assert.equal(failures.length, 1);
    assert.equal(failures[0]?.property, "userId");
    assert.match(
      failures[0]?.reason ?? "",
      /^seats: this deployment adds 4 new seats to the KooDrive tenant .* \(3 Users \(3 seats\) and u4 \(1 seat\)\), 3 seats left; exceeds by 1 seat: buy 1 more seat, or raise the OrgID user maximum \(POST \/koodrive\/ose\/v1\/user\/expand\/\{orgId\}\)/,
    );
    assert.equal(sim.usage().userCount, 97, "a check adds nobody");
  });

  it("judges the whole remaining plan at the first create: a plan that does not fit adds nobody", async () => {
    for (const name of ["u1", "u2", "u3", "u4"]) await runtime.user.check({}, userInputs(sim, name));
    for (const name of ["u1", "u2"]) {
      await assert.rejects(runtime.user.create(userInputs(sim, name)), (error: Error) => {
        assert.ok(error instanceof GuardRefusal, String(error));
        assert.match(
          error.message,
          new RegExp(
            `seats: the rest of this deployment's plan \\(4 Users\\) needs 4 new seats of the KooDrive tenant .*; 3 seats were left when it took the tenant; exceeds by 1 seat: buy 1 more seat, .*; ${name} was not added, nor is anything more of the plan`,
          ),
        );
        return true;
      });
    }
    assert.equal(adds(sim), 0, "no add was sent");
    assert.equal(sim.usage().userCount, 97);
  });

  it("keeps the provider's reserves: minFreeSeats fails a check, advisory enforcement warns instead", async () => {
    runtime.configure({ get: (key) => (key === "koodrive:minFreeSeats" ? "1" : undefined) });
    for (const name of ["u1", "u2"])
      assert.deepEqual((await runtime.user.check({}, userInputs(sim, name))).failures, []);
    const [failure] = (await runtime.user.check({}, userInputs(sim, "u3"))).failures;
    assert.match(
      failure?.reason ?? "",
      /adds 3 new seats .*, keeping 1 seat free, 3 seats left; exceeds by 1 seat: buy 1 more seat, or raise the OrgID user maximum \(POST \/koodrive\/ose\/v1\/user\/expand\/\{orgId\}\), or lower koodrive:minFreeSeats by 1 seat$/,
    );

    /** A fresh deployment under an advisory provider keeping 1 seat free. */
    const warned: string[] = [];
    const advisoryRuntime = () => {
      const made = createRuntime(undefined, {
        write: async (_urn, lines) => {
          warned.push(...lines.filter((line) => line.severity === "warning").map((line) => line.message));
        },
      });
      made.configure({ get: (key) => ({ "koodrive:minFreeSeats": "1", "koodrive:enforcement": "advisory" })[key] });
      return made;
    };
    const over = advisoryRuntime();
    try {
      for (const name of ["u1", "u2", "u3"]) {
        const verdict = await over.user.check({}, userInputs(sim, name));
        assert.deepEqual(verdict.failures, [], name);
      }
      assert.match(
        warned.join("\n"),
        /^advisory reserve \(koodrive:enforcement\): seats: this deployment adds 3 new seats .*keeping 1 seat free, 3 seats left; exceeds by 1 seat: buy 1 more seat, or raise the OrgID user maximum \(POST \/koodrive\/ose\/v1\/user\/expand\/\{orgId\}\)/m,
      );
      // Past the seats themselves, advisory fails all the same: KooDrive would refuse the add.
      assert.equal((await over.user.check({}, userInputs(sim, "u4"))).failures.length, 1);
      await assert.rejects(over.user.create(userInputs(sim, "u1")), /4 Users\) needs 4 new seats/);
    } finally {
      await over.state.close();
    }
    assert.equal(adds(sim), 0);
    const fits = advisoryRuntime();
    try {
      for (const name of ["u1", "u2", "u3"]) await fits.user.check({}, userInputs(sim, name));
      for (const name of ["u1", "u2", "u3"]) await fits.user.create(userInputs(sim, name));
    } finally {
      await fits.state.close();
    }
    assert.equal(sim.usage().userCount, 100, "advisory: the reserve gave way, the seats did not");

    runtime.configure({ get: (key) => (key === "koodrive:minFreeSeats" ? "-1" : undefined) });
    const [wrong] = (await runtime.user.check({}, userInputs(sim, "u1"))).failures;
    assert.match(wrong?.reason ?? "", /invalid koodrive:minFreeSeats: "-1" is not a whole number ≥ 0/);
  });

  it("follows the subscription: a frozen tenant adds nobody; each new user takes its default personal space", async () => {
    await sim.close();
    sim = await startSimulator({
      fixture: {
        tokens: [TOKEN],
        usage: { userCount: 97, userMaxCount: 100, personalSpaceQuota: 100, personalSpaceQuotaUsed: 80 },
        subscription: { status: 1, personalSpaceSize: 10 },
      },
    });
    const [frozen] = (await runtime.user.check({}, userInputs(sim, "u1"))).failures;
    assert.match(
      frozen?.reason ?? "",
      /is frozen \(its subscription's status is 1: .*renew or unfreeze the subscription/,
    );
    await assert.rejects(runtime.user.create(userInputs(sim, "u1")), /is frozen/);
    assert.equal(adds(sim), 0);

    sim.setSubscription({ status: 0 });
    const thawed = createRuntime();
    try {
      for (const name of ["u1", "u2"])
        assert.deepEqual((await thawed.user.check({}, userInputs(sim, name))).failures, []);
      const [third] = (await thawed.user.check({}, userInputs(sim, "u3"))).failures;
      assert.match(
        third?.reason ?? "",
        /^personal pool quota: this deployment adds 30 GB new .*, 20 GB left; exceeds by 10 GB; each new user also takes a personal space of 10 GB \(the subscription's personalSpaceSize\): free 10 GB of the personal pool quota, or reallocate 10 GB to it in KooDrive's Storage Settings \(the department pool quota has \d+ GB left\)$/,
      );
    } finally {
      await thawed.state.close();
    }
  });

  it("refuses bad arguments naming each, before anything is sent", async () => {
    const { failures } = await runtime.user.check({}, userInputs(sim, "bad", { userId: "a/b", role: 7 }));
    assert.match(
      failures.map((failure) => failure.reason).join("; "),
      /userId must be a KooDrive user id.*role must be one of 0, 1, 2, 5, not 7/,
    );
    assert.equal(adds(sim), 0);
  });

  it("admits at create against the figures read under the lock: never over-admits, KooDrive refuses no add", async () => {
    // No check ran (the engine's checks passed on figures that moved since): create alone must hold the line.
    const created = [];
    for (const name of ["u1", "u2", "u3"]) created.push(await runtime.user.create(userInputs(sim, name, { role: 1 })));
    assert.deepEqual(
      created.map(({ id, outs }) => [id, outs.userId, outs.role, outs.status]),
      [
        ["u1", "u1", 1, 0],
        ["u2", "u2", 1, 0],
        ["u3", "u3", 1, 0],
      ],
    );
    await assert.rejects(runtime.user.create(userInputs(sim, "u4")), (error: Error) => {
      assert.ok(error instanceof GuardRefusal, String(error));
      assert.equal(error.code, "ERR_KOODRIVE_GUARD_REFUSED");
      assert.match(
        error.message,
        /seats: u4 needs 1 new seat of the KooDrive tenant .*; 3 seats could be added when this deployment took the tenant, and it added 3 seats since; u4 was not added/,
      );
      return true;
    });
    assert.equal(adds(sim), 3, "the fourth add was never sent");
    assert.deepEqual(sim.usage().userCount, 100);
    assert.equal(sim.usage().userMaxCount, 100);
  });

  it("updates in place, reads a user deleted by hand as gone, and deletes only without stored data unless forced", async () => {
    // The state keeps no credential: read and delete take it from the stack config (or the environment).
    runtime.configure({ get: (key) => (key === "koodrive:accessToken" ? TOKEN : undefined) });
    /** The inputs as the engine passes them on after `check`: without the credentials. */
    const checked = async (fields: Record<string, unknown>) =>
      (await runtime.user.check({}, userInputs(sim, "u1", fields))).inputs;
    const { id, outs } = await runtime.user.create(await checked({ role: 1 }));
    assert.deepEqual(await runtime.user.diff(id, outs, await checked({ role: 0 })), { changes: true });
    assert.deepEqual(await runtime.user.diff(id, outs, await checked({ role: 1 })), { changes: false });
    assert.deepEqual(await runtime.user.diff(id, outs, await checked({ userId: "u9" })), {
      changes: true,
      replaces: ["userId"],
    });
    const updated = await runtime.user.update(id, outs, await checked({ role: 0, status: 1 }));
    assert.equal(updated.outs.role, 0);
    assert.equal(updated.outs.status, 1);
    assert.deepEqual(
      sim.users().map((user) => [user.userId, user.role, user.status]),
      [["u1", 0, 1]],
    );

    // A personal space of the user's that stores 2 GB.
    await storeInPersonalSpace(sim, TOKEN, "u1", 2 * 1024 * 1024);
    await assert.rejects(
      async () => runtime.user.delete?.(id, updated.outs),
      (error: Error) => {
        assert.ok(error instanceof StoresDataError, String(error));
        assert.equal(error.code, "ERR_KOODRIVE_STORES_DATA");
        assert.match(
          error.message,
          /u1 was not deleted: its personal space store 2097152 KB \(2 GB\).*forceDestroy: true/,
        );
        return true;
      },
    );
    assert.equal(sim.users().length, 1);
    await runtime.user.delete?.(id, { ...updated.outs, forceDestroy: true });
    assert.equal(sim.users().length, 0);
    assert.equal(sim.usage().userCount, 97, "the seat is free again");
    // Gone, a refresh reads it as deleted (an empty id).
    assert.deepEqual(await runtime.user.read(id, updated.outs), { id: "", props: {} });
  });

  it("refuses a user KooDrive has already, saying how to adopt it or what else to do, and takes no seat", async () => {
    await runtime.user.check({}, userInputs(sim, "u1"));
    const added = await fetch(`${sim.url}${USERS_PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ userId: "u1", modifyUserInfoReq: { deptId: "1001", role: 1 } }),
    });
    assert.equal(added.status, 200, "added outside the stack");
    await assert.rejects(
      runtime.user.create(userInputs(sim, "u1")),
      /^AlreadyExistsError: KooDrive already has the user u1, so u1 was not added: KooDrive code 13000321: .*; if it was added outside this stack, or by an earlier run of it that was stopped before it recorded the user, adopt it \(`pulumi import koodrive:index:User u1 u1`, through the provider plugin\) or delete it in KooDrive, then run again/,
    );
    assert.equal(sim.usage().userCount, 98, "only the user added outside");
  });
});
