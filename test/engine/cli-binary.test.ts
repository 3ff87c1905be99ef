/**
 * koodrive-usage as `npm run dist` releases it: one executable per platform, beside the plugin's
 * tarballs. The linux-amd64 executable runs with no `node` on its PATH: its help, a read of
 * koodrive-sim with a plan that fits and one that does not (exit 1), a bad flag (exit 2), and the
 * report's page with Chart.js from the executable's own assets; the linux-arm64 one starts under qemu.
 * In the engine tier beside test/engine/plugin-binary.test.ts, and like it on the primary leg only.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { chartLibrary } from "../../cli/report-html";
import { PACKAGE_VERSION } from "../../provider/client/version";
import { type Simulator, startSimulator } from "../../sim";
import { buildRelease, RELEASE_PLATFORMS, type ReleasePlatform, USAGE_CLI } from "../../tools/release/executables";
import { runExecutable } from "../helpers/run-cli";
import { assertNoSecretIn, TEST_TOKEN } from "../helpers/secrets";

const run = promisify(execFile);
const platform = (name: string) => RELEASE_PLATFORMS.find((candidate) => candidate.name === name) as ReleasePlatform;

describe("koodrive-usage's release tarballs", function () {
  this.timeout(600_000);
  let scratch: string;
  let releaseDir: string;

  /** Builds the tarball of `name`, unpacks it into a folder of its own and returns what the folder holds. */
  async function unpacked(name: string): Promise<{ tarball: string; dir: string; files: string[] }> {
    const [released] = await buildRelease(USAGE_CLI, [platform(name)], releaseDir);
    const tarball = released?.file as string;
    const dir = path.join(scratch, name);
    mkdirSync(dir, { recursive: true });
    await run("tar", ["-xzf", tarball, "-C", dir]);
    return { tarball, dir, files: readdirSync(dir) };
  }

  before(() => {
    scratch = mkdtempSync(path.join(tmpdir(), "koodrive-cli-binary-"));
    releaseDir = path.join(scratch, "release");
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  describe("linux-amd64, with no node on its PATH", () => {
    let sim: Simulator;
    let executable: string;
    /** The executable's whole environment: a PATH of an empty folder, the connection to koodrive-sim. */
    let env: Record<string, string>;

    before(async () => {
      const { tarball, dir, files } = await unpacked("linux-amd64");
      assert.equal(path.basename(tarball), `koodrive-usage-v${PACKAGE_VERSION}-linux-amd64.tar.gz`);
      assert.deepEqual(files, ["koodrive-usage"]);
      executable = path.join(dir, "koodrive-usage");
      sim = await startSimulator({ fixture: { tokens: [TEST_TOKEN], usage: { userCount: 95, userMaxCount: 100 } } });
      const empty = path.join(scratch, "empty-path");
      mkdirSync(empty);
      env = { PATH: empty, KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TEST_TOKEN };
    });
    after(async () => {
      await sim.close();
    });

    it("prints its help and exits 0", async () => {
      const help = await runExecutable(executable, ["--help"], { PATH: env.PATH as string });
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /^Usage: koodrive-usage \[flags\]/);
      assert.match(help.stdout, /Exit codes:/);
    });

    it("reads koodrive-sim: a plan that fits exits 0 with the figures, one that does not exits 1 naming the shortfall", async () => {
      const fits = await runExecutable(executable, ["--plan-users", "1"], env);
      assert.equal(fits.code, 0, fits.stderr);
      assert.match(fits.stdout, /Seats\s+95 \/ 100 seats\s+5 seats left/);
      assert.match(fits.stdout, /^Plan fits\.$/m);

      const exceeds = await runExecutable(executable, ["--plan-users", "6"], env);
      assert.equal(exceeds.code, 1, exceeds.stderr);
      assert.match(exceeds.stdout, /Plan exceeds capacity \(1 violation, listed on stderr\)/);
      assert.match(exceeds.stderr, /^seats: plan needs 6 new users, 5 seats left; exceeds by 1 seat/m);
      assertNoSecretIn(fits.stdout + fits.stderr + exceeds.stdout + exceeds.stderr, "the executable's output");
    });

    it("refuses a bad flag with exit 2 and one line, sending nothing", async () => {
      const before = sim.requestCount();
      const bad = await runExecutable(executable, ["--plan-users=-1"], env);
      assert.equal(bad.code, 2);
      assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
      assert.match(bad.stderr, /--plan-users/);
      assert.equal(sim.requestCount(), before);
    });

    it("writes the report's page with Chart.js inlined from the executable's own copy", async () => {
      const page = path.join(scratch, "report.html");
      const history = path.join(scratch, "history.jsonl");
      const report = await runExecutable(executable, ["report", "--history", history, "--html", page], env);
      assert.equal(report.code, 0, report.stderr);
      const html = readFileSync(page, "utf8");
      assert.ok(html.includes(chartLibrary()), "the page holds the installed package's Chart.js build");
      assert.match(html, /Chart\.js v4/);
    });
  });

  it("linux-arm64: an aarch64 ELF executable that prints its help under qemu", async () => {
    const { dir, files } = await unpacked("linux-arm64");
    assert.deepEqual(files, ["koodrive-usage"]);
    const executable = path.join(dir, "koodrive-usage");
    const header = readFileSync(executable).subarray(0, 20);
    assert.equal(header.subarray(0, 4).toString("latin1"), "\x7fELF");
    assert.equal(header.readUInt16LE(18), 183, "e_machine is EM_AARCH64");
    // Debian's qemu-user with the arm64 C and C++ runtimes (.ci/run installs them when missing).
    const qemu = await run("sh", ["-c", "command -v qemu-aarch64"]).then(
      ({ stdout }) => stdout.trim(),
      () => assert.fail("qemu-aarch64 is missing: apt-get install qemu-user libc6-arm64-cross libstdc++6-arm64-cross"),
    );
    const help = await runExecutable(qemu, ["-L", "/usr/aarch64-linux-gnu", executable, "--help"], {
      PATH: "/nonexistent",
    });
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: koodrive-usage \[flags\]/);
  });
});
