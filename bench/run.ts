/**
 * `npm run bench`: measures pulumi-koodrive against what a user would otherwise do on both platform
 * legs (bench/legs.ts), each leg in its own process on its own Node (scripts/node.sh) with its own
 * @pulumi/pulumi in the programs, then the provider plugin's start-up (bench/plugin-startup.ts), and
 * writes bench/results.json and the tables in BENCHMARKS.md.
 *
 * `npm run bench -- --quick`: the primary leg only, 3 rounds, printed and not written, for iterating.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../harness/engine";
import type { LegResults } from "./leg";
import { benchLegs, type Leg } from "./legs";
import { type PluginStartupResults, pluginStartupTable } from "./plugin-startup";
import { legTable } from "./table";
import { type UserGrowthResults, userGrowthTable } from "./user-growth";

const run = promisify(execFile);
const quick = process.argv.includes("--quick");

async function runLeg(leg: Leg, scratch: string): Promise<LegResults> {
  const out = path.join(scratch, `leg-${leg.node}.json`);
  console.error(`bench: Node ${leg.node}, @pulumi/pulumi ${leg.pulumiSdk} in the programs`);
  const legScript = path.join(REPO_ROOT, "dist/bench/leg.js");
  const child = run(
    "bash",
    ["scripts/node.sh", "--node", String(leg.node), "--", "node", legScript, out, ...(quick ? ["--quick"] : [])],
    { cwd: REPO_ROOT, env: { ...process.env, KOODRIVE_PULUMI_SDK: leg.pulumiSdk }, maxBuffer: 64 * 1024 * 1024 },
  );
  child.child.stderr?.pipe(process.stderr);
  await child;
  return JSON.parse(readFileSync(out, "utf8")) as LegResults;
}

/** Runs `script` (under dist/bench/) on Node 24 in a process of its own; what it wrote to its OUT.json. */
async function runOnNode24<T>(script: string, scratch: string): Promise<T> {
  const out = path.join(scratch, `${path.basename(script, ".js")}.json`);
  const child = run(
    "bash",
    [
      "scripts/node.sh",
      "--node",
      "24",
      "--",
      "node",
      path.join(REPO_ROOT, "dist/bench", script),
      out,
      ...(quick ? ["--quick"] : []),
    ],
    { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
  );
  child.child.stderr?.pipe(process.stderr);
  await child;
  return JSON.parse(readFileSync(out, "utf8")) as T;
}

async function main(): Promise<void> {
  const legs = benchLegs(REPO_ROOT).slice(0, quick ? 1 : undefined);
  const scratch = mkdtempSync(path.join(tmpdir(), "koodrive-bench-"));
  const results: LegResults[] = [];
  let pluginStartup: PluginStartupResults;
  let userGrowth: UserGrowthResults;
  try {
    for (const leg of legs) results.push(await runLeg(leg, scratch));
    console.error("bench: the provider plugin's start-up, executable and npm bin");
    pluginStartup = await runOnNode24<PluginStartupResults>("plugin-startup.js", scratch);
    console.error("bench: new Users against curl Commands, 10, 100 and 500 of each");
    userGrowth = await runOnNode24<UserGrowthResults>("user-growth.js", scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const text = [...results.map(legTable), pluginStartupTable(pluginStartup), userGrowthTable(userGrowth)].join("\n\n");
  console.log(text);
  if (quick) return;
  writeFileSync(
    path.join(REPO_ROOT, "bench/results.json"),
    `${JSON.stringify({ date: new Date().toISOString(), legs: results, pluginStartup, userGrowth }, null, 2)}\n`,
  );
  const doc = path.join(REPO_ROOT, "BENCHMARKS.md");
  const markers = /(<!-- results:start -->\n)[\s\S]*(<!-- results:end -->)/;
  writeFileSync(doc, readFileSync(doc, "utf8").replace(markers, `$1${text}\n$2`));
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
