/**
 * The provider plugin as `npm run dist` releases it: one executable per platform in the engine's
 * tarball shape. The linux-amd64 tarball is installed with `pulumi plugin install --file` into a
 * private Pulumi home and runs a YAML stack with no `node` anywhere on the engine's PATH; the other
 * platforms' executables are checked for their format, and the linux-arm64 one starts under qemu.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { engineBinDir } from "../../harness/engine";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { PACKAGE_VERSION } from "../../provider/client/version";
import { type Simulator, startSimulator } from "../../sim";
import { buildRelease, PLUGIN, RELEASE_PLATFORMS, type ReleasePlatform } from "../../tools/release/executables";
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
  /** The linux-amd64 tarball, built once for every test of it. */
  let tarball: string;

  before(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), "koodrive-plugin-binary-"));
    releaseDir = path.join(scratch, "release");
    const [released] = await buildRelease(PLUGIN, [platform("linux-amd64")], releaseDir);
    tarball = released?.file as string;
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  describe("linux-amd64, with no node on the engine's PATH", () => {
    let sim: Simulator;
    let test: ProgramStack | undefined;
    /** The engine's PATH: a folder holding only the CLI and the YAML language host. */
    let tools: string;
    const program = (seats: number) => pluginProgram("yaml", { guards: { seats } });
    const config = () => ({
      "koodrive:endpoint": { value: sim.url },
      "koodrive:accessToken": { value: TEST_TOKEN, secret: true },
    });

    before(async () => {
      sim = await startSimulator({ fixture: { tokens: [TEST_TOKEN], usage: { userCount: 95, userMaxCount: 100 } } });
      const bin = await engineBinDir();
      tools = path.join(scratch, "tools");
      mkdirSync(tools);
      for (const tool of ["pulumi", "pulumi-language-yaml"]) symlinkSync(path.join(bin, tool), path.join(tools, tool));
    });
    afterEach(async () => {
      await test?.remove();
      test = undefined;
    });
    after(async () => {
      await sim.close();
    });

    it("holds the executable alone, by the name the engine looks for", async () => {
      assert.equal(path.basename(tarball), `pulumi-resource-koodrive-v${PACKAGE_VERSION}-linux-amd64.tar.gz`);
      assert.deepEqual(await unpacked(tarball, path.join(scratch, "amd64")), ["pulumi-resource-koodrive"]);
      assert.deepEqual(readdirSync(tools).sort(), ["pulumi", "pulumi-language-yaml"], "no node on the PATH");
    });

    it("installed with `pulumi plugin install --file`: previews, deploys a fitting plan, fails an exceeding one with the guard's message, and destroys", async () => {
      test = await createProgramStack("plugin-binary", {
        files: program(2),
        config: config(),
        env: { PATH: tools, PULUMI_HOME: path.join(scratch, "pulumi-home") },
      });
      await test.cli(["plugin", "install", "resource", "koodrive", PACKAGE_VERSION, "--file", tarball]);
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
        /resource 'seats'.*seats: plan needs 6 new users, 5 seats left; exceeds by 1 seat/s,
      );
      planned(2);
      const up = await test.stack.up();
      assert.equal(up.outputs.seatsStatus?.value, "fits");

      await test.stack.destroy();
      assert.deepEqual((await test.stack.exportStack()).deployment.resources ?? [], []);
      assertNoSecretIn(up.stdout + up.stderr + test.readState(), "the engine output and the state");
    });

    it("found through `plugins: providers:` in Pulumi.yaml, pointing at the unpacked tarball; it warns through the engine of a plain-text token", async () => {
      const yaml = program(1)["Pulumi.yaml"] as string;
      test = await createProgramStack("plugin-binary-path", {
        files: { "Pulumi.yaml": `${yaml}plugins:\n  providers:\n    - name: koodrive\n      path: ./plugin\n` },
        config: { ...config(), "koodrive:accessToken": { value: TEST_TOKEN } },
        env: { PATH: tools, PULUMI_HOME: path.join(scratch, "empty-pulumi-home") },
      });
      await unpacked(tarball, path.join(test.dir, "plugin"));
      const preview = await test.stack.preview();
      assert.match(preview.stdout, /remainingSeats\s*:\s*5\b/);
      assert.match(preview.stdout, /seatsStatus\s*:\s*"fits"/);
      // The executable's own gRPC client reaches the engine's log service.
      assert.match(preview.stdout, /warning: koodrive:accessToken is set in plain text in the stack config/);
    });
  });

  it("is what the engine downloads from a plugin server (pluginDownloadURL), by the name it asks for", async () => {
    const requested: string[] = [];
    const server = createServer((request, response) => {
      requested.push(`${request.method} ${request.url}`);
      const file = path.join(releaseDir, path.basename(request.url ?? ""));
      if (!existsSync(file)) return void response.writeHead(404).end();
      // The engine checks the download against its length, as a release host (GitHub) sends it.
      response.writeHead(200, { "content-type": "application/gzip", "content-length": statSync(file).size });
      createReadStream(file).pipe(response);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const pulumi = path.join(await engineBinDir(), "pulumi");
      const env = {
        PATH: process.env.PATH,
        PULUMI_HOME: path.join(scratch, "download-home"),
        PULUMI_SKIP_UPDATE_CHECK: "true",
      };
      await run(pulumi, ["plugin", "install", "resource", "koodrive", PACKAGE_VERSION, "--server", url], { env });
      assert.deepEqual(requested, [`GET /pulumi-resource-koodrive-v${PACKAGE_VERSION}-linux-amd64.tar.gz`]);
      const { stdout } = await run(pulumi, ["plugin", "ls"], { env });
      assert.match(stdout, new RegExp(`koodrive\\s+resource\\s+${PACKAGE_VERSION.replaceAll(".", "\\.")}`));
    } finally {
      server.close();
    }
  });

  describe("the other platforms", () => {
    it("linux-arm64: an aarch64 ELF executable that starts under qemu and prints its port", async () => {
      const [tarball] = await buildRelease(PLUGIN, [platform("linux-arm64")], releaseDir);
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
      const [tarball] = await buildRelease(PLUGIN, [platform("windows-amd64")], releaseDir);
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
