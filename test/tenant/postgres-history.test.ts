import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { GetServiceUsageResult } from "../../provider/capacity/runway";
import { createRuntime, type ProviderRuntime } from "../../provider/dynamic/providers";
import { LockServer } from "../../provider/tenant/postgres-connection";
import { createSchema, grantStatements, READING_TABLE } from "../../provider/tenant/postgres-schema";
import { type Simulator, startSimulator } from "../../sim";
import { type PostgresServer, startPostgres } from "../helpers/postgres";

const TEST_TOKEN = "postgres-history-token-9d2e";
const DAY_0 = Date.parse("2026-11-01T09:00:00Z");
const DAY_MS = 86_400_000;

describe("the tenants' history in the lock server's database", function () {
  this.timeout(120_000);
  let sim: Simulator;
  let server: PostgresServer;
  let machines: string;
  const runtimes: ProviderRuntime[] = [];

  /** A provider process on a machine of its own: its cache folder's history, and the lines it says. */
  const machine = (name: string, said: string[] = []) => {
    const runtime = createRuntime(
      undefined,
      { write: async (_urn, lines) => void said.push(...lines.map((line) => line.message)) },
      { historyFolder: path.join(machines, name, "history") },
    );
    runtimes.push(runtime);
    return runtime;
  };
  const readAt = async (runtime: ProviderRuntime, day: number, userCount: number, lockUrl: string) => {
    sim.setClock(new Date(DAY_0 + day * DAY_MS));
    sim.setUsage({ userCount });
    const connection = { endpoint: sim.url, accessToken: TEST_TOKEN, lockUrl };
    const checked = await runtime.serviceUsage.check({}, { kind: "ServiceUsage", connection });
    assert.deepEqual(checked.failures, []);
    return (checked.inputs.usage as GetServiceUsageResult).runway;
  };

  before(async () => {
    sim = await startSimulator({ fixture: { tokens: [TEST_TOKEN], usage: { userCount: 20, userMaxCount: 100 } } });
    server = await startPostgres();
    const admin = new LockServer(server.adminUrl, "the admin URL");
    await createSchema(admin, []).finally(() => admin.close());
    machines = mkdtempSync(path.join(os.tmpdir(), "koodrive-machines-"));
  });
  afterEach(async () => {
    for (const runtime of runtimes.splice(0)) await runtime.state.close();
  });
  after(async () => {
    await server?.stop();
    await sim?.close();
    if (machines) rmSync(machines, { recursive: true, force: true });
  });

  it("is one history for two machines (two cache folders) that set the same lockUrl", async () => {
    const lockUrl = await server.createUser("koodrive_history");
    for (const statement of grantStatements("koodrive_history")) await server.adminQuery(statement);
    // Days 0 and 1 on the first machine, day 2 on the second, which forecasts from all three at once.
    await readAt(machine("east"), 0, 20, lockUrl);
    await readAt(machine("east"), 1, 22, lockUrl);
    const west = await readAt(machine("west"), 3, 26, lockUrl);
    assert.equal(west?.readings, 3);
    assert.equal(west?.seats.perDay, 2);
    const rows = await server.adminQuery<{ n: number }>(`SELECT count(*)::int AS n FROM ${READING_TABLE}`);
    assert.equal(rows[0]?.n, 3);
    // And the first machine forecasts from the second's reading too.
    const east = await readAt(machine("east"), 4, 28, lockUrl);
    assert.equal(east?.readings, 4);
  });

  it("reads on with this machine's history when the server cannot be reached, saying so once", async () => {
    const unreachable = "postgres://koodrive:secret-password@127.0.0.1:1/koodrive";
    const said: string[] = [];
    const runtime = machine("north", said);
    const connection = { endpoint: sim.url, accessToken: TEST_TOKEN, lockUrl: unreachable };
    sim.setClock(new Date(DAY_0 + 10 * DAY_MS));
    for (const name of ["first", "second"]) {
      const checked = await runtime.capacityGuard.check(
        {},
        {
          kind: "CapacityGuard",
          guardName: name,
          guardUrn: `urn:pulumi:test::history::koodrive:index:CapacityGuard::${name}`,
          connection,
          plannedUsers: 1,
          dryRun: true,
        },
      );
      assert.deepEqual(checked.failures, []);
      assert.equal(checked.inputs.status, "fits");
    }
    const warnings = said.filter((line) => line.startsWith("could not record the KooDrive figures"));
    assert.equal(warnings.length, 1, said.join("\n"));
    assert.match(
      warnings[0] as string,
      /^could not record the KooDrive figures in the lock server's history \(\S+\) \(.+\); the runway is forecast from this machine's history/,
    );
    assert.ok(!said.join("\n").includes("secret-password"), "the password is never said");

    // A stack that only reads the figures (getServiceUsage) is told too, once.
    const heard: string[] = [];
    const reader = machine("south", heard);
    for (let run = 0; run < 2; run += 1) {
      const checked = await reader.serviceUsage.check({}, { kind: "ServiceUsage", connection });
      assert.deepEqual(checked.failures, []);
    }
    assert.deepEqual(
      heard.map((line) => line.replace(/ \(.*/, "")),
      ["could not record the KooDrive figures in the lock server's history"],
    );
  });
});
