import assert from "node:assert/strict";
import { unknownValue as UNKNOWN } from "@pulumi/pulumi/runtime/rpc";
import * as runtime from "../../provider/runtime";
import { type Simulator, startSimulator } from "../../sim";

const TOKENS = Array.from({ length: 12 }, (_, n) => `runtime-test-token-${n}`);

describe("provider runtime (the dynamic provider's methods, called directly)", () => {
  let sim: Simulator;
  let nextToken = 0;
  /** A connection no earlier test used, so the per-process read cache starts empty for it. */
  const freshConnection = () => ({ endpoint: sim.url, accessToken: TOKENS[nextToken++] as string });

  before(async () => {
    sim = await startSimulator({ fixture: { tokens: TOKENS, usage: { userCount: 95, userMaxCount: 100 } } });
  });
  after(() => sim.close());

  const guard = (plan: Record<string, unknown>, connection = freshConnection()) =>
    runtime.check({}, { kind: "CapacityGuard", providerVersion: "0.0.0", connection, ...plan });

  it("passes a plan that fits, records the figures, and keeps the credentials out of the inputs", async () => {
    const { inputs, failures } = await guard({ plannedUsers: 2, enforcement: "mandatory" });
    assert.deepEqual(failures, []);
    assert.equal(inputs.status, "fits");
    assert.equal((inputs.usage as { remainingSeats: number }).remainingSeats, 5);
    assert.deepEqual(inputs.remainingAfterPlan, {
      seats: 3,
      deptQuotaGB: 6102,
      personalQuotaGB: 2013,
      groupQuotaGB: 1798,
      quotaGB: 9913,
    });
    assert.ok(!JSON.stringify(inputs).includes("runtime-test-token"));
  });

  it("reports every violation of a mandatory guard as a check failure on its argument", async () => {
    const { inputs, failures } = await guard({ plannedUsers: 9, plannedSpaceGB: { group: 1800 }, minFreeGB: 9999 });
    assert.equal(inputs.status, "exceeds");
    assert.deepEqual(
      failures.map((failure) => failure.property),
      ["plannedUsers", "plannedSpaceGB.group", "minFreeGB"],
    );
    assert.match(failures[0]?.reason ?? "", /^seats: plan needs 9 new users, 5 left; exceeds by 4$/);
  });

  it("only records the violations of an advisory guard", async () => {
    const { inputs, failures } = await guard({ plannedUsers: 9, enforcement: "advisory" });
    assert.deepEqual(failures, []);
    assert.equal(inputs.status, "exceeds");
    assert.equal((inputs.violations as unknown[]).length, 1);
  });

  it("leaves a plan that is unknown during preview for the update", async () => {
    const { inputs, failures } = await guard({ plannedUsers: UNKNOWN });
    assert.deepEqual(failures, []);
    assert.equal(inputs.status, "pending");
    assert.match(String(inputs.message), /check runs then/);
  });

  it("refuses malformed plan arguments, naming each", async () => {
    const { failures } = await guard({ plannedUsers: -1, warnAtPercent: 120, enforcement: "sometimes" });
    assert.deepEqual(
      failures.map((failure) => failure.property),
      ["plannedUsers", "warnAtPercent", "enforcement"],
    );
    assert.match(failures[0]?.reason ?? "", /plannedUsers must be a whole number ≥ 0/);
  });

  it("fails closed when the figures cannot be read, unless advisory", async () => {
    const down = { endpoint: "http://127.0.0.1:9", accessToken: "unused-token" };
    const mandatory = await guard({ plannedUsers: 1 }, down);
    assert.equal(mandatory.failures[0]?.property, "connection");
    assert.match(mandatory.failures[0]?.reason ?? "", /cannot read KooDrive usage.*refused the connection/);
    const advisory = await guard({ plannedUsers: 1, enforcement: "advisory" }, down);
    assert.deepEqual(advisory.failures, []);
    assert.equal(advisory.inputs.status, "unreadable");
  });

  it("reads KooDrive once per process for each connection, however many resources ask", async () => {
    const connection = freshConnection();
    sim.resetLog();
    await Promise.all([
      guard({ plannedUsers: 1 }, connection),
      guard({ plannedUsers: 2 }, connection),
      runtime.check({}, { kind: "ServiceUsage", connection }),
    ]);
    await runtime.check({}, { kind: "ServiceUsage", connection });
    assert.equal(sim.requestCount("quotaUsed"), 1);
  });

  it("falls back to the stack config set by configure", async () => {
    runtime.configure({ get: (key) => ({ "koodrive:endpoint": sim.url, "koodrive:accessToken": TOKENS[11] })[key] });
    try {
      const { inputs, failures } = await runtime.check({}, { kind: "ServiceUsage", connection: {} });
      assert.deepEqual(failures, []);
      assert.equal((inputs.usage as { userMaxCount: number }).userMaxCount, 100);
    } finally {
      runtime.configure({ get: () => undefined });
    }
  });

  it("diffs on any change of figures, plan or version, ignoring the serialized provider", async () => {
    const state = { kind: "ServiceUsage", usage: { userCount: 1 }, __provider: "a" };
    assert.deepEqual(await runtime.diff("id", state, { ...state, __provider: "b" }), { changes: false });
    assert.deepEqual(await runtime.diff("id", state, { ...state, usage: { userCount: 2 } }), { changes: true });
    assert.deepEqual(await runtime.diff("id", state, { ...state, providerVersion: "9.9.9" }), { changes: true });
  });
});
