/**
 * `koodrive-usage db init`: makes what pulumi-koodrive keeps at the lock server (the schema
 * `koodrive` and its tables, provider/tenant/postgres-schema.ts) once, as a user who may, and grants
 * the lock users what they need; for lock users that may not create tables themselves.
 */
import { parseArgs } from "node:util";
import { InvocationError } from "../provider/client/errors";
import { variableOf } from "../provider/config/connection-settings";
import { LockServer } from "../provider/tenant/postgres-connection";
import { createSchema, LEASE_TABLE, SCHEMA } from "../provider/tenant/postgres-schema";
import { EXIT_CODES } from "./exit-codes";

/** What `db init` needs of the output. */
interface DbOutput {
  stdout(text: string): void;
}

/** The flags of `db init`. */
const DB_FLAGS = {
  "lock-url": { type: "string" },
  grant: { type: "string", multiple: true },
} as const;

/** Runs `koodrive-usage db <argv>`; returns the exit code, or throws for the caller to word. */
export async function runDb(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  out: DbOutput,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== "init") {
    throw new InvocationError(
      `${command === undefined ? "db needs a command" : "unknown db command"}: the one there is is \`koodrive-usage db init\`; see koodrive-usage --help`,
    );
  }
  let values: { "lock-url"?: string; grant?: string[] };
  try {
    values = parseArgs({ args: rest, options: DB_FLAGS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const code = (error as { code?: string }).code;
    // Positional arguments are not echoed: a pasted URL would show its password on the terminal.
    const what =
      code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL"
        ? "unexpected argument: db init takes flags only"
        : (error as Error).message.trim().replace(/\.$/, "");
    throw new InvocationError(`${what}; see koodrive-usage --help`);
  }
  const variable = variableOf("lockUrl");
  const flagUrl = values["lock-url"]?.trim();
  const url = flagUrl || env[variable]?.trim();
  if (!url) {
    throw new InvocationError(
      `no lock server: set ${variable} to the PostgreSQL URL of a user who may create the schema (postgres://USER:PASSWORD@HOST:PORT/DATABASE), or pass --lock-url`,
    );
  }
  const grants = values.grant ?? [];
  const server = new LockServer(url, flagUrl ? "--lock-url" : variable);
  try {
    await createSchema(server, grants);
  } finally {
    await server.close();
  }
  const granted = grants.length > 0 ? `; ${grants.join(", ")} may use it` : "";
  out.stdout(
    `the lock server ${server.target.server} is ready: schema ${SCHEMA}, table ${LEASE_TABLE} (the tenant leases)${granted}`,
  );
  return EXIT_CODES.ok;
}
