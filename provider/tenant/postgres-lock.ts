/**
 * The tenant lock across machines: PostgreSQL session advisory locks (the `lockUrl` setting).
 *
 * - One dedicated connection per backend, opened on first use (and `pg` loaded then, so a run without
 *   `lockUrl` never loads it). The locks belong to that connection's session: the server drops them
 *   when the connection ends, also when the holding process is killed (its socket closes). A holder
 *   whose machine vanishes keeps its lock until the server's TCP keepalives find the connection dead.
 * - A tenant's lock is `pg_try_advisory_lock(LOCK_CLASS, objid)`: LOCK_CLASS is this project's fixed
 *   int4, objid the first 8 hex digits of the tenant key as an int4. Two tenants whose keys share
 *   those 32 bits wait for each other (one in four billion): never unsafe, only slower.
 * - Taking a lock also sets the session's `application_name` to the holder, in the server's 63 bytes:
 *   `kd1 <since> <pid> <deployment> <host> <stack>`, since (ms) and pid in base 36, a hex deployment
 *   (what deploymentOf gives) as `h` + base64url of its bytes, any other as `r` + itself. The
 *   deployment is kept exact, for a process to find its own deployment holding; host and stack are
 *   only for messages and are cut to fit (a cut ends in `~`; characters outside printable ASCII
 *   become `?`). `holderOf` reads it back through `pg_locks` and `pg_stat_activity`, which every
 *   user may read: no table to create, no privilege to grant. A process holding several tenants
 *   shows the holder it gave last; it reads its own from memory.
 * - Taking a lock this backend holds already checks the lock is still there and does not stack it.
 * - Errors never carry the URL's password nor the driver's error: a bad URL is a ConfigurationError,
 *   any failure of the server or the connection a LockError; a connection lost while holding locks
 *   says the locks are gone, and every later call says it again (make a new backend to start over).
 */

import type * as Pg from "pg";
import { ConfigurationError, InternalError, type KooDriveError, LockError, redactError } from "../client/errors";
import { secretRedactor, serverText } from "../client/redact";
import type { TenantLockBackend, TenantLockHolder } from "./lock";

/** The advisory lock class of KooDrive tenant locks: "KooD" as an int4. */
export const LOCK_CLASS = 0x4b6f6f44;
/** The server keeps 63 bytes of `application_name` (NAMEDATALEN - 1). */
const APPLICATION_NAME_BYTES = 63;
const HOLDER_TAG = "kd1";

/** Options for tests and callers that need them. */
export interface PostgresTenantLockOptions {
  /** How long connecting may take, in ms (default 10 s). */
  connectTimeoutMs?: number;
  /** How long one query may take before the connection is taken for dead, in ms (default 30 s). */
  queryTimeoutMs?: number;
}

/** The int4 pair of a tenant's advisory lock: the signed objid for the lock call, unsigned for `pg_locks`. */
export function lockIds(tenantKey: string): { objid: number; unsignedObjid: number } {
  if (!/^[0-9a-f]{8}/i.test(tenantKey)) throw new InternalError("a tenant key is hex (TenantIdentity.key)");
  const unsignedObjid = Number.parseInt(tenantKey.slice(0, 8), 16);
  return { objid: unsignedObjid | 0, unsignedObjid };
}

const printable = (text: string) => text.replace(/[^!-~]/g, "?");
const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}~`);

/** A deployment as `application_name` keeps it: hex as `h` + base64url of its bytes (a third shorter), else `r` + itself. */
function encodeDeployment(deployment: string): string {
  return /^(?:[0-9a-f]{2})+$/.test(deployment)
    ? `h${Buffer.from(deployment, "hex").toString("base64url")}`
    : `r${printable(deployment)}`;
}

function decodeDeployment(text: string): string | undefined {
  if (/^h[\w-]*$/.test(text)) return Buffer.from(text.slice(1), "base64url").toString("hex");
  return text.startsWith("r") ? text.slice(1) : undefined;
}

/** The holder as an `application_name` of at most 63 bytes. */
export function encodeHolder(holder: TenantLockHolder): string {
  const millis = Date.parse(holder.since);
  const since = (Number.isNaN(millis) ? Date.now() : millis).toString(36);
  const head = `${HOLDER_TAG} ${since} ${holder.pid.toString(36)} ${encodeDeployment(holder.deployment)}`;
  const room = APPLICATION_NAME_BYTES - head.length - 2; // two separating spaces
  const host = printable(holder.host);
  const stack = printable(holder.stack);
  // The stack says which deployment holds: it keeps its length while the host can give way (down to 8).
  const hostRoom = Math.min(host.length, Math.max(8, room - stack.length));
  return `${head} ${cut(host, hostRoom)} ${cut(stack, room - hostRoom)}`;
}

/** The holder an `application_name` records, or undefined when it is not one of ours. */
export function decodeHolder(name: string | null | undefined): TenantLockHolder | undefined {
  const parts = (name ?? "").split(" ");
  if (parts.length !== 6 || parts[0] !== HOLDER_TAG) return undefined;
  const [, since36, pid36, encoded, host, stack] = parts as [string, string, string, string, string, string];
  const deployment = decodeDeployment(encoded);
  if (!/^[0-9a-z]+$/.test(since36) || !/^[0-9a-z]+$/.test(pid36) || deployment === undefined) return undefined;
  const since = new Date(Number.parseInt(since36, 36));
  if (Number.isNaN(since.getTime())) return undefined;
  return { stack, host, pid: Number.parseInt(pid36, 36), since: since.toISOString(), deployment };
}

/** What of a lock URL may be shown: never the password. */
interface Target {
  /** `host:port` (or the socket folder). */
  server: string;
  user: string;
  redact: (text: string) => string;
}

/** Parses the setting, or throws the ConfigurationError that names it. */
function parseLockUrl(url: string, settingName: string): Target {
  const bad = (detail: string) =>
    new ConfigurationError(
      `${settingName} is not a postgres:// URL`,
      `${detail}; give it as postgres://USER:PASSWORD@HOST:PORT/DATABASE`,
    );
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw bad("it cannot be read as a URL");
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:")
    throw bad(`it starts with ${serverText(parsed.protocol, 20)}`);
  const password = parsed.password;
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // a password with a stray %: redact it as written
  }
  const socket = parsed.searchParams.get("host");
  const host = parsed.hostname || socket || "localhost";
  return {
    server: host.startsWith("/") ? host : `${host}:${parsed.port || "5432"}`,
    user: parsed.username || "(the default user)",
    redact: secretRedactor([password, decoded].filter(Boolean)),
  };
}

/** The error code of a socket failure, also inside an AggregateError (one per address tried). */
function socketCode(error: unknown): string | undefined {
  const { code, errors } = (error ?? {}) as { code?: unknown; errors?: unknown[] };
  if (typeof code === "string" && /^E[A-Z_]+$/.test(code)) return code;
  return errors?.map(socketCode).find(Boolean);
}

/** The SQLSTATE of a server error, if `error` is one. */
function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

const SOCKET_REASONS: Record<string, string> = {
  ECONNREFUSED: "refused the connection (nothing listens there)",
  ENOTFOUND: "is not a known host name",
  EAI_AGAIN: "could not be looked up (DNS failed)",
  ETIMEDOUT: "did not answer",
  EHOSTUNREACH: "cannot be reached from this machine",
  ENETUNREACH: "cannot be reached from this machine",
  ECONNRESET: "closed the connection",
  ENOENT: "has no server socket there",
};

export class PostgresTenantLock implements TenantLockBackend {
  readonly #url: string;
  readonly #settingName: string;
  readonly #target: Target;
  readonly #connectTimeoutMs: number;
  readonly #queryTimeoutMs: number;
  /** The tenants this backend holds, with the holder given for each. */
  readonly #held = new Map<string, TenantLockHolder>();
  #client: Promise<Pg.Client> | undefined;
  /** The client of `#client`, known from the moment it is made: events of any other are old news. */
  #raw: Pg.Client | undefined;
  /** Set for good once the connection was lost while holding locks. */
  #lost: LockError | undefined;

  constructor(url: string, settingName: string, options: PostgresTenantLockOptions = {}) {
    this.#target = parseLockUrl(url, settingName);
    this.#url = url.trim();
    this.#settingName = settingName;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.#queryTimeoutMs = options.queryTimeoutMs ?? 30_000;
  }

  async tryAcquire(tenantKey: string, holder: TenantLockHolder): Promise<boolean> {
    const { objid, unsignedObjid } = lockIds(tenantKey);
    if (this.#held.has(tenantKey)) {
      // Held already: check it is still there (and the connection alive), without stacking it.
      const { rows } = await this.#query<{ mine: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory'
           AND classid = $1::oid AND objid = $2::oid AND objsubid = 2 AND granted) AS mine`,
        [LOCK_CLASS, unsignedObjid],
      );
      if (rows[0]?.mine) return true;
      this.#held.delete(tenantKey);
    }
    // The holder is recorded in the same statement that takes the lock, and only when it does.
    const { rows } = await this.#query<{ got: boolean }>(
      `SELECT CASE WHEN pg_try_advisory_lock($1::int4, $2::int4)
         THEN set_config('application_name', $3, false) IS NOT NULL ELSE false END AS got`,
      [LOCK_CLASS, objid, encodeHolder(holder)],
    );
    const got = rows[0]?.got === true;
    if (got) this.#held.set(tenantKey, { ...holder });
    return got;
  }

  async holderOf(tenantKey: string): Promise<TenantLockHolder | undefined> {
    const { unsignedObjid } = lockIds(tenantKey);
    const { rows } = await this.#query<{ name: string | null; mine: boolean }>(
      `SELECT a.application_name AS name, l.pid = pg_backend_pid() AS mine
         FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 2
        LIMIT 1`,
      [LOCK_CLASS, unsignedObjid],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.mine) {
      const mine = this.#held.get(tenantKey);
      if (mine) return { ...mine };
    }
    return decodeHolder(row.name);
  }

  async close(): Promise<void> {
    const opening = this.#client;
    this.#client = undefined;
    this.#raw = undefined;
    this.#held.clear();
    if (!opening) return;
    try {
      await (await opening).end(); // the server drops the session's locks with it
    } catch {
      // never connected, or already gone: nothing is held either way
    }
  }

  /** Runs one query on the connection; any failure becomes a LockError naming the setting. */
  async #query<Row extends Pg.QueryResultRow>(text: string, values: unknown[]): Promise<Pg.QueryResult<Row>> {
    const client = await this.#connection();
    try {
      return await client.query<Row>(text, values);
    } catch (error) {
      // A failure of the connection itself (no SQLSTATE, or a FATAL one) ends the session and its locks.
      const fatal = !sqlState(error) || /^(FATAL|PANIC)$/.test(String((error as { severity?: unknown }).severity));
      const lost = this.#lost ?? (fatal ? this.#connectionLost(client) : undefined);
      if (lost) throw lost;
      throw this.#error(error, "query");
    }
  }

  /** The connection, opened on first use (and again after one that held nothing was lost). */
  #connection(): Promise<Pg.Client> {
    if (this.#lost) return Promise.reject(this.#lost);
    if (!this.#client) {
      const opening = this.#open();
      this.#client = opening;
      opening.catch(() => {
        if (this.#client === opening) this.#client = undefined;
      });
    }
    return this.#client;
  }

  async #open(): Promise<Pg.Client> {
    const pg = require("pg") as typeof Pg;
    const client = new pg.Client({
      connectionString: this.#url,
      connectionTimeoutMillis: this.#connectTimeoutMs,
      query_timeout: this.#queryTimeoutMs,
      keepAlive: true,
      application_name: "koodrive tenant lock",
    });
    this.#raw = client;
    // Without a listener, a connection dropping while idle would crash the process.
    client.on("error", () => this.#connectionLost(client));
    client.on("end", () => this.#connectionLost(client));
    try {
      await client.connect();
    } catch (error) {
      if (this.#raw === client) this.#raw = undefined;
      client.end().catch(() => undefined);
      throw this.#error(error, "connect");
    }
    return client;
  }

  /** Called when `client` fails or ends: the error its locks' loss gives, if it held any. */
  #connectionLost(client: Pg.Client): LockError | undefined {
    if (client !== this.#raw) return this.#lost; // an earlier connection, or one closed on purpose
    this.#raw = undefined;
    this.#client = undefined;
    if (this.#held.size > 0 && !this.#lost) {
      const count = this.#held.size;
      this.#held.clear();
      this.#lost = this.#redacted(
        new LockError(
          "tenant lock lost",
          `the connection to the lock server ${this.#target.server} (${this.#settingName}) ended while this ` +
            `process held the lock of ${count === 1 ? "a tenant" : `${count} tenants`}: the lock is gone, and ` +
            "another deployment may take it now; stop this deployment and run it again",
          {},
        ),
      );
    }
    client.end().catch(() => undefined);
    return this.#lost;
  }

  /** A LockError (or ConfigurationError) for a driver failure: what happened and what to do, no driver text but the server's. */
  #error(error: unknown, phase: "connect" | "query"): KooDriveError {
    const { server, user } = this.#target;
    const setting = this.#settingName;
    const state = sqlState(error);
    const said = serverText((error as { message?: unknown } | null)?.message?.toString() ?? "", 200);
    if (state === "28P01" || state === "28000" || /password must be a string/.test(said)) {
      const why = state ? `the server said: ${said}` : "the server asks for a password and the URL has none";
      return this.#redacted(
        new LockError(
          "the lock server refused the login",
          `user ${user} at ${server}, ${why}; check the user and password in ${setting} (and that the server's pg_hba.conf lets this machine in)`,
          {},
        ),
      );
    }
    if (state) {
      return this.#redacted(
        new LockError(
          phase === "connect" ? "the lock server refused the connection" : "the lock server failed",
          `${server} (${setting}) said: ${said} (SQLSTATE ${state})`,
          {},
        ),
      );
    }
    const code = socketCode(error);
    const reason =
      (code && SOCKET_REASONS[code]) ??
      (/timeout/i.test(said)
        ? `did not answer within ${(phase === "connect" ? this.#connectTimeoutMs : this.#queryTimeoutMs) / 1000} s`
        : undefined) ??
      (/ssl|tls|certificate/i.test(said) ? `failed the TLS handshake (${said})` : "could not be reached");
    return this.#redacted(
      new LockError(
        "cannot reach the lock server",
        `${setting} points at ${server}, which ${reason}; check the host and port there, and that the server runs and accepts connections from this machine`,
        {},
      ),
    );
  }

  #redacted<E extends KooDriveError>(error: E): E {
    return redactError(error, this.#target.redact);
  }
}
