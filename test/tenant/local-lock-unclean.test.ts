import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import os from "node:os";
import { holdTenant } from "../../provider/tenant/hold";
import type { TenantLockHolder } from "../../provider/tenant/lock";
import { holdInChild, killOutright, localLocks, testTenant } from "../helpers/lock-holder";

const TENANT = testTenant("c".repeat(64));
const holder = (stack: string, engine?: string): TenantLockHolder => ({
  stack,
  host: os.hostname(),
  pid: 4242,
  since: "2026-12-06T10:42:07.000Z",
  deployment: stack,
  ...(engine ? { engine } : {}),
});

/** A loopback listener standing for a holder's engine: it answers while the test keeps it open. */
async function engineStandIn(): Promise<{ address: string; server: Server }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { address: `127.0.0.1:${port}`, server };
}

describe("the tenant lock on this machine, when its holder ends", () => {
  const locks = localLocks();
  const { lock } = locks;

  it("tells a waiter that watched it that a holder let go cleanly", async () => {
    const [first, waiter] = [lock(), lock()];
    assert.equal(await first.tryAcquire(TENANT.key, holder("dept-a/prod")), true);
    assert.equal((await waiter.holderOf(TENANT.key))?.stack, "dept-a/prod");
    await first.close();
    assert.equal(await waiter.tryAcquire(TENANT.key, holder("dept-b/prod")), true);
    assert.equal(waiter.uncleanEnd(TENANT.key), undefined);
  });

  it("says a holder whose process was killed ended uncleanly, when its engine is gone too", async () => {
    const child = await holdInChild(locks.scope(), TENANT.key, holder("dept-a/prod"));
    const waiter = lock();
    assert.equal(await waiter.tryAcquire(TENANT.key, holder("dept-b/prod")), false);
    assert.equal((await waiter.holderOf(TENANT.key))?.stack, "dept-a/prod");
    await killOutright(child);
    assert.equal(await waiter.tryAcquire(TENANT.key, holder("dept-b/prod")), true);
    const unclean = waiter.uncleanEnd(TENANT.key);
    assert.equal(unclean?.holder.stack, "dept-a/prod");
    assert.equal(unclean?.kind, "process");
    assert.ok(unclean && Math.abs(Date.parse(unclean.expiredAt) - Date.now()) < 60_000, unclean?.expiredAt);
  });

  it("keeps a killed provider's tenant for its deployment, and says so, until its engine has ended", async () => {
    const engine = await engineStandIn();
    const child = await holdInChild(locks.scope(), TENANT.key, holder("dept-a/prod", engine.address));
    const [waiter, third] = [lock(), lock()];
    const said: string[] = [];
    let tenantTaken = false;
    const holding = holdTenant(waiter, TENANT, {
      holder: holder("dept-b/prod"),
      timeoutMs: 60_000,
      timeoutSetting: "koodrive:lockTimeout",
      holding: async () => [],
      say: (line) => said.push(line),
    }).then(() => {
      tenantTaken = true;
    });
    while (said.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.match(
      said[0] ?? "",
      /stack dept-a\/prod on .* \(pid 4242\) has been deploying to this tenant since 10:42:07 UTC$/,
    );

    await killOutright(child);
    while (said.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.match(
      said[1] ?? "",
      /^waiting for the KooDrive tenant https:\/\/koodrive\.example: stack dept-a\/prod on .* \(pid 4242\), deploying to this tenant since 10:42:07 UTC, ended without releasing it while its engine still runs the deployment; waiting for that deployment to end$/,
    );
    assert.equal(tenantTaken, false, "the waiter stays out while the killed holder's engine runs");
    assert.equal(await third.tryAcquire(TENANT.key, holder("dept-c/prod")), false, "and so does everyone else");
    const seen = await third.holderOf(TENANT.key);
    assert.deepEqual([seen?.stack, seen?.orphaned], ["dept-a/prod", true], "held on the killed holder's behalf");
    const sameDeployment = lock();
    await holdTenant(sameDeployment, TENANT, {
      holder: holder("dept-a/prod"),
      timeoutMs: 5_000,
      timeoutSetting: "koodrive:lockTimeout",
      holding: async () => [],
      say: () => undefined,
    });

    await new Promise((resolve) => engine.server.close(resolve));
    await holding;
    assert.equal(waiter.uncleanEnd(TENANT.key)?.holder.stack, "dept-a/prod");
    assert.equal(waiter.uncleanEnd(TENANT.key)?.kind, "process");
  });
});
