import assert from "node:assert/strict";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";
import { ADD_USER_SCRIPT } from "../helpers/programs";

const TOKEN = "engine-test-token-tenant-ledger-52e0";

/** The message of a run that must fail. */
const failure = (run: Promise<unknown>): Promise<string> =>
  run.then(
    () => assert.fail("the run should fail"),
    (error: Error) => error.message,
  );

/**
 * Two guards of 50 users each, against one tenant spelled two ways (config `spelling`): the stack
 * config and an argument, a trailing `/`, `Bearer ` before the token, or one name under two parents.
 */
const SPELLINGS_JS = `
const pulumi = require("@pulumi/pulumi");
const koodrive = require("pulumi-koodrive");
const config = new pulumi.Config();
const url = process.env.SIM_URL;
const token = process.env.SIM_TOKEN;
const spelling = config.require("spelling");
const second = {
  argument: { endpoint: url },
  slash: { endpoint: url + "/", accessToken: pulumi.secret(token) },
  bearer: { endpoint: url, accessToken: pulumi.secret("Bearer " + token) },
  parents: {},
}[spelling];
class Team extends pulumi.ComponentResource {
  constructor(name) {
    super("example:index:Team", name);
    new koodrive.CapacityGuard("onboarding", { plannedUsers: 50 }, { parent: this });
  }
}
if (spelling === "parents") {
  // One "onboarding" at the top, one in a component: two URNs, two guards.
  new koodrive.CapacityGuard("onboarding", { plannedUsers: 50 });
  new Team("east");
} else {
  new koodrive.CapacityGuard("first", { plannedUsers: 50 });
  new koodrive.CapacityGuard("second", { plannedUsers: 50, ...second });
}
`;

describe("one ledger per tenant, under the real engine", function () {
  this.timeout(1_200_000);
  let sim: Simulator;
  let test: ProgramStack | undefined;

  beforeEach(async () => {
    sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: { userCount: 20, userMaxCount: 100 } } });
  });
  afterEach(async () => {
    await test?.remove();
    test = undefined;
    await sim.close();
  });

  const connection = () => ({
    "koodrive:endpoint": { value: sim.url },
    "koodrive:accessToken": { value: TOKEN, secret: true },
  });

  it("judges two guards of one tenant together however the connection is spelled", async () => {
    test = await createProgramStack("spellings", {
      files: { "index.js": SPELLINGS_JS },
      config: { ...connection(), spelling: { value: "argument" } },
      env: { SIM_URL: sim.url, SIM_TOKEN: TOKEN },
    });
    for (const spelling of ["argument", "slash", "bearer"]) {
      await test.stack.setConfig("spelling", { value: spelling });
      const failed = await failure(test.stack.preview());
      assert.match(
        failed,
        /seats: guards first \(50 seats\) and second \(50 seats\) need 100 new seats together, 80 seats left; exceeds by 20 seats/,
        spelling,
      );
    }
    await test.stack.setConfig("spelling", { value: "parents" });
    const failed = await failure(test.stack.preview());
    assert.match(
      failed,
      /seats: guards onboarding under example:index:Team \(50 seats\) and onboarding under the stack \(50 seats\) need 100 new seats together, 80 seats left/,
    );
  });

  it("judges the guards of the plugin's default and two explicit providers together", async () => {
    const provider = (name: string) =>
      [
        `  ${name}:`,
        "    type: pulumi:providers:koodrive",
        "    properties:",
        `      endpoint: \${simUrl}`,
        `      accessToken: \${simToken}`,
      ].join("\n");
    const guard = (name: string, provider?: string) =>
      [
        `  ${name}:`,
        "    type: koodrive:index:CapacityGuard",
        "    properties:",
        "      plannedUsers: 30",
        ...(provider ? ["    options:", `      provider: \${${provider}}`] : []),
      ].join("\n");
    const program = [
      "name: three-providers",
      "runtime: yaml",
      "config:",
      "  simUrl:",
      "    type: string",
      "  simToken:",
      "    type: string",
      "    secret: true",
      "resources:",
      provider("east"),
      provider("west"),
      guard("central"),
      guard("eastern", "east"),
      guard("western", "west"),
    ].join("\n");
    test = await createProgramStack("three-providers", {
      files: { "Pulumi.yaml": `${program}\n` },
      config: {
        ...connection(),
        "three-providers:simUrl": { value: sim.url },
        "three-providers:simToken": { value: TOKEN, secret: true },
      },
      pluginOnPath: true,
    });
    const failed = await failure(test.stack.preview());
    assert.match(
      failed,
      /seats: guards central \(30 seats\), eastern \(30 seats\) and western \(30 seats\) need 90 new seats together, 80 seats left; exceeds by 10 seats/,
    );
  });

  it("admits no more than was left under an advisory guard, so a mandatory run judges the rest", async () => {
    // An advisory guard plans 100 users against 80 left; the dependents add the 80 that fit.
    const program = `
const pulumi = require("@pulumi/pulumi");
const command = require("@pulumi/command");
const koodrive = require("pulumi-koodrive");
const config = new pulumi.Config();
const guard = new koodrive.CapacityGuard("onboarding", { plannedUsers: 100, enforcement: config.require("enforcement") });
for (let n = 0; n < config.requireNumber("add"); n++) {
  new command.local.Command("add-" + n, { create: "node add-user.js user-" + n }, { dependsOn: [guard] });
}
exports.admitted = guard.admittedPlan;
`;
    test = await createProgramStack("advisory-then-mandatory", {
      files: { "index.js": program, "add-user.js": ADD_USER_SCRIPT },
      config: { ...connection(), enforcement: { value: "advisory" }, add: { value: "80" } },
      env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TOKEN },
    });
    const up = await test.stack.up();
    assert.match(
      up.stdout,
      /advisory capacity guard: seats: plan needs 100 new users, 80 seats left; exceeds by 20 seats/,
    );
    assert.deepEqual(up.outputs.admitted?.value, { users: 80 });
    assert.equal(sim.usage().userCount, 100);
    await test.stack.setConfig("enforcement", { value: "mandatory" });
    const failed = await failure(test.stack.preview());
    assert.match(
      failed,
      /seats: plan 100 users \(80 users already deployed, 20 new users\), 0 seats left; exceeds by 20 seats/,
    );
  });

  it("warns of a pending mandatory guard in preview, TypeScript and plugin alike", async () => {
    // The connection's endpoint comes from another resource: unknown until the update.
    const typescript = `
const command = require("@pulumi/command");
const koodrive = require("pulumi-koodrive");
const endpoint = new command.local.Command("endpoint", { create: "echo " + process.env.SIM_URL }).stdout;
new koodrive.CapacityGuard("late", { endpoint, plannedUsers: 1000 });
`;
    test = await createProgramStack("pending-ts", {
      files: { "index.js": typescript },
      config: connection(),
      env: { SIM_URL: sim.url },
    });
    const preview = await test.stack.preview();
    assert.match(
      preview.stdout,
      /warning: capacity guard pending: the connection is not known until the update \(endpoint is computed from another resource\); the check runs then/,
    );
    await test.remove();

    // The plugin's provider and guard by their schema tokens; the provider's endpoint from another resource.
    const javascript = `
const pulumi = require("@pulumi/pulumi");
const command = require("@pulumi/command");
const endpoint = new command.local.Command("endpoint", { create: "echo " + process.env.SIM_URL }).stdout;
const computed = new pulumi.ProviderResource("koodrive", "computed", { endpoint });
new pulumi.CustomResource("koodrive:index:CapacityGuard", "late", { plannedUsers: 1000, status: undefined }, { provider: computed });
`;
    test = await createProgramStack("pending-plugin", {
      files: { "index.js": javascript },
      config: connection(),
      env: { SIM_URL: sim.url },
      pluginOnPath: true,
    });
    const pluginPreview = await test.stack.preview();
    assert.match(
      pluginPreview.stdout,
      /warning: capacity guards pending: this provider's endpoint is computed from another resource, so its guards are not checked in this preview; the check runs in the update/,
    );
  });

  it("passes `pulumi preview --expect-no-changes` after an up and after the tenant's figures moved", async () => {
    const program = `
const koodrive = require("pulumi-koodrive");
const onboarding = new koodrive.CapacityGuard("onboarding", { plannedUsers: 25, warnAtPercent: 90 });
new koodrive.CapacityGuard("pilot", { plannedUsers: 5 });
new koodrive.CapacityGuard("reserve", { minFreeSeats: 5 });
exports.status = onboarding.status;
`;
    test = await createProgramStack("drift", { files: { "index.js": program }, config: connection() });
    await test.stack.up();
    const quiet = await test.stack.preview({ expectNoChanges: true });
    assert.equal(quiet.changeSummary.same, 4);
    sim.setUsage({ userCount: 60 });
    const moved = await test.stack.preview({ expectNoChanges: true });
    assert.equal(moved.changeSummary.same, 4);
    // The guards still judge every run: a reserve the tenant no longer leaves fails, with no change to show.
    sim.setUsage({ userCount: 99 });
    const failed = await failure(test.stack.preview({ expectNoChanges: true }));
    assert.match(
      failed,
      /resource 'reserve': property minFreeSeats value \{5\} has a problem: seats: plan 0 users \(0 users already deployed, 0 new users\), keeping 5 seats free, 1 seat left; exceeds by 4 seats/,
    );
  });
});
