#!/usr/bin/env node
import { parseArgs } from "node:util";
import { FixtureError, InvocationError } from "../provider/client/errors";
import { parseWholeNumber, wholeNumberRange } from "../provider/client/whole-number";
import { DEMO_APP, DEMO_TOKEN } from "./auth";
import { CONTROL_PREFIX } from "./control";
import { ENDPOINT_NAMES } from "./endpoints";
import { loadFixture, type SimulatorFixture } from "./fixture";
import { startSimulator } from "./index";
import { startReplay } from "./replay";

const HELP = `koodrive-sim: a local simulator of the KooDrive service-usage API

Usage: koodrive-sim [--host 127.0.0.1] [--port N] [--fixture FILE | --replay DIR]

Options:
  --host HOST     address to bind (default 127.0.0.1, loopback only)
  --port N        port to bind, 0 picks a free one (default 0)
  --fixture FILE  JSON fixture with the tenant's figures and credentials
  --replay DIR    serve a recording instead of a tenant: the answers koodrive-usage --record DIR
                  wrote, each to its request line (method, path and query), whatever the
                  credentials; any other request gets 404 naming the recorded ones
  --help          show this help

The first line on stdout is "listening on http://HOST:PORT". SIGINT or SIGTERM stops it.

Endpoints (KooDrive's error answers are HTTP 400 with its code; see docs/_index.md):
  GET    /koodrive/ose/v1/service/quotaUsed       the 17 figures
  GET    /koodrive/ose/v1/service                 the subscription (status, tenantId, ...)
  POST   /koodrive/ose/v1/users                   add a user: one seat (13000320 none left, 13000321 exists)
  GET    /koodrive/ose/v1/users/count             the seats taken
  GET    /koodrive/ose/v1/users/{userId}          read a user (13000309 not found)
  PUT    /koodrive/ose/v1/users/{userId}          change deptId, role, status
  DELETE /koodrive/ose/v1/users/{userId}          delete a user and its personal spaces
  POST   /koodrive/ose/v1/space/{ownerId}         create a department (type 0) or personal (1) space
                                                  (13000311 insufficient space)
  GET    /koodrive/ose/v2/space/{ownerId}?type=   list an owner's spaces
  GET    /koodrive/ose/v1/space/container/{id}    read a space (13000301 not found)
  PUT    /koodrive/ose/v1/space/{ownerId}         change capacity or status ({type, containerId?, ...})
  DELETE /koodrive/ose/v1/space/{ownerId}?type=&containerId=   delete a space
  Group spaces are not served: the reference documents their creation, not their change or deletion.
  A frozen tenant (subscription status 1) refuses every add, a user, a space or a space's growth:
  400 / 13000323 (the simulator's own code: the reference documents none).

Fixture (every key optional; unknown keys, wrong types and negative figures are refused):
  {
    "usage":  { any of the 17 quotaUsed fields, e.g. "userCount": 99, "userMaxCount": 100 },
    "subscription": { "tenantId": "t-1", "status": 0|1, "personalSpaceSize": 10, ... },
    "tokens": [ "a-token" ],
    "apps":   [ { "appId": "my-app", "appSecret": "my-secret", "userId": "optional: the only X-User-Id allowed" } ]
  }
  Usage fields not given keep the API reference's example tenant. Each simulator makes its own
  tenantId unless the fixture gives one: two simulators are two tenants.

Demo credentials (accepted only when the fixture gives neither "tokens" nor "apps"):
  token   ${DEMO_TOKEN}   (with or without "Bearer ", in any case)
  app     AppId ${DEMO_APP.appId}, AppSecret ${DEMO_APP.appSecret}, X-User-Id e.g. ${DEMO_APP.userId}

Control paths (no authentication, JSON, not counted):
  GET  ${CONTROL_PREFIX}requests   request counts per endpoint and the request log
  POST ${CONTROL_PREFIX}reset      clear the log, the counters and the queued faults
  GET  ${CONTROL_PREFIX}usage      the tenant's figures
  PUT  ${CONTROL_PREFIX}usage      merge a partial usage object
  GET  ${CONTROL_PREFIX}service    the subscription
  PUT  ${CONTROL_PREFIX}service    merge a partial subscription ({"status": 1} freezes the tenant)
  GET  ${CONTROL_PREFIX}users      the users added through the API
  GET  ${CONTROL_PREFIX}spaces     the spaces created through the API
  PUT  ${CONTROL_PREFIX}stored     {"containerId": "...", "spaceUsed": N}: the data a space stores, in
                        spaceUsed's unit (KB); the pool's and the tenant's stored figures follow
  POST ${CONTROL_PREFIX}faults     {"endpoint": E, "count": 1, "fault": F}
    E: ${ENDPOINT_NAMES.join(", ")}
    F: {"kind":"status","status":503,"headers":{"Retry-After":"1"},"body":{...}} | {"kind":"delay","ms":500}
     | {"kind":"slowAnswer","ms":500}
     | {"kind":"truncate"} | {"kind":"reset"} | {"kind":"html","status":502} | {"kind":"data","data":{...}}
`;

interface CommandLine {
  host: string;
  port: number;
  fixture?: string;
  replay?: string;
  help: boolean;
}

function parseCommandLine(args: string[]): CommandLine {
  let values: { host?: string; port?: string; fixture?: string; replay?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        fixture: { type: "string" },
        replay: { type: "string" },
        help: { type: "boolean" },
      },
    }));
  } catch (error) {
    // parseArgs explains at length, over several lines; its first sentence names the flag.
    throw new InvocationError((error as Error).message.split(/\.\s/)[0] ?? "bad command line");
  }
  const port = parseWholeNumber(values.port ?? "0", 0, 65535);
  if (port === undefined) {
    throw new InvocationError(`--port must be ${wholeNumberRange(0, 65535)}, not "${values.port}"`);
  }
  if (values.host === "") throw new InvocationError("--host must not be empty");
  if (values.fixture !== undefined && values.replay !== undefined) {
    throw new InvocationError("--fixture and --replay do not go together: a replay serves the recorded answers alone");
  }
  return {
    host: values.host ?? "127.0.0.1",
    port,
    help: values.help ?? false,
    ...(values.fixture === undefined ? {} : { fixture: values.fixture }),
    ...(values.replay === undefined ? {} : { replay: values.replay }),
  };
}

/** Starts what the command line asks for: a replay of a recording, or a simulated tenant. */
async function start(options: CommandLine): Promise<{ url: string; close(): Promise<void> }> {
  const { host, port } = options;
  if (options.replay !== undefined) return startReplay({ dir: options.replay, host, port });
  const fixture: SimulatorFixture | undefined =
    options.fixture === undefined ? undefined : await loadFixture(options.fixture);
  return startSimulator({ host, port, ...(fixture ? { fixture } : {}) });
}

async function main(): Promise<number | undefined> {
  let options: ReturnType<typeof parseCommandLine>;
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`koodrive-sim: ${(error as Error).message} (see --help)\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let simulator: Awaited<ReturnType<typeof start>>;
  try {
    simulator = await start(options);
  } catch (error) {
    if (error instanceof FixtureError) {
      process.stderr.write(`koodrive-sim: ${error.message}\n`);
      return 2;
    }
    const { code, message } = error as NodeJS.ErrnoException;
    process.stderr.write(`koodrive-sim: cannot listen on ${options.host}:${options.port}: ${code ?? message}\n`);
    return 1;
  }
  const stop = () => {
    simulator.close().then(() => process.exit(0));
  };
  // Handlers first: whoever reads the listening line may signal at once.
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  process.stdout.write(`listening on ${simulator.url}\n`);
  return undefined;
}

main().then(
  (exitCode) => {
    if (exitCode !== undefined) process.exitCode = exitCode;
  },
  (error: unknown) => {
    process.stderr.write(`koodrive-sim: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
