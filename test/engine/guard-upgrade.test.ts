import assert from "node:assert/strict";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";
import { installInto, packAt, RELEASE_0_1_0 } from "../helpers/pack-release";
import { ADD_USER_SCRIPT, GUARDED_ONBOARDING_JS } from "../helpers/programs";

const TOKEN = "engine-test-token-upgrade-58b0";

describe("CapacityGuard upgrade from 0.1.0 under the real engine", function () {
  this.timeout(1_200_000);
  let sim: Simulator;
  let test: ProgramStack;

  before(async () => {
    sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: { userCount: 20, userMaxCount: 100 } } });
  });
  after(async () => {
    await test?.remove();
    await sim?.close();
  });

  it("previews and updates a stack deployed by 0.1.0 with no failure and no replacement", async () => {
    const tarball = await packAt(RELEASE_0_1_0);
    const users = Array.from({ length: 45 }, (_, n) => `u${n}`);
    test = await createProgramStack("upgrade", {
      files: { "index.js": GUARDED_ONBOARDING_JS, "add-user.js": ADD_USER_SCRIPT },
      config: { users: { value: JSON.stringify(users) } },
      env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TOKEN },
    });
    const uninstall = await installInto(test.dir, tarball);
    const deployed = await test.stack.up();
    assert.equal(deployed.summary.result, "succeeded");
    assert.equal(sim.usage().userCount, 65);

    uninstall();
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
