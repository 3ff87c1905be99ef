/**
 * The tenant lock across machines (the `lockUrl` setting): a lease per tenant, a row of
 * `koodrive.tenant_lease` (postgres-schema.ts), kept by its holder and known lost when it is not.
 *
 * - **Taken** in one statement, on the server's clock (no clock of any machine matters): only when
 *   there is no row, when the row has expired, or when it is this deployment's (another provider
 *   process of the same deployment joins it). Taking over an expired row whose holder never released
 *   it is recorded: that holder ended uncleanly, and the caller says so (`uncleanEnd`).
 * - **Renewed** by every process holding it, every third of the lease term. A renewal extends the
 *   lease only while it is still this deployment's and unexpired on the server. The process counts
 *   its lease as ending one term after it *sent* its last successful renewal, which is never later
 *   than the server's own `expires_at`.
 * - **Kept through a dropped session** (`pg_terminate_backend`, the role's `idle_session_timeout`,
 *   a server restart): the lease is a row, not a session lock, so it outlives the session; the next
 *   renewal opens a new connection and goes on, retrying until the lease would end.
 * - **Lost** when it could not be renewed before it ended, or the server no longer has it as this
 *   deployment's: `onLost` listeners hear it at once, and `tryAcquire` and `assertHeld` throw
 *   `TenantLeaseLost` for that tenant from then on (a lost lease is never quietly taken back).
 * - **Released** by `close()`, which the provider process calls when the engine stops it at the end
 *   of the deployment: the last process of the deployment holding it deletes the row.
 * - A process waiting for a tenant rides out an outage of the server it had reached, for up to one
 *   lease term (it neither takes nor names a holder meanwhile), then fails; a server never reached
 *   fails at once.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { TenantLeaseLost } from "../client/errors";
import { LOCK_LEASE_SECONDS } from "../config/settings";
import type { TenantLockBackend, TenantLockHolder, UncleanEnd } from "./lock";
import { LockServer, type LockServerOptions } from "./postgres-connection";
import { ensureSchema, LEASE_TABLE } from "./postgres-schema";

/** Options for tests and callers that need them. */
export interface PostgresTenantLockOptions extends Omit<LockServerOptions, "applicationName"> {
  /** The lease term, in ms (default: the `lockLease` setting's). */
  leaseMs?: number;
}

/** Takes the tenant when free, expired or this deployment's; returns the row taken and the row before. */
const TAKE = `
WITH previous AS (
  SELECT deployment, stack, host, pid, since, expires_at, cardinality(holders) > 0 AS unreleased
    FROM ${LEASE_TABLE} WHERE tenant = $1
), taken AS (
  INSERT INTO ${LEASE_TABLE} AS l (tenant, deployment, holders, stack, host, pid, since, renewed_at, expires_at)
  VALUES ($1, $2, ARRAY[$3::text], $4, $5, $6, now(), now(), now() + $7::int * interval '1 millisecond')
  ON CONFLICT (tenant) DO UPDATE SET
    holders = CASE WHEN l.deployment = excluded.deployment
                   THEN array_append(array_remove(l.holders, $3::text), $3::text) ELSE excluded.holders END,
    stack = CASE WHEN l.deployment = excluded.deployment THEN l.stack ELSE excluded.stack END,
    host = CASE WHEN l.deployment = excluded.deployment THEN l.host ELSE excluded.host END,
    pid = CASE WHEN l.deployment = excluded.deployment THEN l.pid ELSE excluded.pid END,
    since = CASE WHEN l.deployment = excluded.deployment THEN l.since ELSE excluded.since END,
    deployment = excluded.deployment,
    renewed_at = excluded.renewed_at,
    expires_at = excluded.expires_at
  WHERE l.deployment = excluded.deployment OR l.expires_at <= now()
  RETURNING l.tenant
)
SELECT EXISTS (SELECT 1 FROM taken) AS took, p.deployment, p.stack, p.host, p.pid, p.since, p.expires_at, p.unreleased
  FROM (SELECT 1) AS one LEFT JOIN previous p ON true`;

/** Extends the lease while it is still this process's deployment's and unexpired. */
const RENEW = `
UPDATE ${LEASE_TABLE} SET renewed_at = now(), expires_at = now() + $4::int * interval '1 millisecond'
 WHERE tenant = $1 AND deployment = $2 AND $3::text = ANY (holders) AND expires_at > now()
RETURNING expires_at`;

/** This process lets go; the statement after it deletes the row once no process of the deployment holds it. */
const LET_GO = `
UPDATE ${LEASE_TABLE} SET holders = array_remove(holders, $3::text)
 WHERE tenant = $1 AND deployment = $2 RETURNING cardinality(holders) AS left`;
const DELETE_RELEASED = `DELETE FROM ${LEASE_TABLE} WHERE tenant = $1 AND deployment = $2 AND cardinality(holders) = 0`;

const HOLDER = `SELECT deployment, stack, host, pid, since FROM ${LEASE_TABLE} WHERE tenant = $1 AND expires_at > now()`;

interface HolderRow {
  deployment: string;
  stack: string;
  host: string;
  pid: number;
  since: Date;
}

interface Lease {
  holder: TenantLockHolder;
  /** `performance.now()` by which this process counts the lease as ended unless renewed. */
  deadline: number;
  timer?: NodeJS.Timeout;
  renewing?: Promise<void>;
}

const holderOfRow = (row: HolderRow): TenantLockHolder => ({
  stack: row.stack,
  host: row.host,
  pid: row.pid,
  since: new Date(row.since).toISOString(),
  deployment: row.deployment,
});

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export class PostgresTenantLock implements TenantLockBackend {
  readonly #server: LockServer;
  readonly #leaseMs: number;
  /** This process among the holders of a lease (a deployment may hold through several processes). */
  readonly #process = `${process.pid}-${randomBytes(6).toString("hex")}`;
  readonly #held = new Map<string, Lease>();
  readonly #lost = new Map<string, TenantLeaseLost>();
  readonly #unclean = new Map<string, UncleanEnd>();
  readonly #listeners = new Set<(tenantKey: string, error: TenantLeaseLost) => void>();
  #schema: Promise<void> | undefined;
  /** When the server this process had reached stopped answering (while it held nothing), for the waiters' grace. */
  #unreachableSince: number | undefined;
  #closed = false;

  constructor(url: string, settingName: string, options: PostgresTenantLockOptions = {}) {
    this.#leaseMs = options.leaseMs ?? LOCK_LEASE_SECONDS.default * 1000;
    this.#server = new LockServer(url, settingName, {
      ...options,
      applicationName: `koodrive tenant lock (pid ${process.pid})`,
    });
  }

  async tryAcquire(tenantKey: string, holder: TenantLockHolder): Promise<boolean> {
    const lost = this.#lost.get(tenantKey);
    if (lost) throw lost;
    if (this.#held.has(tenantKey)) return true;
    const sent = performance.now();
    type TakeRow = Partial<HolderRow> & { took: boolean; expires_at: Date | null; unreleased: boolean | null };
    const rows = await this.#outageTolerant(async () => {
      await this.#ready();
      return this.#server.query<TakeRow>(TAKE, [
        tenantKey,
        holder.deployment,
        this.#process,
        holder.stack,
        holder.host,
        holder.pid,
        this.#leaseMs,
      ]);
    });
    const row = rows?.[0];
    if (!row?.took) return false;
    this.#unclean.delete(tenantKey);
    if (row.deployment && row.deployment !== holder.deployment && row.unreleased && row.expires_at) {
      this.#unclean.set(tenantKey, {
        holder: holderOfRow(row as HolderRow),
        expiredAt: new Date(row.expires_at).toISOString(),
        kind: "lease",
      });
    }
    const lease: Lease = { holder: { ...holder }, deadline: sent + this.#leaseMs };
    this.#held.set(tenantKey, lease);
    this.#schedule(tenantKey, lease);
    return true;
  }

  async holderOf(tenantKey: string): Promise<TenantLockHolder | undefined> {
    const mine = this.#held.get(tenantKey);
    if (mine) return { ...mine.holder };
    const rows = await this.#outageTolerant(async () => {
      await this.#ready();
      return this.#server.query<HolderRow>(HOLDER, [tenantKey]);
    });
    const row = rows?.[0];
    return row ? holderOfRow(row) : undefined;
  }

  async assertHeld(tenantKey: string, forMs: number): Promise<void> {
    const enough = () => {
      const lost = this.#lost.get(tenantKey);
      if (lost) throw lost;
      const lease = this.#held.get(tenantKey);
      if (!lease) {
        throw new TenantLeaseLost(
          "tenant not held",
          "this process holds no lease of the tenant, so it cannot vouch for it",
          {},
        );
      }
      return lease.deadline - performance.now() >= forMs;
    };
    if (enough()) return;
    if (forMs > this.#leaseMs) {
      throw new TenantLeaseLost(
        "the tenant's lease is too short for this call",
        `a lease of ${seconds(this.#leaseMs)} cannot outlive the ${seconds(forMs)} this call may take (its deadline, retries included); raise koodrive:lockLease (KOODRIVE_LOCK_LEASE) above ${Math.ceil(forMs / 1000)} s, or lower KOODRIVE_DEADLINE_MS; nothing was added`,
        {},
      );
    }
    await this.#renew(tenantKey);
    if (enough()) return;
    const lease = this.#held.get(tenantKey);
    const left = lease ? Math.max(0, lease.deadline - performance.now()) : 0;
    const { server } = this.#server.target;
    throw this.#server.redacted(
      new TenantLeaseLost(
        "the tenant's lease is ending",
        `it ends within ${seconds(left)}, sooner than the ${seconds(forMs)} this step needs, because its renewals at the lock server ${server} (${this.#server.settingName}) fail; nothing more is admitted under it`,
        {},
      ),
    );
  }

  onLost(listener: (tenantKey: string, error: TenantLeaseLost) => void): void {
    this.#listeners.add(listener);
  }

  uncleanEnd(tenantKey: string): UncleanEnd | undefined {
    return this.#unclean.get(tenantKey);
  }

  /** Releases the leases this process holds (within 2 s each) and closes the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    const held = [...this.#held.entries()];
    this.#held.clear();
    for (const [, lease] of held) clearTimeout(lease.timer);
    for (const [tenantKey, lease] of held) {
      try {
        const [row] = await this.#server.query<{ left: number }>(
          LET_GO,
          [tenantKey, lease.holder.deployment, this.#process],
          2_000,
        );
        if (row?.left === 0) await this.#server.query(DELETE_RELEASED, [tenantKey, lease.holder.deployment], 2_000);
      } catch {
        // unreachable: the lease ends at its term, and the next holder says it was not released
      }
    }
    await this.#server.close();
  }

  /** The schema, checked (and made when missing and allowed) once per backend. */
  #ready(): Promise<void> {
    if (!this.#schema) {
      const checking = ensureSchema(this.#server);
      this.#schema = checking;
      checking.catch(() => {
        if (this.#schema === checking) this.#schema = undefined;
      });
    }
    return this.#schema;
  }

  /**
   * `work`, or undefined while the server this backend had reached is out for less than a lease term
   * (a waiter rides out a restart or a dropped connection); any other failure, or a longer outage, throws.
   */
  async #outageTolerant<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await work();
      this.#unreachableSince = undefined;
      return result;
    } catch (error) {
      if (!this.#server.reached || !this.#server.isOutage(error)) throw error;
      this.#unreachableSince ??= performance.now();
      if (performance.now() - this.#unreachableSince >= this.#leaseMs) throw error;
      return undefined;
    }
  }

  /** The next renewal, a third of the term after the last. */
  #schedule(tenantKey: string, lease: Lease): void {
    clearTimeout(lease.timer);
    lease.timer = setTimeout(() => void this.#renew(tenantKey), this.#leaseMs / 3);
    lease.timer.unref(); // the lease does not keep the process alive: it ends with the process
  }

  /** Renews the lease (one renewal at a time): on failure retries until it would end, then it is lost. */
  #renew(tenantKey: string): Promise<void> {
    const lease = this.#held.get(tenantKey);
    if (!lease) return Promise.resolve();
    lease.renewing ??= this.#renewing(tenantKey, lease).finally(() => {
      lease.renewing = undefined;
    });
    return lease.renewing;
  }

  async #renewing(tenantKey: string, lease: Lease): Promise<void> {
    const retryMs = Math.min(1_000, Math.max(100, this.#leaseMs / 10));
    let failure = "";
    for (;;) {
      if (this.#closed || this.#held.get(tenantKey) !== lease) return;
      const left = lease.deadline - performance.now();
      if (left <= 0) {
        this.#lose(
          tenantKey,
          `could not be renewed before it ended (${failure || "the lock server did not answer in time"})`,
        );
        return;
      }
      const sent = performance.now();
      try {
        const rows = await this.#server.query(
          RENEW,
          [tenantKey, lease.holder.deployment, this.#process, this.#leaseMs],
          left,
        );
        if (this.#closed || this.#held.get(tenantKey) !== lease) return;
        if (rows.length === 0) {
          this.#lose(tenantKey, "is no longer this deployment's at the lock server (it expired there, or was removed)");
          return;
        }
        lease.deadline = sent + this.#leaseMs;
        this.#schedule(tenantKey, lease);
        return;
      } catch (error) {
        // The server's own refusal (a revoked privilege) says more than the timeouts of the last,
        // ever shorter retries that follow it.
        if (!failure || !this.#server.isOutage(error)) failure = error instanceof Error ? error.message : String(error);
      }
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(retryMs, Math.max(0, lease.deadline - performance.now()))).unref(),
      );
    }
  }

  /** The lease is gone: every listener hears it at once, and the tenant stays lost for this backend. */
  #lose(tenantKey: string, why: string): void {
    const lease = this.#held.get(tenantKey);
    if (lease) clearTimeout(lease.timer);
    this.#held.delete(tenantKey);
    const { server } = this.#server.target;
    const error = this.#server.redacted(
      new TenantLeaseLost(
        "lost the tenant's lease",
        `this deployment's lease of the tenant at the lock server ${server} (${this.#server.settingName}) ${why}; another deployment may take the tenant now, so this deployment's guards of it fail from now on: stop the deployment, check the tenant's figures, and run it again`,
        {},
      ),
    );
    this.#lost.set(tenantKey, error);
    for (const listener of this.#listeners) listener(tenantKey, error);
  }
}
