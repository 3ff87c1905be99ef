import assert from "node:assert/strict";
import { inspect } from "node:util";
import { isKooDriveError } from "../../provider/client/errors";
import { createRuntime, type ProviderRuntime } from "../../provider/dynamic/providers";
import type { LogLine } from "../../provider/process/engine-log";
import { LockServer } from "../../provider/tenant/postgres-connection";
import { createSchema, grantStatements, LEASE_TABLE } from "../../provider/tenant/postgres-schema";
import { type Simulator, startSimulator } from "../../sim";
import { type PostgresServer, startPostgres } from "../helpers/postgres";
import { TEST_TOKEN } from "../helpers/secrets";

const LEASE_SECONDS = 3;

/** A guard's inputs as the SDK gives them to the dynamic provider. */
const guardInputs = (stack: string, name: string, connection: Record<string, string>, plannedUsers: number) => ({
  kind: "CapacityGuard",
  guardName: name,
  guardUrn: `urn:pulumi:${stack}::onboarding::pulumi-nodejs:dynamic:Resource::${name}`,
  connection,
  plannedUsers,
});

/** The error `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail("resolved; expected an error");
}

/** A guard's provider process holding the tenant through PostgreSQL, and what it does when the lease is lost. */
describe("guards under a lease at the lock server (the dynamic provider in process)", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let server: PostgresServer;
  const runtimes: ProviderRuntime[] = [];
  /** A provider process of its own deployment; its lines go to `lines`. */
  const providerProcess = (lines: Array<LogLine & { urn: string }>) => {
    const runtime = createRuntime(undefined, {
      write: async (urn, said) => {
        for (const line of said) lines.push({ ...line, urn });
      },
    });
    runtimes.push(runtime);
    return runtime;
  };

  before(async () => {
    sim = await startSimulator({ fixture: { tokens: [TEST_TOKEN], usage: { userCount: 20, userMaxCount: 100 } } });
    server = await startPostgres();
    const admin = new LockServer(server.adminUrl, "the admin URL");
    await createSchema(admin, []).finally(() => admin.close());
  });
  afterEach(async () => {
    for (const runtime of runtimes.splice(0)) await runtime.state.close();
  });
  after(async () => {
    await server?.stop();
    await sim?.close();
  });

  it("says at once when the holder loses the lease, fails its guards from then on, and the next holder says it ended uncleanly", async () => {
    const connection = async (user: string) => {
      const lockUrl = await server.createUser(user);
      for (const statement of grantStatements(user)) await server.adminQuery(statement);
      return { endpoint: sim.url, accessToken: TEST_TOKEN, lockUrl, lockLease: String(LEASE_SECONDS) };
    };
    const holderConnection = await connection("koodrive_holder");
    const holderLines: Array<LogLine & { urn: string }> = [];
    const holder = providerProcess(holderLines);
    const first = guardInputs("east", "first", holderConnection, 10);
    assert.deepEqual((await holder.capacityGuard.check({}, first)).failures, []);
    await holder.capacityGuard.create(first);
    const [row] = await server.adminQuery<{ stack: string }>(`SELECT stack FROM ${LEASE_TABLE}`);
    assert.equal(row?.stack, "onboarding/east");

    // Its renewals fail from now on: the lease ends within a term, and the holder says so at once.
    await server.adminQuery(`REVOKE UPDATE ON ${LEASE_TABLE} FROM koodrive_holder`);
    const started = Date.now();
    while (!holderLines.some((line) => line.severity === "error") && Date.now() - started < 3 * LEASE_SECONDS * 1000)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const alarm = holderLines.find((line) => line.severity === "error");
    assert.ok(alarm, `no error line: ${inspect(holderLines)}`);
    assert.equal(alarm.urn, first.guardUrn, "said against the guard that took the tenant");
    assert.match(
      alarm.message,
      /^the KooDrive tenant http:\/\/127\.0\.0\.1:\d+: lost the tenant's lease: .*could not be renewed before it ended/,
    );
    assert.doesNotMatch(alarm.message, new RegExp(new URL(holderConnection.lockUrl).password));

    // Every guard of the tenant in this deployment fails from now on: check and create alike.
    const second = guardInputs("east", "second", holderConnection, 5);
    for (const failed of [
      await rejection(holder.capacityGuard.check({}, second)),
      await rejection(holder.capacityGuard.create(second)),
    ]) {
      assert.ok(isKooDriveError(failed), inspect(failed));
      assert.equal(failed.code, "ERR_KOODRIVE_LEASE_LOST");
    }

    // Another deployment, on another machine (the holder still holds this one's lock), takes the
    // expired lease over, and says the holder ended uncleanly.
    const nextLines: Array<LogLine & { urn: string }> = [];
    const next = providerProcess(nextLines);
    const third = guardInputs("west", "third", await connection("koodrive_next"), 10);
    process.env.KOODRIVE_TEST_MACHINE = `west-${process.pid}`;
    try {
      await next.capacityGuard.check({}, third);
      await next.capacityGuard.create(third);
    } finally {
      delete process.env.KOODRIVE_TEST_MACHINE;
    }
    const warning = nextLines.find((line) => line.severity === "warning");
    assert.match(
      warning?.message ?? "",
      /^took over the KooDrive tenant http:\/\/127\.0\.0\.1:\d+ from stack onboarding\/east on .* \(pid \d+\), deploying since \d\d:\d\d:\d\d UTC, whose lease expired at \d\d:\d\d:\d\d UTC without being released: that deployment ended uncleanly .*commands it started may still be running/,
    );
  });
});
