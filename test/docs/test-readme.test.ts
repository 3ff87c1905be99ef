import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../harness/engine";

describe("test/README.md", () => {
  it("has a row for each engine-tier test file, and for no other", () => {
    const text = readFileSync(path.join(REPO_ROOT, "test/README.md"), "utf8");
    const rows = [...text.matchAll(/^\| `(test\/[^`]+\.test\.ts)` \|/gm)].map(([, file]) => file);
    const engineFiles = readdirSync(path.join(REPO_ROOT, "test/engine"))
      .filter((name) => name.endsWith(".test.ts"))
      .map((name) => `test/engine/${name}`);
    assert.deepEqual(rows, [...engineFiles.sort(), "test/package/consumer-types.test.ts"]);
  });
});
