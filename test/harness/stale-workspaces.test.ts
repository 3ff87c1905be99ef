import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { removeStaleWorkspaces } from "../../harness/program-stack";

/** A pid no process has: above Linux's pid_max limit. */
const GONE_PID = 4_194_400;

describe("clearing program workspaces of killed runs", () => {
  const made: string[] = [];
  function workspace(owner?: number): string {
    const dir = mkdtempSync(path.join(tmpdir(), "koodrive-programs-"));
    if (owner !== undefined) writeFileSync(path.join(dir, ".owner-pid"), String(owner));
    made.push(dir);
    return dir;
  }
  after(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it("removes a workspace whose owner process is gone, and keeps one whose owner runs", () => {
    const orphan = workspace(GONE_PID);
    const live = workspace(process.pid);
    const removed = removeStaleWorkspaces();
    assert.ok(removed.includes(orphan));
    assert.equal(existsSync(orphan), false);
    assert.equal(existsSync(live), true);
  });

  it("removes an unmarked workspace (an earlier version's) only when older than a day", () => {
    const fresh = workspace();
    const old = workspace();
    const twoDaysAgo = (Date.now() - 2 * 24 * 60 * 60 * 1000) / 1000;
    utimesSync(old, twoDaysAgo, twoDaysAgo);
    removeStaleWorkspaces();
    assert.equal(existsSync(old), false);
    assert.equal(existsSync(fresh), true);
  });
});
