import assert from "node:assert/strict";
import { GuardRefusal, StoresDataError } from "../../provider/client/errors";
import { KooDriveProvider, TOKENS } from "../../provider/plugin/koodrive-provider";
import { type Simulator, startSimulator } from "../../sim";
import { TEST_TOKEN } from "../helpers/secrets";
import { storeInPersonalSpace } from "../helpers/simulator";

/** The URN of the plugin's `User` named `name`. */
const urnOf = (name: string) => `urn:pulumi:test::project::${TOKENS.user}::${name}`;
const quiet = () => undefined;

describe("the plugin's User (against koodrive-sim)", () => {
  let sim: Simulator;
  let provider: KooDriveProvider;

  beforeEach(async () => {
    sim = await startSimulator({ fixture: { tokens: [TEST_TOKEN], usage: { userCount: 98, userMaxCount: 100 } } });
    provider = new KooDriveProvider(undefined, { mayDeploy: () => true });
    provider.configure({ endpoint: sim.url, accessToken: TEST_TOKEN });
  });
  afterEach(async () => {
    await provider.state.close();
    await sim.close();
  });

  it("judges the seats of the plan at check, admits at create, and goes through the lifecycle", async () => {
    for (const name of ["a", "b"])
      assert.deepEqual((await provider.check(urnOf(name), {}, { userId: name })).failures, []);
    const [third] = (await provider.check(urnOf("c"), {}, { userId: "c" })).failures;
    assert.match(
      third?.reason ?? "",
      /seats: this deployment adds 3 new seats to the KooDrive tenant .* \(2 Users \(2 seats\) and c \(1 seat\)\), 2 seats left/,
    );
    // The plan of 3 does not fit: its first create refuses, and nothing is added.
    await assert.rejects(provider.deploy(urnOf("a"), {}, { userId: "a" }, quiet), /3 Users\) needs 3 new seats/);
    assert.equal(sim.users().length, 0);
    // The next deployment plans 2, and a third create that no check announced is refused at admission.
    await provider.state.close();
    provider = new KooDriveProvider(undefined, { mayDeploy: () => true });
    provider.configure({ endpoint: sim.url, accessToken: TEST_TOKEN });
    for (const name of ["a", "b"]) await provider.check(urnOf(name), {}, { userId: name });

    const a = await provider.deploy(urnOf("a"), {}, { userId: "a", role: 1 }, quiet);
    assert.equal(a.id, "a");
    assert.deepEqual([a.inputs.userId, a.inputs.role, a.inputs.status], ["a", 1, 0]);
    await provider.deploy(urnOf("b"), {}, { userId: "b" }, quiet);
    await assert.rejects(provider.deploy(urnOf("c"), {}, { userId: "c" }, quiet), GuardRefusal);
    assert.deepEqual([sim.users().length, sim.usage().userCount], [2, 100]);

    assert.deepEqual(await provider.diff(urnOf("a"), a.inputs, { userId: "a", role: 0 }, quiet), { changes: true });
    assert.deepEqual(await provider.diff(urnOf("a"), a.inputs, { userId: "z" }, quiet), {
      changes: true,
      replaces: ["userId"],
    });
    const updated = await provider.deploy(urnOf("a"), a.inputs, { userId: "a", role: 0 }, quiet);
    assert.equal(updated.inputs.role, 0);

    await storeInPersonalSpace(sim, TEST_TOKEN, "a", 1024 * 1024);
    await assert.rejects(provider.delete(urnOf("a"), "a", updated.inputs), StoresDataError);
    await provider.delete(urnOf("a"), "a", { ...updated.inputs, forceDestroy: true });
    assert.deepEqual(await provider.read(urnOf("a"), "a", { userId: "a" }, updated.inputs), {
      id: "",
      inputs: {},
      outs: {},
    });
    assert.deepEqual([sim.users().length, sim.usage().userCount], [1, 99]);
  });

  it("imports an existing user from its id alone: its inputs are KooDrive's, and it takes no seat", async () => {
    await provider.deploy(urnOf("a"), {}, { userId: "a", role: 0 }, quiet);
    await provider.deploy(urnOf("b"), {}, { userId: "b" }, quiet);
    assert.equal(sim.usage().userCount, 100);

    // What `pulumi import koodrive:index:User alice a` asks: a read with the id, no inputs, no state.
    const read = await provider.read(urnOf("alice"), "a", {}, {});
    assert.deepEqual([read.inputs.userId, read.inputs.role, read.inputs.status], ["a", 0, 0]);
    assert.equal(read.outs.userId, "a");
    // The import's check, with those inputs as old and new: the user holds its seat, none is free.
    assert.deepEqual((await provider.check(urnOf("alice"), read.inputs, read.inputs)).failures, []);
    // The program that declares it as it is, `forceDestroy: false` said or not, changes nothing.
    const declared = { userId: "a", role: 0, forceDestroy: false };
    assert.deepEqual(await provider.diff(urnOf("alice"), read.inputs, declared, quiet), { changes: false });
    assert.deepEqual(await provider.read(urnOf("nobody"), "nobody", {}, {}), { id: "", inputs: {}, outs: {} });
  });
});
