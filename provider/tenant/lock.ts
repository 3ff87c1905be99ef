/**
 * The tenant lock: one deployment at a time changes a tenant. Two backends implement it: a lock on
 * this machine (local-lock.ts, the default) and PostgreSQL advisory locks across machines
 * (postgres-lock.ts, the `lockUrl` setting). Both are released by the operating system or the server
 * when the process holding them ends, however it ends: no lock outlives its holder.
 */

/** Who holds a tenant, for the messages of those who wait or preview. */
export interface TenantLockHolder {
  /** The holder's stack (from its guard's URN). */
  stack: string;
  /** The machine it runs on. */
  host: string;
  /** The process holding the lock. */
  pid: number;
  /** When it took the lock (ISO 8601). */
  since: string;
  /**
   * The deployment it belongs to (a hash of the engine's address and the machine). The engine runs
   * each provider in a process of its own: a process finding the lock held by its own deployment
   * shares it instead of waiting for itself.
   */
  deployment: string;
}

/** A lock backend. Keys are tenant keys (`TenantIdentity.key`, hex): equal for every spelling of a tenant. */
export interface TenantLockBackend {
  /** Takes the tenant's lock if it is free, without waiting: true when this process holds it now (also when it already did). */
  tryAcquire(tenantKey: string, holder: TenantLockHolder): Promise<boolean>;
  /** Who holds the tenant's lock now, if anyone (this process included); undefined when it is free or unknown. */
  holderOf(tenantKey: string): Promise<TenantLockHolder | undefined>;
  /** Releases every lock this backend holds and closes its connections. */
  close(): Promise<void>;
}
