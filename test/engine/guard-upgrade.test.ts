import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../harness/engine";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";
import { ADD_USER_SCRIPT, GUARDED_ONBOARDING_JS } from "../helpers/programs";

const run = promisify(execFile);
const TOKEN = "engine-test-token-upgrade-58b0";
/** The last commit of 0.1.0, whose guards recorded no admitted plan. */
const RELEASE_0_1_0 = "166bc69";

/** Builds and packs pulumi-koodrive as it was at `commit`; returns the tarball. */
async function packAt(commit: string, dir: string): Promise<string> {
  const { stdout: archive } = await run("git", ["archive", "--format=tar", commit], {
    cwd: REPO_ROOT,
    encoding: "buffer",
    maxBuffer: 256 * 1024 * 1024,
  });
  const tar = path.join(dir, "source.tar");
  writeFileSync(tar, archive);
  await run("tar", ["-xf", tar, "-C", dir]);
  const options = { cwd: dir, maxBuffer: 64 * 1024 * 1024 };
  await run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], options);
  await run("npm", ["run", "build"], options);
  const { stdout } = await run("npm", ["pack", "--silent", "--ignore-scripts"], options);
  return path.join(dir, stdout.trim().split("\n").pop() as string);
}

describe("CapacityGuard upgrade from 0.1.0 under the real engine", function () {
  this.timeout(1_200_000);
  let sim: Simulator;
  let test: ProgramStack;
  let build: string;

  before(async () => {
    build = mkdtempSync(path.join(tmpdir(), "koodrive-0.1.0-"));
    sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: { userCount: 20, userMaxCount: 100 } } });
  });
  after(async () => {
    await test?.remove();
    await sim?.close();
    rmSync(build, { recursive: true, force: true });
  });

  it("previews and updates a stack deployed by 0.1.0 with no failure and no replacement", async () => {
    const tarball = await packAt(RELEASE_0_1_0, build);
    const users = Array.from({ length: 45 }, (_, n) => `u${n}`);
    test = await createProgramStack("upgrade", {
      files: { "index.js": GUARDED_ONBOARDING_JS, "add-user.js": ADD_USER_SCRIPT },
      config: { users: { value: JSON.stringify(users) } },
      env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TOKEN },
    });
    // 0.1.0 in the program's own node_modules shadows the current package of the shared workspace.
    const old = path.join(test.dir, "node_modules", "pulumi-koodrive");
    mkdirSync(old, { recursive: true });
    await run("tar", ["-xzf", tarball, "-C", old, "--strip-components=1"]);
    const deployed = await test.stack.up();
    assert.equal(deployed.summary.result, "succeeded");
    assert.equal(sim.usage().userCount, 65);

    rmSync(old, { recursive: true, force: true });
    const preview = await test.stack.preview({ diff: true });
    assert.equal(preview.changeSummary.replace ?? 0, 0, preview.stdout);
    assert.match(
      preview.stdout,
      /first run after the upgrade from 0\.1\.0: the recorded plan counts as already deployed/,
    );
    assert.match(preview.stdout, /seats: plan 45 users \(45 already deployed, 0 new\), 35 left/);
    const up = await test.stack.up();
    assert.equal(up.summary.result, "succeeded");
    assert.equal(up.summary.resourceChanges?.replace ?? 0, 0);
    const after = await test.stack.preview();
    assert.doesNotMatch(after.stdout, /upgrade from 0\.1\.0/, "said once");
  });
});
