import assert from "node:assert/strict";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { KooDriveProvider, TOKENS } from "../../provider/plugin/koodrive-provider";
import { type Simulator, startSimulator } from "../../sim";
import { TEST_TOKEN } from "../helpers/secrets";

const URN = "urn:pulumi:test::project::koodrive:index:CapacityGuard::seats";

describe("the plugin's provider (against koodrive-sim)", () => {
  let sim: Simulator;
  let provider: KooDriveProvider;

  beforeEach(async () => {
    sim = await startSimulator({ fixture: { tokens: [TEST_TOKEN], usage: { userCount: 95, userMaxCount: 100 } } });
    provider = new KooDriveProvider();
    provider.configure({ endpoint: sim.url, accessToken: TEST_TOKEN });
  });
  afterEach(async () => {
    await sim.close();
  });

  it("refuses an unknown setting and a setting that is not a string, naming them", () => {
    const { failures } = provider.checkConfig({ endpoint: 3, acessToken: "x", version: "0.1.0" });
    assert.deepEqual(failures, [
      { property: "endpoint", reason: "koodrive:endpoint must be a string" },
      {
        property: "acessToken",
        reason:
          'unknown koodrive setting "acessToken"; the settings are endpoint, accessToken, appId, appSecret, userId, usedSpaceUnit, tenant, lockUrl, lockTimeout, lockLease, minFreeSeats, minFreeGB, minRunwayDays, enforcement',
      },
    ]);
  });

  it("takes the reserves of its Users and Spaces as text or numbers, refusing a wrong one naming it", () => {
    const good = provider.checkConfig({ minFreeSeats: 5, minFreeGB: "100", enforcement: "advisory" });
    assert.deepEqual(good.failures, []);
    const { failures } = provider.checkConfig({ minFreeSeats: "five", enforcement: "strict", minRunwayDays: true });
    assert.deepEqual(failures, [
      { property: "minRunwayDays", reason: "koodrive:minRunwayDays must be text or a number" },
      { property: "minFreeSeats", reason: 'invalid koodrive:minFreeSeats: "five" is not a whole number ≥ 0' },
      { property: "enforcement", reason: 'invalid koodrive:enforcement: "strict" is not mandatory or advisory' },
    ]);
  });

  it("leaves a guard whose plan is unknown in preview pending, warning that it is checked in the update", async () => {
    const { inputs, failures, log } = await provider.check(URN, {}, { plannedUsers: unknownValue });
    assert.deepEqual(failures, []);
    assert.equal(inputs.status, "pending");
    assert.deepEqual(log, [
      {
        severity: "warning",
        message: "capacity guard pending: the plan is not known until the update; the check runs then",
      },
    ]);
    const advisory = await provider.check(URN, {}, { plannedUsers: unknownValue, enforcement: "advisory" });
    assert.deepEqual(advisory.log, [
      { severity: "info", message: "the plan is not known until the update; the check runs then" },
    ]);
    const later = await provider.check(URN, {}, { plannedUsers: 6 });
    assert.equal(later.inputs.status, "exceeds");
    assert.match(later.failures[0]?.reason ?? "", /seats: plan needs 6 new users, 5 seats left; exceeds by 1 seat/);
  });

  it("leaves everything pending while an explicit provider's endpoint is unknown, and warns of it", async () => {
    // The engine checks no guard of a provider it cannot configure: the warning comes with its config.
    assert.deepEqual(provider.checkConfig({ endpoint: unknownValue, accessToken: TEST_TOKEN }).log, [
      {
        severity: "warning",
        message:
          "capacity guards pending: this provider's endpoint is computed from another resource, so its guards are not checked in this preview; the check runs in the update",
      },
    ]);
    provider.configure({ endpoint: unknownValue, accessToken: TEST_TOKEN });
    const { inputs, failures } = await provider.check(URN, {}, { plannedUsers: 6 });
    assert.deepEqual(failures, []);
    assert.equal(inputs.status, "pending");
    assert.match(String(inputs.message), /endpoint is computed from another resource/);
    const call = await provider.invoke(TOKENS.getServiceUsage);
    assert.match(call.failures[0]?.reason ?? "", /the provider's endpoint is not known until the update/);
    assert.equal(sim.requestCount("quotaUsed"), 0);
  });

  it("warns about an advisory guard's over-plan instead of failing", async () => {
    const { inputs, failures, log } = await provider.check(URN, {}, { plannedUsers: 6, enforcement: "advisory" });
    assert.deepEqual(failures, []);
    assert.equal(inputs.status, "exceeds");
    assert.deepEqual(log, [
      {
        severity: "warning",
        message:
          "advisory capacity guard: seats: plan needs 6 new users, 5 seats left; exceeds by 1 seat: buy 1 more seat, or raise the OrgID user maximum (POST /koodrive/ose/v1/user/expand/{orgId})",
      },
    ]);
  });

  it("refuses a plan value of the wrong kind with the guard's own message", async () => {
    const { failures } = await provider.check(URN, {}, { plannedUsers: -1 });
    assert.deepEqual(failures, [{ property: "plannedUsers", reason: "plannedUsers must be a whole number ≥ 0" }]);
  });

  it("says a plan value past the largest safe whole number is, rather than calling it no whole number", async () => {
    // biome-ignore lint/correctness/noPrecisionLoss: the value as a program writes it, which a number cannot hold
    const { failures } = await provider.check(URN, {}, { plannedUsers: 9007199254740993 });
    assert.deepEqual(failures, [
      { property: "plannedUsers", reason: "plannedUsers is beyond the largest safe whole number, 9007199254740991" },
    ]);
  });

  it("answers an unknown function by name, and says why the figures could not be read", async () => {
    assert.deepEqual((await provider.invoke("koodrive:index:nope")).failures, [
      { property: "", reason: "unknown function koodrive:index:nope" },
    ]);
    provider.configure({ endpoint: sim.url, accessToken: "wrong-token" });
    const { failures } = await provider.invoke(TOKENS.getServiceUsage);
    assert.match(failures[0]?.reason ?? "", /^cannot read KooDrive usage: /);
    assert.ok(!failures[0]?.reason.includes("wrong-token"));
  });

  it("imports a guard as one with an empty plan, judged now, its inputs the plan alone", async () => {
    const imported = await provider.read(URN, "guard-1", {}, {});
    assert.equal(imported.outs.status, "fits");
    assert.equal((imported.outs.usage as { userCount: number }).userCount, 95);
    assert.deepEqual(imported.inputs, { enforcement: "mandatory" });
  });

  it("shows no change when only the tenant's figures moved, and one when the plan did", async () => {
    const first = await provider.check(URN, {}, { plannedUsers: 2 });
    const deployed = (await provider.deploy(URN, {}, first.inputs, () => undefined)).inputs;
    sim.setUsage({ userCount: 97 });
    const nextRun = new KooDriveProvider();
    nextRun.configure({ endpoint: sim.url, accessToken: TEST_TOKEN });
    const again = await nextRun.check(URN, deployed, { plannedUsers: 2 });
    assert.equal((again.inputs.usage as { userCount: number }).userCount, 97, "the check read the new figures");
    assert.deepEqual(await provider.diff(URN, deployed, again.inputs, () => undefined), { changes: false });
    const grown = await provider.check(URN, deployed, { plannedUsers: 3 });
    assert.deepEqual(await provider.diff(URN, deployed, grown.inputs, () => undefined), { changes: true });
    await provider.state.close();
  });

  it("takes the tenant at an unchanged guard's diff in an update and judges it again under the lock; never in a preview", async () => {
    // Nothing new never fails, but a reserve alone is a standing condition, judged on every run.
    const plan = { minFreeSeats: 3 };
    const first = await provider.check(URN, {}, plan);
    const deployed = (await provider.deploy(URN, {}, first.inputs, () => undefined)).inputs; // holds the tenant
    const runs: KooDriveProvider[] = [];
    const run = (preview: boolean) => {
      const made = new KooDriveProvider(undefined, { mayDeploy: () => !preview });
      made.configure({ endpoint: sim.url, accessToken: TEST_TOKEN, lockTimeout: "1" });
      runs.push(made);
      return made;
    };
    try {
      const said: string[] = [];
      const say = (line: string) => void said.push(line);
      const preview = run(true);
      const checked = await preview.check(URN, deployed, plan);
      assert.deepEqual(await preview.diff(URN, deployed, checked.inputs, say), { changes: false });
      assert.deepEqual(said, [], "a preview neither waits nor says it would");
      await assert.rejects(
        run(false).diff(URN, deployed, checked.inputs, say),
        /^TenantLockTimeout: gave up waiting for the KooDrive tenant http:\/\/127\.0\.0\.1:\d+ after 1 s/,
      );
      await provider.state.close(); // the holder's deployment ends

      const update = run(false);
      const rechecked = await update.check(URN, deployed, plan);
      assert.deepEqual(rechecked.failures, [], "95 of 100 used: 5 left, 3 kept free");
      sim.setUsage({ userCount: 99 }); // another deployment added meanwhile
      await assert.rejects(update.diff(URN, deployed, rechecked.inputs, say), (error: Error) => {
        assert.match(error.message, /seats: .*1 seat left/);
        return true;
      });
    } finally {
      for (const made of runs) await made.state.close();
    }
  });
});
