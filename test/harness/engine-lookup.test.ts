import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { engineBinDir, REPO_ROOT } from "../../harness/engine";

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
