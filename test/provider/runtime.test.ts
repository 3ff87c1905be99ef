import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { unknownValue as UNKNOWN } from "@pulumi/pulumi/runtime/rpc";
import type { GetServiceUsageResult } from "../../provider/capacity/runway";
import { isKooDriveError } from "../../provider/client/errors";
import { createRuntime, type ProviderRuntime } from "../../provider/dynamic/providers";
import * as entryPoint from "../../provider/dynamic/runtime";
import { type Simulator, startSimulator } from "../../sim";
import { seatReading, steadyRunway } from "../helpers/runway";

const TOKENS = Array.from({ length: 24 }, (_, n) => `runtime-test-token-${n}`);

describe("provider runtime (the dynamic provider's methods, called directly)", () => {
  let sim: Simulator;
  let nextToken = 0;
  /** A connection no earlier test used, so the per-process read cache starts empty for it. */
  const freshConnection = () => ({ endpoint: sim.url, accessToken: TOKENS[nextToken++] as string });

  // The tenants' histories go to a cache folder of this file's own, not the user's.
  const cacheHome = mkdtempSync(path.join(os.tmpdir(), "runtime-test-cache-"));
  const savedCacheHome = process.env.XDG_CACHE_HOME;
  before(async () => {
    process.env.XDG_CACHE_HOME = cacheHome;
    sim = await startSimulator({ fixture: { tokens: TOKENS, usage: { userCount: 95, userMaxCount: 100 } } });
  });
  after(async () => {
    await sim.close();
    if (savedCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = savedCacheHome;
    rmSync(cacheHome, { recursive: true, force: true });
  });

  // Each test gets a fresh runtime (no config, no cached read, an empty ledger), dispatching on kind.
  let fresh: ProviderRuntime;
  beforeEach(() => {
    fresh = createRuntime();
  });
  const runtime: Pick<typeof entryPoint, "check" | "read" | "diff" | "configure"> = {
    check: (olds, news) => fresh.forKind(news).check(olds, news),
    read: (id, props) => fresh.forKind(props).read(id, props),
    diff: (id, olds, news) => fresh.forKind(news).diff(id, olds, news),
    configure: (config) => fresh.configure(config),
  };

  /** A guard's check, with the URN its program computes from its name (`guardName`). */
  const guard = (plan: Record<string, unknown>, connection = freshConnection(), olds: Record<string, unknown> = {}) =>
    runtime.check(olds, {
      kind: "CapacityGuard",
      providerVersion: "0.0.0",
      guardUrn: `urn:pulumi:test::runtime::koodrive:index:CapacityGuard::${String(plan.guardName ?? "guard")}`,
      connection,
      ...plan,
    });

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
      ["plannedUsers", "plannedSpaceGB", "minFreeGB"],
      "each against a top-level argument: the engine shows the value of no other",
    );
    assert.match(
      failures[0]?.reason ?? "",
      /^seats: plan needs 9 new users, 5 seats left; exceeds by 4 seats: buy 4 more seats, or raise the OrgID user maximum \(POST \/koodrive\/ose\/v1\/user\/expand\/\{orgId\}\)$/,
    );
    assert.match(
      failures[1]?.reason ?? "",
      /^group pool quota: plan needs 1800 GB, 1798 GB left; exceeds by 2 GB: free 2 GB of the group pool quota, or reallocate 2 GB to it in KooDrive's Storage Settings \(the department pool quota has 6102 GB left\)$/,
    );
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
    assert.match(String(inputs.message), /^the plan is not known until the update; the check runs then$/);
  });

  it("names the connection setting that is unknown during preview, not the plan", async () => {
    const { inputs, failures } = await guard({ plannedUsers: 1 }, { endpoint: UNKNOWN, accessToken: "unused" });
    assert.deepEqual(failures, []);
    assert.equal(
      inputs.message,
      "the connection is not known until the update (endpoint is computed from another resource); the check runs then",
    );
  });

  it("judges only the growth over the plan admitted at the last deployment, and records the new one", async () => {
    const connection = freshConnection();
    const deployed = { kind: "CapacityGuard", admittedPlan: { users: 4 }, plannedUsers: 4 };
    const grown = await guard({ guardName: "growth", plannedUsers: 9 }, connection, deployed);
    assert.deepEqual(grown.failures, []);
    assert.match(
      String(grown.inputs.message),
      /seats: plan 9 users \(4 users already deployed, 5 new users\), 5 seats left/,
    );
    assert.deepEqual(grown.inputs.admittedPlan, { users: 9 });
    assert.equal((grown.inputs.newAllocation as { users: number }).users, 5);
    const over = await guard({ guardName: "growth", plannedUsers: 10 }, connection, deployed);
    assert.equal(
      over.failures[0]?.reason,
      "seats: plan 10 users (4 users already deployed, 6 new users), 5 seats left; exceeds by 1 seat: buy 1 more seat, or raise the OrgID user maximum (POST /koodrive/ose/v1/user/expand/{orgId})",
    );
  });

  it("counts the whole plan as new when the state holds no valid admitted plan (fail closed)", async () => {
    const recorded = { kind: "CapacityGuard", plannedUsers: 4, status: "fits" };
    for (const olds of [recorded, { ...recorded, admittedPlan: { users: -1 } }]) {
      const { failures } = await guard({ guardName: "unadmitted", plannedUsers: 9 }, freshConnection(), olds);
      assert.equal(
        failures[0]?.reason,
        "seats: plan needs 9 new users, 5 seats left; exceeds by 4 seats: buy 4 more seats, or raise the OrgID user maximum (POST /koodrive/ose/v1/user/expand/{orgId})",
      );
    }
  });

  it("judges guards sharing a connection together, whatever the order, a re-check replacing its share", async () => {
    const connection = freshConnection();
    const first = await guard({ guardName: "pilot", plannedUsers: 3 }, connection);
    assert.deepEqual(first.failures, []);
    const again = await guard({ guardName: "pilot", plannedUsers: 3 }, connection);
    assert.deepEqual(again.failures, [], "a re-check replaces pilot's share");
    const last = await guard({ guardName: "onboarding", plannedUsers: 3 }, connection);
    assert.equal(
      last.failures[0]?.reason,
      "seats: guards onboarding (3 seats) and pilot (3 seats) need 6 new seats together, 5 seats left; exceeds by 1 seat: buy 1 more seat, or raise the OrgID user maximum (POST /koodrive/ose/v1/user/expand/{orgId})",
    );
    const other = freshConnection();
    await guard({ guardName: "onboarding", plannedUsers: 3 }, other);
    const reversed = await guard({ guardName: "pilot", plannedUsers: 3 }, other);
    assert.equal(reversed.failures[0]?.reason, last.failures[0]?.reason);
  });

  it("re-reads the figures on refresh, keeping a guard's verdict", async () => {
    const { inputs } = await guard({ guardName: "refreshed", plannedUsers: 1 });
    assert.deepEqual(inputs.connection, { endpoint: sim.url }, "the state keeps no token to refresh with");
    sim.setUsage({ userCount: 97 });
    // `pulumi refresh` is a run of its own: a provider process that has read nothing yet.
    fresh = createRuntime();
    runtime.configure({ get: (key) => (key === "koodrive:accessToken" ? TOKENS[23] : undefined) });
    try {
      const { id, props } = await runtime.read("guard-id", inputs);
      assert.equal(id, "guard-id");
      assert.equal((props.usage as { remainingSeats: number }).remainingSeats, 3);
      assert.equal(props.status, "fits");
    } finally {
      runtime.configure({ get: () => undefined });
      sim.setUsage({ userCount: 95 });
    }
  });

  it("fails a refresh with a clear message when the credentials are not in the config or environment, keeping the cause's code", async () => {
    await assert.rejects(
      runtime.read("id", { kind: "ServiceUsage", connection: { endpoint: sim.url } }),
      (error: unknown) =>
        isKooDriveError(error) &&
        error.code === "ERR_KOODRIVE_CONFIGURATION" &&
        /^cannot refresh the KooDrive figures: .*(token|credential)/i.test(error.message) &&
        isKooDriveError(error.cause),
    );
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
    // Against the argument that makes it fail: a mandatory guard does not go on unjudged.
    const mandatory = await guard({ plannedUsers: 1 }, down);
    assert.equal(mandatory.failures[0]?.property, "enforcement");
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

  it("names settings from the stack config as config keys in its errors, those given as arguments by their key", async () => {
    runtime.configure({ get: (key) => ({ "koodrive:endpoint": sim.url, "koodrive:appId": "app" })[key] });
    const fromConfig = await runtime.check({}, { kind: "ServiceUsage", connection: {} });
    assert.match(
      fromConfig.failures[0]?.reason ?? "",
      /incomplete app credentials: koodrive:appId is set but koodrive:appSecret, koodrive:userId are missing/,
    );
    const fromArguments = await runtime.check({}, { kind: "ServiceUsage", connection: { appSecret: "s" } });
    assert.match(fromArguments.failures[0]?.reason ?? "", /appSecret is set but appId, userId are missing/);
  });

  it("diffs on any change of figures, plan or version, ignoring the serialized provider", async () => {
    const state = { kind: "ServiceUsage", usage: { userCount: 1 }, __provider: "a" };
    assert.deepEqual(await runtime.diff("id", state, { ...state, __provider: "b" }), { changes: false });
    assert.deepEqual(await runtime.diff("id", state, { ...state, usage: { userCount: 2 } }), { changes: true });
    assert.deepEqual(await runtime.diff("id", state, { ...state, providerVersion: "9.9.9" }), { changes: true });
  });

  it("takes the tenant at an unchanged guard's diff in an update (`dryRun` false), never in a preview, and records no `dryRun`", async () => {
    const given = {
      kind: "CapacityGuard",
      providerVersion: "0.0.0",
      guardUrn: "urn:pulumi:test::runtime::koodrive:index:CapacityGuard::retried",
      connection: { ...freshConnection(), lockTimeout: "1" },
      plannedUsers: 2,
    };
    const [holder, preview, update] = [createRuntime(), createRuntime(), createRuntime()];
    try {
      const checked = await holder.capacityGuard.check({}, { ...given, dryRun: false });
      assert.ok(!("dryRun" in checked.inputs), "never recorded, so never a change");
      const { outs } = await holder.capacityGuard.create(checked.inputs); // holds the tenant
      assert.ok(!("dryRun" in outs));

      const previewed = await preview.capacityGuard.check(outs, { ...given, dryRun: true });
      assert.deepEqual(await preview.capacityGuard.diff("id", outs, previewed.inputs), { changes: false });

      const updating = await update.capacityGuard.check(outs, { ...given, dryRun: false });
      await assert.rejects(
        update.capacityGuard.diff("id", outs, updating.inputs),
        /^TenantLockTimeout: gave up waiting for the KooDrive tenant http:\/\/127\.0\.0\.1:\d+ after 1 s/,
      );
      await holder.state.close();
      assert.deepEqual(await update.capacityGuard.diff("id", outs, updating.inputs), { changes: false });
    } finally {
      for (const made of [holder, preview, update]) await made.state.close();
    }
  });

  describe("capacity runway", () => {
    const DAY_0 = new Date("2026-11-01T00:00:00.000Z");
    const DAY_5 = new Date("2026-11-06T00:00:00.000Z");
    const DAY_10 = new Date("2026-11-11T00:00:00.000Z");
    let clocked: Simulator;
    beforeEach(async () => {
      rmSync(path.join(cacheHome, "pulumi-koodrive", "history"), { recursive: true, force: true });
      clocked = await startSimulator({ fixture: { tokens: TOKENS, usage: { userCount: 20, userMaxCount: 100 } } });
    });
    afterEach(() => clocked.close());
    const connection = () => ({ endpoint: clocked.url, accessToken: TOKENS[0] as string });
    const record = (olds: Record<string, unknown>) =>
      fresh.forKind({ kind: "ServiceUsage" }).check(olds, { kind: "ServiceUsage", connection: connection() });

    /** The readings of the one tenant's history in this machine's store (each test starts with an empty store). */
    const stored = (): { takenAt: string; userCount: number }[] => {
      const folder = path.join(cacheHome, "pulumi-koodrive", "history");
      const files = readdirSync(folder);
      assert.equal(files.length, 1, "one tenant, one history");
      return readFileSync(path.join(folder, files[0] as string), "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
    };

    it("records readings dated by KooDrive's clock in the tenant's history, not the state, and forecasts from it", async () => {
      clocked.setClock(DAY_0);
      const first = await record({});
      assert.ok(!("history" in first.inputs), "the state carries no history");
      assert.deepEqual(
        stored().map((r) => [r.takenAt, r.userCount]),
        [[DAY_0.toISOString(), 20]],
      );
      assert.equal((first.inputs.usage as GetServiceUsageResult).runway?.seats.daysUntilFull, null);

      fresh = createRuntime();
      clocked.setClock(DAY_5);
      clocked.setUsage({ userCount: 30 });
      const between = await record(first.inputs);
      assert.match((between.inputs.usage as GetServiceUsageResult).runway?.note ?? "", /missing 1 more reading$/);
      fresh = createRuntime();
      clocked.setClock(DAY_10);
      clocked.setUsage({ userCount: 40 });
      const second = await record(between.inputs);
      assert.equal(stored().length, 3);
      const seats = (second.inputs.usage as GetServiceUsageResult).runway?.seats;
      assert.deepEqual(seats, steadyRunway(40, 100, 2, 30, "2026-12-11"));
      assert.ok(!JSON.stringify(stored()).includes("runtime-test-token"));

      // Unchanged figures half a day later: no new reading, nothing to update.
      fresh = createRuntime();
      clocked.setClock(new Date("2026-11-11T12:00:00.000Z"));
      const third = await record(second.inputs);
      assert.deepEqual(third.inputs, second.inputs);
      assert.equal(stored().length, 3);

      // A day later, unchanged figures are a reading (a day without growth counts in the median), and the
      // runway moves; the record shows no change all the same: only time passed.
      fresh = createRuntime();
      clocked.setClock(new Date("2026-11-12T00:00:00.000Z"));
      const fourth = await record(second.inputs);
      assert.equal(stored().length, 4);
      const runwayOf = (inputs: Record<string, unknown>) => (inputs.usage as GetServiceUsageResult).runway;
      assert.equal(runwayOf(fourth.inputs)?.seats.fullOn, "2026-12-12", "a day later, full a day later");
      assert.equal((await fresh.forKind(fourth.inputs).diff("id", second.inputs, fourth.inputs)).changes, false);
      clocked.setUsage({ userCount: 41 });
      fresh = createRuntime();
      const fifth = await record(second.inputs);
      assert.equal((await fresh.forKind(fifth.inputs).diff("id", second.inputs, fifth.inputs)).changes, true);
    });

    it("imports the history an older state holds into the tenant's history, once, and ignores an invalid one", async () => {
      clocked.setClock(DAY_10);
      clocked.setUsage({ userCount: 40 });
      const old = [20, 30].map((userCount, day) =>
        seatReading(new Date(DAY_0.getTime() + day * 5 * 86_400_000), userCount),
      );
      const invalid = await record({ kind: "ServiceUsage", usage: {}, history: [{ takenAt: "yesterday" }] });
      assert.deepEqual(invalid.inputs.history, undefined);
      assert.equal(stored().length, 1);
      const imported = await record({ kind: "ServiceUsage", usage: {}, history: old });
      assert.deepEqual(
        stored().map((r) => r.userCount),
        [40, 20, 30],
      );
      assert.equal((imported.inputs.usage as GetServiceUsageResult).runway?.seats.perDay, 2);
      await record({ kind: "ServiceUsage", usage: {}, history: old });
      assert.equal(stored().length, 3, "imported once");
    });

    it("fails a mandatory guard whose figure runs out within minRunwayDays, and only records it when advisory", async () => {
      const guardCheck = (olds: Record<string, unknown>, plan: Record<string, unknown>) =>
        fresh.forKind({ kind: "CapacityGuard" }).check(olds, {
          kind: "CapacityGuard",
          guardName: "runway",
          guardUrn: "urn:pulumi:test::runtime::koodrive:index:CapacityGuard::runway",
          connection: connection(),
          ...plan,
        });
      // Every run without enough history says so: the guard never passes minRunwayDays silently.
      const said: string[] = [];
      const collecting = () =>
        createRuntime(undefined, { write: async (_urn, lines) => void said.push(...lines.map((l) => l.message)) });
      fresh = collecting();
      clocked.setClock(DAY_0);
      const first = await guardCheck({}, { minRunwayDays: 45 });
      assert.deepEqual(first.failures, []);
      fresh = collecting();
      clocked.setClock(DAY_5);
      clocked.setUsage({ userCount: 30 });
      const between = await guardCheck(first.inputs, { minRunwayDays: 45 });
      assert.deepEqual(between.failures, [], "two readings are not enough history to fail on");
      assert.deepEqual(said, [
        "minRunwayDays 45 is not judged yet: not enough history for a forecast: needs 3 readings over at least 3 days within 30 days, has 1 reading over 0 days; missing 2 more readings and 3 more days of history",
        "minRunwayDays 45 is not judged yet: not enough history for a forecast: needs 3 readings over at least 3 days within 30 days, has 2 readings over 5 days; missing 1 more reading",
      ]);
      fresh = createRuntime();
      clocked.setClock(DAY_10);
      clocked.setUsage({ userCount: 40 });
      const mandatory = await guardCheck(between.inputs, { minRunwayDays: 45 });
      const message = "seats: full in 30 days at 2 seats a day (on 2026-12-11) after the plan, under minRunwayDays 45";
      assert.deepEqual(mandatory.failures, [{ property: "minRunwayDays", reason: message }]);
      assert.equal(mandatory.inputs.status, "exceeds");
      assert.equal(mandatory.inputs.fits, false);
      const advisory = await guardCheck(between.inputs, { minRunwayDays: 45, enforcement: "advisory" });
      assert.deepEqual(advisory.failures, []);
      assert.deepEqual(
        (advisory.inputs.runwayShortfalls as { message: string }[]).map((shortfall) => shortfall.message),
        [message],
      );
      const later = await guardCheck(between.inputs, { minRunwayDays: 30 });
      assert.deepEqual(later.failures, []);
      assert.equal(later.inputs.status, "fits");
    });
  });

  describe("the entry point the serialized dynamic provider calls (pulumi-koodrive/provider-runtime)", () => {
    it("serves each resource by its kind", async () => {
      // In a process of its own, as the engine runs it: the entry point's state lives as long as its
      // process, and it hears the engine's Cancel on any HTTP/2 server there (another test file's,
      // in a shared mocha worker, would cancel it).
      const connection = { endpoint: sim.url, accessToken: TOKENS[0] as string };
      const script = `
const entryPoint = require(${JSON.stringify(require.resolve("../../provider/dynamic/runtime"))});
const connection = ${JSON.stringify(connection)};
(async () => {
  const guarded = await entryPoint.check({}, { kind: "CapacityGuard", connection, plannedUsers: 1 });
  const recorded = await entryPoint.check({}, { kind: "ServiceUsage", connection });
  console.log(JSON.stringify({ guarded: guarded.inputs, recorded: recorded.inputs }));
  process.exit(0);
})();`;
      const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], { timeout: 30_000 });
      const { guarded, recorded } = JSON.parse(stdout) as Record<string, Record<string, unknown>>;
      assert.equal(guarded?.status, "fits", String(guarded?.message));
      assert.equal((recorded?.usage as { remainingSeats: number } | undefined)?.remainingSeats, 5);
      assert.equal(recorded?.status, undefined);
    });

    it("refuses a resource of a kind it does not know, naming it", async () => {
      await assert.rejects(
        entryPoint.check({}, { kind: "Bucket", connection: {} }),
        /cannot handle a resource of kind "Bucket": it knows ServiceUsage, CapacityGuard, User/,
      );
      await assert.rejects(entryPoint.diff("id", {}, {}), /of kind undefined/);
    });
  });
});
