import assert from "node:assert/strict";
import { GuardRefusal, StoresDataError } from "../../provider/client/errors";
import { createRuntime, type ProviderRuntime } from "../../provider/dynamic/providers";
import { diffSpace, parseSpaceArgs, spaceOutputs, unservedType } from "../../provider/guard/space";
import { KooDriveProvider, TOKENS } from "../../provider/plugin/koodrive-provider";
import { type Simulator, startSimulator } from "../../sim";

const TOKEN = "space-provider-test-token-5e2b";
const SPACES_PATH = /^\/koodrive\/ose\/v1\/space\/[^/]+$/;
const KB_PER_GB = 1024 * 1024;

/** 150 GB left in the department pool (50 of 200 allocated), 100 GB in the personal pool (200 of 300). */
const USAGE = { deptSpaceQuota: 200, deptSpaceQuotaUsed: 50, personalSpaceQuota: 300, personalSpaceQuotaUsed: 200 };

/** The inputs of a `Space` named `name`, as its class hands them to the provider. */
const spaceInputs = (sim: Simulator, name: string, fields: Record<string, unknown>) => ({
  kind: "Space",
  providerVersion: "0.0.0",
  spaceName: name,
  spaceUrn: `urn:pulumi:test::spaces::pulumi-nodejs:dynamic/koodrive:Space::${name}`,
  connection: { endpoint: sim.url, accessToken: TOKEN },
  ...fields,
});

/** The space `containerId` in the simulator, if it is there. */
const spaceIn = (sim: Simulator, containerId: string) => sim.spaces().find((one) => one.containerId === containerId);

/** The POSTs that added spaces. */
const adds = (sim: Simulator) =>
  sim.requestLog().filter((entry) => entry.method === "POST" && SPACES_PATH.test(entry.path)).length;

describe("Space's arguments, diff and outputs", () => {
  it("refuses a group space, a bad type, a capacity that is not a whole GB, and a missing owner, naming each", () => {
    const group = parseSpaceArgs({ ownerId: "g1", type: "group", capacityGB: 10 });
    assert.deepEqual(group, { ok: false, failures: [{ property: "type", reason: unservedType("group") }] });
    assert.match(
      unservedType("group"),
      /^type "group" is not supported: KooDrive's API reference documents creating a group space but neither changing nor deleting one, .*give type department or personal \(plan group spaces made elsewhere with a CapacityGuard's plannedSpaceGB.group\)$/,
    );
    const bad = parseSpaceArgs({ type: "shared", capacityGB: 1.5, status: 3 });
    assert.deepEqual(bad.ok ? [] : bad.failures.map((failure) => failure.property), [
      "ownerId",
      "type",
      "capacityGB",
      "status",
    ]);
    const slash = parseSpaceArgs({ ownerId: "a/b", type: "personal", capacityGB: 1 });
    assert.match(slash.ok ? "" : (slash.failures[0]?.reason ?? ""), /ownerId must be a KooDrive id/);
    assert.deepEqual(parseSpaceArgs({ ownerId: "1001", type: "department", capacityGB: 5, forceDestroy: false }), {
      ok: true,
      space: { ownerId: "1001", type: "department", capacityGB: 5 },
    });
  });

  it("replaces on a new owner or type, updates in place on a new size or a given status", () => {
    const olds = { ownerId: "u1", type: "personal", capacityGB: 10, status: 0 };
    assert.deepEqual(diffSpace(olds, { ...olds }), { changes: false });
    assert.deepEqual(diffSpace(olds, { ...olds, capacityGB: 20 }), { changes: true });
    assert.deepEqual(diffSpace(olds, { ownerId: "u1", type: "personal", capacityGB: 10 }), { changes: false });
    assert.deepEqual(diffSpace(olds, { ...olds, status: 1 }), { changes: true });
    assert.deepEqual(diffSpace(olds, { ...olds, ownerId: "u2" }), { changes: true, replaces: ["ownerId"] });
    assert.deepEqual(diffSpace(olds, { ...olds, type: "department" }), { changes: true, replaces: ["type"] });
  });

  it("shows the stored data in GB, from the tenant's used-space unit", () => {
    const space = { type: 1, status: 0, ownerId: "u1", containerId: "c1", capacity: 10, spaceUsed: 3 * KB_PER_GB };
    assert.deepEqual(spaceOutputs(space, "KB"), {
      containerId: "c1",
      ownerId: "u1",
      type: "personal",
      capacityGB: 10,
      spaceUsedGB: 3,
      status: 0,
    });
    assert.equal(spaceOutputs({ ...space, spaceUsed: 512 }, "MB").spaceUsedGB, 0.5);
  });
});

describe("Space (the dynamic provider's methods, against koodrive-sim)", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let runtime: ProviderRuntime;

  beforeEach(async () => {
    sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: USAGE } });
    runtime = createRuntime();
  });
  afterEach(async () => {
    await runtime.state.close();
    await sim.close();
  });

  it("judges a space's GB with the deployment's share of its pool, naming the pool, the plan and what is left", async () => {
    const big = await runtime.space.check(
      {},
      spaceInputs(sim, "dept", { ownerId: "1001", type: "department", capacityGB: 200 }),
    );
    assert.equal(big.failures.length, 1);
    assert.equal(big.failures[0]?.property, "capacityGB");
    assert.match(
      big.failures[0]?.reason ?? "",
      /^department pool quota: this deployment adds 200 GB new to the KooDrive tenant .* \(dept \(the department space of 1001\) \(200 GB\)\), 150 GB left; exceeds by 50 GB: free 50 GB of the department pool quota, or reallocate 50 GB to it in KooDrive's Storage Settings/,
    );
    assert.ok(!JSON.stringify(big.inputs).includes(TOKEN), "no credential in the recorded inputs");

    // Two spaces of one pool are judged together; a space of the other pool is not.
    const one = spaceInputs(sim, "dept", { ownerId: "1001", type: "department", capacityGB: 100 });
    assert.deepEqual((await runtime.space.check({}, one)).failures, []);
    const two = await runtime.space.check(
      {},
      spaceInputs(sim, "dept2", { ownerId: "1002", type: "department", capacityGB: 60 }),
    );
    assert.match(
      two.failures[0]?.reason ?? "",
      /department pool quota: this deployment adds 160 GB new to the KooDrive tenant .* \(1 Space \(100 GB\) and dept2 \(the department space of 1002\) \(60 GB\)\), 150 GB left; exceeds by 10 GB/,
    );
    const personal = spaceInputs(sim, "home", { ownerId: "u1", type: "personal", capacityGB: 100 });
    assert.deepEqual((await runtime.space.check({}, personal)).failures, []);
    assert.equal(adds(sim), 0, "a check adds nothing");
  });

  it("judges the growth alone of a deployed space", async () => {
    // 80 GB deployed, 100 GB left in the personal pool: grown to 150 is 70 GB new; to 190, 110.
    const olds = spaceInputs(sim, "home", { ownerId: "u1", type: "personal", capacityGB: 80 });
    const grow = (capacityGB: number) => runtime.space.check(olds, { ...olds, capacityGB });
    assert.deepEqual((await grow(150)).failures, []);
    assert.match(
      (await grow(190)).failures[0]?.reason ?? "",
      /^personal pool quota: this deployment adds 110 GB new to the KooDrive tenant .* \(home \(the personal space of u1\) \(110 GB\)\), 100 GB left; exceeds by 10 GB: free 10 GB of the personal pool quota, or reallocate 10 GB to it/,
    );
    // A new owner is a new space: all its GB are new.
    const moved = await runtime.space.check(olds, { ...olds, ownerId: "u2", capacityGB: 150 });
    assert.match(
      moved.failures[0]?.reason ?? "",
      /personal pool quota: this deployment adds 150 GB new .*, 100 GB left/,
    );
  });

  it("admits at create against the pool read under the lock: never over-admits, KooDrive refuses no add", async () => {
    // No check ran: create alone must hold the line.
    const a = await runtime.space.create(spaceInputs(sim, "a", { ownerId: "u1", type: "personal", capacityGB: 60 }));
    assert.equal(a.id, a.outs.containerId);
    assert.deepEqual(
      [a.outs.ownerId, a.outs.type, a.outs.capacityGB, a.outs.spaceUsedGB, a.outs.status],
      ["u1", "personal", 60, 0, 0],
    );
    await assert.rejects(
      runtime.space.create(spaceInputs(sim, "b", { ownerId: "u2", type: "personal", capacityGB: 50 })),
      (error: Error) => {
        assert.ok(error instanceof GuardRefusal, String(error));
        assert.match(
          error.message,
          /personal pool quota: b \(the personal space of u2\) needs 50 GB new of the KooDrive tenant .*; 100 GB could be added when this deployment took the tenant, and it added 60 GB since; b \(the personal space of u2\) was not added/,
        );
        return true;
      },
    );
    assert.equal(adds(sim), 1, "the refused add was never sent");
    assert.equal(sim.usage().personalSpaceQuotaUsed, 260);
  });

  it("grows (admitted), refuses a shrink below its data, reads a deleted space as gone, deletes only without data unless forced", async () => {
    runtime.configure({ get: (key) => (key === "koodrive:accessToken" ? TOKEN : undefined) });
    const checked = async (olds: Record<string, unknown>, capacityGB: number, more: Record<string, unknown> = {}) =>
      (
        await runtime.space.check(
          olds,
          spaceInputs(sim, "home", { ownerId: "u1", type: "personal", capacityGB, ...more }),
        )
      ).inputs;
    const { id, outs } = await runtime.space.create(await checked({}, 80));
    assert.equal(sim.usage().personalSpaceQuotaUsed, 280);

    const grown = await runtime.space.update(id, outs, await checked(outs, 95));
    assert.equal(grown.outs.capacityGB, 95);
    assert.equal(sim.usage().personalSpaceQuotaUsed, 295);
    await assert.rejects(runtime.space.update(id, grown.outs, await checked(grown.outs, 110)), GuardRefusal);
    assert.equal(spaceIn(sim, id)?.capacity, 95, "the refused growth was never sent");

    sim.setStored(id, 3 * KB_PER_GB);
    await assert.rejects(runtime.space.update(id, grown.outs, await checked(grown.outs, 2)), (error: Error) => {
      assert.ok(error instanceof StoresDataError, String(error));
      assert.match(
        error.message,
        /home \(the personal space of u1\) was not shrunk to 2 GB: it stores 3145728 KB \(3 GB\)/,
      );
      return true;
    });
    const shrunk = await runtime.space.update(id, grown.outs, await checked(grown.outs, 3));
    assert.deepEqual([shrunk.outs.capacityGB, shrunk.outs.spaceUsedGB], [3, 3]);
    assert.equal(sim.usage().personalSpaceQuotaUsed, 203, "the shrink gave its GB back");

    await assert.rejects(
      async () => runtime.space.delete?.(id, shrunk.outs),
      (error: Error) => {
        assert.ok(error instanceof StoresDataError, String(error));
        assert.equal(error.code, "ERR_KOODRIVE_STORES_DATA");
        assert.match(
          error.message,
          /space .* of u1 was not deleted: it stores 3145728 KB \(3 GB\).*forceDestroy: true/,
        );
        return true;
      },
    );
    assert.ok(spaceIn(sim, id));
    await runtime.space.delete?.(id, { ...shrunk.outs, forceDestroy: true });
    assert.equal(spaceIn(sim, id), undefined);
    assert.equal(sim.usage().personalSpaceQuotaUsed, 200);
    assert.deepEqual(await runtime.space.read(id, shrunk.outs), { id: "", props: {} });
  });
});

describe("the plugin's Space (against koodrive-sim)", () => {
  let sim: Simulator;
  let provider: KooDriveProvider;
  const urnOf = (name: string) => `urn:pulumi:test::project::${TOKENS.space}::${name}`;
  const quiet = () => undefined;

  beforeEach(async () => {
    sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: USAGE } });
    provider = new KooDriveProvider(undefined, { mayDeploy: () => true });
    provider.configure({ endpoint: sim.url, accessToken: TOKEN });
  });
  afterEach(async () => {
    await provider.state.close();
    await sim.close();
  });

  it("refuses a group space, judges the pool at check, and goes through the lifecycle", async () => {
    const group = await provider.check(urnOf("g"), {}, { ownerId: "g1", type: "group", capacityGB: 5 });
    assert.deepEqual(group.failures, [{ property: "type", reason: unservedType("group") }]);
    const news = { ownerId: "1001", type: "department", capacityGB: 200 };
    const [big] = (await provider.check(urnOf("d"), {}, news)).failures;
    assert.match(
      big?.reason ?? "",
      /department pool quota: this deployment adds 200 GB new .*, 150 GB left; exceeds by 50 GB/,
    );

    // Checked again as the engine does before it creates: the plan is now 100 GB.
    assert.deepEqual((await provider.check(urnOf("d"), {}, { ...news, capacityGB: 100 })).failures, []);
    const made = await provider.deploy(urnOf("d"), {}, { ...news, capacityGB: 100 }, quiet);
    assert.equal(made.id, made.inputs.containerId);
    assert.deepEqual([sim.spaces().length, sim.usage().deptSpaceQuotaUsed], [1, 150]);
    const grown = await provider.deploy(urnOf("d"), made.inputs, { ...news, capacityGB: 120 }, quiet);
    assert.equal(grown.inputs.capacityGB, 120);

    // Changed by hand: a refresh takes KooDrive's size into the inputs, so the next update undoes it.
    const containerId = String(made.id);
    const changed = await fetch(`${sim.url}/koodrive/ose/v1/space/1001`, {
      method: "PUT",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ type: 0, containerId, capacity: "110" }),
    });
    assert.equal(changed.status, 200);
    const read = await provider.read(urnOf("d"), containerId, { ...news, capacityGB: 120 }, grown.inputs);
    assert.deepEqual([read.inputs.capacityGB, read.outs.capacityGB], [110, 110]);

    await provider.delete(urnOf("d"), containerId, read.outs);
    assert.deepEqual([sim.spaces().length, sim.usage().deptSpaceQuotaUsed], [0, 50]);
    assert.deepEqual(await provider.read(urnOf("d"), containerId, news, read.outs), { id: "", inputs: {}, outs: {} });
  });

  it("imports an existing space from its container id alone: its inputs are KooDrive's, and it takes no GB", async () => {
    const made = await provider.deploy(urnOf("d"), {}, { ownerId: "1001", type: "department", capacityGB: 100 }, quiet);
    assert.equal(sim.usage().deptSpaceQuotaUsed, 150); // 50 GB left, less than the space's 100

    // What `pulumi import koodrive:index:Space sales <containerId>` asks: a read with the id, no inputs, no state.
    const read = await provider.read(urnOf("sales"), String(made.id), {}, {});
    assert.deepEqual(
      [read.inputs.ownerId, read.inputs.type, read.inputs.capacityGB, read.inputs.status],
      ["1001", "department", 100, 0],
    );
    assert.deepEqual((await provider.check(urnOf("sales"), read.inputs, read.inputs)).failures, []);
  });
});
