/**
 * A provider plugin guard refused at create, under the real engine: the engine's output names the
 * refused argument and the reason. The plan fits when the guard is checked; another deployment (the
 * test, holding the tenant lock as one would) takes the seats while the guard waits for the tenant,
 * so the create, judging afresh once it holds the tenant, refuses it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { resolveSettings } from "../../provider/config/settings";
import { credentialIdentity, identifiedTenant } from "../../provider/config/tenant";
import { LocalTenantLock } from "../../provider/tenant/local-lock";
import { type Simulator, startSimulator } from "../../sim";
import { pluginProgram } from "../helpers/plugin-programs";
import { TEST_TOKEN } from "../helpers/secrets";

describe("a provider plugin guard refused at create, under the real engine", function () {
  this.timeout(600_000);
  let sim: Simulator;
  let test: ProgramStack | undefined;
  let cache: string | undefined;
  let lock: LocalTenantLock | undefined;

  afterEach(async () => {
    await lock?.close();
    await test?.remove();
    await sim?.close();
    if (cache) rmSync(cache, { recursive: true, force: true });
  });

  it("fails `pulumi up` naming the argument and the reason in the engine's output (YAML)", async () => {
    // 95 of 100 seats used: a plan of 3 fits when checked.
    sim = await startSimulator({ fixture: { tokens: [TEST_TOKEN], usage: { userCount: 95, userMaxCount: 100 } } });
    cache = mkdtempSync(path.join(os.tmpdir(), "koodrive-refusal-cache-"));
    test = await createProgramStack("plugin-refusal", {
      files: pluginProgram("yaml", { guards: { onboarding: 3 } }),
      config: { "koodrive:endpoint": { value: sim.url }, "koodrive:accessToken": { value: TEST_TOKEN, secret: true } },
      env: { XDG_CACHE_HOME: cache },
      pluginOnPath: true,
    });
    // Another deployment to the tenant, on this machine, whatever the engine's cache folder.
    lock = new LocalTenantLock();
    const credential = credentialIdentity(resolveSettings({ endpoint: sim.url, accessToken: TEST_TOKEN, env: {} }));
    const tenant = identifiedTenant(credential, String(sim.subscription().tenantId));
    const holder = { stack: "org/other", host: os.hostname(), pid: process.pid, since: new Date().toISOString() };
    assert.ok(await lock.tryAcquire(tenant.key, { ...holder, deployment: "another deployment" }));

    let output = "";
    let released: Promise<void> | undefined;
    const up = test.stack.up({
      onOutput: (text) => {
        output += text;
        if (released || !/waiting for the KooDrive tenant/.test(output)) return;
        // The other deployment adds its users, then ends: 1 seat is left for a plan of 3.
        sim.setUsage({ userCount: 99 });
        released = lock?.close();
      },
    });
    const error = await up.then(
      () => assert.fail(`the update should fail:\n${output}`),
      (e: Error) => e,
    );
    assert.ok(released, `the guard waited for the tenant:\n${output}`);
    // The engine prints, against the guard: "error: the plan exceeds capacity", then "- property plannedUsers has a problem: …".
    assert.match(
      error.message,
      /koodrive:index:CapacityGuard \(onboarding\):[\s\S]*error: the plan exceeds capacity\n\s+- property plannedUsers has a problem: seats: plan needs 3 new users, 1 seat left; exceeds by 2 seats: buy 2 more seats, or raise the OrgID user maximum \(POST \/koodrive\/ose\/v1\/user\/expand\/\{orgId\}\)\n/,
    );
    const resources = (await test.stack.exportStack()).deployment.resources ?? [];
    assert.deepEqual(
      resources.filter((resource: { type: string }) => resource.type === "koodrive:index:CapacityGuard"),
      [],
      "the refused guard was not created",
    );
    assert.equal(sim.usage().userCount, 99, "nothing was over-admitted");
    const refused = sim.requestLog().filter((entry) => entry.path.endsWith("/users") && entry.status >= 400);
    assert.deepEqual(refused, [], "no user creation was refused");
  });
});
