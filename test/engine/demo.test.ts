import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../harness/engine";

const run = promisify(execFile);

describe("npm run demo", function () {
  this.timeout(600_000);

  it("runs every step against koodrive-sim and cleans up after itself", async () => {
    const env = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith("KOODRIVE_")) delete env[name];
    const { stdout } = await run(process.execPath, [path.join(REPO_ROOT, "dist/examples/demo/run-demo.js")], {
      cwd: REPO_ROOT,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.match(stdout, /started koodrive-sim at http:\/\/127\.0\.0\.1:\d+/);
    assert.match(stdout, /Seats\s+20 \/ 100 seats\s+80 seats left/);
    assert.match(stdout, /the plan fits: plan, remainingQuotaGB, seats, storage are now stack outputs/);
    assert.match(
      stdout,
      /seats: plan 86 users \(5 users already deployed, 81 new users\), 80 seats left; exceeds by 1 seat/,
    );
    assert.match(stdout, /demo finished: every step behaved as expected/);
    assert.ok(!existsSync(path.join(REPO_ROOT, "Pulumi.demo.yaml")), "the demo stack's config file is removed");
  });
});
