/**
 * Start-up of the provider plugin: the released executable (`npm run dist`, this machine's platform)
 * against the npm package's bin (`node dist/provider/plugin/main.js`, on the Node running this), each
 * started fresh as the engine starts it, then asked over gRPC for its schema (`GetSchema`) and to
 * check a guard against koodrive-sim (`Configure`, then the first `Check`, which reads the figures).
 * Wall time from the start of the process, and the process's CPU time (user + system, from
 * /proc/<pid>/stat at 10 ms resolution), at each answer.
 *
 *   node dist/bench/plugin-startup.js OUT.json [--quick]     (npm run bench runs it on Node 24)
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import * as providerRpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { REPO_ROOT } from "../harness/engine";
import { pulumiGrpc } from "../provider/process/pulumi-grpc";
import { DEMO_TOKEN, startSimulator } from "../sim";
import { buildRelease, executableName, PLUGIN, RELEASE_PLATFORMS } from "../tools/release/executables";
import { interleave, type Summary, summarize } from "./stats";

const run = promisify(execFile);

/** Wall and CPU milliseconds at the plugin's first answers. */
interface StartupSample {
  schemaWallMs: number;
  schemaCpuMs: number;
  checkWallMs: number;
  checkCpuMs: number;
}

/** One variant's summaries. */
export type StartupResults = Record<keyof StartupSample, Summary>;

/** What `npm run bench` records: the two variants, the executable's size, the Node they ran on. */
export interface PluginStartupResults {
  node: string;
  rounds: number;
  executableMB: number;
  executable: StartupResults;
  npmBin: StartupResults;
}

/** The CPU milliseconds process `pid` has used so far (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  // After "pid (comm) ", utime and stime are the 12th and 13th fields.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Calls a unary method of the provider client. */
function call<Req, Res>(client: providerRpc.ResourceProviderClient, method: string, request: Req): Promise<Res> {
  const fn = (client as unknown as Record<string, (r: Req, cb: (e: Error | null, v: Res) => void) => void>)[method];
  return new Promise((resolve, reject) =>
    fn?.call(client, request, (error, value) => (error ? reject(error) : resolve(value))),
  );
}

/** Starts `command`, waits for its port, asks for the schema and one guard's check; kills it. */
async function sample(command: string, args: string[], endpoint: string): Promise<StartupSample> {
  const started = performance.now();
  const child: ChildProcess = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const [port] = (await once(lines, "line")) as [string];
    lines.close();
    const grpc = pulumiGrpc();
    const client = new providerRpc.ResourceProviderClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure() as never,
    );
    await call(client, "getSchema", new providerProto.GetSchemaRequest());
    const schemaWallMs = performance.now() - started;
    const schemaCpuMs = cpuMs(child.pid as number);
    const config = Struct.fromJavaScript({ endpoint, accessToken: DEMO_TOKEN });
    await call(client, "configure", new providerProto.ConfigureRequest().setArgs(config));
    const urn = "urn:pulumi:bench::startup::koodrive:index:CapacityGuard::seats";
    const check = await call<providerProto.CheckRequest, providerProto.CheckResponse>(
      client,
      "check",
      new providerProto.CheckRequest()
        .setUrn(urn)
        .setOlds(Struct.fromJavaScript({}))
        .setNews(Struct.fromJavaScript({ plannedUsers: 1 })),
    );
    if (check.getFailuresList().length > 0)
      throw new Error(`the check failed: ${check.getFailuresList()[0]?.getReason()}`);
    const checkWallMs = performance.now() - started;
    const checkCpuMs = cpuMs(child.pid as number);
    client.close();
    return { schemaWallMs, schemaCpuMs, checkWallMs, checkCpuMs };
  } finally {
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
  }
}

/** The summaries of `samples`, by measure. */
function summaries(samples: StartupSample[]): StartupResults {
  const keys = ["schemaWallMs", "schemaCpuMs", "checkWallMs", "checkCpuMs"] as const;
  return Object.fromEntries(keys.map((key) => [key, summarize(samples.map((s) => s[key]))])) as StartupResults;
}

/** Measures both variants over `rounds` interleaved rounds (after one unmeasured start of each). */
export async function measurePluginStartup(rounds: number): Promise<PluginStartupResults> {
  const host = RELEASE_PLATFORMS.find((p) => p.os === process.platform && p.cpu === process.arch);
  if (!host) throw new Error(`no release platform for ${process.platform}-${process.arch}`);
  const scratch = mkdtempSync(path.join(tmpdir(), "koodrive-plugin-startup-"));
  const sim = await startSimulator({ fixture: { usage: { userCount: 10, userMaxCount: 100 } } });
  try {
    const [tarball] = await buildRelease(PLUGIN, [host], path.join(scratch, "release"));
    await run("tar", ["-xzf", tarball?.file as string, "-C", scratch]);
    const executable = path.join(scratch, executableName(PLUGIN, host));
    const variants = {
      executable: () => sample(executable, [], sim.url),
      npmBin: () => sample(process.execPath, [path.join(REPO_ROOT, "dist/provider/plugin/main.js")], sim.url),
    };
    // One start of each first, so both read their files from the page cache, as any run after the first does.
    await variants.executable();
    await variants.npmBin();
    const samples = await interleave(rounds, variants);
    return {
      node: process.versions.node,
      rounds,
      executableMB: Math.round(statSync(executable).size / 1024 / 1024),
      executable: summaries(samples.executable),
      npmBin: summaries(samples.npmBin),
    };
  } finally {
    await sim.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The BENCHMARKS.md table of the plugin's start-up. */
export function pluginStartupTable(r: PluginStartupResults): string {
  const cell = (s: Summary) => `${s.median} (${s.min}–${s.max})`;
  const row = (what: string, v: StartupResults) =>
    `| ${what} | ${cell(v.schemaWallMs)} | ${cell(v.schemaCpuMs)} | ${cell(v.checkWallMs)} | ${cell(v.checkCpuMs)} |`;
  return [
    `**Provider plugin start-up** (Node ${r.node}; the executable is ${r.executableMB} MB; ${r.rounds} interleaved rounds after one start of each; ms, medians, range in brackets; CPU at 10 ms resolution)`,
    "",
    "| plugin | to GetSchema, wall | to GetSchema, CPU | to first Check, wall | to first Check, CPU |",
    "|---|---|---|---|---|",
    row("executable (`npm run dist`)", r.executable),
    row("npm bin (`node …/plugin/main.js`)", r.npmBin),
  ].join("\n");
}

if (require.main === module) {
  const out = process.argv.slice(2).find((arg) => !arg.startsWith("--"));
  const rounds = process.argv.includes("--quick") ? 3 : Number(process.env.BENCH_ROUNDS ?? 5);
  measurePluginStartup(rounds).then(
    (results) => {
      if (out) writeFileSync(out, JSON.stringify(results));
      else console.log(pluginStartupTable(results));
    },
    (error: unknown) => {
      console.error(`plugin start-up bench failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
