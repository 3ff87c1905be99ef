import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import path from "node:path";
import { inspect } from "node:util";
import { isKooDriveError, type KooDriveError } from "../../provider/client/errors";
import type { TenantLockHolder } from "../../provider/tenant/lock";
import { decodeHolder, encodeHolder, PostgresTenantLock } from "../../provider/tenant/postgres-lock";
import { refusedUrl } from "../helpers/loopback-server";
import { type PostgresServer, startPostgres } from "../helpers/postgres";

const SETTING = "koodrive:lockUrl";
const TENANT_A = "a1".repeat(32);
const TENANT_B = "b2".repeat(32);
const BUILT_MODULE = path.join(__dirname, "../../provider/tenant/postgres-lock.js");

const DEPLOYMENT = "0123456789abcdef01234567"; // as deploymentOf gives it: 24 hex digits

const holder = (stack: string, host: string, pid: number, deployment = DEPLOYMENT): TenantLockHolder => ({
  stack,
  host,
  pid,
  since: new Date(Date.UTC(2026, 11, 2, 17, 27, 4, 321)).toISOString(),
  deployment,
});

/** The server's process of the session whose recorded holder has this pid. */
async function sessionOf(server: PostgresServer, pid: number): Promise<number> {
  const sessions = await server.adminQuery<{ pid: number; name: string }>(
    "SELECT pid, application_name AS name FROM pg_stat_activity",
  );
  const session = sessions.find(({ name }) => decodeHolder(name)?.pid === pid);
  assert.ok(session, `no session records the holder pid ${pid}`);
  return session.pid;
}

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
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A child node process that takes TENANT_A's lock through the built module, says "held", and waits. */
function holderProcess(url: string): Promise<ChildProcess> {
  const script = `
    const { PostgresTenantLock } = require(process.env.LOCK_MODULE);
    const lock = new PostgresTenantLock(process.env.LOCK_URL, "KOODRIVE_LOCK_URL");
    lock.tryAcquire(process.env.LOCK_KEY, { stack: "child", host: "child-host", pid: process.pid, since: new Date().toISOString(), deployment: "c0ffee" })
      .then((got) => { process.stdout.write(got ? "held\\n" : "busy\\n"); setInterval(() => {}, 60000); },
            (error) => { process.stdout.write("error " + error.message + "\\n"); process.exit(1); });`;
  const child = spawn(process.execPath, ["-e", script], {
    env: { ...process.env, LOCK_MODULE: BUILT_MODULE, LOCK_URL: url, LOCK_KEY: TENANT_A },
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

describe("PostgresTenantLock (tenant lock across machines, on a real PostgreSQL)", function () {
  this.timeout(60_000);
  let server: PostgresServer;
  const open: PostgresTenantLock[] = [];
  const backend = (url = server.url, settingName = SETTING, options = {}) => {
    const lock = new PostgresTenantLock(url, settingName, options);
    open.push(lock);
    return lock;
  };

  before(async () => {
    server = await startPostgres();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((lock) => lock.close()));
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
    assert.deepEqual(await second.holderOf(TENANT_A), firstHolder);
    assert.deepEqual(await first.holderOf(TENANT_A), firstHolder);
  });

  it("names the holder to a machine that logs in as another user, which needs no privilege", async () => {
    const other = backend(await server.createUser("koodrive_lock_other"));
    const first = backend();
    const firstHolder = holder("production", "build-01", 99);
    assert.equal(await first.tryAcquire(TENANT_A, firstHolder), true);
    assert.equal(await other.tryAcquire(TENANT_A, holder("staging", "build-02", 5)), false);
    assert.deepEqual(await other.holderOf(TENANT_A), firstHolder);
  });

  it("does not let different tenants block each other", async () => {
    const first = backend();
    const second = backend();
    assert.equal(await first.tryAcquire(TENANT_A, holder("a", "h1", 1)), true);
    assert.equal(await second.tryAcquire(TENANT_B, holder("b", "h2", 2)), true);
    assert.equal((await first.holderOf(TENANT_B))?.stack, "b");
    assert.equal((await second.holderOf(TENANT_A))?.stack, "a");
  });

  it("is true twice for one holder, and close() releases the tenant", async () => {
    const first = backend();
    const second = backend();
    assert.equal(await first.tryAcquire(TENANT_A, holder("a", "h1", 1)), true);
    assert.equal(await first.tryAcquire(TENANT_A, holder("a", "h1", 1)), true);
    assert.equal(await second.tryAcquire(TENANT_A, holder("b", "h2", 2)), false);
    await first.close();
    assert.equal(await second.holderOf(TENANT_A), undefined);
    assert.equal(await second.tryAcquire(TENANT_A, holder("b", "h2", 2)), true);
    assert.equal((await second.holderOf(TENANT_A))?.stack, "b");
  });

  it("frees the tenant within seconds when the holding process is killed with SIGKILL", async () => {
    const child = await holderProcess(server.url);
    try {
      const second = backend(server.url, "KOODRIVE_LOCK_URL");
      assert.equal(await second.tryAcquire(TENANT_A, holder("b", "h2", 2)), false);
      const named = await second.holderOf(TENANT_A);
      assert.deepEqual(
        [named?.stack, named?.host, named?.pid, named?.deployment],
        ["child", "child-host", child.pid, "c0ffee"],
      );
      child.kill("SIGKILL");
      assert.ok(await eventually(() => second.tryAcquire(TENANT_A, holder("b", "h2", 2)), 5_000));
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("says the lock is gone when the connection is lost while holding, and lets another take it", async () => {
    const first = backend();
    const second = backend();
    assert.equal(await first.tryAcquire(TENANT_A, holder("a", "h1", 31337)), true);
    const [terminated] = await server.adminQuery<{ done: boolean }>("SELECT pg_terminate_backend($1) AS done", [
      await sessionOf(server, 31337),
    ]);
    assert.equal(terminated?.done, true);
    const lost = await failure(first.tryAcquire(TENANT_A, holder("a", "h1", 31337)));
    assert.equal(lost.code, "ERR_KOODRIVE_LOCK");
    assert.match(lost.message, /tenant lock lost: .*koodrive:lockUrl.*the lock is gone/);
    assert.equal((await failure(first.holderOf(TENANT_A))).message, lost.message, "every later call says so");
    assert.equal(await second.tryAcquire(TENANT_A, holder("b", "h2", 2)), true);
  });

  it("gives up on a server that stops answering while holding, says the lock is gone, and lets it go", async () => {
    const first = backend(server.url, SETTING, { queryTimeoutMs: 300 });
    const second = backend();
    assert.equal(await first.tryAcquire(TENANT_A, holder("a", "h1", 31338)), true);
    const session = await sessionOf(server, 31338);
    process.kill(session, "SIGSTOP"); // the server's process for this session hangs
    try {
      const lost = await failure(first.tryAcquire(TENANT_A, holder("a", "h1", 31338)));
      assert.match(lost.message, /^tenant lock lost: /);
    } finally {
      process.kill(session, "SIGCONT");
    }
    assert.ok(await eventually(() => second.tryAcquire(TENANT_A, holder("b", "h2", 2)), 5_000));
  });

  it("opens a new connection when one that held nothing is lost", async () => {
    const lock = backend();
    assert.equal(await lock.holderOf(TENANT_A), undefined);
    const terminated = await server.adminQuery(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'koodrive tenant lock'",
    );
    assert.equal(terminated.length, 1);
    assert.ok(
      await eventually(
        async () => (await lock.tryAcquire(TENANT_A, holder("a", "h", 1)).catch(() => false)) === true,
        5_000,
      ),
    );
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

  it("records a holder in the server's 63 bytes of application_name: the deployment exact, long names cut visibly", () => {
    const long = holder("s".repeat(80), "h".repeat(80), 4_194_304);
    const encoded = encodeHolder(long);
    assert.ok(Buffer.byteLength(encoded) <= 63, encoded);
    const decoded = decodeHolder(encoded);
    assert.equal(decoded?.since, long.since);
    assert.equal(decoded?.pid, long.pid);
    assert.equal(decoded?.deployment, DEPLOYMENT);
    assert.match(decoded?.host ?? "", /^h{7}~$/);
    assert.match(decoded?.stack ?? "", /^s{10,}~$/);
    assert.equal(decodeHolder(encodeHolder(holder("prod", "h", 1, "not hex")))?.deployment, "not?hex");
    assert.deepEqual(decodeHolder(encodeHolder(holder("prod", "hôst name", 1))), holder("prod", "h?st?name", 1));
    assert.equal(decodeHolder("psql"), undefined);
  });
});
