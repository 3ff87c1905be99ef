import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";

const TOKEN = "engine-test-token-spaces-8d3f";

/**
 * 150 GB left in the department pool (50 of 200 allocated) and 180 GB in the personal pool (120 of
 * 300): once an 80 GB personal space is deployed, 100 GB are left of it.
 */
const USAGE = { deptSpaceQuota: 200, deptSpaceQuotaUsed: 50, personalSpaceQuota: 300, personalSpaceQuotaUsed: 120 };

/** A department space of `deptGB` (config) and a personal space of `homeGB` (config). */
const SPACES_TS = `
import * as pulumi from "@pulumi/pulumi";
import { Space } from "pulumi-koodrive";

const config = new pulumi.Config();
const dept = new Space("dept", { ownerId: "1001", type: "department", capacityGB: config.requireNumber("deptGB") });
const homeSpace = new Space("home", { ownerId: "u1", type: "personal", capacityGB: config.requireNumber("homeGB") });
export const home = { containerId: homeSpace.containerId, capacityGB: homeSpace.capacityGB, spaceUsedGB: homeSpace.spaceUsedGB };
export const deptType = dept.type;
`;

/** Rejects with the run's error message, or fails the test when the run succeeds. */
const failed = (run: Promise<unknown>): Promise<string> =>
  run.then(
    () => assert.fail("the run should fail"),
    (error: Error) => error.message,
  );

/** The simulator's pools: what is allocated of the department and the personal pool. */
const pools = (sim: Simulator) => [sim.usage().deptSpaceQuotaUsed, sim.usage().personalSpaceQuotaUsed];

/** One stack of two Spaces over its life against one simulator. */
describe("Space under the real engine (TypeScript)", function () {
  this.timeout(1_200_000);
  let sim: Simulator;
  let test: ProgramStack;

  before(async () => {
    sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: USAGE } });
    test = await createProgramStack("spaces", {
      files: { "index.ts": SPACES_TS },
      config: {
        "koodrive:endpoint": { value: sim.url },
        "koodrive:accessToken": { value: TOKEN, secret: true },
        deptGB: { value: "200" },
        homeGB: { value: "80" },
      },
    });
  });
  after(async () => {
    await test?.remove();
    await sim?.close();
  });

  it("fails the preview of a 200 GB department Space against 150 GB left, naming the pool; 100 GB deploy", async () => {
    assert.match(
      await failed(test.stack.preview()),
      /department pool quota: this deployment adds 200 GB new to the KooDrive tenant .* \(dept \(the department space of 1001\) \(200 GB\)\), 150 GB left; exceeds by 50 GB/,
    );
    assert.equal(sim.spaces().length, 0);

    await test.stack.setConfig("deptGB", { value: "100" });
    const up = await test.stack.up();
    assert.equal(up.summary.result, "succeeded");
    assert.equal(up.outputs.deptType?.value, "department");
    const home = up.outputs.home?.value;
    assert.deepEqual([home.capacityGB, home.spaceUsedGB], [80, 0]);
    assert.equal(sim.spaces().find((space) => space.ownerId === "u1")?.containerId, home.containerId);
    assert.deepEqual(pools(sim), [150, 200]);
  });

  it("judges a personal Space's growth alone: 80 → 190 fails against 100 GB left, 80 → 150 grows in place", async () => {
    await test.stack.setConfig("homeGB", { value: "190" });
    assert.match(
      await failed(test.stack.preview()),
      /personal pool quota: this deployment adds 110 GB new to the KooDrive tenant .*, 100 GB left; exceeds by 10 GB/,
    );
    await test.stack.setConfig("homeGB", { value: "150" });
    const up = await test.stack.up();
    assert.deepEqual(up.summary.resourceChanges, { same: 2, update: 1 });
    assert.equal(up.outputs.home?.value.capacityGB, 150);
    assert.deepEqual(pools(sim), [150, 270]);
  });

  it("shows a space deleted in KooDrive as drift on refresh; destroy gives the pools back", async () => {
    const home = sim.spaces().find((space) => space.ownerId === "u1");
    const deleted = await fetch(`${sim.url}/koodrive/ose/v1/space/u1?type=1&containerId=${home?.containerId}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(deleted.status, 200);
    const refresh = await test.stack.refresh();
    assert.equal(refresh.summary.resourceChanges?.delete, 1);
    assert.doesNotMatch(JSON.stringify((await test.stack.exportStack()).deployment), /::home"/);

    const destroy = await test.stack.destroy();
    assert.equal(destroy.summary.result, "succeeded");
    assert.deepEqual([sim.spaces().length, ...pools(sim)], [0, 50, 120]);
  });
});

/** Pulumi YAML of one plugin Space. */
function spaceYaml(type: string, capacityGB: number): string {
  return [
    "name: koodrive-spaces-yaml",
    "runtime: yaml",
    "resources:",
    "  dept:",
    "    type: koodrive:index:Space",
    "    properties:",
    "      ownerId: '1001'",
    `      type: ${type}`,
    `      capacityGB: ${capacityGB}`,
    "outputs:",
    `  containerId: \${dept.containerId}`,
    "",
  ].join("\n");
}

/** The same through the provider plugin, in Pulumi YAML. */
describe("Space under the real engine (YAML, through the plugin)", function () {
  this.timeout(1_200_000);
  let sim: Simulator;
  let test: ProgramStack;

  before(async () => {
    sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: USAGE } });
    test = await createProgramStack("spaces-yaml", {
      files: { "Pulumi.yaml": spaceYaml("group", 10) },
      config: {
        "koodrive:endpoint": { value: sim.url },
        "koodrive:accessToken": { value: TOKEN, secret: true },
      },
      pluginOnPath: true,
    });
  });
  after(async () => {
    await test?.remove();
    await sim?.close();
  });

  const program = (yaml: string) => writeFileSync(path.join(test.dir, "Pulumi.yaml"), yaml);

  it("refuses a group space, fails a 200 GB department Space against 150 GB left naming the pool, deploys 100, adopts one made by hand", async () => {
    assert.match(
      await failed(test.stack.preview()),
      /property type value \{group\} has a problem: type "group" is not supported/,
    );
    program(spaceYaml("department", 200));
    assert.match(
      await failed(test.stack.preview()),
      /property capacityGB value \{200\} has a problem: department pool quota: this deployment adds 200 GB new .*, 150 GB left; exceeds by 50 GB/,
    );
    program(spaceYaml("department", 100));
    const up = await test.stack.up();
    assert.equal(up.outputs.containerId?.value, sim.spaces()[0]?.containerId);
    assert.deepEqual(pools(sim), [150, 120]);
    const destroy = await test.stack.destroy();
    assert.equal(destroy.summary.result, "succeeded");
    assert.deepEqual([sim.spaces().length, ...pools(sim)], [0, 50, 120]);

    // Made again outside Pulumi, then adopted: imported with its GB (100, with 50 left), none taken twice.
    const added = await fetch(`${sim.url}/koodrive/ose/v1/space/1001`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ capacity: "100", type: 0 }),
    });
    assert.equal(added.status, 200);
    const containerId = String(sim.spaces()[0]?.containerId);
    await test.cli(["import", "koodrive:index:Space", "dept", containerId, "--yes", "--stack", "test"]);
    const adopted = await test.stack.preview();
    assert.deepEqual(adopted.changeSummary, { same: 2 }, "the program's dept is the imported space");
    const urn = (await test.stack.exportStack()).deployment.resources.find((resource: { urn: string }) =>
      resource.urn.endsWith("::dept"),
    )?.urn;
    await test.cli(["state", "unprotect", String(urn), "--yes", "--stack", "test"]);
    await test.stack.destroy();
    assert.deepEqual([sim.spaces().length, ...pools(sim)], [0, 50, 120]);
  });
});
