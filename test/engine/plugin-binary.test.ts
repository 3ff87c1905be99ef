/**
 * The provider plugin as `npm run dist` releases it: one executable per platform in the engine's
 * tarball shape. The linux-amd64 tarball is installed with `pulumi plugin install --file` into a
 * private Pulumi home and runs a YAML stack with no `node` anywhere on the engine's PATH; the other
 * platforms' executables are checked for their format, and the linux-arm64 one starts under qemu.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { engineBinDir } from "../../harness/engine";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { PACKAGE_VERSION } from "../../provider/client/version";
import { type Simulator, startSimulator } from "../../sim";
import { buildPluginRelease, RELEASE_PLATFORMS, type ReleasePlatform } from "../../tools/release/plugin-release";
import { pluginProgram } from "../helpers/plugin-programs";
import { assertNoSecretIn, TEST_TOKEN } from "../helpers/secrets";

const run = promisify(execFile);
const platform = (name: string) => RELEASE_PLATFORMS.find((candidate) => candidate.name === name) as ReleasePlatform;

/** Unpacks `tarball` into `dir` and returns what it holds. */
async function unpacked(tarball: string, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  await run("tar", ["-xzf", tarball, "-C", dir]);
  return readdirSync(dir);
}

/** The first line the process writes to stdout, then kills it (a plugin prints its port and serves). */
function firstLine(command: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (out.includes("\n")) {
        child.kill();
        resolve(out.split("\n")[0] as string);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      err += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => reject(new Error(`${command} ended (${code}) before a line: ${err}`)));
  });
}

describe("the provider plugin's release tarballs", function () {
  this.timeout(900_000);
  let scratch: string;
  let releaseDir: string;

  before(() => {
    scratch = mkdtempSync(path.join(tmpdir(), "koodrive-plugin-binary-"));
    releaseDir = path.join(scratch, "release");
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  describe("linux-amd64, installed with `pulumi plugin install --file`, with no node on PATH", () => {
    let sim: Simulator;
    let test: ProgramStack | undefined;

    before(async () => {
      sim = await startSimulator({ fixture: { tokens: [TEST_TOKEN], usage: { userCount: 95, userMaxCount: 100 } } });
    });
    after(async () => {
      await test?.remove();
      await sim.close();
    });

    it("previews, deploys a fitting plan, fails an exceeding one with the guard's message, and destroys", async () => {
      const [tarball] = await buildPluginRelease([platform("linux-amd64")], releaseDir);
      assert.equal(
        path.basename(tarball?.file ?? ""),
        `pulumi-resource-koodrive-v${PACKAGE_VERSION}-linux-amd64.tar.gz`,
      );
      assert.deepEqual(await unpacked(tarball?.file as string, path.join(scratch, "amd64")), [
        "pulumi-resource-koodrive",
      ]);

      // The engine's PATH: a folder holding only the CLI and the YAML language host.
      const bin = await engineBinDir();
      const tools = path.join(scratch, "tools");
      mkdirSync(tools);
      for (const tool of ["pulumi", "pulumi-language-yaml"]) symlinkSync(path.join(bin, tool), path.join(tools, tool));
      assert.ok(!existsSync(path.join(tools, "node")));
      const home = path.join(scratch, "pulumi-home");
      const program = (seats: number) => pluginProgram("yaml", { guards: { seats } });

      test = await createProgramStack("plugin-binary", {
        files: program(2),
        config: {
          "koodrive:endpoint": { value: sim.url },
          "koodrive:accessToken": { value: TEST_TOKEN, secret: true },
        },
        env: { PATH: tools, PULUMI_HOME: home },
      });
      await test.cli(["plugin", "install", "resource", "koodrive", PACKAGE_VERSION, "--file", tarball?.file as string]);
      const { stdout: plugins } = await test.cli(["plugin", "ls"]);
      assert.match(plugins, new RegExp(`koodrive\\s+resource\\s+${PACKAGE_VERSION.replaceAll(".", "\\.")}`));

      const preview = await test.stack.preview();
      assert.match(preview.stdout, /remainingSeats\s*:\s*5\b/);
      assert.match(preview.stdout, /seatsStatus\s*:\s*"fits"/);
      assert.doesNotMatch(preview.stdout + preview.stderr, /from \$PATH/);

      const planned = (seats: number) =>
        writeFileSync(path.join(test?.dir as string, "Pulumi.yaml"), program(seats)["Pulumi.yaml"] as string);
      planned(6);
      await assert.rejects(
        test.stack.preview(),
        /resource 'seats'.*seats: plan needs 6 new users, 5 left; exceeds by 1/s,
      );
      planned(2);
      const up = await test.stack.up();
      assert.equal(up.outputs.seatsStatus?.value, "fits");

      await test.stack.destroy();
      assert.deepEqual((await test.stack.exportStack()).deployment.resources ?? [], []);
      assertNoSecretIn(up.stdout + up.stderr + test.readState(), "the engine output and the state");
    });
  });

  describe("the other platforms", () => {
    it("linux-arm64: an aarch64 ELF executable that starts under qemu and prints its port", async () => {
      const [tarball] = await buildPluginRelease([platform("linux-arm64")], releaseDir);
      const dir = path.join(scratch, "arm64");
      assert.deepEqual(await unpacked(tarball?.file as string, dir), ["pulumi-resource-koodrive"]);
      const executable = path.join(dir, "pulumi-resource-koodrive");
      const header = readFileSync(executable).subarray(0, 20);
      assert.equal(header.subarray(0, 4).toString("latin1"), "\x7fELF");
      assert.equal(header[4], 2, "64-bit");
      assert.equal(header.readUInt16LE(18), 183, "e_machine is EM_AARCH64");
      // Debian's qemu-user with the arm64 C and C++ runtimes (.ci/run installs them when missing).
      const qemu = await run("sh", ["-c", "command -v qemu-aarch64"]).then(
        ({ stdout }) => stdout.trim(),
        () =>
          assert.fail("qemu-aarch64 is missing: apt-get install qemu-user libc6-arm64-cross libstdc++6-arm64-cross"),
      );
      const port = await firstLine(qemu, ["-L", "/usr/aarch64-linux-gnu", executable], { PATH: "/nonexistent" });
      assert.match(port, /^\d+$/);
    });

    it("windows-amd64: an x86-64 PE executable named .exe", async () => {
      const [tarball] = await buildPluginRelease([platform("windows-amd64")], releaseDir);
      const dir = path.join(scratch, "windows");
      assert.deepEqual(await unpacked(tarball?.file as string, dir), ["pulumi-resource-koodrive.exe"]);
      const file = readFileSync(path.join(dir, "pulumi-resource-koodrive.exe"));
      assert.equal(file.subarray(0, 2).toString("latin1"), "MZ");
      const pe = file.readUInt32LE(0x3c);
      assert.equal(file.subarray(pe, pe + 4).toString("latin1"), "PE\0\0");
      assert.equal(file.readUInt16LE(pe + 4), 0x8664, "machine is AMD64");
    });
  });
});
