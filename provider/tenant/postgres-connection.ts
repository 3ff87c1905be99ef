/**
 * One connection to the lock server (the `lockUrl` setting), for the tenant lease and for
 * `koodrive-usage db init`: opened on first use (and `pg` loaded then, so a run without `lockUrl`
 * never loads it), opened again when the server drops it (`pg_terminate_backend`, the role's
 * `idle_session_timeout`, a restart), and worded for people when it fails.
 *
 * Errors never carry the URL's password nor the driver's error: a bad URL is a ConfigurationError,
 * any failure of the server or the connection a LockError naming the setting, the server and the user.
 */
import type * as Pg from "pg";
import { ConfigurationError, type KooDriveError, LockError, redactError } from "../client/errors";
import { secretRedactor, serverText } from "../client/redact";

/** What of a lock URL may be shown: never the password. */
export interface LockServerTarget {
  /** `host:port` (or the socket folder). */
  server: string;
  user: string;
  /** Removes the password, as written or decoded, from a text. */
  redact: (text: string) => string;
}

/** Parses the setting, or throws the ConfigurationError that names it. */
export function parseLockUrl(url: string, settingName: string): LockServerTarget {
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
  let user = parsed.username;
  try {
    user = decodeURIComponent(user);
  } catch {
    // shown as written
  }
  return {
    server: host.startsWith("/") ? host : `${host}:${parsed.port || "5432"}`,
    user: user || "(the default user)",
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
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * True when `error` ended the connection rather than one statement: a socket failure, a timeout, a
 * FATAL or PANIC, a connection exception (class 08), or an operator intervention (class 57: the
 * session terminated, idle too long, the server shutting down or starting up).
 */
export function isConnectionFailure(error: unknown): boolean {
  const state = sqlState(error);
  if (!state) return true;
  if (/^(08|57)/.test(state)) return true;
  return /^(FATAL|PANIC)$/.test(String((error as { severity?: unknown }).severity));
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

/** Options for tests and callers that need them. */
export interface LockServerOptions {
  /** How long connecting may take, in ms (default 10 s). */
  connectTimeoutMs?: number;
  /** How long one query may take before the connection is taken for dead, in ms (default 30 s). */
  queryTimeoutMs?: number;
  /** The session's `application_name`, which the server shows in `pg_stat_activity`. */
  applicationName?: string;
}

/** One connection to the lock server, opened on first use and again after the server dropped it. */
export class LockServer {
  readonly target: LockServerTarget;
  readonly settingName: string;
  readonly #url: string;
  readonly #connectTimeoutMs: number;
  readonly #queryTimeoutMs: number;
  readonly #applicationName: string;
  #client: Promise<Pg.Client> | undefined;
  /** The client of `#client`, known from the moment it is made: events of any other are old news. */
  #raw: Pg.Client | undefined;
  /** True once a statement has run: the server was there, so losing it is an outage, not a wrong setting. */
  #reached = false;
  /** The errors made for a connection that could not be opened or was dropped (not for a refused statement). */
  readonly #outages = new WeakSet<object>();

  constructor(url: string, settingName: string, options: LockServerOptions = {}) {
    this.target = parseLockUrl(url, settingName);
    this.settingName = settingName;
    this.#url = url.trim();
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.#queryTimeoutMs = options.queryTimeoutMs ?? 30_000;
    this.#applicationName = options.applicationName ?? "koodrive";
  }

  /** True once a statement has run on any connection of this server. */
  get reached(): boolean {
    return this.#reached;
  }

  /**
   * Runs one statement, within `timeoutMs` if given (else the query timeout). When a connection that
   * worked before turns out dropped, it opens a new one and runs the statement once more, so every
   * statement given here must be safe to run twice. A failure becomes a LockError naming the setting.
   */
  async query<Row extends Pg.QueryResultRow>(text: string, values: unknown[] = [], timeoutMs?: number): Promise<Row[]> {
    for (let attempt = 0; ; attempt++) {
      const fresh = !this.#client;
      const client = await this.#connection(timeoutMs);
      try {
        const result = await client.query<Row>({
          text,
          values,
          query_timeout: Math.max(1, Math.min(timeoutMs ?? this.#queryTimeoutMs, this.#queryTimeoutMs)),
        } as Pg.QueryConfig);
        this.#reached = true;
        return result.rows;
      } catch (error) {
        if (!isConnectionFailure(error)) throw this.error(error, "query", timeoutMs);
        this.#drop(client);
        if (fresh || attempt > 0) throw this.error(error, "query", timeoutMs);
      }
    }
  }

  /** Runs `work` in a transaction on the connection (no retry: a dropped connection rolls it back). */
  async transaction<T>(
    work: (query: (text: string, values?: unknown[]) => Promise<unknown>) => Promise<T>,
  ): Promise<T> {
    const client = await this.#connection();
    const run = async (text: string, values: unknown[] = []) => {
      try {
        return (await client.query(text, values)).rows;
      } catch (error) {
        if (isConnectionFailure(error)) this.#drop(client);
        throw error;
      }
    };
    await run("BEGIN");
    try {
      const result = await work(run);
      await run("COMMIT");
      this.#reached = true;
      return result;
    } catch (error) {
      await run("ROLLBACK").catch(() => undefined);
      throw error;
    }
  }

  /** True when `error` came from this server's connection failing (unreachable, dropped, timed out), not from a statement or a login. */
  isOutage(error: unknown): boolean {
    return typeof error === "object" && error !== null && this.#outages.has(error);
  }

  /** Closes the connection (the server ends the session with it). */
  async close(): Promise<void> {
    const opening = this.#client;
    this.#client = undefined;
    this.#raw = undefined;
    if (!opening) return;
    try {
      await (await opening).end();
    } catch {
      // never connected, or already gone
    }
  }

  /** The connection, opened on first use and after one was dropped. */
  #connection(timeoutMs?: number): Promise<Pg.Client> {
    if (!this.#client) {
      const opening = this.#open(timeoutMs);
      this.#client = opening;
      opening.catch(() => {
        if (this.#client === opening) this.#client = undefined;
      });
    }
    return this.#client;
  }

  async #open(timeoutMs?: number): Promise<Pg.Client> {
    const pg = require("pg") as typeof Pg;
    const connectTimeoutMs = Math.max(1, Math.min(timeoutMs ?? this.#connectTimeoutMs, this.#connectTimeoutMs));
    const client = new pg.Client({
      connectionString: this.#url,
      connectionTimeoutMillis: connectTimeoutMs,
      keepAlive: true,
      application_name: this.#applicationName,
    });
    this.#raw = client;
    // Without a listener, a connection dropping while idle would crash the process.
    client.on("error", () => this.#drop(client));
    client.on("end", () => this.#drop(client));
    try {
      await client.connect();
      // A lease taken or renewed is on disk before its holder counts on it, whatever the server's default.
      await client.query("SET synchronous_commit = on");
    } catch (error) {
      if (this.#raw === client) this.#raw = undefined;
      client.end().catch(() => undefined);
      throw this.error(error, "connect", connectTimeoutMs);
    }
    return client;
  }

  /** Forgets `client` when the server dropped it (or it failed): the next statement opens a new one. */
  #drop(client: Pg.Client): void {
    if (client !== this.#raw) return; // an earlier connection, or one closed on purpose
    this.#raw = undefined;
    this.#client = undefined;
    client.end().catch(() => undefined);
  }

  /** A LockError (or ConfigurationError) for a driver failure: what happened and what to do, no driver text but the server's. */
  error(error: unknown, phase: "connect" | "query", timeoutMs?: number): KooDriveError {
    const { server, user } = this.target;
    const setting = this.settingName;
    const state = sqlState(error);
    const said = serverText((error as { message?: unknown } | null)?.message?.toString() ?? "", 200);
    if (state === "28P01" || state === "28000" || /password must be a string/.test(said)) {
      const why = state ? `the server said: ${said}` : "the server asks for a password and the URL has none";
      return this.redacted(
        new LockError(
          "the lock server refused the login",
          `user ${user} at ${server}, ${why}; check the user and password in ${setting} (and that the server's pg_hba.conf lets this machine in)`,
          {},
        ),
      );
    }
    if (state && !/^(08|57)/.test(state)) {
      return this.redacted(
        new LockError(
          phase === "connect" ? "the lock server refused the connection" : "the lock server failed",
          `${server} (${setting}) said: ${said} (SQLSTATE ${state})`,
          {},
        ),
      );
    }
    if (state) {
      return this.#outage(
        new LockError(
          "the lock server dropped the connection",
          `${server} (${setting}) said: ${said} (SQLSTATE ${state}); check that the server runs and accepts connections from this machine`,
          {},
        ),
      );
    }
    const code = socketCode(error);
    const limit = timeoutMs ?? (phase === "connect" ? this.#connectTimeoutMs : this.#queryTimeoutMs);
    const reason =
      (code && SOCKET_REASONS[code]) ??
      (/timeout/i.test(said) ? `did not answer within ${limit / 1000} s` : undefined) ??
      (/ssl|tls|certificate/i.test(said) ? `failed the TLS handshake (${said})` : "could not be reached");
    return this.#outage(
      new LockError(
        "cannot reach the lock server",
        `${setting} points at ${server}, which ${reason}; check the host and port there, and that the server runs and accepts connections from this machine`,
        {},
      ),
    );
  }

  /** `error`, redacted, remembered as an outage. */
  #outage(error: LockError): LockError {
    this.#outages.add(error);
    return this.redacted(error);
  }

  /** `error` without the URL's password anywhere. */
  redacted<E extends KooDriveError>(error: E): E {
    return redactError(error, this.target.redact);
  }
}
