import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";
import { GUARDED_ONBOARDING_JS } from "../helpers/programs";

const TOKEN = "secret-sweep-token-5a8e1c44d2";
const APP = { appId: "sweep-app", appSecret: "secret-sweep-app-secret-93b7f0", userId: "100000000000000042" };

/** Everything a run leaves behind that a person or a log collector could read, by where it is. */
async function sweep(test: ProgramStack, runOutput: string): Promise<Record<string, string>> {
  return {
    "engine output": runOutput,
    "stack export": await test.exportState(),
    "stack outputs": JSON.stringify(await test.stack.outputs()),
    "state files": test.readState(),
    "stack config file": readFileSync(path.join(test.dir, "Pulumi.test.yaml"), "utf8"),
  };
}

function assertNoSecretIn(places: Record<string, string>, secrets: string[]): void {
  for (const [where, text] of Object.entries(places)) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `a secret is readable in the ${where}`);
  }
}

describe("secrets under the real engine", function () {
  this.timeout(600_000);
  let sim: Simulator;
  let test: ProgramStack;

  beforeEach(async () => {
    sim = await startSimulator({
      fixture: { tokens: [TOKEN], apps: [{ appId: APP.appId, appSecret: APP.appSecret }] },
    });
  });
  afterEach(async () => {
    await test.remove();
    await sim.close();
  });

  const modes = {
    "token (secret config)": { "koodrive:accessToken": { value: TOKEN, secret: true } },
    "app (secret config)": {
      "koodrive:appId": { value: APP.appId },
      "koodrive:appSecret": { value: APP.appSecret, secret: true },
      "koodrive:userId": { value: APP.userId },
    },
  };

  for (const [mode, credentials] of Object.entries(modes)) {
    it(`keeps the ${mode} out of state, exports, outputs and engine output`, async () => {
      test = await createProgramStack("secrets", {
        files: { "index.js": GUARDED_ONBOARDING_JS },
        config: { "koodrive:endpoint": { value: sim.url }, users: { value: "[]" }, ...credentials },
      });
      const preview = await test.stack.preview({ diff: true });
      const up = await test.stack.up({ diff: true });
      assert.equal(up.outputs.guardStatus?.value, "fits");
      assert.equal(sim.requestLog().at(-1)?.authMode, mode.startsWith("token") ? "token" : "app");
      const places = await sweep(test, [preview.stdout, preview.stderr, up.stdout, up.stderr].join("\n"));
      assert.match(places["stack export"] ?? "", /remainingSeats/, "the sweep read the stack");
      assertNoSecretIn(places, [TOKEN, APP.appSecret]);
      const shown = JSON.stringify(await test.stack.exportStack()); // --show-secrets: the positive control
      assert.ok(
        shown.includes(mode.startsWith("token") ? TOKEN : APP.appSecret),
        "the secret is in the state, encrypted",
      );
    });
  }

  it("keeps a token given as a resource argument encrypted", async () => {
    test = await createProgramStack("secret-args", {
      files: {
        "index.js": `
const koodrive = require("pulumi-koodrive");
const guard = new koodrive.CapacityGuard("by-argument", { endpoint: process.env.SIM_URL, accessToken: "${TOKEN}", plannedUsers: 1 });
exports.status = guard.status;
exports.seats = koodrive.getServiceUsageOutput({ endpoint: process.env.SIM_URL, accessToken: "${TOKEN}" }).remainingSeats;
`,
      },
      env: { SIM_URL: sim.url },
    });
    const up = await test.stack.up({ diff: true });
    assert.equal(up.outputs.status?.value, "fits");
    assert.equal(up.outputs.seats?.value, 80);
    assertNoSecretIn(await sweep(test, [up.stdout, up.stderr].join("\n")), [TOKEN]);
  });
});
