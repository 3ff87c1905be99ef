import assert from "node:assert/strict";
import type { ProgramStack } from "../../harness/program-stack";
import type { Gate } from "../helpers/gate";
import { oneTenant } from "../helpers/one-tenant";
import { outcome } from "../helpers/outcome";
import { providerProcesses, until } from "../helpers/processes";
import { ADD_USER_SCRIPT } from "../helpers/programs";

const TOKEN = "engine-test-token-tenant-kill-5e02";

/**
 * A guard of `users.length` users, then a command waiting at `gate` (if any), then a command per user; with
 * `more`, a second guard of that many users after them, and a command per user after it.
 */
function onboarding(users: string[], gate?: Gate, more: string[] = []): Record<string, string> {
  const source = `
const command = require("@pulumi/command");
const koodrive = require("pulumi-koodrive");
const add = (users, after) => users.map((user) => new command.local.Command("add-" + user, { create: "node add-user.js " + user }, { dependsOn: after }));
const guard = new koodrive.CapacityGuard("onboarding", { plannedUsers: ${users.length} });
const gate = new command.local.Command("gate", { create: ${JSON.stringify(gate?.command ?? "true")} }, { dependsOn: [guard] });
const first = add(${JSON.stringify(users)}, [gate]);
const more = ${JSON.stringify(more)};
if (more.length > 0) add(more, [new koodrive.CapacityGuard("more", { plannedUsers: more.length }, { dependsOn: first })]);
`;
  return { "index.js": source, "add-user.js": ADD_USER_SCRIPT };
}

describe("a holder of the tenant killed outright, under the real engine", function () {
  this.timeout(600_000);
  const tenant = oneTenant(TOKEN);
  const { gate } = tenant;
  const users = (stack: string, count: number) => Array.from({ length: count }, (_, n) => `${stack}-${n}`);
  const stack = (name: string, files: Record<string, string>) => tenant.stack(name, { files });
  /** The waiter's `up`, started once the holder waits at its gate; resolves when it says it waits. */
  const waiterUp = async (waiter: ProgramStack) => {
    let output = "";
    const run = outcome(waiter.stack.up({ onOutput: (text) => (output += text) }));
    await until("the waiter says it waits for the holder", () => /waiting for the KooDrive tenant/.test(output));
    return { run, output: () => output };
  };
  const refusedCreations = () =>
    tenant.sim.requestLog().filter((entry) => entry.path.endsWith("/users") && entry.status >= 400);

  it("kill -9 of the holder's `pulumi`: the waiter goes on saying the holder ended uncleanly; no provider process is left", async () => {
    const holdersGate = gate();
    const holder = await stack("holder", onboarding(users("holder", 10), holdersGate));
    const waiter = await stack("waiter", onboarding(users("waiter", 60)));
    const engine = holder.start(["up", "--yes", "--skip-preview", "--stack", "test", "--non-interactive"]);
    await holdersGate.reached();
    assert.ok(providerProcesses(holder.dir).length > 0, "the holder's provider process runs");
    const { run, output } = await waiterUp(waiter);

    engine.kill("SIGKILL");
    await until(
      "the holder's provider processes end with its engine",
      () => providerProcesses(holder.dir).length === 0,
      30_000,
    );
    const result = await run;
    assert.ok(result.ok, result.text);
    assert.match(
      output(),
      /took over the KooDrive tenant http:\/\/127\.0\.0\.1:\d+ from stack \w+\/test on .* \(pid \d+\), deploying since \d\d:\d\d:\d\d UTC, whose process ended at \d\d:\d\d:\d\d UTC without releasing it: that deployment ended uncleanly \(killed\), and commands it started may still be running/,
    );
    // The holder's own users were never added: its commands waited at the gate when it was killed.
    assert.equal(tenant.sim.usage().userCount, 80, "20 before, and the waiter's 60");
    assert.deepEqual(refusedCreations(), [], "no user creation was refused");
  });

  it("kill -9 of the holder's provider process: the waiter stays out while the holder's engine runs, whose later guarded work fails", async () => {
    const holdersGate = gate();
    const holder = await stack("holder", onboarding(users("holder", 10), holdersGate, users("later", 5)));
    // 70 of the 80 left: admitted on figures read before the holder's 10 are added, it would overrun.
    const waiter = await stack("waiter", onboarding(users("waiter", 70)));
    const holding = outcome(holder.stack.up());
    await holdersGate.reached();
    const { run, output } = await waiterUp(waiter);

    const providers = providerProcesses(holder.dir);
    assert.ok(providers.length > 0, "the holder's provider process runs");
    for (const pid of providers) process.kill(pid, "SIGKILL");
    await until("the waiter says it waits for the killed holder's engine", () =>
      /ended without releasing it while its engine still runs the deployment; waiting for that deployment to end/.test(
        output(),
      ),
    );
    holdersGate.open();
    const held = await holding;
    assert.equal(held.ok, false, held.text);
    assert.match(
      held.text,
      /CapacityGuard more\s+error: connection error: .*connection refused/,
      "its later guard had no provider",
    );
    const result = await run;
    assert.ok(result.ok, result.text);
    assert.match(
      output(),
      /whose process ended at .* without releasing it: that deployment ended uncleanly \(killed\)/,
    );
    assert.equal(
      tenant.sim.usage().userCount,
      100,
      "20 before, the holder's first 10 and the waiter's 70; not the holder's later 5",
    );
    assert.deepEqual(refusedCreations(), [], "no user creation was refused");
  });
});
