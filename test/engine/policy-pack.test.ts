import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  createPolicyPack,
  createProgramStack,
  exampleFiles,
  type ProgramStack,
  policyPackArgs,
} from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";

const TOKEN = "policy-test-token-52c1e8d4";
/** The ready pack of examples/policy-pack, as a user copies it. */
const PACK_FILES = exampleFiles("policy-pack", ["PulumiPolicy.yaml", "package.json", "index.js"]);

/** The README's `add-users` script: it adds one user through KooDrive's users API (the simulator's, here). */
const ADD_USERS_SH = `#!/bin/sh
curl -fsS -X POST "$KOODRIVE_ENDPOINT/koodrive/ose/v1/users" -H "Authorization: Bearer $KOODRIVE_ACCESS_TOKEN" \\
  -H "Content-Type: application/json" -d '{"userId":"1001","modifyUserInfoReq":{}}'
`;

/**
 * A JavaScript stack: a guard from the `guard` config (none without it), the README's `add-users` Command after it
 * (unless `addUsers` is false), and a `User` for each id of the `users` config.
 */
const GUARDED_COMMAND_JS = `const pulumi = require("@pulumi/pulumi");
const command = require("@pulumi/command");
const { CapacityGuard, User } = require("pulumi-koodrive");

const config = new pulumi.Config();
const args = config.getObject("guard");
const guard = args ? new CapacityGuard("seats", args) : undefined;
if (config.getBoolean("addUsers") !== false) {
  new command.local.Command("add-users", { create: "./add-users.sh" }, { dependsOn: guard ? [guard] : [] });
}
for (const userId of config.getObject("users") ?? []) new User(\`user-\${userId}\`, { userId });
`;

/** The YAML stack's project and config, up to its resources. */
const YAML_HEADER = `name: policy-yaml
runtime: yaml
config:
  enforcement:
    type: string
    default: mandatory
  plannedUsers:
    type: integer
  minFreeSeats:
    type: integer
resources:
`;

/** The YAML stack with a plugin User alone, under the default provider (the stack's `koodrive:*` config). */
const PLUGIN_USER_YAML = `${YAML_HEADER}  alice:
    type: koodrive:index:User
    properties:
      userId: "2001"
`;

/**
 * A Pulumi YAML stack with two plugin guards, their plans from config, and users added by the README's `add-users`
 * Command, after the first guard when `guarded`.
 */
function pluginGuardsYaml(guarded: boolean): string {
  const guard = (name: string) => `  ${name}:
    type: koodrive:index:CapacityGuard
    properties:
      plannedUsers: \${plannedUsers}
      minFreeSeats: \${minFreeSeats}
      enforcement: \${enforcement}
`;
  return `${YAML_HEADER}${guard("first")}${guard("second")}  add-users:
    type: command:local:Command
    properties:
      create: ./add-users.sh
${guarded ? `    options:\n      dependsOn:\n        - \${first}\n` : ""}`;
}

type Outcome = { ok: boolean; output: string };

describe("the policy pack under the real engine (pulumi preview --policy-pack)", function () {
  this.timeout(900_000);
  let sim: Simulator;
  let pack: string;
  let test: ProgramStack;

  before(async () => {
    // 20 of 100 seats taken: 80 left.
    sim = await startSimulator({ fixture: { tokens: [TOKEN] } });
    pack = await createPolicyPack("policy-pack", PACK_FILES);
  });
  after(async () => {
    await test?.remove();
    await sim.close();
  });

  /** Writes the policy config (by policy name) beside the pack and returns the file. */
  function policyConfig(name: string, config: Record<string, Record<string, unknown>>): string {
    const file = path.join(pack, `${name}.json`);
    writeFileSync(file, JSON.stringify(config));
    return file;
  }

  /** Runs `pulumi <command> --policy-pack <pack> [--policy-pack-config FILE]` and returns how it ended, with its output. */
  async function run(command: string[], configFile?: string, withPack = true): Promise<Outcome> {
    const args = [
      ...command,
      "--stack",
      "test",
      "--non-interactive",
      ...(withPack ? policyPackArgs(pack, configFile) : []),
    ];
    return test.cli(args).then(
      ({ stdout, stderr }) => ({ ok: true, output: `${stdout}${stderr}` }),
      (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout}${error.stderr}` }),
    );
  }

  const preview = (configFile?: string, withPack = true) => run(["preview"], configFile, withPack);
  /** `pulumi preview --diff`, which shows each input, remediated ones included. */
  const previewDiff = (configFile: string) => run(["preview", "--diff"], configFile);

  async function setGuard(guard: Record<string, unknown> | undefined): Promise<void> {
    if (guard) await test.stack.setConfig("guard", { value: JSON.stringify(guard) });
    else await test.stack.removeConfig("guard").catch(() => undefined);
  }

  describe("a JavaScript stack with dynamic guards", () => {
    before(async () => {
      test = await createProgramStack("policy-js", {
        files: { "index.js": GUARDED_COMMAND_JS, "add-users.sh": ADD_USERS_SH },
        config: { "koodrive:endpoint": { value: sim.url }, "koodrive:accessToken": { value: TOKEN, secret: true } },
        // For the script, as a user's shell has them.
        env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TOKEN },
      });
      chmodSync(path.join(test.dir, "add-users.sh"), 0o755);
    });

    it("fails the preview of the README's add-users Command with no guard, by the default config, naming it", async () => {
      await setGuard(undefined);
      const outcome = await preview();
      assert.equal(outcome.ok, false, outcome.output);
      assert.match(outcome.output, /koodrive-guard-required/);
      assert.match(
        outcome.output,
        /command:local:Command resource 'add-users' adds KooDrive users or space without a CapacityGuard/,
      );
    });

    it("passes with a mandatory guard the Command depends on", async () => {
      await setGuard({ plannedUsers: 1 });
      const outcome = await preview();
      assert.equal(outcome.ok, true, outcome.output);
    });

    it("fails with an advisory guard, unless the config allows advisory guards", async () => {
      await setGuard({ plannedUsers: 1, enforcement: "advisory" });
      const refused = await preview();
      assert.equal(refused.ok, false, refused.output);
      assert.match(
        refused.output,
        /'add-users' adds KooDrive users or space and depends only on advisory guards \('seats'\)/,
      );
      const allowed = await preview(
        policyConfig("allow-advisory", {
          "koodrive-guard-required": { allowAdvisory: true },
          "koodrive-org-minimums": { allowAdvisory: true },
        }),
      );
      assert.equal(allowed.ok, true, allowed.output);
    });

    it("fails a guard under the organisation's minimums before any change; with remediate, raises it and deploys", async () => {
      await setGuard({ plannedUsers: 1, minFreeSeats: 0 });
      const minimums = policyConfig("minimums", { "koodrive-org-minimums": { minFreeSeats: 5 } });
      const refused = await run(["up", "--yes", "--skip-preview"], minimums);
      assert.equal(refused.ok, false, refused.output);
      assert.match(refused.output, /koodrive-org-minimums/);
      assert.match(refused.output, /CapacityGuard 'seats': minFreeSeats is 0; the organisation's minimum is 5/);
      assert.doesNotMatch(await test.exportState(), /add-users/, "nothing may be created");

      const remediate = policyConfig("remediate", {
        "koodrive-org-minimums": { enforcementLevel: "remediate", minFreeSeats: 5 },
      });
      const previewed = await previewDiff(remediate);
      assert.equal(previewed.ok, true, previewed.output);
      assert.match(previewed.output, /koodrive-org-minimums/);
      assert.match(previewed.output, /minFreeSeats\s*:\s*5\b/);
      const deployed = await run(["up", "--yes"], remediate);
      assert.equal(deployed.ok, true, deployed.output);
      const state = JSON.parse(await test.exportState()) as {
        deployment: { resources: { urn: string; inputs: Record<string, unknown> }[] };
      };
      const guard = state.deployment.resources.find((resource) => resource.urn.endsWith("::seats"));
      assert.equal(guard?.inputs.minFreeSeats, 5);
    });

    it("fails the preview of an advisory guard whose plan exceeds the tenant, through plans-fit", async () => {
      await setGuard({ plannedUsers: 90, enforcement: "advisory" });
      const alone = await preview(undefined, false);
      assert.equal(alone.ok, true, `without the pack an advisory guard only warns:\n${alone.output}`);
      const outcome = await preview(
        policyConfig("advisory-over-plan", {
          "koodrive-guard-required": { allowAdvisory: true },
          "koodrive-org-minimums": { allowAdvisory: true },
        }),
      );
      assert.equal(outcome.ok, false, outcome.output);
      assert.match(outcome.output, /koodrive-plans-fit/);
      assert.match(
        outcome.output,
        /CapacityGuard 'seats': seats: plan 90 users \(1 user already deployed, 89 new users\), 79 seats left; exceeds by 10 seats/,
      );
    });

    it("refuses config with an unknown key or a wrong type, naming it", async () => {
      await setGuard({ plannedUsers: 1 });
      const unknownKey = await preview(policyConfig("unknown-key", { "koodrive-org-minimums": { minFreeSeat: 5 } }));
      assert.equal(unknownKey.ok, false, unknownKey.output);
      // The engine checks types against the JSON schema the pack declares, not top-level keys: the pack does, with no stack trace.
      assert.match(
        unknownKey.output,
        /PolicyConfigError: policy config of koodrive-org-minimums: minFreeSeat: unknown key; fix it in the file given to --policy-pack-config\n(?!\s+at )/,
      );
      const wrongType = await preview(policyConfig("wrong-type", { "koodrive-plans-fit": { minFreeSeats: "5" } }));
      assert.equal(wrongType.ok, false, wrongType.output);
      assert.match(
        wrongType.output,
        /koodrive-plans-fit: minFreeSeats: Invalid type\. Expected: integer, given: string/,
      );
    });

    it("accepts Users without any guard, by the default config: they judge their own seats", async () => {
      await setGuard(undefined);
      await test.stack.setAllConfig({ addUsers: { value: "false" }, users: { value: '["2001","2002"]' } });
      const outcome = await preview();
      assert.equal(outcome.ok, true, outcome.output);
      assert.match(outcome.output, /\+\s+pulumi-nodejs:dynamic\/koodrive:User\s+user-2001\s+create/);
    });
  });

  describe("a YAML stack with plugin guards", () => {
    before(async () => {
      await test?.remove();
      test = await createProgramStack("policy-yaml", {
        files: { "Pulumi.yaml": pluginGuardsYaml(false) },
        config: {
          "koodrive:endpoint": { value: sim.url },
          "koodrive:accessToken": { value: TOKEN, secret: true },
          plannedUsers: { value: "10" },
          minFreeSeats: { value: "0" },
        },
        pluginOnPath: true,
      });
    });

    it("gets the same verdicts: a guard required, mandatory unless allowed advisory", async () => {
      const unguarded = await preview();
      assert.equal(unguarded.ok, false, unguarded.output);
      assert.match(
        unguarded.output,
        /command:local:Command resource 'add-users' adds KooDrive users or space without a CapacityGuard/,
      );
      writeFileSync(path.join(test.dir, "Pulumi.yaml"), pluginGuardsYaml(true));
      const guarded = await preview();
      assert.equal(guarded.ok, true, guarded.output);
      await test.stack.setConfig("enforcement", { value: "advisory" });
      const advisory = await preview();
      assert.equal(advisory.ok, false, advisory.output);
      assert.match(
        advisory.output,
        /'add-users' adds KooDrive users or space and depends only on advisory guards \('first'\)/,
      );
      const allowed = await preview(
        policyConfig("yaml-allow-advisory", {
          "koodrive-guard-required": { allowAdvisory: true },
          "koodrive-org-minimums": { allowAdvisory: true },
        }),
      );
      assert.equal(allowed.ok, true, allowed.output);
      await test.stack.setConfig("enforcement", { value: "mandatory" });
    });

    it("and the minimums, remediation, and plans judged together", async () => {
      const minimums = policyConfig("yaml-minimums", { "koodrive-org-minimums": { minFreeSeats: 5 } });
      const refused = await preview(minimums);
      assert.equal(refused.ok, false, refused.output);
      assert.match(refused.output, /CapacityGuard 'first': minFreeSeats is 0; the organisation's minimum is 5/);

      const remediate = policyConfig("yaml-remediate", {
        "koodrive-org-minimums": { enforcementLevel: "remediate", minFreeSeats: 5 },
      });
      const previewed = await previewDiff(remediate);
      assert.equal(previewed.ok, true, previewed.output);
      assert.match(previewed.output, /minFreeSeats\s*:\s*5\b/);

      // Two advisory guards of 40 each: 79 seats left (the JavaScript stack's script added one), 5 to keep free.
      await test.stack.setAllConfig({ enforcement: { value: "advisory" }, plannedUsers: { value: "40" } });
      const overPlan = await preview(
        policyConfig("yaml-over-plan", {
          "koodrive-guard-required": { allowAdvisory: true },
          "koodrive-org-minimums": { allowAdvisory: true },
          "koodrive-plans-fit": { minFreeSeats: 5 },
        }),
      );
      assert.equal(overPlan.ok, false, overPlan.output);
      assert.match(overPlan.output, /koodrive-plans-fit/);
      assert.match(
        overPlan.output,
        /seats: guards (first|second) \(40 seats\) and (first|second) \(40 seats\) need 80 new seats together, keeping 5 seats free, 79 seats left; exceeds by 6 seats/,
      );
    });

    it("refuses a User whose provider is advisory (koodrive:enforcement), by the default config", async () => {
      writeFileSync(path.join(test.dir, "Pulumi.yaml"), PLUGIN_USER_YAML);
      await test.stack.setConfig("koodrive:enforcement", { value: "advisory" });
      const refused = await preview();
      assert.equal(refused.ok, false, refused.output);
      assert.match(refused.output, /koodrive-org-minimums/);
      assert.match(
        refused.output,
        /User 'alice': enforcement is "advisory" \(its provider\); the organisation requires "mandatory"/,
      );
      await test.stack.removeConfig("koodrive:enforcement");
      const accepted = await preview();
      assert.equal(accepted.ok, true, `a plugin User needs no guard:\n${accepted.output}`);
    });
  });
});
