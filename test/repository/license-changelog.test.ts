import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../harness/engine";

/** The SHA-256 of the Apache License 2.0 as the Apache Software Foundation publishes it (LICENSE-2.0.txt). */
const APACHE_2_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30";

/** A file of the repository, as text. */
function read(file: string): string {
  return readFileSync(path.join(REPO_ROOT, file), "utf8");
}

/** The files `npm pack` would put in the package, as npm lists them (no build, no tarball written). */
function packedFiles(): string[] {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const [pack] = JSON.parse(out) as { files: { path: string }[] }[];
  return (pack?.files ?? []).map((file) => file.path);
}

describe("the license and the changelog", () => {
  it("LICENSE is the Apache License 2.0 text, the license package.json names", () => {
    assert.equal(JSON.parse(read("package.json")).license, "Apache-2.0");
    assert.equal(createHash("sha256").update(read("LICENSE")).digest("hex"), APACHE_2_SHA256);
  });

  it("npm pack ships LICENSE, CHANGELOG.md and README.md", () => {
    const files = packedFiles();
    assert.ok(files.length > 10, `npm pack listed only ${files.length} files`);
    for (const file of ["LICENSE", "CHANGELOG.md", "README.md"])
      assert.ok(files.includes(file), `${file} is not packed`);
  });

  it("CHANGELOG.md keeps a changelog whose first section is Unreleased, and README and CONTRIBUTING link to it", () => {
    const changelog = read("CHANGELOG.md");
    assert.match(changelog, /Keep a Changelog/);
    assert.equal(changelog.match(/^## .*/m)?.[0], "## [Unreleased]");
    for (const file of ["README.md", "CONTRIBUTING.md"]) assert.match(read(file), /\]\(CHANGELOG\.md\)/, file);
  });
});
