/**
 * `npm run demo`: the product in one command. Starts koodrive-sim (unless the endpoint's environment
 * variable points at a real tenant), shows the capacity, deploys a plan that fits, then shows a plan that does not
 * fit failing its preview. Exits 0 when everything behaved as expected.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { formatUsageSummary } from "../../cli/summary";
import { engineBinDir, offlineEnvironment, pulumiCommand, REPO_ROOT } from "../../harness/engine";
import { variableOf } from "../../provider/config/connection-settings";
import { KooDriveClient } from "../../sdk/nodejs/client";
import { DEMO_TOKEN, type Simulator, startSimulator } from "../../sim";

const PASSPHRASE = "koodrive-demo-passphrase";
let stepNumber = 0;

function step(title: string): void {
  stepNumber += 1;
  console.log(`\n━━ ${stepNumber}. ${title}`);
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(tmpdir(), "koodrive-demo-"));
  let sim: Simulator | undefined;
  try {
    step("Pulumi engine");
    const bin = await engineBinDir();
    console.log(`using ${path.join(bin, "pulumi")}`);

    step("KooDrive");
    const env: Record<string, string> = {};
    const endpoint = process.env[variableOf("endpoint")];
    if (endpoint) {
      console.log(`using ${endpoint} with credentials from the environment`);
    } else {
      sim = await startSimulator();
      Object.assign(env, { [variableOf("endpoint")]: sim.url, [variableOf("accessToken")]: DEMO_TOKEN });
      console.log(`started koodrive-sim at ${sim.url} (the documented example tenant, demo token)`);
    }

    step("Tenant capacity (koodrive-usage)");
    const client = new KooDriveClient({ env: { ...process.env, ...env } });
    const usage = await client.getServiceUsage();
    await client.close();
    console.log(formatUsageSummary(usage, client.endpoint));

    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "demo", workDir: REPO_ROOT },
      {
        envVars: { ...offlineEnvironment(bin, path.join(scratch, "state"), PASSPHRASE), ...env },
        pulumiCommand: await pulumiCommand(bin),
      },
    );
    const fitting = Math.min(5, usage.remainingSeats);
    step(`pulumi up: a plan that fits (${fitting} new users, 10 GB department quota)`);
    await stack.setAllConfig({ plannedUsers: { value: String(fitting) }, plannedDeptGB: { value: "10" } });
    const up = await stack.up({ onOutput: (text) => process.stdout.write(text) });
    console.log(`\nthe plan fits: ${Object.keys(up.outputs).join(", ")} are now stack outputs (above)`);

    // The demo adds no users, so the 5 admitted stay counted and one more than is left must be new.
    const tooMany = fitting + usage.remainingSeats + 1;
    step(`pulumi preview: a plan that does not fit (${tooMany - fitting} new users)`);
    await stack.setConfig("plannedUsers", { value: String(tooMany) });
    const failure = await stack.preview({ onOutput: (text) => process.stdout.write(text) }).then(
      () => undefined,
      (error: Error) => error,
    );
    if (!failure || !/seats: plan \d+ users/.test(failure.message)) {
      throw new Error("the over-capacity preview did not fail with the guard's message");
    }
    console.log("\nthe preview failed as it should: the guard stopped the plan before anything was created");

    step("Clean up");
    await stack.destroy();
    console.log("destroyed the demo stack; removing its temporary state");
    console.log("\ndemo finished: every step behaved as expected");
  } finally {
    await sim?.close();
    rmSync(scratch, { recursive: true, force: true });
    rmSync(path.join(REPO_ROOT, "Pulumi.demo.yaml"), { force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
