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
      /seats: this deployment needs 4 new seats of the KooDrive tenant .* \(u4 and 3 other Users and guards\), 3 seats left; exceeds by 1 seat/,
    );
    assert.equal(sim.usage().userCount, 97, "a check adds nobody");
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
        /u4 \(u4\) needs 1 new seat .*3 seats were free when this deployment took the tenant and it admitted 3 Users since/,
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
});
