/**
 * The tenant lock: one deployment at a time changes a tenant. Two backends implement it: a lock on
 * this machine (local-lock.ts, the default), released by the operating system when its process ends
 * however it ends, and a lease across machines in PostgreSQL (postgres-lock.ts, the `lockUrl`
 * setting), which its holder renews while it runs and which another deployment may take only once it
 * has expired. A backend says when it loses a tenant it held (`onLost`) and refuses to vouch for it
 * from then on (`assertHeld`).
 */
import type { TenantLeaseLost } from "../client/errors";

/** Who holds a tenant, for the messages of those who wait or preview. */
export interface TenantLockHolder {
  /** The holder's stack (from its guard's URN). */
  stack: string;
  /** The machine it runs on. */
  host: string;
  /** The process holding the lock. */
  pid: number;
  /**
   * When its deployment first went for a tenant (ISO 8601), the same for every tenant it takes: the
   * deployment's age, by which the younger of two deployments that hold tenants gives way (hold.ts).
   */
  since: string;
  /**
   * The deployment it belongs to (a hash of the engine's address and the machine). The engine runs
   * each provider in a process of its own: a process finding the lock held by its own deployment
   * shares it instead of waiting for itself.
   */
  deployment: string;
  /**
   * The address of the holder's engine (its gRPC `host:port` on the holder's machine), when known: a
   * waiter on that machine whose holder's provider process ended without releasing the tenant asks
   * it, and keeps waiting while that engine, and the work it drives, still runs.
   */
  engine?: string;
  /**
   * This holder's provider process ended without releasing the tenant while its engine still runs:
   * the waiter that found it holds the tenant on that deployment's behalf (its other provider
   * processes share it) until that engine has ended.
   */
  orphaned?: boolean;
}

/**
 * A holder that let go of the tenant without releasing it, which this backend took over: it ended
 * uncleanly. A lease across machines expired unrenewed; a lock on this machine lost its process.
 */
export interface UncleanEnd {
  /** The previous holder. */
  holder: TenantLockHolder;
  /** When it let go (ISO 8601): its lease expired (the lock server's clock), or its process ended. */
  expiredAt: string;
  /** `lease`: a lease that expired unrenewed; `process`: a lock on this machine whose process ended. */
  kind: "lease" | "process";
}

/** A lock backend. Keys are tenant keys (`TenantIdentity.key`, hex): equal for every spelling of a tenant. */
export interface TenantLockBackend {
  /** Takes the tenant's lock if it is free, without waiting: true when this process holds it now (also when it already did). */
  tryAcquire(tenantKey: string, holder: TenantLockHolder): Promise<boolean>;
  /** Who holds the tenant's lock now, if anyone (this process included); undefined when it is free or unknown. */
  holderOf(tenantKey: string): Promise<TenantLockHolder | undefined>;
  /**
   * Resolves when this process holds the tenant and will hold it for at least `forMs` more; else
   * rejects with `TenantLeaseLost` (lost, never held, or ending sooner than `forMs`).
   */
  assertHeld(tenantKey: string, forMs: number): Promise<void>;
  /** Calls `listener` at once whenever this backend loses a tenant it held (it never gets it back). */
  onLost(listener: (tenantKey: string, error: TenantLeaseLost) => void): void;
  /** The holder whose expired, unreleased lease the last `tryAcquire` of the tenant took over, if it did. */
  uncleanEnd(tenantKey: string): UncleanEnd | undefined;
  /** Releases every lock this backend holds and closes its connections. */
  close(): Promise<void>;
}
