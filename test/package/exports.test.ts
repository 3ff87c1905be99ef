import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../harness/engine";

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
  exports: Record<string, string | Record<string, string>>;
};

describe("the package's exports", () => {
  it("name each entry point once: no alias for the client", () => {
    assert.deepEqual(Object.keys(manifest.exports), [
      ".",
      "./package.json",
      "./provider-runtime",
      "./client",
      "./policy",
      "./sim",
    ]);
  });

  it("point at files the build writes", () => {
    const targets = Object.values(manifest.exports).flatMap((target) =>
      typeof target === "string" ? [target] : Object.values(target),
    );
    assert.deepEqual(
      targets.filter((target) => !existsSync(path.join(REPO_ROOT, target))),
      [],
    );
  });
});
