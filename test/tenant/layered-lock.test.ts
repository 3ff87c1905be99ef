import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { LayeredTenantLock } from "../../provider/tenant/layered-lock";
import { LocalTenantLock } from "../../provider/tenant/local-lock";
import { lockHolder as holder } from "../helpers/lock-holder";

const TENANT = "d".repeat(64);

/**
 * The lock of a stack with `lockUrl`: this machine's lock, then the lock server's. Another scope of
 * local sockets stands for the lock server (the PostgreSQL tier tests the lease itself), another
 * scope of this machine's for another machine.
 */
describe("the tenant lock with lockUrl: this machine's, then the lock server's", () => {
  let machine: string;
  let otherMachine: string;
  let server: string;
  const made: { close(): Promise<void> }[] = [];
  const local = (scope: string) => {
    const lock = new LocalTenantLock(scope);
    made.push(lock);
    return lock;
  };
  const withLockUrl = (scope: string) => {
    const lock = new LayeredTenantLock(local(scope), local(server));
    made.push(lock);
    return lock;
  };
  beforeEach(() => {
    [machine, otherMachine, server] = [randomUUID(), randomUUID(), randomUUID()];
  });
  afterEach(async () => {
    for (const lock of made.splice(0)) await lock.close();
  });

  it("keeps out a stack without lockUrl on the same machine, and one with it on another", async () => {
    const holding = withLockUrl(machine);
    assert.equal(await holding.tryAcquire(TENANT, holder("with-url")), true);
    const plain = local(machine);
    assert.equal(await plain.tryAcquire(TENANT, holder("without-url")), false, "the same machine's lock");
    assert.equal((await plain.holderOf(TENANT))?.stack, "with-url");
    const elsewhere = withLockUrl(otherMachine);
    assert.equal(await elsewhere.tryAcquire(TENANT, holder("elsewhere")), false, "the lock server's");
    assert.equal((await elsewhere.holderOf(TENANT))?.stack, "with-url");
    await holding.close();
    assert.equal(await elsewhere.tryAcquire(TENANT, holder("elsewhere")), true);
  });

  it("waits behind a stack without lockUrl on the same machine, naming it, before asking the lock server", async () => {
    const plain = local(machine);
    assert.equal(await plain.tryAcquire(TENANT, holder("without-url")), true);
    const waiting = withLockUrl(machine);
    assert.equal(await waiting.tryAcquire(TENANT, holder("with-url")), false);
    assert.equal((await waiting.holderOf(TENANT))?.stack, "without-url");
    assert.equal(await local(server).holderOf(TENANT), undefined, "the lock server was not taken meanwhile");
    await plain.close();
    assert.equal(await waiting.tryAcquire(TENANT, holder("with-url")), true);
  });

  it("names the lock server's holder, not its own machine's lock, once it holds that", async () => {
    const remote = withLockUrl(otherMachine);
    assert.equal(await remote.tryAcquire(TENANT, holder("remote")), true);
    const here = withLockUrl(machine);
    assert.equal(await here.tryAcquire(TENANT, holder("here")), false);
    assert.equal((await here.holderOf(TENANT))?.stack, "remote", "who it waits for");
    // Another process of this deployment on this machine shares its lock and asks the server.
    const sibling = withLockUrl(machine);
    assert.equal(await sibling.tryAcquire(TENANT, holder("here-too", "here")), false);
    assert.equal((await sibling.holderOf(TENANT))?.stack, "remote");
  });
});
