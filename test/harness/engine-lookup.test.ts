import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { engineBinDir, ensureEngine, REPO_ROOT } from "../../harness/engine";

const run = promisify(execFile);

describe("the engine lookup", () => {
  it("is refused in the unit tier, by the harness and by scripts/pulumi.sh", async () => {
    const tier = process.env.KOODRIVE_TEST_TIER;
    process.env.KOODRIVE_TEST_TIER = "unit";
    try {
      await assert.rejects(engineBinDir(), /the unit tier starts no engine/);
    } finally {
      if (tier === undefined) delete process.env.KOODRIVE_TEST_TIER;
      else process.env.KOODRIVE_TEST_TIER = tier;
    }
    const refused = await run("bash", [path.join(REPO_ROOT, "scripts/pulumi.sh"), "ensure"], {
      env: { ...process.env, KOODRIVE_TEST_TIER: "unit" },
    }).catch((error: { code?: number; stderr?: string }) => error);
    assert.ok("code" in refused);
    assert.equal(refused.code, 3);
    assert.match(refused.stderr ?? "", /the unit tier starts no engine/);
  });
});

/**
 * A `go` that lists one main package and whose `build` compiles nothing: it sleeps, then fails. With it
 * first on PATH, scripts/pulumi.sh goes through a whole build's steps in seconds and caches nothing.
 */
const STUB_GO = `#!/bin/sh
case "$1" in
list) echo github.com/koodrive/pulumi-koodrive/tools/pulumi/cmd/pulumi-language-nodejs ;;
build) sleep 3; echo "stub go: compiled nothing" >&2; exit 1 ;;
*) exit 1 ;;
esac
`;

/** Resolves once `child` has printed `text` on stdout. */
function printed(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (out.includes(text)) resolve();
    });
    child.on("exit", () => reject(new Error(`exited before printing ${text}`)));
  });
}

describe("scripts/pulumi.sh shows an engine build's progress", function () {
  this.timeout(60_000);
  let dir: string;
  let holder: ChildProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "koodrive-engine-progress-"));
  });
  afterEach(() => {
    holder?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it("through the harness: the lock wait, a heartbeat each interval, each phase, and a failure that caches nothing", async () => {
    const cache = path.join(dir, "cache");
    const lock = path.join(cache, "pulumi-koodrive", ".lock");
    mkdirSync(path.dirname(lock), { recursive: true });
    const stubBin = path.join(dir, "stub-bin");
    mkdirSync(stubBin);
    writeFileSync(path.join(stubBin, "go"), STUB_GO);
    chmodSync(path.join(stubBin, "go"), 0o755);
    // Another build holds the lock until its standard input closes.
    holder = spawn("bash", ["-c", 'exec 9>"$0"; flock 9; echo locked; read -r _', lock], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    await printed(holder, "locked");

    const lines: string[] = [];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${stubBin}${path.delimiter}${process.env.PATH}`,
      XDG_CACHE_HOME: cache,
      HOME: path.join(dir, "home"),
      PULUMI_KOODRIVE_ENGINE: "build",
      PULUMI_KOODRIVE_HEARTBEAT_SECONDS: "1",
    };
    delete env.KOODRIVE_TEST_TIER;
    delete env.PULUMI_HOME;
    const ensured = ensureEngine(env, (line) => lines.push(line));
    const deadline = Date.now() + 30_000;
    while (!lines.some((line) => line.includes("still waiting for the other engine build (1s)"))) {
      assert.ok(Date.now() < deadline, `no heartbeat within 30 s:\n${lines.join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    holder.stdin?.end(); // the other build finishes

    await assert.rejects(ensured, /go build failed \(see above\); nothing was cached/);
    const expected = [
      /^pulumi\.sh: another build is in progress; waiting for it \(.*\.lock\)$/,
      /^pulumi\.sh: still waiting for the other engine build \(1s\)…$/,
      /^pulumi\.sh: the other build has finished$/,
      /^pulumi\.sh: building the Pulumi engine v/,
      /^pulumi\.sh: 1\/3: listing the programs under tools\/pulumi\/cmd/,
      /^pulumi\.sh: 2\/3: compiling the Pulumi CLI and pulumi-language-nodejs$/,
      /^pulumi\.sh: still building the engine \(1s\)…$/,
      /^pulumi\.sh: still building the engine \(2s\)…$/,
      /^stub go: compiled nothing$/,
      /^pulumi\.sh: go build failed/,
    ];
    let at = 0;
    for (const pattern of expected) {
      const found = lines.findIndex((line, index) => index >= at && pattern.test(line));
      assert.notEqual(found, -1, `no line ${pattern} after line ${at} of:\n${lines.join("\n")}`);
      at = found + 1;
    }
    assert.deepEqual(readdirSync(path.dirname(lock)), [".lock"], "a failed build leaves nothing in the cache");
  });
});
