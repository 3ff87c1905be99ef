import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";
import { pluginProgram } from "../helpers/plugin-programs";
import { ADD_USER_SCRIPT, GUARDED_ONBOARDING_JS } from "../helpers/programs";
import { SECRET_ENCODINGS } from "../helpers/secrets";

const ENV_TOKEN = "limits-env-token-2b8e61";
const CONFIG_TOKEN = "limits-config-token-d40c7a";
const GUARD_TYPE = "pulumi-nodejs:dynamic/koodrive:CapacityGuard";

const urn = (project: string, type: string, name: string) => `urn:pulumi:test::${project}::${type}::${name}`;

describe("the limits of a dynamic guard, as the README states them", function () {
  this.timeout(600_000);
  let sim: Simulator;
  let test: ProgramStack;

  beforeEach(async () => {
    sim = await startSimulator({
      fixture: { tokens: [ENV_TOKEN, CONFIG_TOKEN], usage: { userCount: 97, userMaxCount: 100 } },
    });
  });
  afterEach(async () => {
    await test?.remove();
    await sim.close();
  });

  for (const plugin of [false, true]) {
    it(`PULUMI_DEBUG_GRPC logs hold a token from secret config in clear, and none from the environment (${plugin ? "the provider plugin, from YAML" : "the dynamic provider"})`, async () => {
      test = await createProgramStack("grpc-log", {
        files: plugin ? pluginProgram("yaml", { guards: { seats: 1 } }) : { "index.js": GUARDED_ONBOARDING_JS },
        config: { "koodrive:endpoint": { value: sim.url }, ...(plugin ? {} : { users: { value: "[]" } }) },
        env: { KOODRIVE_ACCESS_TOKEN: ENV_TOKEN },
        pluginOnPath: plugin,
      });
      const log = path.join(test.dir, "grpc.json");

      const envVars = (test.stack.workspace as unknown as { envVars: Record<string, string> }).envVars;
      envVars.PULUMI_DEBUG_GRPC = log;
      await test.stack.preview();
      const fromEnvironment = readFileSync(log, "utf8");
      assert.match(fromEnvironment, /pulumirpc\.ResourceProvider\/Check/, "the log holds the provider's calls");
      for (const encode of Object.values(SECRET_ENCODINGS)) {
        assert.ok(!fromEnvironment.includes(encode(ENV_TOKEN)), "the environment's token is in the gRPC log");
      }

      await test.stack.setConfig("koodrive:accessToken", { value: CONFIG_TOKEN, secret: true });
      envVars.PULUMI_DEBUG_GRPC = `${log}.config`;
      await test.stack.preview();
      assert.equal(sim.requestLog().at(-1)?.authMode, "token");
      assert.ok(readFileSync(`${log}.config`, "utf8").includes(CONFIG_TOKEN), "the secret config token is in the log");
    });
  }

  it("pulumi import of a guard fails in Pulumi's dynamic provider host before the provider loads, importing nothing", async () => {
    test = await createProgramStack("import", {
      files: { "index.js": GUARDED_ONBOARDING_JS },
      config: { "koodrive:endpoint": { value: sim.url }, users: { value: "[]" } },
      env: { KOODRIVE_ACCESS_TOKEN: ENV_TOKEN },
    });
    const error = await test.stack.import({ resources: [{ type: GUARD_TYPE, name: "imported", id: "any-id" }] }).then(
      () => assert.fail("the import passed"),
      (reason: unknown) => String((reason as Error).message),
    );
    assert.match(error, /imported/);
    const state = await test.stack.exportStack();
    assert.ok(!(state.deployment.resources ?? []).some((resource: { type: string }) => resource.type === GUARD_TYPE));
    assert.equal(sim.requestCount("quotaUsed"), 0, "the provider's code ran");
    // Pulumi's host fails before this package's code loads: the import request carries no serialized provider.
    assert.match(error, /code must be a string, not undefined/);
  });

  it("pulumi up --target <dependent> skips the guard; targeting the guard too keeps it", async () => {
    const project = "targeted";
    test = await createProgramStack(project, {
      files: { "index.js": GUARDED_ONBOARDING_JS, "add-user.js": ADD_USER_SCRIPT },
      config: { users: { value: JSON.stringify(["u1"]) }, guardOnly: { value: "true" } },
      env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: ENV_TOKEN },
    });
    await test.stack.up();
    assert.equal(sim.usage().userCount, 98);
    // Four users need 3 more seats; 2 are left.
    await test.stack.setConfig("users", { value: JSON.stringify(["u1", "u2", "u3", "u4"]) });
    await assert.rejects(
      test.stack.preview(),
      /seats: plan 4 users \(1 user already deployed, 3 new users\), 2 seats left; exceeds by 1 seat/,
    );

    const guard = urn(project, GUARD_TYPE, "onboarding");
    const addU2 = urn(project, "command:local:Command", "add-u2");
    await assert.rejects(
      test.stack.up({ target: [guard, addU2] }),
      /seats: plan 4 users \(1 user already deployed, 3 new users\), 2 seats left; exceeds by 1 seat/,
      "the guard, targeted with its dependent, stops it",
    );
    assert.equal(sim.usage().userCount, 98);

    await test.stack.up({ target: [addU2] }); // the limitation: the guard is not run
    assert.equal(sim.usage().userCount, 99);
  });
});
