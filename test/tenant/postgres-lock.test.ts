import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import path from "node:path";
import { inspect } from "node:util";
import { isKooDriveError, type KooDriveError, type TenantLeaseLost } from "../../provider/client/errors";
import type { TenantLockHolder } from "../../provider/tenant/lock";
import { LockServer } from "../../provider/tenant/postgres-connection";
import { PostgresTenantLock, type PostgresTenantLockOptions } from "../../provider/tenant/postgres-lock";
import { createSchema, grantStatements, LEASE_TABLE } from "../../provider/tenant/postgres-schema";
import { refusedUrl } from "../helpers/loopback-server";
import { type PostgresServer, startPostgres } from "../helpers/postgres";

const SETTING = "koodrive:lockUrl";
const TENANT_A = "a1".repeat(32);
const TENANT_B = "b2".repeat(32);
const BUILT_MODULE = path.join(__dirname, "../../provider/tenant/postgres-lock.js");

const DEPLOYMENT = "0123456789abcdef01234567"; // as deploymentOf gives it: 24 hex digits
/** A short lease term, so that the tests see several terms pass in seconds. */
const SHORT_LEASE_MS = 1_500;

const holder = (stack: string, host: string, pid: number, deployment = `${DEPLOYMENT}-${stack}`): TenantLockHolder => ({
  stack,
  host,
  pid,
  since: new Date().toISOString(),
  deployment,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The error `promise` rejects with; fails when it resolves or rejects with anything but a KooDriveError. */
async function failure(promise: Promise<unknown>): Promise<KooDriveError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isKooDriveError(error), `not a KooDriveError: ${inspect(error)}`);
    return error;
  }
  assert.fail("resolved; expected an error");
}

/** Every way an error could show a password, and no driver stack trace. */
function assertClean(error: KooDriveError, password: string): void {
  for (const text of [error.message, error.stack ?? "", inspect(error), JSON.stringify(error)]) {
    assert.ok(!text.includes(password), `the password shows in: ${text}`);
    assert.ok(!text.includes(encodeURIComponent(password)), `the encoded password shows in: ${text}`);
    assert.ok(!/node_modules[\\/]pg/.test(text), `a driver stack trace shows in: ${text}`);
  }
  assert.ok(!error.message.includes("\n"), `more than one line: ${error.message}`);
}

/** Polls `condition` every 100 ms until it is true or `ms` pass. */
async function eventually(condition: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

/** Tries `lock.tryAcquire` every 100 ms for `ms`: the ms it took to get in, or undefined when it never did. */
async function keepsOut(lock: PostgresTenantLock, who: TenantLockHolder, ms: number): Promise<number | undefined> {
  const started = Date.now();
  for (;;) {
    if (await lock.tryAcquire(TENANT_A, who)) return Date.now() - started;
    if (Date.now() - started > ms) return undefined;
    await sleep(100);
  }
}

/** A child node process that takes TENANT_A's lease through the built module, says "held", and waits. */
function holderProcess(url: string, leaseMs: number): Promise<ChildProcess> {
  const script = `
    const { PostgresTenantLock } = require(process.env.LOCK_MODULE);
    const lock = new PostgresTenantLock(process.env.LOCK_URL, "KOODRIVE_LOCK_URL", { leaseMs: Number(process.env.LEASE_MS) });
    lock.tryAcquire(process.env.LOCK_KEY, { stack: "child", host: "child-host", pid: process.pid, since: new Date().toISOString(), deployment: "c0ffee" })
      .then((got) => { process.stdout.write(got ? "held\\n" : "busy\\n"); setInterval(() => {}, 60000); },
            (error) => { process.stdout.write("error " + error.message + "\\n"); process.exit(1); });`;
  const child = spawn(process.execPath, ["-e", script], {
    env: { ...process.env, LOCK_MODULE: BUILT_MODULE, LOCK_URL: url, LOCK_KEY: TENANT_A, LEASE_MS: String(leaseMs) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk) => {
      out += chunk;
      if (out === "held\n") resolve(child);
      else if (out.endsWith("\n")) reject(new Error(`holder process: ${out}`));
    });
    child.on("exit", (code) => reject(new Error(`holder process exited with ${code}: ${out}`)));
  });
}

describe("PostgresTenantLock (the tenant lease across machines, on a real PostgreSQL)", function () {
  this.timeout(60_000);
  let server: PostgresServer;
  const open: PostgresTenantLock[] = [];
  const backend = (url = server.url, settingName = SETTING, options: PostgresTenantLockOptions = {}) => {
    const lock = new PostgresTenantLock(url, settingName, options);
    open.push(lock);
    return lock;
  };
  const short = (url = server.url) => backend(url, SETTING, { leaseMs: SHORT_LEASE_MS });
  /** The losses `lock` reports. */
  const losses = (lock: PostgresTenantLock) => {
    const heard: Array<{ tenantKey: string; error: TenantLeaseLost }> = [];
    lock.onLost((tenantKey, error) => heard.push({ tenantKey, error }));
    return heard;
  };
  /** A login role with what a lock user needs on the schema. */
  const lockUser = async (name: string) => {
    const url = await server.createUser(name);
    for (const statement of grantStatements(name)) await server.adminQuery(statement);
    return url;
  };
  const leaseRow = async () =>
    (
      await server.adminQuery<{ deployment: string; holders: string[]; expires_at: Date }>(
        `SELECT deployment, holders, expires_at FROM ${LEASE_TABLE} WHERE tenant = $1`,
        [TENANT_A],
      )
    )[0];

  before(async () => {
    server = await startPostgres();
    // What `koodrive-usage db init --lock-url ADMIN --grant koodrive_lock` does.
    const admin = new LockServer(server.adminUrl, "the admin URL");
    try {
      await createSchema(admin, ["koodrive_lock"]);
    } finally {
      await admin.close();
    }
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((lock) => lock.close()));
    await server.adminQuery(`DELETE FROM ${LEASE_TABLE}`);
  });
  after(async () => {
    await server?.stop();
  });

  it("lets one of two machines hold a tenant, and the other read who holds it", async () => {
    const first = backend();
    const second = backend();
    const firstHolder = holder("production", "build-01.example", 4242);
    assert.equal(await second.holderOf(TENANT_A), undefined);
    assert.equal(await first.tryAcquire(TENANT_A, firstHolder), true);
    assert.equal(await second.tryAcquire(TENANT_A, holder("staging", "build-02.example", 77)), false);
    const seen = await second.holderOf(TENANT_A);
    assert.deepEqual(
      [seen?.stack, seen?.host, seen?.pid, seen?.deployment],
      [firstHolder.stack, firstHolder.host, 4242, firstHolder.deployment],
    );
    assert.ok(Math.abs(Date.parse(seen?.since ?? "") - Date.now()) < 60_000, "since: the server's clock, now");
    assert.deepEqual(await first.holderOf(TENANT_A), firstHolder);
    await first.assertHeld(TENANT_A, 0);
    assert.equal(first.uncleanEnd(TENANT_A), undefined);
  });

  it("names the holder to a machine that logs in as another user with the documented grants", async () => {
    const other = backend(await lockUser("koodrive_lock_other"));
    const first = backend();
    assert.equal(await first.tryAcquire(TENANT_A, holder("production", "build-01", 99)), true);
    assert.equal(await other.tryAcquire(TENANT_A, holder("staging", "build-02", 5)), false);
    assert.equal((await other.holderOf(TENANT_A))?.stack, "production");
  });

  it("does not let different tenants block each other", async () => {
    const first = backend();
    const second = backend();
    assert.equal(await first.tryAcquire(TENANT_A, holder("a", "h1", 1)), true);
    assert.equal(await second.tryAcquire(TENANT_B, holder("b", "h2", 2)), true);
    assert.equal((await first.holderOf(TENANT_B))?.stack, "b");
    assert.equal((await second.holderOf(TENANT_A))?.stack, "a");
    await server.adminQuery(`DELETE FROM ${LEASE_TABLE} WHERE tenant = $1`, [TENANT_B]);
  });

  it("is true twice for one holder, and close() releases the tenant at once", async () => {
    const first = backend();
    const second = backend();
    assert.equal(await first.tryAcquire(TENANT_A, holder("a", "h1", 1)), true);
    assert.equal(await first.tryAcquire(TENANT_A, holder("a", "h1", 1)), true);
    assert.equal(await second.tryAcquire(TENANT_A, holder("b", "h2", 2)), false);
    await first.close();
    assert.equal(await leaseRow(), undefined, "the row is gone");
    assert.equal(await second.holderOf(TENANT_A), undefined);
    assert.equal(await second.tryAcquire(TENANT_A, holder("b", "h2", 2)), true);
    assert.equal(second.uncleanEnd(TENANT_A), undefined, "a released lease is no unclean end");
  });

  it("shares the lease among the processes of one deployment, released when the last lets go", async () => {
    const first = backend();
    const sibling = backend();
    const other = backend();
    assert.equal(await first.tryAcquire(TENANT_A, holder("a", "h1", 1, DEPLOYMENT)), true);
    assert.equal(await sibling.tryAcquire(TENANT_A, holder("a", "h1", 2, DEPLOYMENT)), true);
    assert.equal((await leaseRow())?.holders.length, 2);
    await first.close();
    assert.equal(await other.tryAcquire(TENANT_A, holder("b", "h2", 3)), false, "the sibling still holds it");
    await sibling.assertHeld(TENANT_A, 0);
    await sibling.close();
    assert.equal(await other.tryAcquire(TENANT_A, holder("b", "h2", 3)), true);
    assert.equal(other.uncleanEnd(TENANT_A), undefined);
  });

  it("is renewed by its holder: another machine stays out for three terms and more", async () => {
    const first = short();
    const lost = losses(first);
    const second = short();
    assert.equal(await first.tryAcquire(TENANT_A, holder("a", "h1", 1)), true);
    const taken = (await leaseRow())?.expires_at;
    assert.equal(await keepsOut(second, holder("b", "h2", 2), 3 * SHORT_LEASE_MS), undefined);
    const renewed = (await leaseRow())?.expires_at;
    assert.ok(taken && renewed && renewed > taken, `renewed: ${taken?.toISOString()} -> ${renewed?.toISOString()}`);
    assert.deepEqual(lost, []);
    await first.assertHeld(TENANT_A, SHORT_LEASE_MS / 2);
  });

  it("is taken over only once expired when its holder is killed, and the taker says it ended uncleanly", async () => {
    const child = await holderProcess(server.url, SHORT_LEASE_MS);
    const second = short();
    try {
      assert.equal(await second.tryAcquire(TENANT_A, holder("b", "h2", 2)), false);
      const named = await second.holderOf(TENANT_A);
      assert.deepEqual(
        [named?.stack, named?.host, named?.pid, named?.deployment],
        ["child", "child-host", child.pid, "c0ffee"],
      );
      const killedAt = Date.now();
      child.kill("SIGKILL");
      const waited = await keepsOut(second, holder("b", "h2", 2), 4 * SHORT_LEASE_MS);
      assert.ok(waited !== undefined, "taken over after the lease expired");
      assert.ok(Date.now() - killedAt >= SHORT_LEASE_MS / 2, `taken ${Date.now() - killedAt} ms after the kill`);
      const unclean = second.uncleanEnd(TENANT_A);
      assert.equal(unclean?.holder.stack, "child");
      assert.equal(unclean?.holder.pid, child.pid);
      assert.ok(Date.parse(unclean?.expiredAt ?? "") <= Date.now());
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("keeps the lease through pg_terminate_backend of its session, renewing on a new one", async () => {
    const first = short();
    const lost = losses(first);
    const second = short();
    assert.equal(await first.tryAcquire(TENANT_A, holder("a", "h1", 1)), true);
    const terminated = await server.adminQuery<{ done: boolean }>(
      "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = $1",
      [`koodrive tenant lock (pid ${process.pid})`],
    );
    assert.ok(terminated.length >= 1 && terminated.every((row) => row.done), "the sessions were terminated");
    assert.equal(await keepsOut(second, holder("b", "h2", 2), 3 * SHORT_LEASE_MS), undefined);
    assert.deepEqual(lost, []);
    await first.assertHeld(TENANT_A, SHORT_LEASE_MS / 2);
  });

  it("keeps the lease when the role's idle_session_timeout closes its session between renewals", async () => {
    const url = await lockUser("koodrive_lock_idle");
    await server.adminQuery(`ALTER ROLE koodrive_lock_idle SET idle_session_timeout = '200ms'`);
    const first = short(url);
    const lost = losses(first);
    const second = short(url);
    const sessions = async () =>
      (
        await server.adminQuery<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE usename = 'koodrive_lock_idle'",
        )
      ).map(({ pid }) => pid);
    assert.equal(await first.tryAcquire(TENANT_A, holder("a", "h1", 1)), true);
    const before = await sessions();
    assert.equal(await keepsOut(second, holder("b", "h2", 2), 3 * SHORT_LEASE_MS), undefined);
    assert.deepEqual(lost, []);
    await first.assertHeld(TENANT_A, SHORT_LEASE_MS / 2);
    const after = await sessions();
    assert.ok(
      before.some((pid) => !after.includes(pid)),
      `the server closed an idle session: ${before} then ${after}`,
    );
    assert.ok(after.length <= 2, "sessions are closed and opened again, not piled up");
  });

  it("keeps the lease through a restart of the server, and a waiter rides the restart out", async () => {
    const leaseMs = 6_000;
    const first = backend(server.url, SETTING, { leaseMs });
    const lost = losses(first);
    const second = backend(server.url, SETTING, { leaseMs });
    assert.equal(await first.tryAcquire(TENANT_A, holder("a", "h1", 1)), true);
    assert.equal(await second.tryAcquire(TENANT_A, holder("b", "h2", 2)), false);
    await server.restart({ mode: "immediate", downMs: 1_000 });
    assert.equal(await second.tryAcquire(TENANT_A, holder("b", "h2", 2)), false);
    assert.equal(await keepsOut(second, holder("b", "h2", 2), leaseMs + 1_000), undefined);
    assert.deepEqual(lost, []);
    await first.assertHeld(TENANT_A, leaseMs / 2);
    await first.close();
    assert.equal(await second.tryAcquire(TENANT_A, holder("b", "h2", 2)), true);
  });

  it("says at once when it cannot renew before the lease ends, and fails assertHeld and tryAcquire from then on", async () => {
    const url = await lockUser("koodrive_lock_revoked");
    const first = short(url);
    const lost = losses(first);
    const second = short();
    assert.equal(await first.tryAcquire(TENANT_A, holder("a", "h1", 1)), true);
    await server.adminQuery(`REVOKE UPDATE ON ${LEASE_TABLE} FROM koodrive_lock_revoked`);
    assert.ok(await eventually(async () => lost.length > 0, 3 * SHORT_LEASE_MS), "the loss was reported");
    assert.equal(lost.length, 1);
    assert.equal(lost[0]?.tenantKey, TENANT_A);
    assert.equal(lost[0]?.error.code, "ERR_KOODRIVE_LEASE_LOST");
    assert.match(
      lost[0]?.error.message ?? "",
      /^lost the tenant's lease: .*127\.0\.0\.1:\d+ \(koodrive:lockUrl\) could not be renewed before it ended \(.*permission denied.*\); another deployment may take the tenant now/,
    );
    const held = await failure(first.assertHeld(TENANT_A, 0));
    assert.equal(held, lost[0]?.error);
    assert.equal(await failure(first.tryAcquire(TENANT_A, holder("a", "h1", 1))), lost[0]?.error);
    assert.ok(await second.tryAcquire(TENANT_A, holder("b", "h2", 2)), "the expired lease is free");
    assert.equal(second.uncleanEnd(TENANT_A)?.holder.stack, "a");
  });

  it("says the lease is lost when the server no longer has it as this deployment's", async () => {
    const first = short();
    const lost = losses(first);
    assert.equal(await first.tryAcquire(TENANT_A, holder("a", "h1", 1)), true);
    await server.adminQuery(`UPDATE ${LEASE_TABLE} SET deployment = 'someone else'`);
    assert.ok(await eventually(async () => lost.length > 0, 2 * SHORT_LEASE_MS));
    assert.match(lost[0]?.error.message ?? "", /is no longer this deployment's at the lock server/);
  });

  it("fails assertHeld when the lease is too short for what the step needs, naming both settings", async () => {
    const first = short();
    assert.equal(await first.tryAcquire(TENANT_A, holder("a", "h1", 1)), true);
    const error = await failure(first.assertHeld(TENANT_A, 10 * SHORT_LEASE_MS));
    assert.equal(error.code, "ERR_KOODRIVE_LEASE_LOST");
    assert.match(
      error.message,
      /^the tenant's lease is too short for this call: a lease of 1\.5 s cannot outlive the 15 s this call may take .*raise koodrive:lockLease \(KOODRIVE_LOCK_LEASE\) above 15 s, or lower KOODRIVE_DEADLINE_MS; nothing was added$/,
    );
    await first.assertHeld(TENANT_A, 0);
    const never = await failure(first.assertHeld(TENANT_B, 0));
    assert.match(never.message, /^tenant not held: /);
  });

  it("fails naming `koodrive-usage db init` when the user may not create the schema, and makes it when it may", async () => {
    await server.adminQuery("CREATE DATABASE leases_denied");
    await server.adminQuery("CREATE DATABASE leases_allowed");
    await server.createUser("koodrive_plain", "plain-Pa55word");
    const inDatabase = (database: string) =>
      server.urlFor("koodrive_plain", "plain-Pa55word").replace(/\/postgres$/, `/${database}`);
    const denied = await failure(backend(inDatabase("leases_denied")).tryAcquire(TENANT_A, holder("a", "h1", 1)));
    assert.equal(denied.code, "ERR_KOODRIVE_LOCK");
    assert.match(
      denied.message,
      /^the lock server has no koodrive\.tenant_lease or koodrive\.tenant_reading table, and user koodrive_plain may not create it: run `koodrive-usage db init --lock-url URL --grant koodrive_plain` once/,
    );
    assertClean(denied, "plain-Pa55word");
    await server.adminQuery("GRANT CREATE ON DATABASE leases_allowed TO koodrive_plain");
    const allowed = backend(inDatabase("leases_allowed"));
    assert.equal(await allowed.tryAcquire(TENANT_A, holder("a", "h1", 1)), true);
  });

  it("opens a new connection when one that held nothing is lost", async () => {
    const lock = backend();
    assert.equal(await lock.holderOf(TENANT_A), undefined);
    const terminated = await server.adminQuery(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'koodrive tenant lock%'",
    );
    assert.equal(terminated.length, 1);
    assert.equal(await lock.tryAcquire(TENANT_A, holder("a", "h", 1)), true);
  });

  it("loads pg only when it first connects, not when built or constructed", () => {
    const script = `
      const { PostgresTenantLock } = require(process.env.LOCK_MODULE);
      new PostgresTenantLock("postgres://u:p@127.0.0.1:1/db", "KOODRIVE_LOCK_URL");
      const loaded = Object.keys(require.cache).filter((file) => /[\\/]node_modules[\\/]pg[\\/]/.test(file));
      process.stdout.write(String(loaded.length));`;
    const out = execFileSync(process.execPath, ["-e", script], {
      env: { ...process.env, LOCK_MODULE: BUILT_MODULE },
      encoding: "utf8",
    });
    assert.equal(out, "0");
  });

  it("says a closed port cannot be reached, naming the setting and not the password", async () => {
    const { port } = new URL(await refusedUrl());
    const password = "unreachable-Pa55word";
    const error = await failure(
      backend(`postgres://koodrive_lock:${password}@127.0.0.1:${port}/postgres`, "KOODRIVE_LOCK_URL").holderOf(
        TENANT_A,
      ),
    );
    assert.equal(error.code, "ERR_KOODRIVE_LOCK");
    assert.match(
      error.message,
      /^cannot reach the lock server: KOODRIVE_LOCK_URL points at 127\.0\.0\.1:\d+, which refused/,
    );
    assertClean(error, password);
  });

  it("says a server that never answers did not answer in time", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = silent.address() as { port: number };
      const lock = backend(`postgres://u:silent-Pa55word@127.0.0.1:${port}/db`, SETTING, { connectTimeoutMs: 300 });
      const error = await failure(lock.tryAcquire(TENANT_A, holder("a", "h", 1)));
      assert.match(
        error.message,
        /^cannot reach the lock server: koodrive:lockUrl points at .*, which did not answer within 0\.3 s/,
      );
      assertClean(error, "silent-Pa55word");
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it("says a wrong password was refused, naming the setting, the user and never the password", async () => {
    const password = "wrong-Pa55word/with:odd@chars";
    const error = await failure(
      backend(server.urlFor("koodrive_lock", password)).tryAcquire(TENANT_A, holder("a", "h", 1)),
    );
    assert.equal(error.code, "ERR_KOODRIVE_LOCK");
    assert.match(
      error.message,
      /^the lock server refused the login: user koodrive_lock at 127\.0\.0\.1:\d+, .*koodrive:lockUrl/,
    );
    assertClean(error, password);
  });

  it("says a URL that is not postgres:// is a configuration error, without its password", () => {
    for (const url of ["mysql://u:bad-Pa55word@db:3306/x", "postgres://u:bad-Pa55word@[db:5432", "bad-Pa55word"]) {
      let thrown: unknown;
      try {
        new PostgresTenantLock(url, SETTING);
      } catch (error) {
        thrown = error;
      }
      assert.ok(isKooDriveError(thrown), url);
      assert.equal(thrown.code, "ERR_KOODRIVE_CONFIGURATION");
      assert.match(thrown.message, /^koodrive:lockUrl is not a postgres:\/\/ URL: /);
      assertClean(thrown, "bad-Pa55word");
    }
  });
});
