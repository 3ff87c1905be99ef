import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../harness/engine";
import { LockServer } from "../../provider/tenant/postgres-connection";
import { PostgresTenantLock } from "../../provider/tenant/postgres-lock";
import { grantStatements, SCHEMA_STATEMENTS } from "../../provider/tenant/postgres-schema";
import { type PostgresServer, startPostgres } from "../helpers/postgres";
import { runCli } from "../helpers/run-cli";

const TENANT = "c3".repeat(32);
const holder = { stack: "p/s", host: "h", pid: 1, since: new Date().toISOString(), deployment: "d1" };

/** The docs' section on the lock server. */
function lockServerSection(): string {
  const text = readFileSync(path.join(REPO_ROOT, "docs/installation-configuration.md"), "utf8");
  const start = text.indexOf("\n### The lock server\n");
  assert.ok(start !== -1, "docs/installation-configuration.md has a section 'The lock server'");
  return text.slice(start, text.indexOf("\n## ", start + 1));
}

/** The arguments of the `koodrive-usage db init` command the docs print. */
function documentedInit(): string[] {
  const line = lockServerSection()
    .split("\n")
    .find((text) => /koodrive-usage db init/.test(text));
  assert.ok(line, "the docs print the db init command");
  return line
    .slice(line.indexOf("koodrive-usage") + "koodrive-usage".length)
    .trim()
    .split(/\s+/);
}

describe("koodrive-usage db init (the schema at the lock server, for users that may not create it)", function () {
  this.timeout(60_000);
  let server: PostgresServer;
  const adminPassword = () => decodeURIComponent(new URL(server.adminUrl).password);

  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await server?.stop();
  });

  it("makes the schema and grants the lock user, which could not create it, what it needs", async () => {
    const denied = new PostgresTenantLock(server.url, "koodrive:lockUrl");
    await assert.rejects(
      denied.tryAcquire(TENANT, holder),
      /run `koodrive-usage db init --lock-url URL --grant koodrive_lock` once/,
    );
    await denied.close();

    const args = documentedInit();
    assert.deepEqual(args, ["db", "init", "--grant", "koodrive_lock"]);
    for (let run = 0; run < 2; run++) {
      const done = await runCli(args, { KOODRIVE_LOCK_URL: server.adminUrl });
      assert.equal(done.code, 0, done.stderr);
      assert.match(
        done.stdout,
        /^the lock server 127\.0\.0\.1:\d+ is ready: schema koodrive, table koodrive\.tenant_lease \(the tenant leases\); koodrive_lock may use it\n$/,
      );
      assert.equal(done.stderr, "");
    }
    const lock = new PostgresTenantLock(server.url, "koodrive:lockUrl");
    try {
      assert.equal(await lock.tryAcquire(TENANT, holder), true);
    } finally {
      await lock.close();
    }
  });

  it("takes the URL from --lock-url too, and fails in one line without the password", async () => {
    const other = await server.createUser("koodrive_other");
    const byFlag = await runCli(["db", "init", "--lock-url", server.adminUrl, "--grant", "koodrive_other"]);
    assert.equal(byFlag.code, 0, byFlag.stderr);
    assert.ok(!byFlag.stdout.includes(adminPassword()));
    const lock = new PostgresTenantLock(other, "koodrive:lockUrl");
    await lock.close();

    const wrong = server.urlFor("koodrive_admin", "wrong-Pa55word");
    const refused = await runCli(["db", "init"], { KOODRIVE_LOCK_URL: wrong });
    assert.equal(refused.code, 3);
    assert.match(
      refused.stderr,
      /^koodrive-usage: the lock server refused the login: user koodrive_admin at 127\.0\.0\.1:\d+, .*KOODRIVE_LOCK_URL/,
    );
    assert.ok(!refused.stderr.includes("wrong-Pa55word"));
    assert.equal(refused.stderr.trimEnd().split("\n").length, 1);

    const noRole = await runCli(["db", "init", "--grant", "nobody_here"], { KOODRIVE_LOCK_URL: server.adminUrl });
    assert.equal(noRole.code, 3);
    assert.match(noRole.stderr, /cannot grant the lock user's privileges: .* has no role among nobody_here/);
    assert.ok(!noRole.stderr.includes(adminPassword()));

    const none = await runCli(["db", "init"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^koodrive-usage: no lock server: set KOODRIVE_LOCK_URL/);
    const unknown = await runCli(["db", "drop"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown db command: the one there is is `koodrive-usage db init`/);
  });

  it("shows in the docs the statements it runs and the grants a lock user needs", () => {
    const section = lockServerSection().replace(/\s+/g, " ");
    for (const statement of [...SCHEMA_STATEMENTS, ...grantStatements("koodrive_lock")])
      assert.ok(section.includes(statement.replace(/\s+/g, " ")), `the docs show: ${statement}`);
  });

  it("is what the provider does itself when its user may create the schema", async () => {
    await server.adminQuery("CREATE DATABASE self_made");
    const owner = await server.createUser("koodrive_owner", "owner-Pa55word");
    await server.adminQuery("ALTER DATABASE self_made OWNER TO koodrive_owner");
    const url = owner.replace(/\/postgres$/, "/self_made");
    const lock = new PostgresTenantLock(url, "koodrive:lockUrl");
    try {
      assert.equal(await lock.tryAcquire(TENANT, holder), true);
    } finally {
      await lock.close();
    }
    const check = new LockServer(url, "koodrive:lockUrl");
    try {
      const [row] = await check.query<{ owner: string }>(
        "SELECT tableowner AS owner FROM pg_tables WHERE schemaname = 'koodrive' AND tablename = 'tenant_lease'",
      );
      assert.equal(row?.owner, "koodrive_owner");
    } finally {
      await check.close();
    }
  });
});
