import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import type * as Pg from "pg";

/** A PostgreSQL server of a test's own, on 127.0.0.1. */
export interface PostgresServer {
  port: number;
  /** The URL of a login role with no privilege beyond connecting: what a user of the lock needs. */
  url: string;
  /** The superuser's URL, for what a test does behind the backends' backs. */
  adminUrl: string;
  /** The URL of `user` with `password` (percent-encoded as needed). */
  urlFor(user: string, password: string): string;
  /** Creates a login role with no privilege beyond connecting; its URL. */
  createUser(name: string, password?: string): Promise<string>;
  /** Runs one statement as the superuser. */
  adminQuery<Row extends Pg.QueryResultRow>(text: string, values?: unknown[]): Promise<Row[]>;
  /**
   * Stops the server (`fast`: it ends the sessions and shuts down cleanly; `immediate`: it quits
   * without a checkpoint, as a crash would, and replays its log when started again), waits
   * `downMs`, and starts it again on the same port and data.
   */
  restart(options?: { mode?: "fast" | "immediate"; downMs?: number }): Promise<void>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Where Debian's `postgresql` package installs its servers, one folder per major version;
 * `KOODRIVE_POSTGRESQL_ROOT` points elsewhere (the unit tier points it at an empty folder).
 */
const postgresqlRoot = (): string => process.env.KOODRIVE_POSTGRESQL_ROOT || "/usr/lib/postgresql";

/**
 * The bin folder of the newest PostgreSQL of Debian's `postgresql` package. Refused in the unit tier
 * (`KOODRIVE_TEST_TIER=unit`, set by `npm run test:unit`), which starts no PostgreSQL.
 */
export function postgresBinFolder(): string {
  if (process.env.KOODRIVE_TEST_TIER === "unit") {
    throw new Error(
      "KOODRIVE_TEST_TIER=unit: the unit tier starts no PostgreSQL; a test that needs it belongs in the PostgreSQL tier (npm run test:postgres), which every test file importing test/helpers/postgres is in",
    );
  }
  const root = postgresqlRoot();
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name) && existsSync(path.join(root, name, "bin", "postgres")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!majors[0]) {
    throw new Error(
      `no PostgreSQL server under ${root}: install Debian's postgresql package (sudo apt-get install postgresql; .ci/run does), or set KOODRIVE_POSTGRESQL_ROOT to the folder holding <major>/bin/postgres`,
    );
  }
  return path.join(root, majors[0], "bin");
}

/** Who runs the server: PostgreSQL refuses root, so root's tests run it as the `postgres` system user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    throw new Error(
      "tests run as root and there is no postgres user to run PostgreSQL as: install Debian's postgresql package",
    );
  }
}

/** A loopback port free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** Runs a PostgreSQL program as `user`; its output is in the error when it fails. */
function runAs(user: { uid: number; gid: number } | undefined, file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...user, env: { PATH: process.env.PATH ?? "", LC_ALL: "C" }, stdio: "pipe" });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(file)} exited with ${code}:\n${output}`)),
    );
  });
}

/**
 * Refuses a folder `user` cannot reach. The helper changes no folder's mode above its own: putting a
 * shared temp folder's mode back while another test's server (in this process or a parallel one)
 * still lives under it is what broke a restart in CI.
 */
async function assertReachableBy(user: { uid: number; gid: number }, folder: string): Promise<void> {
  for (let dir = path.dirname(folder); ; dir = path.dirname(dir)) {
    const { mode, uid, gid } = await stat(dir);
    const searchable = uid === user.uid ? mode & 0o100 : gid === user.gid ? mode & 0o010 : mode & 0o001;
    if (!searchable) {
      throw new Error(
        `the postgres user, who runs the tests' PostgreSQL when they run as root, cannot search ${dir} (mode ${(mode & 0o7777).toString(8)}): give the temp folder search permission for others (chmod o+x ${dir}, as .ci/run does for its TMPDIR) or set TMPDIR to a folder it can reach`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

/** Waits for the server to say it is ready; rejects with its log when it exits first or takes 30 s. */
function ready(server: ChildProcess, log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`PostgreSQL did not start within 30 s:\n${log()}`)), 30_000);
    const check = () => {
      if (log().includes("ready to accept connections")) done();
    };
    const exited = (code: number | null) => fail(new Error(`PostgreSQL exited with ${code} while starting:\n${log()}`));
    const done = () => {
      cleanup();
      resolve();
    };
    const fail = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      clearTimeout(timer);
      server.stderr?.off("data", check);
      server.off("exit", exited);
    };
    server.stderr?.on("data", check);
    server.on("exit", exited);
  });
}

/**
 * Starts a PostgreSQL server for a test in a folder of its own under os.tmpdir(), on a free loopback
 * port, with password (SCRAM) authentication for every connection. Call `stop` when done.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinFolder();
  const user = serverUser();
  const folder = await mkdtemp(path.join(os.tmpdir(), "koodrive-pg-"));
  let server: ChildProcess | undefined;
  const killOnExit = () => server?.kill("SIGKILL");
  /** Stops the server process: SIGINT is PostgreSQL's fast shutdown (ends the sessions, no checkpoint wait), SIGQUIT its immediate one. */
  const halt = async (signal: "SIGINT" | "SIGQUIT" = "SIGINT") => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server?.once("exit", resolve));
      server.kill(signal);
      const timer = setTimeout(() => server?.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const stop = async () => {
    process.off("exit", killOnExit);
    await halt();
    await rm(folder, { recursive: true, force: true });
  };
  try {
    if (user) {
      await assertReachableBy(user, folder);
      await chown(folder, user.uid, user.gid);
    }
    const adminPassword = randomBytes(12).toString("hex");
    const passwordFile = path.join(folder, "admin-password");
    await writeFile(passwordFile, `${adminPassword}\n`, { mode: 0o600 });
    if (user) await chown(passwordFile, user.uid, user.gid);
    const data = path.join(folder, "data");
    await runAs(user, path.join(bin, "initdb"), [
      ...["-D", data, "-U", "koodrive_admin", `--pwfile=${passwordFile}`, "--auth=scram-sha-256"],
      ...["--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"],
    ]);
    await rm(passwordFile);

    const port = await freePort();
    const settings = {
      listen_addresses: "127.0.0.1",
      port: String(port),
      unix_socket_directories: "",
      max_connections: "40",
      shared_buffers: "16MB",
      fsync: "off",
      synchronous_commit: "off",
      full_page_writes: "off",
    };
    const start = async () => {
      const started = spawn(
        path.join(bin, "postgres"),
        ["-D", data, ...Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`])],
        { ...user, env: { PATH: process.env.PATH ?? "", LC_ALL: "C" }, stdio: ["ignore", "ignore", "pipe"] },
      );
      server = started;
      let log = "";
      started.stderr?.on("data", (chunk) => {
        log = `${log}${chunk}`.slice(-20_000);
      });
      await ready(started, () => log);
    };
    process.on("exit", killOnExit);
    await start();
    const restart = async ({ mode = "fast", downMs = 0 }: { mode?: "fast" | "immediate"; downMs?: number } = {}) => {
      await halt(mode === "fast" ? "SIGINT" : "SIGQUIT");
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    };

    const urlFor = (name: string, password: string) =>
      `postgres://${encodeURIComponent(name)}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
    const adminUrl = urlFor("koodrive_admin", adminPassword);
    const adminQuery = async <Row extends Pg.QueryResultRow>(text: string, values: unknown[] = []) => {
      const pg = require("pg") as typeof Pg;
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        return (await client.query<Row>(text, values)).rows;
      } finally {
        await client.end();
      }
    };
    const createUser = async (name: string, password = randomBytes(12).toString("hex")) => {
      // CREATE ROLE takes no parameters: quote the password as a literal, doubling any quote.
      await adminQuery(`CREATE ROLE "${name.replace(/"/g, '""')}" LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
      return urlFor(name, password);
    };
    return { port, url: await createUser("koodrive_lock"), adminUrl, urlFor, createUser, adminQuery, restart, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
