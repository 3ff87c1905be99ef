import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../harness/engine";

/** The tracked files, as git lists them. */
function trackedFiles(): string[] {
  return execFileSync("git", ["ls-files", "-z"], { cwd: REPO_ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
}

describe("the repository", () => {
  it("has no test or harness source that names an absolute temporary path (tests use fs.mkdtemp under os.tmpdir())", () => {
    const sources = trackedFiles().filter((file) => /^(test|harness|bench)\/.*\.ts$/.test(file));
    assert.ok(sources.length > 50, `found only ${sources.length} test sources`);
    const offenders = sources.filter((file) =>
      /["'`]\/(tmp|var\/tmp)\//.test(readFileSync(path.join(REPO_ROOT, file), "utf8")),
    );
    assert.deepEqual(offenders, []);
  });
});
