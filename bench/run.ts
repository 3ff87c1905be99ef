/**
 * `npm run bench`: measures pulumi-koodrive against what a user would otherwise do, each comparison
 * interleaved in one run, and writes bench/results.json and the table in BENCHMARKS.md.
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { engineBinDir, REPO_ROOT } from "../harness/engine";
import {
  createProgramStack,
  type ProgramStack,
  programWorkspaceRoot,
  removeProgramWorkspace,
} from "../harness/program-stack";
import { KooDriveClient } from "../provider/client/client";
import { variableOf } from "../provider/client/connection-settings";
import { isKooDriveError } from "../provider/client/errors";
import { DEMO_TOKEN, type Simulator, startSimulator } from "../sim";
import { BASELINE_PROGRAM, CURL_PROGRAM, GUARD_PROGRAM } from "./programs";
import { measureSimulatorThroughput } from "./sim-throughput";
import { interleave, median, round } from "./stats";

const run = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

async function previewStack(sim: Simulator, name: string, program: string, env: Record<string, string> = {}) {
  return createProgramStack(name, {
    files: { "index.js": program },
    env: { [variableOf("endpoint")]: sim.url, [variableOf("accessToken")]: DEMO_TOKEN, ...env },
  });
}

/** 1. Preview wall time: baseline, baseline + guard, baseline + curl. */
async function previewCost(sim: Simulator) {
  const stacks: Record<string, ProgramStack> = {
    baseline: await previewStack(sim, "bench-baseline", BASELINE_PROGRAM),
    guard: await previewStack(sim, "bench-guard", GUARD_PROGRAM),
    curl: await previewStack(sim, "bench-curl", CURL_PROGRAM),
  };
  for (const stack of Object.values(stacks)) await stack.stack.preview(); // warm the disk cache and ts/js caches
  const samples = await interleave(ROUNDS, {
    baseline: () => timed(() => stacks.baseline?.stack.preview()),
    guard: () => timed(() => stacks.guard?.stack.preview()),
    curl: () => timed(() => stacks.curl?.stack.preview()),
  });
  for (const stack of Object.values(stacks)) await stack.remove();
  const medians = { baseline: median(samples.baseline), guard: median(samples.guard), curl: median(samples.curl) };
  return {
    samplesMs: samples,
    medianMs: { baseline: round(medians.baseline, 0), guard: round(medians.guard, 0), curl: round(medians.curl, 0) },
    guardOverBaseline: round(medians.guard / medians.baseline, 3),
    guardOverCurl: round(medians.guard / medians.curl, 3),
  };
}

/** 2. quotaUsed requests per preview with 1, 10 and 50 guards. */
async function requestsPerRun(sim: Simulator) {
  const counts: Record<string, number> = {};
  for (const guards of [1, 10, 50]) {
    const stack = await previewStack(sim, `bench-guards-${guards}`, GUARD_PROGRAM, { GUARDS: String(guards) });
    sim.resetLog();
    await stack.stack.preview();
    counts[String(guards)] = sim.requestCount("quotaUsed");
    await stack.remove();
  }
  return counts;
}

async function timeToFail(endpoint: string): Promise<{ ms: number; error: string }> {
  const client = new KooDriveClient({ endpoint, accessToken: DEMO_TOKEN });
  const start = performance.now();
  try {
    await client.getServiceUsage();
    throw new Error(`${endpoint} answered`);
  } catch (error) {
    if (!isKooDriveError(error)) throw error;
    return { ms: round(performance.now() - start, 0), error: error.summary };
  } finally {
    await client.close();
  }
}

/** 3. Time to fail with default settings: connection refused, and an endpoint that never answers. */
async function failureTimes() {
  const refused = await interleave(ROUNDS, { refused: async () => (await timeToFail("http://127.0.0.1:9")).ms });
  const silent = await startSimulator();
  silent.queueFault("quotaUsed", { kind: "delay", ms: 600_000 }, 100);
  const neverAnswers = await timeToFail(silent.url);
  await silent.close();
  return {
    refusedMedianMs: median(refused.refused),
    neverAnswersMs: neverAnswers.ms,
    neverAnswersError: neverAnswers.error,
  };
}

/** 4. Cost of loading the entry point a program imports against @pulumi/pulumi alone, each in a fresh Node process. */
async function loadCost() {
  const root = await programWorkspaceRoot();
  const probe = `
const before = process.memoryUsage().rss;
const start = process.hrtime.bigint();
require(process.argv[1]);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
console.log(JSON.stringify({ ms, rssMB: (process.memoryUsage().rss - before) / 2 ** 20 }));`;
  const load = async (module: string) => {
    const { stdout } = await run(process.execPath, ["-e", probe, module], { cwd: root });
    return JSON.parse(stdout) as { ms: number; rssMB: number };
  };
  const { pulumi, koodrive } = await interleave(ROUNDS * 2, {
    pulumi: () => load("@pulumi/pulumi"),
    koodrive: () => load("pulumi-koodrive"),
  });
  const m = (xs: { ms: number; rssMB: number }[], key: "ms" | "rssMB") => median(xs.map((x) => x[key]));
  return {
    pulumiAlone: { ms: round(m(pulumi, "ms"), 1), rssMB: round(m(pulumi, "rssMB"), 1) },
    pulumiKoodrive: { ms: round(m(koodrive, "ms"), 1), rssMB: round(m(koodrive, "rssMB"), 1) },
    extraMs: round(m(koodrive, "ms") - m(pulumi, "ms"), 1),
    extraMB: round(m(koodrive, "rssMB") - m(pulumi, "rssMB"), 1),
  };
}

async function machine() {
  const bin = await engineBinDir();
  const { stdout } = await run(path.join(bin, "pulumi"), ["version"]);
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    pulumi: stdout.trim(),
    rounds: ROUNDS,
  };
}

function table(results: Awaited<ReturnType<typeof measure>>): string {
  const { preview, requests, failures, load, throughput, machine: m } = results;
  return [
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, Node ${m.node}, Pulumi ${m.pulumi}; ${m.rounds} interleaved rounds, medians.`,
    "",
    "| comparison | measured | goal | met |",
    "|---|---|---|---|",
    `| preview: baseline / + guard / + curl | ${preview.medianMs.baseline} / ${preview.medianMs.guard} / ${preview.medianMs.curl} ms | guard ≤ 1.10 × baseline, < curl | ${preview.guardOverBaseline <= 1.1 && preview.guardOverCurl < 1 ? "yes" : "no"} (guard/baseline ${preview.guardOverBaseline}, guard/curl ${preview.guardOverCurl}) |`,
    `| quotaUsed requests per preview, 1 / 10 / 50 guards | ${requests["1"]} / ${requests["10"]} / ${requests["50"]} | 1 each | ${Object.values(requests).every((n) => n === 1) ? "yes" : "no"} |`,
    `| time to fail, connection refused | ${failures.refusedMedianMs} ms | < 35 s | ${failures.refusedMedianMs < 35_000 ? "yes" : "no"} |`,
    `| time to fail, never answers | ${failures.neverAnswersMs} ms (${failures.neverAnswersError}) | < 35 s | ${failures.neverAnswersMs < 35_000 ? "yes" : "no"} |`,
    `| require: @pulumi/pulumi alone / pulumi-koodrive | ${load.pulumiAlone.ms} / ${load.pulumiKoodrive.ms} ms, ${load.pulumiAlone.rssMB} / ${load.pulumiKoodrive.rssMB} MB RSS | ≤ +50 ms, ≤ +10 MB | ${load.extraMs <= 50 && load.extraMB <= 10 ? "yes" : "no"} (+${load.extraMs} ms, +${load.extraMB} MB) |`,
    `| koodrive-sim quotaUsed, ${throughput.connections} connections | ${round(throughput.requestsPerSecond, 0)} req/s (${throughput.errors} errors) | ≥ 5,000 req/s | ${throughput.requestsPerSecond >= 5000 ? "yes" : "no"} |`,
  ].join("\n");
}

async function measure() {
  const sim = await startSimulator();
  try {
    return {
      machine: await machine(),
      preview: await previewCost(sim),
      requests: await requestsPerRun(sim),
      failures: await failureTimes(),
      load: await loadCost(),
      throughput: await measureSimulatorThroughput({ connections: 50, durationMs: 5000 }),
    };
  } finally {
    await sim.close();
    await removeProgramWorkspace();
  }
}

async function main(): Promise<void> {
  const results = await measure();
  const text = table(results);
  console.log(text);
  writeFileSync(
    path.join(REPO_ROOT, "bench/results.json"),
    `${JSON.stringify({ date: new Date().toISOString(), ...results }, null, 2)}\n`,
  );
  const doc = path.join(REPO_ROOT, "BENCHMARKS.md");
  const markers = /(<!-- results:start -->\n)[\s\S]*(<!-- results:end -->)/;
  writeFileSync(doc, readFileSync(doc, "utf8").replace(markers, `$1${text}\n$2`));
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
