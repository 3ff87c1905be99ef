import assert from "node:assert/strict";
import type { PreviewResult } from "@pulumi/pulumi/automation";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";
import { CALL_ORDER_NAMES, installInto, packAt, RELEASE_0_1_0 } from "../helpers/pack-release";

const TOKEN = "engine-test-token-names-7c41";

/** Two data-source calls on different connections, in the order the config says, and a guard. */
const TWO_READERS_JS = `
const pulumi = require("@pulumi/pulumi");
const koodrive = require("pulumi-koodrive");

const reads = {
  kb: () => koodrive.getServiceUsageOutput(),
  mb: () => koodrive.getServiceUsageOutput({ usedSpaceUnit: "MB" }),
};
const order = new pulumi.Config().get("order") === "reversed" ? ["mb", "kb"] : ["kb", "mb"];
for (const unit of order) exports[unit] = reads[unit]().spaceUsedGB;
exports.guard = new koodrive.CapacityGuard("onboarding", { plannedUsers: 1 }).status;
`;

const SERVICE_USAGE = "pulumi-nodejs:dynamic/koodrive:ServiceUsage";

/** The names of the ServiceUsage records in the state. */
async function recordNames(test: ProgramStack): Promise<string[]> {
  const state = await test.stack.exportStack();
  const resources = (state.deployment.resources ?? []) as { urn: string; type: string }[];
  return resources
    .filter((resource) => resource.type === SERVICE_USAGE)
    .map((resource) => resource.urn.split("::").pop() as string)
    .sort();
}

/** Nothing created, deleted or replaced. */
function assertNothingRecreated(preview: PreviewResult): void {
  const { create = 0, delete: deleted = 0, replace = 0 } = preview.changeSummary;
  assert.deepEqual({ create, deleted, replace }, { create: 0, deleted: 0, replace: 0 }, preview.stdout);
}

for (const [release, commit] of [
  ["0.1.0", RELEASE_0_1_0],
  ["the call-order layout", CALL_ORDER_NAMES],
] as const) {
  describe(`ServiceUsage records deployed by ${release}, under the real engine`, function () {
    this.timeout(1_200_000);
    let sim: Simulator;
    let test: ProgramStack;

    before(async () => {
      sim = await startSimulator({ fixture: { tokens: [TOKEN] } });
    });
    after(async () => {
      await test?.remove();
      await sim?.close();
    });

    it("carry over to names from their settings with no replacement or deletion, and a reorder changes nothing", async () => {
      const tarball = await packAt(commit);
      test = await createProgramStack("names", {
        files: { "index.js": TWO_READERS_JS },
        env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TOKEN },
      });
      const uninstall = await installInto(test.dir, tarball);
      const deployed = await test.stack.up();
      assert.equal(deployed.summary.result, "succeeded");
      assert.deepEqual(await recordNames(test), ["koodrive-service-usage", "koodrive-service-usage-2"]);

      uninstall();
      assertNothingRecreated(await test.stack.preview({ diff: true }));
      const up = await test.stack.up();
      assert.equal(up.summary.result, "succeeded");
      const { create = 0, delete: deleted = 0, replace = 0 } = up.summary.resourceChanges ?? {};
      assert.deepEqual({ create, deleted, replace }, { create: 0, deleted: 0, replace: 0 }, up.stdout);
      const names = await recordNames(test);
      assert.equal(names.length, 2);
      for (const name of names) assert.match(name, /^koodrive-service-usage-[0-9a-f]{8}$/);
      assert.deepEqual(up.outputs.kb?.value, 7.394);

      await test.stack.up(); // a guard upgraded from 0.1.0 drops its one-time upgrade notice

      await test.stack.setConfig("order", { value: "reversed" });
      const reordered = await test.stack.preview({ diff: true });
      assertNothingRecreated(reordered);
      assert.equal(reordered.changeSummary.update ?? 0, 0, reordered.stdout);
      await test.stack.up();
      assert.deepEqual(await recordNames(test), names);
    });
  });
}
