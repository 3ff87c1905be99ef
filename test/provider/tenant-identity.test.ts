import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { parsePolicyConfig } from "../../policy/config-schema";
import { type StackResourceView, unguardedReason } from "../../policy/guard-required";
import { guardOf } from "../../policy/guards";
import { planProblems } from "../../policy/plans-fit";
import { TenantMismatchError } from "../../provider/client/errors";
import { createRuntime } from "../../provider/dynamic/providers";
import { GUARD_TYPES } from "../../provider/guard/types";
import type { LogLine } from "../../provider/process/engine-log";
import { ProviderState } from "../../provider/process/provider-state";
import { type Simulator, startSimulator } from "../../sim";
import { TEST_TOKEN } from "../helpers/secrets";

const SECOND_TOKEN = "tenant-identity-second-token-5e21";

/** A dynamic guard's inputs: `users` planned on `connection`. */
const guard = (
  name: string,
  users: number,
  connection: Record<string, string>,
  extra: Record<string, unknown> = {},
) => ({
  kind: "CapacityGuard",
  guardName: name,
  guardUrn: `urn:pulumi:test::project::pulumi-nodejs:dynamic:Resource::${name}`,
  connection,
  plannedUsers: users,
  ...extra,
});

/** The dynamic provider of one run, with what it says. */
function dynamicRun() {
  const said: LogLine[] = [];
  const runtime = createRuntime(undefined, {
    write: async (_urn: string, lines: LogLine[]) => {
      said.push(...lines);
    },
  });
  return { runtime, said };
}

/** How many requests `sim` answered on `endpoint`. */
const requests = (sim: Simulator, endpoint: "quotaUsed" | "service") =>
  sim.requestLog().filter((entry) => entry.endpoint === endpoint).length;

describe("who the tenant is: KooDrive's tenant id, read once per run per credential", () => {
  let first: Simulator;
  let second: Simulator;
  const runs: ReturnType<typeof dynamicRun>[] = [];
  const run = () => {
    const made = dynamicRun();
    runs.push(made);
    return made;
  };
  beforeEach(async () => {
    // Two tenants: 80 seats left on the first, 5 on the second; two tokens reach the first.
    first = await startSimulator({
      fixture: { tokens: [TEST_TOKEN, SECOND_TOKEN], usage: { userCount: 20, userMaxCount: 100 } },
    });
    second = await startSimulator({ fixture: { tokens: [TEST_TOKEN], usage: { userCount: 95, userMaxCount: 100 } } });
  });
  afterEach(async () => {
    for (const made of runs.splice(0)) await made.runtime.state.close();
    await Promise.all([first.close(), second.close()]);
  });

  it("judges each tenant on its own figures; two tenants under one tenant name fail, naming both endpoints", async () => {
    const { runtime } = run();
    const onFirst = { endpoint: first.url, accessToken: TEST_TOKEN, tenant: "prod" };
    const onSecond = { endpoint: second.url, accessToken: TEST_TOKEN, tenant: "prod" };
    const fits = await runtime.capacityGuard.check({}, guard("first", 10, onFirst));
    assert.deepEqual(fits.failures, []);
    assert.match(String(fits.inputs.message), /80 seats left/);
    const mismatch = (error: unknown) => {
      assert.ok(error instanceof TenantMismatchError, String(error));
      assert.equal(error.code, "ERR_KOODRIVE_TENANT_MISMATCH");
      assert.ok(error.message.includes(first.url) && error.message.includes(second.url), error.message);
      assert.match(error.message, /^the tenant name prod covers two KooDrive tenants/);
      return true;
    };
    // An advisory guard too: a name over two tenants fails the run, whatever the enforcement.
    await assert.rejects(
      runtime.capacityGuard.check({}, guard("second", 10, onSecond, { enforcement: "advisory" })),
      mismatch,
    );
    await assert.rejects(runtime.capacityGuard.create(guard("first", 10, onFirst)), mismatch);
    assert.equal(requests(second, "quotaUsed"), 1, "the second tenant's figures were read, not the first's");

    // Without the name, each is judged on its own figures.
    const alone = run();
    const own = await alone.runtime.capacityGuard.check(
      {},
      guard("second", 10, { endpoint: second.url, accessToken: TEST_TOKEN }),
    );
    assert.match(String(own.inputs.message), /plan needs 10 new users, 5 seats left/);
  });

  it("judges two tokens of one tenant together, without any name, and reads each credential's subscription once", async () => {
    const { runtime } = run();
    const one = { endpoint: first.url, accessToken: TEST_TOKEN };
    const other = { endpoint: first.url, accessToken: SECOND_TOKEN };
    assert.deepEqual((await runtime.capacityGuard.check({}, guard("dept-a", 50, one))).failures, []);
    const together = await runtime.capacityGuard.check({}, guard("dept-b", 50, other));
    assert.deepEqual(
      together.failures.map((failure) => failure.reason),
      [
        "seats: guards dept-a (50 seats) and dept-b (50 seats) need 100 new seats together, 80 seats left; exceeds by 20 seats: buy 20 more seats, or raise the OrgID user maximum (POST /koodrive/ose/v1/user/expand/{orgId})",
      ],
    );
    await runtime.capacityGuard.check({}, guard("dept-a", 50, one));
    assert.equal(requests(first, "service"), 2, "one subscription read per credential");
    assert.equal(requests(first, "quotaUsed"), 2, "one figures read per credential");
  });

  it("tells two guards of one name under different parents apart by their parents", async () => {
    const { runtime } = run();
    const one = { endpoint: first.url, accessToken: TEST_TOKEN };
    const under = (parent: string, users: number) => ({
      ...guard("onboarding", users, one),
      guardUrn: `urn:pulumi:test::project::${parent}$pulumi-nodejs:dynamic/koodrive:CapacityGuard::onboarding`,
    });
    assert.deepEqual((await runtime.capacityGuard.check({}, under("my:index:TeamA", 41))).failures, []);
    const second = await runtime.capacityGuard.check({}, under("my:index:TeamB", 40));
    assert.deepEqual(
      second.failures.map((failure) => failure.reason),
      [
        "seats: guards onboarding under my:index:TeamA (41 seats) and onboarding under my:index:TeamB (40 seats) need 81 new seats together, 80 seats left; exceeds by 1 seat: buy 1 more seat, or raise the OrgID user maximum (POST /koodrive/ose/v1/user/expand/{orgId})",
      ],
    );
  });

  it("lets the credential stand in when it cannot read the subscription, saying so once", async () => {
    const { runtime, said } = run();
    first.queueFault("service", { kind: "status", status: 403 });
    const one = { endpoint: first.url, accessToken: TEST_TOKEN };
    for (const name of ["dept-a", "dept-b"]) await runtime.capacityGuard.check({}, guard(name, 1, one));
    const warnings = said.filter((line) => line.severity === "warning").map((line) => line.message);
    assert.equal(warnings.length, 1, warnings.join("\n"));
    assert.match(
      warnings[0] ?? "",
      /^cannot tell which KooDrive tenant http:\/\/127\.0\.0\.1:\d+ is \(reading its subscription failed: .*\); the credential stands in for it/,
    );
    assert.ok(!warnings[0]?.includes(TEST_TOKEN));
    // The other token reads the subscription: another key, judged apart from the first credential.
    const apart = await runtime.capacityGuard.check(
      {},
      guard("dept-c", 80, { endpoint: first.url, accessToken: SECOND_TOKEN }),
    );
    assert.deepEqual(apart.failures, []);
  });

  it("joins under one tenant name a credential that cannot read the subscription and one that can", async () => {
    const { runtime } = run();
    const name = `join-${randomUUID()}`;
    first.queueFault("service", { kind: "status", status: 403 });
    const refused = { endpoint: first.url, accessToken: TEST_TOKEN, tenant: name };
    const reading = { endpoint: first.url, accessToken: SECOND_TOKEN, tenant: name };
    assert.deepEqual((await runtime.capacityGuard.check({}, guard("dept-a", 30, refused))).failures, []);
    assert.deepEqual((await runtime.capacityGuard.check({}, guard("dept-b", 30, reading))).failures, []);
    // Without the name, the second token is still this tenant (its id): joined through dept-b.
    const unnamed = await runtime.capacityGuard.check(
      {},
      guard("dept-c", 30, { endpoint: first.url, accessToken: SECOND_TOKEN }),
    );
    assert.deepEqual(
      unnamed.failures.map((failure) => failure.reason),
      [
        "seats: guards dept-a (30 seats), dept-b (30 seats) and dept-c (30 seats) need 90 new seats together, 80 seats left; exceeds by 10 seats: buy 10 more seats, or raise the OrgID user maximum (POST /koodrive/ose/v1/user/expand/{orgId})",
      ],
    );
  });

  it("serializes under one tenant name a deployment whose credential cannot read the subscription and one whose can", async () => {
    const name = `join-${randomUUID()}`;
    const [refusedRun, readingRun] = [new ProviderState(), new ProviderState()];
    try {
      first.queueFault("service", { kind: "status", status: 403 });
      const refused = { endpoint: first.url, accessToken: TEST_TOKEN, tenant: name };
      const reading = { endpoint: first.url, accessToken: SECOND_TOKEN, tenant: name };
      const refusedTenant = await refusedRun.tenantOf(refused);
      const readingTenant = await readingRun.tenantOf(reading);
      assert.ok(refusedTenant && readingTenant);
      assert.equal(refusedTenant.tenantId, undefined, "the refused credential cannot tell the id");
      assert.ok(readingTenant.tenantId);
      const urn = (stack: string) => `urn:pulumi:${stack}::project::koodrive:index:CapacityGuard::seats`;
      await refusedRun.holdTenant(refused, refusedTenant, urn("refused"), () => undefined);
      const said: string[] = [];
      let saidWaiting!: () => void;
      const waiting = new Promise<void>((resolve) => {
        saidWaiting = resolve;
      });
      let held = false;
      const holding = readingRun
        .holdTenant(reading, readingTenant, urn("reading"), (line) => {
          // (A container's warning aside.)
          if (!line.startsWith("waiting")) return;
          said.push(line);
          saidWaiting();
        })
        .then(() => {
          held = true;
        });
      await Promise.race([
        waiting,
        holding.then(() => assert.fail("the second deployment took the tenant beside the first")),
      ]);
      assert.equal(held, false, "the second deployment waits for the first");
      assert.match(
        said[0] ?? "",
        new RegExp(
          `^waiting for the KooDrive tenant ${name}: stack project/refused on .* has been deploying to this tenant since`,
        ),
      );
      await refusedRun.close();
      await holding;
      assert.equal(held, true);
    } finally {
      await Promise.all([refusedRun.close(), readingRun.close()]);
    }
  });

  it("has a deployment holding a tenant's name give way at once to an older one holding its id", async () => {
    const name = `join-${randomUUID()}`;
    const [older, younger] = [new ProviderState(), new ProviderState()];
    try {
      const unnamed = { endpoint: first.url, accessToken: TEST_TOKEN };
      const named = { endpoint: first.url, accessToken: SECOND_TOKEN, tenant: name };
      const [byId, byName] = [await older.tenantOf(unnamed), await younger.tenantOf(named)];
      assert.ok(byId && byName);
      assert.equal(byName.lockKeys.length, 2, "the name, then the id");
      assert.equal(byName.lockKeys[1], byId.key);
      const urn = (stack: string) => `urn:pulumi:${stack}::project::koodrive:index:CapacityGuard::seats`;
      await older.holdTenant(unnamed, byId, urn("older"), () => undefined);
      // Ages are milliseconds, and a tie goes by the deployments' hashes: let the clock move on, so
      // that the younger one is younger.
      const held = Date.now();
      while (Date.now() <= held) await new Promise((resolve) => setTimeout(resolve, 1));
      const started = Date.now();
      await assert.rejects(
        younger.holdTenant(named, byName, urn("younger"), () => undefined),
        (error: Error) => {
          assert.match(error.message, new RegExp(`^gave up at once on the KooDrive tenant ${name}`));
          assert.match(
            error.message,
            /stack project\/older on .* longer than this deployment, which holds the tenant name join-/,
          );
          return true;
        },
      );
      assert.ok(Date.now() - started < 5_000, "at once, not after the lock timeout");
    } finally {
      await Promise.all([older.close(), younger.close()]);
    }
  });

  it("reads the subscription beside the figures: a preview takes no longer", async () => {
    const { runtime } = run();
    first.queueFault("quotaUsed", { kind: "delay", ms: 600 });
    first.queueFault("service", { kind: "delay", ms: 600 });
    const started = Date.now();
    await runtime.capacityGuard.check({}, guard("dept-a", 1, { endpoint: first.url, accessToken: TEST_TOKEN }));
    const took = Date.now() - started;
    assert.ok(took < 1_100, `the two reads took ${took} ms: one after the other`);
  });

  it("has the policy pack's guard-required tell another tenant's guard from the stack's, whatever the tenant name", async () => {
    const saved = process.env.PULUMI_CONFIG;
    process.env.PULUMI_CONFIG = JSON.stringify({
      "koodrive:endpoint": first.url,
      "koodrive:accessToken": TEST_TOKEN,
      "koodrive:tenant": "prod",
    });
    try {
      const view = (name: string, type: string, props: Record<string, unknown>): StackResourceView => ({
        type,
        name,
        urn: `urn:pulumi:test::project::${type}::${name}`,
        props,
        dependencies: [],
        propertyDependencies: {},
      });
      const strict = { allowAdvisory: false };
      const home = view("home", GUARD_TYPES.dynamic, guard("home", 1, { endpoint: first.url }));
      const user = view("user-1", "command:local:Command", {});
      user.dependencies = [home];
      assert.equal(await unguardedReason(user, strict), undefined);
      const elsewhere = view(
        "guard",
        GUARD_TYPES.dynamic,
        guard("guard", 1, { endpoint: second.url, tenant: "other" }),
      );
      user.dependencies = [elsewhere];
      assert.match(
        (await unguardedReason(user, strict)) ?? "",
        /its guards check another tenant than the stack's koodrive:\* config names/,
      );
      // The guard takes the stack's tenant name, but its endpoint is another tenant's: the run fails.
      elsewhere.props = guard("guard", 1, { endpoint: second.url });
      const reason = (await unguardedReason(user, strict)) ?? "";
      assert.match(
        reason,
        /^command:local:Command resource 'user-1' adds KooDrive users or space, but the tenant name prod covers two KooDrive tenants/,
      );
      assert.ok(reason.includes(first.url) && reason.includes(second.url), reason);
      // plans-fit reports it as a violation too, rather than failing the pack.
      const seen = guardOf(elsewhere);
      assert.ok(seen);
      const problems = await planProblems(seen, parsePolicyConfig("koodrive-plans-fit", {}));
      assert.equal(problems.length, 1);
      assert.match(problems[0] ?? "", /^the tenant name prod covers two KooDrive tenants/);
    } finally {
      if (saved === undefined) delete process.env.PULUMI_CONFIG;
      else process.env.PULUMI_CONFIG = saved;
    }
  });
});
