/**
 * The provider plugin `pulumi-resource-koodrive` under the real engine, from Pulumi YAML (Pulumi's own
 * YAML language host, built from the Go module proxy) and from JavaScript through the schema tokens.
 * The engine finds the plugin as a user's would: the installed package's `node_modules/.bin` on PATH.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { createProgramStack, exampleFiles, type ProgramStack, programWorkspaceRoot } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";
import { type PluginLanguage, type PluginProgram, pluginProgram } from "../helpers/plugin-programs";
import { assertNoSecretIn, TEST_APP, TEST_TOKEN } from "../helpers/secrets";

type Credentials = "token" | "app";

const CREDENTIAL_CONFIG: Record<Credentials, Record<string, { value: string; secret?: boolean }>> = {
  token: { "koodrive:accessToken": { value: TEST_TOKEN, secret: true } },
  app: {
    "koodrive:appId": { value: TEST_APP.appId },
    "koodrive:appSecret": { value: TEST_APP.appSecret, secret: true },
    "koodrive:userId": { value: TEST_APP.userId },
  },
};

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

describe("the provider plugin under the real engine", function () {
  this.timeout(600_000);
  let sim: Simulator;
  /** The test's stack, removed after it. */
  let test: ProgramStack | undefined;

  beforeEach(async () => {
    sim = await startSimulator({
      fixture: { tokens: [TEST_TOKEN], apps: [{ ...TEST_APP }], usage: { userCount: 95, userMaxCount: 100 } },
    });
  });
  afterEach(async () => {
    await test?.remove();
    test = undefined;
    await sim.close();
  });

  for (const language of ["yaml", "javascript"] as PluginLanguage[]) {
    describe(`the provider plugin from ${language === "yaml" ? "Pulumi YAML" : "JavaScript through schema tokens"}`, () => {
      async function stackOf(program: PluginProgram, credentials: Credentials = "token"): Promise<ProgramStack> {
        test = await createProgramStack(`plugin-${language}`, {
          files: pluginProgram(language, program),
          config: { "koodrive:endpoint": { value: sim.url }, ...CREDENTIAL_CONFIG[credentials] },
          pluginOnPath: true,
        });
        return test;
      }

      /** The userCount figure a guard (or imported guard) recorded in the state. */
      function recordedUserCount(resource: StateResource | undefined): number {
        assert.ok(resource?.outputs, "the resource is in the state");
        return (resource.outputs.usage as { userCount: number }).userCount;
      }

      async function resources(program: ProgramStack): Promise<StateResource[]> {
        return ((await program.stack.exportStack()).deployment.resources ?? []) as StateResource[];
      }

      for (const credentials of ["token", "app"] as Credentials[]) {
        it(`exports the figures from the function during preview and up, and keeps the ${credentials === "token" ? "token" : "app secret"} out of everything (${credentials} mode)`, async () => {
          const program = await stackOf({ guards: { seats: 2 } }, credentials);
          const preview = await program.stack.preview();
          assert.match(preview.stdout, /remainingSeats\s*:\s*5\b/);
          assert.match(preview.stdout, /userMaxCount\s*:\s*100\b/);
          assert.match(preview.stdout, /seatsStatus\s*:\s*"fits"/);
          const up = await program.stack.up();
          assert.equal(up.outputs.remainingSeats?.value, 5);
          assert.equal(up.outputs.userMaxCount?.value, 100);
          assert.equal(up.outputs.seatsStatus?.value, "fits");
          assert.equal(sim.requestLog().filter((entry) => entry.endpoint === "quotaUsed")[0]?.authMode, credentials);

          const guard = (await resources(program)).find((resource) => resource.type === "koodrive:index:CapacityGuard");
          assert.equal(recordedUserCount(guard), 95);
          for (const [text, where] of [
            [preview.stdout + preview.stderr, "the preview's engine output"],
            [up.stdout + up.stderr, "the update's engine output"],
            [JSON.stringify(up.outputs), "the stack outputs"],
            [program.readState(), "the state files"],
            [await program.exportState(), "pulumi stack export"],
          ] as const) {
            assertNoSecretIn(text, where);
          }
        });
      }

      it("fails the preview and the update of an over-plan in check, naming the guard, the figure and what is left", async () => {
        const program = await stackOf({ guards: { onboarding: 6 } });
        const error = await program.stack.preview().then(
          () => assert.fail("the preview should fail"),
          (e: Error) => e,
        );
        assert.match(error.message, /koodrive:index:CapacityGuard resource 'onboarding'/);
        assert.match(error.message, /seats: plan needs 6 new users, 5 seats left; exceeds by 1 seat/);
        await assert.rejects(
          program.stack.up(),
          /resource 'onboarding'.*seats: plan needs 6 new users, 5 seats left; exceeds by 1 seat/s,
        );
        const created = (await resources(program)).filter(
          (resource) => resource.type === "koodrive:index:CapacityGuard",
        );
        assert.deepEqual(created, []);
      });

      it("sends one quotaUsed request for a preview with three guards and two function calls", async () => {
        const program = await stackOf({ guards: { alpha: 1, beta: 1, gamma: 1 }, invokes: 2 });
        const preview = await program.stack.preview();
        assert.match(preview.stdout, /remainingQuotaGB2\s*:\s*\d+/);
        for (const name of ["alpha", "beta", "gamma"])
          assert.match(preview.stdout, new RegExp(`${name}Status\\s*:\\s*"fits"`));
        assert.equal(sim.requestCount("quotaUsed"), 1);
      });

      it("deploys a fitting plan, refreshes the figures, imports a guard and destroys", async () => {
        const program = await stackOf({ guards: { seats: 3 } });
        await program.stack.up();
        sim.setUsage({ userCount: 96 });
        await program.stack.refresh();
        const guard = (await resources(program)).find((resource) => resource.type === "koodrive:index:CapacityGuard");
        assert.equal(recordedUserCount(guard), 96, "refresh re-read the figures");
        assert.deepEqual(guard?.outputs?.admittedPlan, { users: 3 });

        await program.cli([
          "import",
          "koodrive:index:CapacityGuard",
          "imported",
          "guard-42",
          "--yes",
          "--generate-code=false",
          "--stack",
          "test",
        ]);
        const imported = (await resources(program)).find((resource) => resource.urn.endsWith("::imported"));
        assert.equal(imported?.id, "guard-42");
        assert.equal(recordedUserCount(imported), 96);
        assert.equal(imported?.outputs?.status, "fits");

        await program.cli(["state", "unprotect", imported?.urn as string, "--yes", "--stack", "test"]);
        await program.stack.destroy();
        assert.deepEqual(await resources(program), []);
      });
    });
  }

  describe("the provider plugin's configuration", () => {
    it("uses an explicit provider resource's settings over the stack config, and keeps its token secret", async () => {
      const program = `name: koodrive-explicit
runtime: yaml
config:
  tenantUrl:
    type: string
  tenantToken:
    type: string
    secret: true
resources:
  tenant:
    type: pulumi:providers:koodrive
    properties:
      endpoint: \${tenantUrl}
      accessToken: \${tenantToken}
  seats:
    type: koodrive:index:CapacityGuard
    properties:
      plannedUsers: 2
    options:
      provider: \${tenant}
variables:
  usage:
    fn::invoke:
      function: koodrive:index:getServiceUsage
      arguments: {}
      options:
        provider: \${tenant}
outputs:
  remainingSeats: \${usage.remainingSeats}
  seatsStatus: \${seats.status}`;
      test = await createProgramStack("plugin-explicit", {
        files: { "Pulumi.yaml": program },
        config: {
          // The stack's own koodrive:* settings point elsewhere: were they used, every read would fail.
          "koodrive:endpoint": { value: "http://127.0.0.1:9" },
          "koodrive:accessToken": { value: "not-the-tenant-token", secret: true },
          "koodrive-explicit:tenantUrl": { value: sim.url },
          "koodrive-explicit:tenantToken": { value: TEST_TOKEN, secret: true },
        },
        pluginOnPath: true,
      });
      const up = await test.stack.up();
      assert.equal(up.outputs.remainingSeats?.value, 5);
      assert.equal(up.outputs.seatsStatus?.value, "fits");
      // The check's read, and a fresh one once the guard holds the tenant; never the stack's own endpoint.
      assert.equal(sim.requestCount("quotaUsed"), 2);
      assertNoSecretIn(test.readState(), "the state files");
      assertNoSecretIn(await test.exportState(), "pulumi stack export");
      assertNoSecretIn(up.stdout + up.stderr, "the engine output");
    });

    it("falls back to the KOODRIVE_* environment variables without stack config", async () => {
      test = await createProgramStack("plugin-env", {
        files: pluginProgram("yaml", { guards: { seats: 1 } }),
        env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TEST_TOKEN },
        pluginOnPath: true,
      });
      const preview = await test.stack.preview();
      assert.match(preview.stdout, /remainingSeats\s*:\s*5\b/);
      assert.match(preview.stdout, /seatsStatus\s*:\s*"fits"/);
    });

    it("shows an advisory guard's warning in the engine output and goes on", async () => {
      const program = pluginProgram("yaml", { guards: { seats: 6 } })["Pulumi.yaml"]?.replace(
        "plannedUsers: 6",
        "plannedUsers: 6\n      enforcement: advisory",
      );
      test = await createProgramStack("plugin-advisory", {
        files: { "Pulumi.yaml": program ?? "" },
        config: {
          "koodrive:endpoint": { value: sim.url },
          "koodrive:accessToken": { value: TEST_TOKEN, secret: true },
        },
        pluginOnPath: true,
      });
      const preview = await test.stack.preview();
      assert.match(
        preview.stdout,
        /advisory capacity guard: seats: plan needs 6 new users, 5 seats left; exceeds by 1 seat/,
      );
      assert.match(preview.stdout, /seatsStatus\s*:\s*"exceeds"/);
    });

    it("leaves a guard whose plan is unknown in preview pending, and judges it in the update", async () => {
      const source = `const pulumi = require("@pulumi/pulumi");
const command = require("@pulumi/command");
// The plan comes from another resource: unknown until the update runs the command.
const count = new command.local.Command("count", { create: "echo 6" });
const guard = new pulumi.CustomResource("koodrive:index:CapacityGuard", "late", {
  plannedUsers: count.stdout.apply(Number),
  status: undefined,
  message: undefined,
});
exports.lateStatus = guard.status;
`;
      test = await createProgramStack("plugin-pending", {
        files: { "index.js": source },
        config: {
          "koodrive:endpoint": { value: sim.url },
          "koodrive:accessToken": { value: TEST_TOKEN, secret: true },
        },
        pluginOnPath: true,
      });
      const preview = await test.stack.preview();
      assert.match(preview.stdout, /the plan is not known until the update; the check runs then/);
      assert.match(preview.stdout, /lateStatus\s*:\s*"pending"/);
      await assert.rejects(
        test.stack.up(),
        /resource 'late'.*seats: plan needs 6 new users, 5 seats left; exceeds by 1 seat/s,
      );
    });

    for (const secret of [false, true]) {
      it(`${secret ? "gives no warning for a token set with --secret" : "warns once, naming the fix, of a token set in plain text in the stack config"}`, async () => {
        test = await createProgramStack("plugin-plaintext", {
          files: pluginProgram("yaml", { guards: { alpha: 1, beta: 1 } }),
          config: { "koodrive:endpoint": { value: sim.url }, "koodrive:accessToken": { value: TEST_TOKEN, secret } },
          pluginOnPath: true,
        });
        const { stdout } = await test.stack.preview();
        // Pulumi shows each diagnostic as it comes and again in the summary: count the summary's.
        const summary = stdout.slice(stdout.indexOf("Diagnostics:"));
        const warnings = summary.match(/koodrive:accessToken is set in plain text[^\n]*/g) ?? [];
        assert.deepEqual(
          warnings,
          secret
            ? []
            : [
                "koodrive:accessToken is set in plain text in the stack config, so it is readable in the stack's config file; set it as a secret: pulumi config set --secret koodrive:accessToken <value>",
              ],
        );
      });
    }

    it("names a stack setting the provider does not know", async () => {
      test = await createProgramStack("plugin-typo", {
        files: pluginProgram("yaml", { guards: { seats: 1 } }),
        config: { "koodrive:endpoint": { value: sim.url }, "koodrive:acessToken": { value: TEST_TOKEN, secret: true } },
        pluginOnPath: true,
      });
      const error = await test.stack.preview().then(
        () => assert.fail("the preview should fail"),
        (e: Error) => e,
      );
      assert.match(error.message, /unknown koodrive setting "acessToken"; the settings are endpoint, accessToken/);
      assertNoSecretIn(error.message, "the error");
    });
  });

  describe("the yaml-guardrail example", () => {
    async function example(plannedUsers: number, env: Record<string, string> = {}) {
      test = await createProgramStack("yaml-guardrail", {
        files: exampleFiles("yaml-guardrail", ["Pulumi.yaml"]),
        config: { "yaml-guardrail:plannedUsers": { value: String(plannedUsers) } },
        env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TEST_TOKEN, ...env },
        pluginOnPath: true,
      });
      return test.stack;
    }

    it("previews its two Users and a plan that fit with the figures, and fails a plan that leaves no seat free", async () => {
      // 5 seats left: the two Users and 2 planned users fit, keeping 1 free.
      const preview = await (await example(2)).preview();
      assert.match(preview.stdout, /remainingSeats\s*:\s*5\b/);
      assert.match(preview.stdout, /guardStatus\s*:\s*"fits"/);
      assert.match(preview.stdout, /\+\s+koodrive:index:User\s+alice\s+create/);
      await test?.remove();
      // 5 planned users: the guard, or a User judged with it (whichever the engine checks first), fails:
      // the guard checked first is judged alone ("plan needs 5 new users"), a User after it with the plan.
      await assert.rejects(
        (await example(5)).preview(),
        /resource '(capacity|alice|bob)'.*seats: .*(needs? \d+ new (seats|users)|adds \d+ new seats).*5 seats left; exceeds by \d+ seats?/s,
      );
      assert.equal(sim.users().length, 0);
    });
  });

  // The released executable's install routes (plugin install --file, plugins: with its folder) are in
  // plugin-binary.test.ts.
  describe("installing the plugin with the official CLI", () => {
    const config = () => ({
      "koodrive:endpoint": { value: sim.url },
      "koodrive:accessToken": { value: TEST_TOKEN, secret: true },
    });

    it("finds the plugin through `plugins: providers:` in Pulumi.yaml, without PATH", async () => {
      const bin = path.join(await programWorkspaceRoot(), "node_modules/.bin");
      const program = pluginProgram("yaml", { guards: { seats: 1 } })["Pulumi.yaml"];
      test = await createProgramStack("plugin-path", {
        files: { "Pulumi.yaml": `${program}plugins:\n  providers:\n    - name: koodrive\n      path: ${bin}\n` },
        config: config(),
      });
      const preview = await test.stack.preview();
      assert.match(preview.stdout, /remainingSeats\s*:\s*5\b/);
      assert.doesNotMatch(preview.stdout + preview.stderr, /from \$PATH/);
    });
  });
});
