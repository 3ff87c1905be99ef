import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { engineMayDeploy, pulumiCommandOf } from "../../provider/process/engine-command";

describe("telling `pulumi preview`, `refresh` and `destroy` from an update by the engine's command line (the plugin's diff)", () => {
  it("finds the command after pulumi's own flags, and gives up on a flag it does not know", () => {
    assert.equal(pulumiCommandOf(["/usr/bin/pulumi", "preview", "--stack", "up"]), "preview");
    assert.equal(pulumiCommandOf(["pulumi", "up", "--stack", "preview", "--yes"]), "up");
    assert.equal(pulumiCommandOf(["pulumi", "--cwd", "preview", "up"]), "up");
    assert.equal(pulumiCommandOf(["pulumi", "-C", "dir", "--non-interactive", "-v=9", "pre"]), "pre");
    assert.equal(pulumiCommandOf(["pulumi", "--new-flag", "preview", "up"]), undefined);
    assert.equal(pulumiCommandOf(["pulumi"]), undefined);
  });

  it("looks up the ancestors for pulumi, and counts anything it cannot tell as a deployment (the lock is taken)", () => {
    const tree: Record<number, { ppid: number; argv: string[] }> = {
      40: { ppid: 30, argv: ["/bin/sh", "-c", "pulumi-resource-koodrive"] },
      30: { ppid: 1, argv: ["/opt/pulumi/bin/pulumi", "preview", "--stack", "dev"] },
      20: { ppid: 10, argv: ["/opt/pulumi/bin/pulumi", "up", "--yes", "--skip-preview"] },
      11: { ppid: 1, argv: ["node", "mocha"] },
      50: { ppid: 1, argv: ["pulumi", "--non-interactive", "refresh", "--yes"] },
    };
    const lineOf = (pid: number) => tree[pid];
    assert.equal(engineMayDeploy(40, lineOf), false, "a preview, through a launcher");
    assert.equal(engineMayDeploy(50, lineOf), false, "a refresh");
    assert.equal(engineMayDeploy(20, lineOf), true, "an update");
    assert.equal(engineMayDeploy(11, lineOf), true, "no pulumi among the ancestors");
    assert.equal(engineMayDeploy(99, lineOf), true, "a process it cannot read");
  });

  it("reads a real ancestor's command line", () => {
    // This test's own parent is no pulumi: it may deploy, for all it can tell.
    assert.equal(engineMayDeploy(), true);
    // A process named pulumi, run as `pulumi preview` (Node, running the file `preview`), whose child asks.
    const folder = mkdtempSync(path.join(os.tmpdir(), "koodrive-engine-command-"));
    try {
      symlinkSync(process.execPath, path.join(folder, "pulumi"));
      const asks = `process.stdout.write(String(require(${JSON.stringify(require.resolve("../../provider/process/engine-command"))}).engineMayDeploy()))`;
      writeFileSync(
        path.join(folder, "preview"),
        `require("node:child_process").spawnSync(${JSON.stringify(process.execPath)}, ["-e", ${JSON.stringify(asks)}], { stdio: "inherit" });`,
      );
      const run = (command: string) =>
        spawnSync(path.join(folder, "pulumi"), [command], { cwd: folder, encoding: "utf8" });
      const previewing = run("preview");
      assert.equal(previewing.stdout, "false", previewing.stderr);
      renameSync(path.join(folder, "preview"), path.join(folder, "up"));
      const updating = run("up");
      assert.equal(updating.stdout, "true", updating.stderr);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
