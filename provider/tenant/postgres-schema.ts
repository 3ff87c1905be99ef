/**
 * Everything pulumi-koodrive keeps in PostgreSQL, declared once: the schema `koodrive` and its tables
 * (the tenant leases, the tenants' readings), the privileges a lock user needs, and how they are made. The provider makes
 * them on first use when its user may (CREATE on the database); otherwise someone who may runs
 * `koodrive-usage db init` once, granting the lock user what it needs. The docs
 * (docs/installation-configuration.md) show these statements; a test keeps them equal.
 */
import { isKooDriveError, LockError } from "../client/errors";
import type { LockServer } from "./postgres-connection";
import { sqlState } from "./postgres-connection";

/** The PostgreSQL schema holding the package's tables. */
export const SCHEMA = "koodrive";
/** The table of tenant leases: one row per tenant held. */
export const LEASE_TABLE = `${SCHEMA}.tenant_lease`;

/** The table of the tenants' readings: their history, shared by every machine that sets the URL. */
export const READING_TABLE = `${SCHEMA}.tenant_reading`;

/** The advisory lock class of this package: "KooD" as an int4 (only to make the schema once at a time). */
export const LOCK_CLASS = 0x4b6f6f44;

/** The statements that make the schema, each safe to run again. */
export const SCHEMA_STATEMENTS: readonly string[] = [
  `CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`,
  `CREATE TABLE IF NOT EXISTS ${LEASE_TABLE} (
  tenant     text PRIMARY KEY,       -- the tenant's key (hex), the same for every spelling of it
  deployment text NOT NULL,          -- the deployment holding the lease
  holders    text[] NOT NULL,        -- that deployment's provider processes holding it
  stack      text NOT NULL,          -- who holds it, for the messages of those who wait
  host       text NOT NULL,
  pid        integer NOT NULL,
  since      timestamptz NOT NULL,
  renewed_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL    -- another deployment may take the lease from then on
)`,
  `CREATE TABLE IF NOT EXISTS ${READING_TABLE} (
  tenant   text NOT NULL,             -- the tenant's figures key (hex): its endpoint with its tenant id
  taken_at timestamptz NOT NULL,      -- when the figures were read, by KooDrive's clock
  reading  jsonb NOT NULL,            -- the figures and the time, as a history file's line
  PRIMARY KEY (tenant, taken_at)
)`,
];

/** The privileges a lock user needs on the schema (besides CONNECT on the database, which PUBLIC has by default). */
export function grantStatements(role: string): string[] {
  const quoted = `"${role.replace(/"/g, '""')}"`;
  return [
    `GRANT USAGE ON SCHEMA ${SCHEMA} TO ${quoted}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ${LEASE_TABLE} TO ${quoted}`,
    `GRANT SELECT, INSERT, DELETE ON ${READING_TABLE} TO ${quoted}`,
  ];
}

/** True when the tables are there. */
async function present(server: LockServer): Promise<boolean> {
  const [row] = await server.query<{ present: boolean }>(
    "SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AS present",
    [LEASE_TABLE, READING_TABLE],
  );
  return row?.present === true;
}

/** Makes the schema (one maker at a time across machines); `grantTo` roles get what a lock user needs. */
export async function createSchema(server: LockServer, grantTo: readonly string[] = []): Promise<void> {
  try {
    await server.transaction(async (query) => {
      await query("SELECT pg_advisory_xact_lock($1::int4, 0)", [LOCK_CLASS]);
      for (const statement of SCHEMA_STATEMENTS) await query(statement);
      for (const role of grantTo) for (const statement of grantStatements(role)) await query(statement);
    });
  } catch (error) {
    const state = sqlState(error);
    if (state === "42501") {
      throw server.redacted(
        new LockError(
          `the lock server has no ${LEASE_TABLE} or ${READING_TABLE} table, and user ${server.target.user} may not create it`,
          `run \`koodrive-usage db init --lock-url URL --grant ${server.target.user}\` once with the URL of a user who may (the database's owner, or one with CREATE on it), or grant ${server.target.user} CREATE on the database; see "The lock server" in the docs`,
          {},
        ),
      );
    }
    if (state === "42704") {
      throw server.redacted(
        new LockError(
          "cannot grant the lock user's privileges",
          `${server.target.server} (${server.settingName}) has no role among ${grantTo.join(", ")}: name a user that exists`,
          {},
        ),
      );
    }
    throw isKooDriveError(error) ? error : server.error(error, "query");
  }
}

/** Makes sure the tables are there: makes them when it is missing and this user may, else fails naming `db init`. */
export async function ensureSchema(server: LockServer): Promise<void> {
  if (await present(server)) return;
  await createSchema(server);
}
