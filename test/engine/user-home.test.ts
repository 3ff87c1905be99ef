import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../harness/engine";
import { createProgramStack } from "../../harness/program-stack";

const run = promisify(execFile);
const PULUMI_SH = path.join(REPO_ROOT, "scripts/pulumi.sh");
const ECHO_PROGRAM = `
const command = require("@pulumi/command");
const hello = new command.local.Command("hello", { create: "echo hello" });
exports.said = hello.stdout;
`;

/**
 * The environment of a user whose home is `home`: the engine cache stays where it is (so nothing is
 * rebuilt), and an installed CLI keeps its own Pulumi home, which is where the user installed plugins.
 */
function userEnvironment(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"),
  };
  delete env.PULUMI_HOME;
  return env;
}

async function ensure(home: string): Promise<{ bin: string; stderr: string }> {
  const { stdout, stderr } = await run("bash", [PULUMI_SH, "ensure"], { env: userEnvironment(home), cwd: REPO_ROOT });
  return { bin: stdout.trim().split("\n").pop() as string, stderr };
}

describe("the engine leaves the user's home alone", function () {
  this.timeout(600_000);
  let home: string;

  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), "koodrive-home-"));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it("writes nothing to HOME (no .pulumi) on ensure and on an engine run", async () => {
    const { bin } = await ensure(home);
    const builtEngine = path.basename(bin) === "bin";
    const test = await createProgramStack("user-home", {
      files: { "index.js": ECHO_PROGRAM },
      env: {
        HOME: home,
        // An installed CLI finds the user's plugins in their Pulumi home, as it would for them.
        ...(builtEngine ? {} : { PULUMI_HOME: process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi") }),
      },
    });
    try {
      const result = await test.stack.up();
      assert.equal(result.outputs.said?.value, "hello");
      assert.deepEqual(readdirSync(home), [], `the engine wrote into HOME: ${readdirSync(home).join(", ")}`);
    } finally {
      await test.stack.destroy().catch(() => undefined);
      await test.remove();
    }
  });

  it("says once how to remove a stand-in command provider an earlier version left in ~/.pulumi", async () => {
    const left = path.join(home, ".pulumi/plugins/resource-command-v1.2.1");
    mkdirSync(left, { recursive: true });
    // What tells the stand-in from upstream's binary: the Go package path it was built from.
    writeFileSync(
      path.join(left, "pulumi-resource-command"),
      "\x7fELF...github.com/koodrive/pulumi-koodrive/tools/pulumi/cmd/pulumi-resource-command...",
    );

    const first = await ensure(home);
    assert.match(first.stderr, /stand-in command provider/);
    assert.ok(first.stderr.includes(`rm -rf '${left}'`), first.stderr);
    const second = await ensure(home);
    assert.doesNotMatch(second.stderr, /stand-in command provider/);
  });

  it("says nothing about upstream's command provider in ~/.pulumi", async () => {
    const left = path.join(home, ".pulumi/plugins/resource-command-v1.2.1");
    mkdirSync(left, { recursive: true });
    writeFileSync(path.join(left, "pulumi-resource-command"), "\x7fELF...github.com/pulumi/pulumi-command/provider...");
    assert.doesNotMatch((await ensure(home)).stderr, /stand-in command provider/);
  });
});
