/**
 * The committed API reports (api/<entry>.api.md) are each entry's public surface as the build gives it:
 * `npm run api -- --check` passes on the tree, there is a report for every entry of package.json's
 * `exports`, and the check fails, naming the entry, when a surface is not what its report says.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../harness/engine";
import { API_FOLDER, ENTRIES, staleReports } from "../../tools/api/report";

const run = promisify(execFile);

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
  name: string;
  exports: Record<string, string | { types: string; default: string }>;
};

const byName = (name: string) => {
  const entry = ENTRIES.find((candidate) => candidate.name === name);
  assert.ok(entry, `no entry ${name}`);
  return entry;
};

describe("the public API reports (api/*.api.md)", function () {
  this.timeout(180_000);

  it("cover every entry of package.json's exports, from its built declarations", () => {
    const entries = Object.entries(manifest.exports).filter(([key]) => key !== "./package.json");
    assert.deepEqual(
      ENTRIES.map((entry) => [entry.specifier, entry.declarations]),
      entries.map(([key, target]) => [
        path.posix.join(manifest.name, key),
        (typeof target === "string" ? target : target.types).replace(/^\.\//, "").replace(/\.js$/, ".d.ts"),
      ]),
    );
  });

  it("are up to date: `npm run api -- --check` passes (else run `npm run api` and commit api/)", async () => {
    const result = await run(process.execPath, [path.join(REPO_ROOT, "dist/tools/api/report.js"), "--check"], {
      cwd: REPO_ROOT,
    }).catch((error: { code?: number; stdout?: string; stderr?: string }) => error);
    assert.equal(
      "code" in result ? result.code : 0,
      0,
      `the check failed:\n${"stderr" in result ? result.stderr : ""}`,
    );
    assert.match(result.stdout ?? "", /the 5 reports are up to date/);
  });

  it("fail naming the entry whose surface changed, whose report is missing, and a report of no entry", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "koodrive-api-test-"));
    try {
      const client = byName("client");
      const committed = readFileSync(path.join(API_FOLDER, "client.api.md"), "utf8");
      assert.match(committed, /export class KooDriveClient/);
      assert.doesNotMatch(committed, /judgeRunway|planGrowth|dailyGrowth|RANGE_TAIL/, "internals stay internal");
      // The report of a surface that still exported an internal: the build no longer gives it.
      const stale = committed.replace(
        "// @public\nexport class KooDriveClient",
        "// @public\nexport function judgeRunway(): void;\n\n// @public\nexport class KooDriveClient",
      );
      assert.notEqual(stale, committed);
      writeFileSync(path.join(folder, "client.api.md"), stale);
      writeFileSync(path.join(folder, "gone.api.md"), "");
      const shown = path.relative(REPO_ROOT, folder);
      assert.deepEqual(staleReports(folder, [client, byName("policy")]), [
        `${shown}/client.api.md is out of date: the public surface of pulumi-koodrive/client changed`,
        `${shown}/policy.api.md is missing: pulumi-koodrive/policy has no report`,
        `${shown}/gone.api.md is the report of no entry: remove it`,
      ]);
      writeFileSync(path.join(folder, "client.api.md"), committed);
      rmSync(path.join(folder, "gone.api.md"));
      assert.deepEqual(staleReports(folder, [client]), [], "the committed report is what the build gives");
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
