import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, openSync, readFileSync } from "node:fs";
import { FLAGS } from "../../cli/args";
import { evaluatePlan } from "../../provider/capacity/plan";
import { deriveUsage } from "../../provider/capacity/usage";
import { DOCUMENTED_EXAMPLE, QUOTA_USED_FIELDS } from "../../provider/client/quota-used";
import { type Simulator, startSimulator } from "../../sim";
import { PROXIED_ENDPOINT, startHostileProxy } from "../helpers/hostile-proxies";
import { refusedUrl } from "../helpers/loopback-server";
import { CLI_PATH, type CliRun, runCli } from "../helpers/run-cli";
import { assertNoSecretIn, TEST_APP, TEST_TOKEN } from "../helpers/secrets";

const EXAMPLE_USAGE = deriveUsage(DOCUMENTED_EXAMPLE, "KB");

/** Runs the CLI and checks what every run must hold: no secret in its output. */
async function cli(args: readonly string[], env: Readonly<Record<string, string>>): Promise<CliRun> {
  const run = await runCli(args, env);
  assertNoSecretIn(run.stdout, "stdout");
  assertNoSecretIn(run.stderr, "stderr");
  return run;
}

/** Asserts a refusal of the given exit code: nothing on stdout, one `koodrive-usage:` line on stderr, no stack. */
function assertOneLineFailure(run: CliRun, code: 2 | 3, expected: RegExp): void {
  assert.equal(run.code, code, run.stderr);
  assert.equal(run.stdout, "");
  const lines = run.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0] ?? "", /^koodrive-usage: /);
  assert.match(run.stderr, expected);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
}

const stderrLines = (run: CliRun) => run.stderr.trimEnd().split("\n");

describe("koodrive-usage CLI", () => {
  let sim: Simulator;
  let tokenEnv: Record<string, string>;

  beforeEach(async () => {
    sim = await startSimulator({ fixture: { tokens: [TEST_TOKEN], apps: [TEST_APP] } });
    tokenEnv = { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TEST_TOKEN };
  });
  afterEach(() => sim.close());

  it("is compiled with a node shebang, as the package bin", () => {
    assert.equal(readFileSync(CLI_PATH, "utf8").split("\n")[0], "#!/usr/bin/env node");
  });

  describe("exit 0: usage read", () => {
    it("prints a readable summary of seats, pools and stored data", async () => {
      const run = await cli([], tokenEnv);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, "");
      assert.match(run.stdout, /^Seats +20 \/ 100 seats +80 seats left +20\.0% +\[####\.{16}\]$/m);
      assert.match(run.stdout, /^Department pool quota +42 \/ 6144 GB +6102 GB left +0\.7% +\[\.{20}\]$/m);
      assert.match(run.stdout, /^Personal pool quota +35 \/ 2048 GB +2013 GB left +1\.7% /m);
      assert.match(run.stdout, /^Group pool quota +250 \/ 2048 GB +1798 GB left +12\.2% +\[##\.{18}\]$/m);
      assert.match(run.stdout, /^Allocatable quota \(all pools\) +327 \/ 10240 GB +9913 GB left /m);
      assert.match(run.stdout, /Stored data: 7\.394 GB, 0\.07% of capacity/);
      assert.match(run.stdout, /read as KB, an assumption/);
    });

    it("prints one JSON object with every usage field at the top level with --json", async () => {
      const run = await cli(["--json"], tokenEnv);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, "");
      const output = JSON.parse(run.stdout);
      assert.deepEqual(output, JSON.parse(JSON.stringify(EXAMPLE_USAGE)));
      for (const field of QUOTA_USED_FIELDS) assert.ok(field in output, field);
    });

    it("authenticates as an app from KOODRIVE_APP_ID, KOODRIVE_APP_SECRET and KOODRIVE_USER_ID", async () => {
      const run = await cli(["--json"], {
        KOODRIVE_ENDPOINT: sim.url,
        KOODRIVE_APP_ID: TEST_APP.appId,
        KOODRIVE_APP_SECRET: TEST_APP.appSecret,
        KOODRIVE_USER_ID: TEST_APP.userId,
      });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(JSON.parse(run.stdout).userCount, DOCUMENTED_EXAMPLE.userCount);
      assert.equal(sim.requestLog().at(-1)?.authMode, "app");
    });

    it("takes --endpoint over KOODRIVE_ENDPOINT", async () => {
      const run = await cli(["--json", "--endpoint", sim.url], { ...tokenEnv, KOODRIVE_ENDPOINT: await refusedUrl() });
      assert.equal(run.code, 0, run.stderr);
    });

    it("reads spaceUsed in the unit of --used-space-unit, else KOODRIVE_USED_SPACE_UNIT", async () => {
      const flag = JSON.parse((await cli(["--json", "--used-space-unit", "mb"], tokenEnv)).stdout);
      assert.deepEqual(
        [flag.usedSpaceUnit, flag.spaceUsedGB],
        ["MB", deriveUsage(DOCUMENTED_EXAMPLE, "MB").spaceUsedGB],
      );
      const env = JSON.parse((await cli(["--json"], { ...tokenEnv, KOODRIVE_USED_SPACE_UNIT: "B" })).stdout);
      assert.equal(env.usedSpaceUnit, "B");
    });

    it("shows the figures the simulator is set to", async () => {
      sim.setUsage({ userCount: 99 });
      const run = await cli([], tokenEnv);
      assert.match(run.stdout, /^Seats +99 \/ 100 seats +1 seat left +99\.0% +\[#{20}\]$/m);
    });
  });

  describe("plans", () => {
    it("exits 0 when the plan fits, and says what is left after it", async () => {
      const run = await cli(["--plan-users", "10", "--plan-dept-gb", "100", "--min-free-seats", "5"], tokenEnv);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, "");
      assert.match(run.stdout, /Plan fits\./);
      assert.match(
        run.stdout,
        /Left after the plan: 70 seats, 6002 GB of department pool quota, 2013 GB of personal pool quota, 1798 GB of group pool quota, 9813 GB of allocatable quota \(all pools\)\./,
      );
    });

    it("exits 1 when the plan exceeds capacity, with one stderr line per violation", async () => {
      const args = ["--plan-users", "81", "--plan-group-gb", "1800", "--min-free-gb", "9000"];
      const run = await cli(args, tokenEnv);
      assert.equal(run.code, 1);
      const expected = evaluatePlan(EXAMPLE_USAGE, {
        plannedUsers: 81,
        plannedSpaceGB: { group: 1800 },
        minFreeGB: 9000,
      });
      assert.equal(expected.violations.length, 3);
      assert.deepEqual(
        stderrLines(run),
        expected.violations.map((violation) => `${violation.message}: ${violation.remedy}`),
      );
      assert.match(run.stdout, /Plan exceeds capacity \(3 violations/);
    });

    it("exits 1 naming the status when the tenant is frozen, whatever its figures", async () => {
      sim.setSubscription({ status: 1 });
      try {
        const run = await cli(["--plan-users", "5"], tokenEnv);
        assert.equal(run.code, 1);
        assert.deepEqual(stderrLines(run), [
          "the KooDrive tenant is frozen (its subscription's status is 1: its resources and data are kept, but the service cannot be used), so nothing can be added: renew or unfreeze the subscription, then run again",
        ]);
        assert.match(run.stdout, /Plan exceeds capacity \(1 violation,/);
      } finally {
        sim.setSubscription({ status: 0 });
      }
      assert.equal((await cli(["--plan-users", "5"], tokenEnv)).code, 0);
    });

    it("keeps stdout one JSON object with the plan under `plan`, violations on stderr, with --json", async () => {
      const run = await cli(["--json", "--plan-users", "90", "--warn-at-percent", "12"], tokenEnv);
      assert.equal(run.code, 1);
      const output = JSON.parse(run.stdout);
      const evaluation = evaluatePlan(EXAMPLE_USAGE, { plannedUsers: 90, warnAtPercent: 12 });
      const plan = {
        ...evaluation,
        runwayShortfalls: [],
        message:
          "the plan exceeds capacity: seats: plan needs 90 new users, 80 seats left; exceeds by 10 seats: buy 10 more seats, or raise the OrgID user maximum (POST /koodrive/ose/v1/user/expand/{orgId})",
      };
      assert.deepEqual(output, JSON.parse(JSON.stringify({ ...EXAMPLE_USAGE, plan })));
      assert.deepEqual(stderrLines(run), [
        "seats: plan needs 90 new users, 80 seats left; exceeds by 10 seats: buy 10 more seats, or raise the OrgID user maximum (POST /koodrive/ose/v1/user/expand/{orgId})",
        "warning: group pool quota: 12.21% used after the plan (warning at 12%)",
      ]);
    });

    it("prints warnings prefixed `warning:` and still exits 0", async () => {
      const run = await cli(["--warn-at-percent", "20"], tokenEnv);
      assert.equal(run.code, 0);
      assert.deepEqual(stderrLines(run), ["warning: seats: 20% used after the plan (warning at 20%)"]);
    });
  });

  describe("exit 2: bad flags or configuration", () => {
    const badFlags: [string, string[], RegExp][] = [
      ["an unknown flag", ["--verbose"], /Unknown option '--verbose'.*--help/],
      ["a negative number", ["--plan-users", "-3"], /--plan-users/],
      ["a negative number with =", ["--plan-users=-3"], /--plan-users must be a whole number ≥ 0, got "-3"/],
      ["a fraction", ["--plan-dept-gb", "1.5"], /--plan-dept-gb must be a whole number ≥ 0, got "1\.5"/],
      ["an exponent", ["--min-free-gb", "1e3"], /--min-free-gb must be a whole number/],
      [
        "a number past the largest safe whole number",
        ["--plan-users", "9007199254740993"],
        /--plan-users is beyond the largest safe whole number, 9007199254740991, got "9007199254740993"/,
      ],
      ["not a number", ["--retries", "two"], /--retries must be a whole number from 0 to 100/],
      ["a zero timeout", ["--timeout-ms", "0"], /--timeout-ms must be a whole number from 1 to 2147483647/],
      ["a timeout no timer can hold", ["--timeout-ms", "3000000000"], /--timeout-ms must be a whole number from 1/],
      ["a timeout far out of range", ["--timeout-ms", "5000000000"], /--timeout-ms must be a whole number from 1/],
      [
        "a percentage above 100",
        ["--warn-at-percent", "101"],
        /--warn-at-percent must be a whole number from 0 to 100/,
      ],
      ["a flag without its value", ["--endpoint"], /--endpoint/],
      ["a value for --json", ["--json=yes"], /--json/],
      ["a bad unit", ["--used-space-unit", "TB"], /"TB" is not one of B, KB, MB, GB/],
      ["plain http to a remote host", ["--endpoint", "http://koodrive.example.com"], /plain HTTP .*https:\/\//],
      ["a malformed endpoint", ["--endpoint", "not a url"], /neither a region preset/],
    ];
    for (const [title, args, expected] of badFlags) {
      it(`refuses ${title}`, async () => {
        assertOneLineFailure(await cli(args, tokenEnv), 2, expected);
        assert.equal(sim.requestCount(), 0);
      });
    }

    const credentialFlags: [string, string][] = [
      ["--token", "KOODRIVE_ACCESS_TOKEN"],
      ["--access-token", "KOODRIVE_ACCESS_TOKEN"],
      ["--app-secret", "KOODRIVE_APP_SECRET"],
      ["--app-id", "KOODRIVE_APP_ID"],
      ["--user-id", "KOODRIVE_USER_ID"],
    ];
    for (const [flag, variable] of credentialFlags) {
      it(`refuses ${flag}, pointing to ${variable}, without repeating the value`, async () => {
        const value = flag === "--app-secret" ? TEST_APP.appSecret : TEST_TOKEN;
        for (const args of [[flag, value], [`${flag}=${value}`]]) {
          const run = await cli(args, tokenEnv);
          assertOneLineFailure(run, 2, new RegExp(`${flag} is not accepted.*set ${variable} in the environment`));
        }
      });
    }

    it("refuses a token with a line break as a configuration error, sending nothing", async () => {
      const run = await cli([], { ...tokenEnv, KOODRIVE_ACCESS_TOKEN: `${TEST_TOKEN}\r\nX-Evil: 1` });
      assertOneLineFailure(run, 2, /invalid KOODRIVE_ACCESS_TOKEN: it contains a control character/);
      assert.equal(sim.requestCount(), 0);
    });

    it("ends a write error on stdout with one line and exit 3, never 1", async () => {
      const full = openSync("/dev/full", "w");
      const child = spawn(process.execPath, [CLI_PATH, "--json"], {
        env: { PATH: process.env.PATH ?? "", ...tokenEnv },
        stdio: ["ignore", full, "pipe"],
      });
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const [code] = (await once(child, "close")) as [number];
      closeSync(full);
      assert.equal(code, 3, stderr);
      assert.match(stderr, /^koodrive-usage: cannot write the output \(ENOSPC\)\n$/);
    });

    it("fails behind a proxy that drops CONNECT, naming the proxy, with exit 3", async () => {
      const proxy = await startHostileProxy("drop");
      try {
        const run = await cli(["--timeout-ms", "300"], {
          KOODRIVE_ENDPOINT: PROXIED_ENDPOINT,
          KOODRIVE_ACCESS_TOKEN: TEST_TOKEN,
          HTTPS_PROXY: proxy.url,
        });
        assertOneLineFailure(run, 3, new RegExp(`proxy ${proxy.url}`));
      } finally {
        await proxy.close();
      }
    });

    it("does not repeat a stray positional argument, which may be a pasted secret", async () => {
      assertOneLineFailure(await cli([TEST_TOKEN], tokenEnv), 2, /unexpected argument: this command takes flags only/);
    });

    it("refuses to run without credentials, naming the variables", async () => {
      const run = await cli([], { KOODRIVE_ENDPOINT: sim.url });
      assertOneLineFailure(
        run,
        2,
        /no credentials: set KOODRIVE_ACCESS_TOKEN, or KOODRIVE_APP_ID, KOODRIVE_APP_SECRET/,
      );
    });

    it("refuses to run without an endpoint", async () => {
      const run = await cli([], { KOODRIVE_ACCESS_TOKEN: TEST_TOKEN });
      assertOneLineFailure(run, 2, /no endpoint: pass --endpoint cn, intl or a base URL, or set KOODRIVE_ENDPOINT/);
    });

    it("refuses partial app credentials, naming the missing variable", async () => {
      const run = await cli([], { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_APP_ID: TEST_APP.appId, KOODRIVE_USER_ID: "1" });
      assertOneLineFailure(run, 2, /KOODRIVE_APP_SECRET is missing/);
    });

    it("refuses a token together with app credentials", async () => {
      const run = await cli([], { ...tokenEnv, KOODRIVE_APP_ID: TEST_APP.appId });
      assertOneLineFailure(run, 2, /conflicting KooDrive credentials/);
    });
  });

  describe("exit 3: usage could not be read", () => {
    const traceId = /trace id [0-9a-f]{58}/;

    it("reports a refused connection", async () => {
      const run = await cli(["--retries", "0"], { ...tokenEnv, KOODRIVE_ENDPOINT: await refusedUrl() });
      assertOneLineFailure(run, 3, /refused the connection/);
    });

    it("reports rejected credentials with the trace id", async () => {
      const run = await cli([], { ...tokenEnv, KOODRIVE_ACCESS_TOKEN: `${TEST_TOKEN}-revoked` });
      assertOneLineFailure(run, 3, /authentication failed: HTTP 401/);
      assert.match(run.stderr, traceId);
    });

    it("reports a service error once the retries are used up", async () => {
      sim.queueFault("quotaUsed", { kind: "status", status: 500 }, 2);
      const run = await cli(["--retries", "1"], tokenEnv);
      assertOneLineFailure(run, 3, /KooDrive returned HTTP 500.*after 2 attempts/);
      assert.match(run.stderr, traceId);
      assert.equal(sim.requestCount("quotaUsed"), 2);
    });

    it("recovers when a retry succeeds", async () => {
      sim.queueFault("quotaUsed", { kind: "status", status: 503 }, 1);
      const run = await cli(["--json", "--retries", "1"], tokenEnv);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(sim.requestCount("quotaUsed"), 2);
    });

    it("reports a timeout of --timeout-ms", async () => {
      sim.queueFault("quotaUsed", { kind: "delay", ms: 60_000 }, 1);
      const run = await cli(["--timeout-ms", "200", "--retries", "0"], tokenEnv);
      assertOneLineFailure(run, 3, /did not answer in time: no answer .* within 200 ms/);
    });

    it("reports an HTML page instead of JSON", async () => {
      sim.queueFault("quotaUsed", { kind: "html", status: 200 }, 1);
      assertOneLineFailure(await cli(["--retries", "0"], tokenEnv), 3, /HTML instead of JSON/);
    });

    it("reports invalid data, naming the field", async () => {
      sim.queueFault("quotaUsed", { kind: "data", data: { ...DOCUMENTED_EXAMPLE, userCount: -1 } }, 1);
      assertOneLineFailure(await cli(["--json"], tokenEnv), 3, /data\.userCount must be a whole number/);
    });
  });

  describe("--help", () => {
    it("documents every flag, the environment variables and the exit codes, and exits 0", async () => {
      for (const flag of ["--help", "-h"]) {
        const run = await cli([flag], {});
        assert.equal(run.code, 0);
        assert.equal(run.stderr, "");
        for (const name of Object.keys(FLAGS)) assert.ok(run.stdout.includes(`--${name}`), `--${name}`);
        for (const variable of [
          "KOODRIVE_ACCESS_TOKEN",
          "KOODRIVE_APP_ID",
          "KOODRIVE_APP_SECRET",
          "KOODRIVE_USER_ID",
          "KOODRIVE_ENDPOINT",
          "KOODRIVE_USED_SPACE_UNIT",
        ]) {
          assert.ok(run.stdout.includes(variable), variable);
        }
        for (const code of [0, 1, 2, 3]) assert.match(run.stdout, new RegExp(`^ +${code} +\\S`, "m"));
      }
    });

    it("answers --help without contacting KooDrive, even with other flags", async () => {
      const run = await cli(["--json", "--help"], tokenEnv);
      assert.equal(run.code, 0);
      assert.match(run.stdout, /^Usage: koodrive-usage/);
      assert.equal(sim.requestCount(), 0);
    });
  });
});
