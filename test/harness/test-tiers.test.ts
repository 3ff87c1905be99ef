import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../harness/engine";
import { testTiers, tierOf } from "../../harness/test-tiers";

const run = promisify(execFile);

/** The compiled PostgreSQL helper, named at run time: a literal `require` of it would put this file in the postgres tier. */
const POSTGRES_HELPER = path.join(__dirname, "..", "helpers", "postgres.js");

/** A test run's result, failed or not. */
type Ran = { code: number; stdout: string; stderr: string };

/** Runs `file` with `args` and `env`; a non-zero exit is a result, not an error. */
async function ran(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd: REPO_ROOT, env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

describe("the test tiers (harness/test-tiers.ts, scripts/test.sh)", () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(path.join(tmpdir(), "koodrive-tiers-"));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  /** Writes compiled-looking modules under the scratch folder, by path. */
  const write = (files: Record<string, string>) => {
    for (const [file, source] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
      writeFileSync(path.join(scratch, file), source);
    }
  };

  it("puts a file in the postgres tier when it loads the PostgreSQL helper, directly or not, or is named postgres-*", () => {
    // Built from parts: a literal require of the helper in this file would put this file in the postgres tier.
    const required = (module: string) => `require("${module}")`;
    const requireOf = (module: string) => `const m = ${required(module)};\n`;
    write({
      "helpers/postgres.js": requireOf("pg"),
      "helpers/lease-server.js": requireOf("./postgres"),
      "helpers/cycle-a.js": requireOf("./cycle-b") + requireOf("./loopback"),
      "helpers/cycle-b.js": requireOf("./cycle-a"),
      "helpers/loopback.js": requireOf("node:net"),
      "engine/lock.test.js": requireOf("../helpers/postgres"),
      "package/consumer-types.test.js": "",
      "tenant/direct.test.js": `const postgres_1 = __importDefault(${required("../helpers/postgres")});\n`,
      "tenant/indirect.test.js": requireOf("../helpers/lease-server.js"),
      "tenant/postgres-schema.test.js": requireOf("pg"),
      "tenant/lock.test.js": requireOf("../helpers/cycle-a") + requireOf("pg"),
      "cli/summary.test.js": requireOf("../helpers/loopback"),
    });
    assert.deepEqual(testTiers(scratch), [
      { file: "cli/summary.test.js", tier: "unit" },
      { file: "engine/lock.test.js", tier: "engine" },
      { file: "package/consumer-types.test.js", tier: "engine" },
      { file: "tenant/direct.test.js", tier: "postgres" },
      { file: "tenant/indirect.test.js", tier: "postgres" },
      { file: "tenant/lock.test.js", tier: "unit" },
      { file: "tenant/postgres-schema.test.js", tier: "postgres" },
    ]);
  });

  it("puts the repository's PostgreSQL lock tests in the postgres tier and this file in the unit tier", () => {
    const testRoot = path.join(REPO_ROOT, "dist/test");
    assert.equal(tierOf(testRoot, "tenant/postgres-lock.test.js"), "postgres");
    assert.equal(tierOf(testRoot, "engine/tenant-lock.test.js"), "engine");
    assert.equal(tierOf(testRoot, "harness/test-tiers.test.js"), "unit");
    assert.equal(tierOf(testRoot, "tenant/local-lock.test.js"), "unit");
  });

  it("tells what to install, and how to point elsewhere, when PostgreSQL's binaries are missing", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, KOODRIVE_POSTGRESQL_ROOT: scratch };
    delete env.KOODRIVE_TEST_TIER;
    const { code, stdout, stderr } = await ran(
      process.execPath,
      [
        "-e",
        `require(${JSON.stringify(POSTGRES_HELPER)}).startPostgres().catch((error) => console.log(error.message));`,
      ],
      env,
    );
    assert.equal(code, 0, stderr);
    assert.equal(
      stdout.trim(),
      `no PostgreSQL server under ${scratch}: install Debian's postgresql package (sudo apt-get install postgresql; .ci/run does), or set KOODRIVE_POSTGRESQL_ROOT to the folder holding <major>/bin/postgres`,
    );
  });

  /** Runs `npm run <script> -- <probe>`: the probe file alone, in that script's tier, on the current build. */
  const probeIn = async (script: string, source: string): Promise<Ran> => {
    const probe = path.join(scratch, "probe.test.js");
    writeFileSync(probe, `const assert = require("node:assert/strict");\n${source}`);
    const env: NodeJS.ProcessEnv = { ...process.env, KOODRIVE_BUILT: "1", KOODRIVE_TEST_JOBS: "1" };
    delete env.KOODRIVE_TEST_TIER;
    delete env.KOODRIVE_POSTGRESQL_ROOT;
    const result = await ran("npm", ["run", "--silent", script, "--", probe], env);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /1 passing/);
    return result;
  };

  it("npm run test:unit hides and refuses PostgreSQL, and says which tier holds the PostgreSQL tests", async () => {
    // The probe stands for any unit test reaching for PostgreSQL: what it finds there.
    const { stderr } = await probeIn(
      "test:unit",
      `const { existsSync, readdirSync } = require("node:fs");
const path = require("node:path");
it("finds no PostgreSQL", async () => {
  assert.equal(process.env.KOODRIVE_TEST_TIER, "unit");
  assert.deepEqual(readdirSync(process.env.KOODRIVE_POSTGRESQL_ROOT), []);
  for (const dir of process.env.PATH.split(path.delimiter)) {
    for (const program of ["postgres", "initdb", "pg_ctl"]) assert.ok(!existsSync(path.join(dir, program)), dir);
  }
  await assert.rejects(require(${JSON.stringify(POSTGRES_HELPER)}).startPostgres(), {
    message: "KOODRIVE_TEST_TIER=unit: the unit tier starts no PostgreSQL; a test that needs it belongs in the PostgreSQL tier (npm run test:postgres), which every test file importing test/helpers/postgres is in",
  });
});
`,
    );
    assert.match(
      stderr,
      /^tier unit: \d+ test files, PostgreSQL hidden; the [1-9]\d* that start PostgreSQL are in the postgres tier \(npm run test:postgres\): .*dist\/test\/tenant\/postgres-lock\.test\.js/m,
    );
    assert.match(
      stderr,
      /tier unit: passed in \d+s; left to the postgres tier \(npm run test:postgres\): [1-9]\d* test files?$/m,
    );
  });

  it("npm run test:postgres starts no engine", async () => {
    const { stderr } = await probeIn(
      "test:postgres",
      `it("is refused the engine", async () => {
  assert.equal(process.env.KOODRIVE_TEST_TIER, "postgres");
  await assert.rejects(require(${JSON.stringify(path.join(REPO_ROOT, "dist/harness/engine.js"))}).engineBinDir(), {
    message: "KOODRIVE_TEST_TIER=postgres: the postgres tier starts no engine; a test that needs it belongs in test/engine (npm run test:engine)",
  });
});
`,
    );
    assert.match(stderr, /tier postgres: passed in \d+s$/m);
  });
});
