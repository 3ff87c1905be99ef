/**
 * The tenant lock with `lockUrl`: the lock on this machine first, then the lease in PostgreSQL, so
 * that on one machine a stack with `lockUrl` and one without still wait for each other, and across
 * machines the lease serializes them. Every process takes the two in the same order, so none waits
 * for the lease while holding what another waits for on its machine.
 */
import type { TenantLeaseLost } from "../client/errors";
import type { TenantLockBackend, TenantLockHolder, UncleanEnd } from "./lock";

/** This machine's lock, then the lock server's lease: held when both are. */
export class LayeredTenantLock implements TenantLockBackend {
  readonly #machine: TenantLockBackend;
  readonly #server: TenantLockBackend;
  /** The deployment of this process's holder, once it asked: the machine's lock held by it is no one else's. */
  #deployment: string | undefined;

  /** `machine`: the lock on this machine (shared with the stacks without `lockUrl`); `server`: the lease. */
  constructor(machine: TenantLockBackend, server: TenantLockBackend) {
    this.#machine = machine;
    this.#server = server;
  }

  /**
   * Takes this machine's lock (or finds it held by this deployment's other process), then the lease;
   * false when either is another deployment's. The machine's lock, once taken, is kept while the
   * lease is waited for.
   */
  async tryAcquire(tenantKey: string, holder: TenantLockHolder): Promise<boolean> {
    this.#deployment = holder.deployment;
    if (!(await this.#machine.tryAcquire(tenantKey, holder))) {
      const local = await this.#machine.holderOf(tenantKey);
      if (!local || local.deployment !== holder.deployment || local.orphaned) return false;
    }
    return this.#server.tryAcquire(tenantKey, holder);
  }

  /** Another deployment holding this machine's lock; else the lease's holder. */
  async holderOf(tenantKey: string): Promise<TenantLockHolder | undefined> {
    const local = await this.#machine.holderOf(tenantKey);
    if (local && (local.deployment !== this.#deployment || local.orphaned)) return local;
    return this.#server.holderOf(tenantKey);
  }

  /** The lease's: this machine's lock is never lost while its process lives. */
  assertHeld(tenantKey: string, forMs: number): Promise<void> {
    return this.#server.assertHeld(tenantKey, forMs);
  }

  onLost(listener: (tenantKey: string, error: TenantLeaseLost) => void): void {
    this.#server.onLost(listener);
  }

  uncleanEnd(tenantKey: string): UncleanEnd | undefined {
    return this.#server.uncleanEnd(tenantKey) ?? this.#machine.uncleanEnd(tenantKey);
  }

  /** Releases the lease, then this machine's lock. */
  async close(): Promise<void> {
    await this.#server.close();
    await this.#machine.close();
  }
}
