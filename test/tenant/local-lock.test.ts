import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { TenantLockTimeout } from "../../provider/client/errors";
import { holdTenant } from "../../provider/tenant/hold";
import { DeploymentLedger, guardLabel } from "../../provider/tenant/ledger";
import { LocalTenantLock } from "../../provider/tenant/local-lock";
import { lockHolder as holder, holdInChild, killOutright, localLocks, testTenant } from "../helpers/lock-holder";

const TENANT = testTenant("a".repeat(64));

describe("the tenant lock on this machine", () => {
  const locks = localLocks();
  const { lock } = locks;

  it("lets one holder take a tenant, names it to others, and frees it on close", async () => {
    const [first, second] = [lock(), lock()];
    assert.equal(await first.tryAcquire(TENANT.key, holder("dept-a/prod")), true);
    assert.equal(await first.tryAcquire(TENANT.key, holder("dept-a/prod")), true, "again, by its holder");
    assert.equal(await second.tryAcquire(TENANT.key, holder("dept-b/prod")), false);
    assert.deepEqual(await second.holderOf(TENANT.key), holder("dept-a/prod"));
    // Never lost while its process lives, so it vouches for the tenant however long is asked, even in a
    // process that shares it with its deployment's holder; and nobody ends uncleanly on this machine.
    await first.assertHeld(TENANT.key, Number.MAX_SAFE_INTEGER);
    await second.assertHeld(TENANT.key, 0);
    assert.equal(first.uncleanEnd(TENANT.key), undefined);
    assert.equal(await second.tryAcquire("b".repeat(64), holder("dept-b/prod")), true, "another tenant is free");
    await first.close();
    assert.equal(await second.holderOf(TENANT.key), undefined);
    assert.equal(await second.tryAcquire(TENANT.key, holder("dept-b/prod")), true);
  });

  it("is one per machine, whatever the cache folder, XDG_CACHE_HOME or HOME of its process", async () => {
    const tenantKey = randomUUID().replaceAll("-", "").repeat(2); // a tenant no other run on this machine holds
    const home = mkdtempSync(path.join(os.tmpdir(), "koodrive-home-"));
    const { KOODRIVE_TEST_MACHINE: _scope, ...env } = process.env;
    const child = await holdInChild(undefined, tenantKey, holder("east"), {
      ...env,
      HOME: home,
      XDG_CACHE_HOME: path.join(home, "cache"),
    });
    const here = new LocalTenantLock();
    try {
      assert.equal(await here.tryAcquire(tenantKey, holder("west")), false);
      assert.equal((await here.holderOf(tenantKey))?.stack, "east");
      await killOutright(child);
      assert.equal(await here.tryAcquire(tenantKey, holder("west")), true);
    } finally {
      child.kill("SIGKILL");
      await here.close();
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("frees the tenant when its holder process is killed with SIGKILL", async () => {
    const child = await holdInChild(locks.scope(), TENANT.key, holder("child"));
    const mine = lock();
    assert.equal(await mine.tryAcquire(TENANT.key, holder("parent")), false);
    await killOutright(child);
    assert.equal(await mine.tryAcquire(TENANT.key, holder("parent")), true);
  });

  it("waits, saying who holds the tenant, and fails closed naming the holder and what this deployment holds", async () => {
    await lock().tryAcquire(TENANT.key, holder("dept-a/prod"));
    let clock = 0;
    const said: string[] = [];
    const waiting = holdTenant(lock(), TENANT, {
      // Older than the holder, it waits (wait-die).
      holder: holder("dept-b/prod", "dept-b/prod", "2026-12-02T10:40:00.000Z"),
      timeoutMs: 61_000,
      timeoutSetting: "koodrive:lockTimeout",
      holding: async () => ["https://other.example"],
      say: (line) => said.push(line),
      now: () => {
        clock += 10_000;
        return clock;
      },
    });
    await assert.rejects(waiting, (error: Error) => {
      assert.ok(error instanceof TenantLockTimeout);
      assert.match(
        error.message,
        /^gave up waiting for the KooDrive tenant https:\/\/koodrive\.example after \d+ s: stack dept-a\/prod on ci-7 \(pid \d+\) has been deploying to this tenant since 10:42:07 UTC; this deployment holds https:\/\/other\.example, which may be what it waits for\. Run again when it has finished, or raise koodrive:lockTimeout$/,
      );
      return true;
    });
    assert.ok(said.length >= 2, `said every 30 s: ${said.length} lines`);
    assert.match(
      said[0] ?? "",
      /^waiting for the KooDrive tenant https:\/\/koodrive\.example: stack dept-a\/prod on ci-7/,
    );
  });

  it("shares a tenant its own deployment holds (another provider process of it) instead of waiting for itself", async () => {
    await lock().tryAcquire(TENANT.key, holder("dept-a/prod", "deployment-1"));
    await holdTenant(lock(), TENANT, {
      holder: holder("dept-a/prod", "deployment-1"),
      timeoutMs: 1,
      timeoutSetting: "koodrive:lockTimeout",
      holding: async () => [],
      say: () => assert.fail("it waited"),
    });
  });

  it("gives way at once, holding a tenant, to an older deployment: two in opposite order do not wait for each other", async () => {
    // dept-a took its first tenant at 10:42:07; dept-b, which holds https://other.example, began later.
    await lock().tryAcquire(TENANT.key, holder("dept-a/prod"));
    const younger = holder("dept-b/prod", "dept-b/prod", "2026-12-02T10:43:00.000Z");
    const options = {
      timeoutMs: 600_000,
      timeoutSetting: "koodrive:lockTimeout",
      say: () => assert.fail("it waited"),
      now: () => 0,
    };
    await assert.rejects(
      holdTenant(lock(), TENANT, { ...options, holder: younger, holding: async () => ["https://other.example"] }),
      (error: Error) => {
        assert.ok(error instanceof TenantLockTimeout);
        assert.equal(
          error.message,
          "gave up at once on the KooDrive tenant https://koodrive.example: stack dept-a/prod on ci-7 " +
            `(pid ${process.pid}) has been deploying to this tenant since 10:42:07 UTC, longer than this deployment, ` +
            "which holds https://other.example: each may be waiting for the other's tenant (two stacks taking " +
            "tenants in opposite order), so the later one gives way instead of both waiting until the timeout. " +
            "Run again when it has finished; stacks whose guards take their tenants in one order never meet like this",
        );
        return true;
      },
    );
    // Holding nothing, the same deployment waits (until its timeout: here none is left).
    let clock = 0;
    const said: string[] = [];
    await assert.rejects(
      holdTenant(lock(), TENANT, {
        ...options,
        timeoutMs: 1_000,
        say: (line) => said.push(line),
        now: () => (clock += 1_000),
        holder: younger,
        holding: async () => [],
      }),
      /^TenantLockTimeout: gave up waiting for the KooDrive tenant https:\/\/koodrive\.example after \d+ s/,
    );
    assert.equal(said.length, 0);
  });
});

describe("the ledger of a deployment", () => {
  it("is one for every process of the deployment: a second host only asks the first", async () => {
    const scope = randomUUID(); // this test's own machine
    const [first, second] = [new DeploymentLedger("deployment-1", scope), new DeploymentLedger("deployment-1", scope)];
    const other = new DeploymentLedger("deployment-2", scope);
    try {
      const entry = (urn: string, users: number) => ({
        urn,
        name: urn.split("::").pop() as string,
        allocation: { users },
      });
      const others = async (ledger: DeploymentLedger, tenant: string, shared: ReturnType<typeof entry>) =>
        (await ledger.share([tenant], shared)).others;
      assert.deepEqual(await others(first, TENANT.key, entry("urn::a", 50)), []);
      assert.deepEqual(await others(second, TENANT.key, entry("urn::b", 30)), [
        { name: "a", allocation: { users: 50 } },
      ]);
      assert.deepEqual(
        await others(first, TENANT.key, entry("urn::a", 40)),
        [{ name: "b", allocation: { users: 30 } }],
        "a slot is replaced",
      );
      assert.deepEqual(
        await others(second, "c".repeat(64), entry("urn::b", 1)),
        [],
        "another tenant has its own ledger",
      );
      assert.deepEqual(await others(other, TENANT.key, entry("urn::z", 5)), [], "another deployment has its own");
      // A guard under a tenant name and its id joins the guards keyed on either, whichever came first.
      const [name, id] = ["d".repeat(64), "e".repeat(64)];
      assert.deepEqual(await others(other, name, entry("urn::named", 7)), []);
      assert.deepEqual(await others(other, id, entry("urn::identified", 8)), [], "not joined yet");
      assert.deepEqual((await other.share([name, id], entry("urn::both", 9))).others, [
        { name: "named", allocation: { users: 7 } },
        { name: "identified", allocation: { users: 8 } },
      ]);
      assert.deepEqual(
        await others(second, id, entry("urn::identified", 8)),
        [],
        "the first deployment's ledger is its own",
      );
      assert.deepEqual(await others(other, id, entry("urn::identified", 8)), [
        { name: "named", allocation: { users: 7 } },
        { name: "both", allocation: { users: 9 } },
      ]);
    } finally {
      await Promise.all([first.close(), second.close(), other.close()]);
    }
  });

  it("keeps what the deployment holds and since when it deploys, for every process of it", async () => {
    const scope = randomUUID(); // this test's own machine
    const [first, second] = [new DeploymentLedger("deployment-1", scope), new DeploymentLedger("deployment-1", scope)];
    const other = new DeploymentLedger("deployment-2", scope);
    const east = { key: "e".repeat(64), label: "https://east.example" };
    try {
      assert.deepEqual(await first.holding("2026-12-02T10:42:07.000Z"), {
        since: "2026-12-02T10:42:07.000Z",
        held: [],
      });
      // Another process of the deployment: the first word on its age stands, and it sees what the first took.
      assert.deepEqual(await first.holding("2026-12-02T10:42:07.000Z", east), {
        since: "2026-12-02T10:42:07.000Z",
        held: [east],
      });
      assert.deepEqual(await second.holding("2026-12-02T10:43:00.000Z"), {
        since: "2026-12-02T10:42:07.000Z",
        held: [east],
      });
      assert.deepEqual(await other.holding("2026-12-02T10:44:00.000Z"), {
        since: "2026-12-02T10:44:00.000Z",
        held: [],
      });
    } finally {
      await Promise.all([first.close(), second.close(), other.close()]);
    }
  });
});

describe("how messages name the guards of a tenant", () => {
  const guard = (types: string, name = "onboarding") => ({
    urn: `urn:pulumi:prod::people::${types}::${name}`,
    name,
    allocation: { users: 1 },
  });

  it("by name, unless two guards share it: then by parent, else by URN", () => {
    const teamA = guard("my:index:TeamA$koodrive:index:CapacityGuard");
    const teamB = guard("my:index:TeamB$koodrive:index:CapacityGuard");
    const root = guard("koodrive:index:CapacityGuard");
    const pilot = guard("koodrive:index:CapacityGuard", "pilot");
    assert.equal(guardLabel(pilot, [teamA, pilot]), "pilot");
    assert.equal(guardLabel(teamA, [teamA, pilot]), "onboarding", "alone with its name");
    assert.equal(guardLabel(teamA, [teamA, teamB, root]), "onboarding under my:index:TeamA");
    assert.equal(guardLabel(teamB, [teamA, teamB, root]), "onboarding under my:index:TeamB");
    assert.equal(guardLabel(root, [teamA, root]), "onboarding under the stack");
    const dynamic = guard("pulumi-nodejs:dynamic/koodrive:CapacityGuard");
    assert.equal(guardLabel(dynamic, [root, dynamic]), `onboarding (${dynamic.urn})`, "same parent: the URN");
  });
});
