import assert from "node:assert/strict";
import type { ProgramSpec } from "../../harness/program-stack";
import type { Gate } from "../helpers/gate";
import { oneTenant } from "../helpers/one-tenant";
import { assertFigures, interruptWhileWaiting, outcome } from "../helpers/outcome";
import { ADD_USER_SCRIPT } from "../helpers/programs";

const TOKEN = "engine-test-token-tenant-waits-5d02";

type GuardKind = "typescript" | "plugin";

/**
 * An onboarding program: a guard planning `planned` users, then, when `gate` is given, a Command that
 * waits at it, and a Command per user in `users` behind both; with `failAfter`, a Command that fails
 * once they are added (a deployment that fails half-way). The guard is the TypeScript one or the
 * provider plugin's (by its schema token, as YAML, Python and Go programs reach it).
 */
function onboarding(
  guard: GuardKind,
  planned: number,
  users: string[],
  gate?: Gate,
  failAfter = false,
): Record<string, string> {
  const declared =
    guard === "typescript"
      ? `new (require("pulumi-koodrive").CapacityGuard)("onboarding", { plannedUsers: ${planned} })`
      : `new pulumi.CustomResource("koodrive:index:CapacityGuard", "onboarding", { plannedUsers: ${planned}, status: undefined })`;
  const source = `
const pulumi = require("@pulumi/pulumi");
const command = require("@pulumi/command");
const guard = ${declared};
const before = ${
    gate
      ? `new command.local.Command("gate", { create: ${JSON.stringify(gate.command)} }, { dependsOn: [guard] })`
      : "guard"
  };
const added = ${JSON.stringify(users)}.map(
  (user) => new command.local.Command("add-" + user, { create: "node add-user.js " + user }, { dependsOn: [before] }),
);
${failAfter ? 'new command.local.Command("fails", { create: "exit 3" }, { dependsOn: added });' : ""}
`;
  return { "index.js": source, "add-user.js": ADD_USER_SCRIPT };
}

describe("waiting for the tenant under the real engine: cancel, retries", function () {
  this.timeout(1_200_000);
  const tenant = oneTenant(TOKEN);
  const { gate } = tenant;
  const users = (stack: string, count: number, from = 0) =>
    Array.from({ length: count }, (_, n) => `${stack}-${from + n}`);
  const stack = (name: string, spec: ProgramSpec) => tenant.stack(name, spec);

  for (const guard of ["typescript", "plugin"] as const) {
    it(`SIGINT ends a ${guard} guard's waiting \`pulumi up\` within 5 s, cancelled while waiting, and the next \`up\` runs`, async () => {
      const held = gate();
      const holder = await stack(`holder-${guard}`, {
        files: onboarding(guard, 10, users("holder", 10), held),
        pluginOnPath: guard === "plugin",
      });
      const waiter = await stack(`waiter-${guard}`, {
        files: onboarding(guard, 50, users("waiter", 50)),
        pluginOnPath: guard === "plugin",
      });
      const holding = outcome(holder.stack.up());
      await held.reached(); // the holder has its guard deployed, holding the tenant

      const run = await interruptWhileWaiting((options) => waiter.stack.up(options));
      assert.equal(run.ok, false, run.text);
      assert.ok(run.tookMs < 5_000, `the cancelled up ended ${run.tookMs} ms after SIGINT`);
      assert.match(
        run.text,
        /cancelled while waiting for the KooDrive tenant http:\/\/127\.0\.0\.1:\d+ held by stack holder-\w+\/test on .* \(pid \d+, deploying since \d\d:\d\d:\d\d UTC\)/,
      );
      assert.doesNotMatch(run.text, /exceeds capacity/);

      held.open();
      const holderRun = await holding;
      assert.ok(holderRun.ok, holderRun.text);
      // No `pulumi cancel`, no state surgery: the next `up` of the cancelled stack runs.
      const next = await outcome(waiter.stack.up());
      assert.ok(next.ok, next.text);
      assertFigures(tenant.sim, 80);
    });
  }
});
