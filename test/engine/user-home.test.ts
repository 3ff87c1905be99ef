import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { builtEngineHome, engineBinDir, REPO_ROOT } from "../../harness/engine";
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
 * rebuilt). PULUMI_HOME is removed unless `pulumiHome` is given: the built engine must then keep to
 * its own Pulumi home by itself. An installed CLI needs one given: Pulumi finds `~/.pulumi` from the
 * account (the password database), not from HOME, so without PULUMI_HOME it would read, and write
 * its logs into, the real user's Pulumi home.
 */
function userEnvironment(home: string, pulumiHome?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"),
  };
  delete env.PULUMI_HOME;
  if (pulumiHome) env.PULUMI_HOME = pulumiHome;
  return env;
}

async function ensure(home: string, pulumiHome?: string): Promise<{ bin: string; stderr: string }> {
  const { stdout, stderr } = await run("bash", [PULUMI_SH, "ensure"], {
    env: userEnvironment(home, pulumiHome),
    cwd: REPO_ROOT,
  });
  return { bin: stdout.trim().split("\n").pop() as string, stderr };
}

/** True when the tests run on an installed Pulumi CLI rather than the engine built from tools/pulumi. */
async function installedCli(): Promise<boolean> {
  return builtEngineHome(await engineBinDir()) === undefined;
}

/**
 * A Pulumi home of its own in `dir` that sees the user's installed plugins (where an installed CLI
 * keeps the `command` provider): each plugin folder is made anew and its files are links to the
 * user's, so what the engine writes beside a plugin (`.lock`, `.lastused`) and its logs land in `dir`.
 */
function pulumiHomeWithUserPlugins(dir: string): string {
  const from = path.join(process.env.PULUMI_HOME ?? path.join(os.userInfo().homedir, ".pulumi"), "plugins");
  const to = path.join(dir, "plugins");
  mkdirSync(to, { recursive: true });
  const mirror = (source: string, target: string) => {
    mkdirSync(target, { recursive: true });
    for (const entry of readdirSync(source, { withFileTypes: true })) {
      const [a, b] = [path.join(source, entry.name), path.join(target, entry.name)];
      if (entry.isDirectory()) mirror(a, b);
      else symlinkSync(a, b);
    }
  };
  for (const entry of existsSync(from) ? readdirSync(from, { withFileTypes: true }) : []) {
    // A plugin is a folder; one with a `.partial` beside it is not fully installed.
    if (entry.isDirectory() && !existsSync(path.join(from, `${entry.name}.partial`))) {
      mirror(path.join(from, entry.name), path.join(to, entry.name));
    }
  }
  return dir;
}

describe("the engine leaves the user's home alone", function () {
  this.timeout(600_000);
  let home: string;

  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), "koodrive-home-"));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it("writes nothing to HOME (no .pulumi) on ensure and on an engine run", async () => {
    // An installed CLI gets a Pulumi home outside HOME holding the user's plugins; the built engine none.
    const pulumiHome = (await installedCli())
      ? pulumiHomeWithUserPlugins(mkdtempSync(path.join(os.tmpdir(), "koodrive-pulumi-home-")))
      : undefined;
    try {
      await ensure(home, pulumiHome);
      const test = await createProgramStack("user-home", {
        files: { "index.js": ECHO_PROGRAM },
        env: { HOME: home, ...(pulumiHome ? { PULUMI_HOME: pulumiHome } : {}) },
      });
      try {
        const result = await test.stack.up();
        assert.equal(result.outputs.said?.value, "hello");
        assert.deepEqual(readdirSync(home), [], `the engine wrote into HOME: ${readdirSync(home).join(", ")}`);
      } finally {
        await test.stack.destroy().catch(() => undefined);
        await test.remove();
      }
    } finally {
      if (pulumiHome) rmSync(pulumiHome, { recursive: true, force: true });
    }
  });

  // A user's ~/.pulumi is HOME/.pulumi here; an installed CLI is told so (see userEnvironment), and
  // then finds the command provider there, as `pulumi plugin ls` lists any plugin folder.
  const userPulumiHome = async () => ((await installedCli()) ? path.join(home, ".pulumi") : undefined);

  it("says once how to remove a stand-in command provider an earlier version left in ~/.pulumi", async () => {
    const left = path.join(home, ".pulumi/plugins/resource-command-v1.2.1");
    mkdirSync(left, { recursive: true });
    // What tells the stand-in from upstream's binary: the Go package path it was built from.
    writeFileSync(
      path.join(left, "pulumi-resource-command"),
      "\x7fELF...github.com/koodrive/pulumi-koodrive/tools/pulumi/cmd/pulumi-resource-command...",
    );

    const first = await ensure(home, await userPulumiHome());
    assert.match(first.stderr, /stand-in command provider/);
    assert.ok(first.stderr.includes(`rm -rf '${left}'`), first.stderr);
    const second = await ensure(home, await userPulumiHome());
    assert.doesNotMatch(second.stderr, /stand-in command provider/);
  });

  it("says nothing about upstream's command provider in ~/.pulumi", async () => {
    const left = path.join(home, ".pulumi/plugins/resource-command-v1.2.1");
    mkdirSync(left, { recursive: true });
    writeFileSync(path.join(left, "pulumi-resource-command"), "\x7fELF...github.com/pulumi/pulumi-command/provider...");
    assert.doesNotMatch((await ensure(home, await userPulumiHome())).stderr, /stand-in command provider/);
  });
});
