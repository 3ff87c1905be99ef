/**
 * The benchmarks on one platform leg: the Node this process runs on, and the @pulumi/pulumi that
 * KOODRIVE_PULUMI_SDK names for the programs (see bench/run.ts, which starts one process per leg).
 *
 *   node dist/bench/leg.js OUT.json [--quick]
 *
 * Writes the leg's results to OUT.json. `--quick` takes 3 rounds and skips the time-to-fail and
 * throughput measures, which do not change with the provider's code.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { type ProgramStack, programWorkspaceRoot, removeProgramWorkspace } from "../harness/program-stack";
import { isKooDriveError } from "../provider/client/errors";
import { KooDriveClient } from "../sdk/nodejs/client";
import { DEMO_TOKEN, type Simulator, startSimulator } from "../sim";
import { type CpuSample, removeCpuHelper } from "./cpu-time";
import { BASELINE_PROGRAM, CURL_PROGRAM, GUARD_PROGRAM, QUEUED_PROGRAM } from "./programs";
import { measureSimulatorThroughput } from "./sim-throughput";
import { benchMachine, measuredCli, simStack } from "./stacks";
import { interleave, median, round, summarize } from "./stats";

const run = promisify(execFile);
const QUICK = process.argv.includes("--quick");
const ROUNDS = QUICK ? 3 : Number(process.env.BENCH_ROUNDS ?? 5);

const programStack = (sim: Simulator, name: string, program: string, env: Record<string, string> = {}) =>
  simStack(sim, name, { "index.js": program }, env);

const PROGRAMS = { baseline: BASELINE_PROGRAM, guard: GUARD_PROGRAM, curl: CURL_PROGRAM };
type Variant = keyof typeof PROGRAMS;

async function variantStacks(sim: Simulator, command: string): Promise<Record<Variant, ProgramStack>> {
  return {
    baseline: await programStack(sim, `bench-${command}-baseline`, BASELINE_PROGRAM),
    guard: await programStack(sim, `bench-${command}-guard`, GUARD_PROGRAM),
    curl: await programStack(sim, `bench-${command}-curl`, CURL_PROGRAM),
  };
}

/** The goals' ratios of the medians of `measure` in the three variants' samples. */
function ratios(samples: Record<Variant, CpuSample[]>, measure: "cpuMs" | "wallMs") {
  const m = (variant: Variant) => median(samples[variant].map((sample) => sample[measure]));
  return { guardOverBaseline: round(m("guard") / m("baseline"), 3), guardOverCurl: round(m("guard") / m("curl"), 3) };
}

/** The median and range of each variant's values. */
const summaries = (values: Record<Variant, number[]>) => ({
  baseline: summarize(values.baseline),
  guard: summarize(values.guard),
  curl: summarize(values.curl),
});

/**
 * The three variants compared: CPU time first (medians, their ranges, the ratios the goals are
 * about, and the part of it in orphaned processes), then wall time for the record; every sample kept.
 */
function compare(samples: Record<Variant, CpuSample[]>) {
  const of = (measure: keyof CpuSample) =>
    Object.fromEntries(
      Object.entries(samples).map(([variant, list]) => [variant, list.map((sample) => round(sample[measure], 1))]),
    ) as Record<Variant, number[]>;
  const cpu = of("cpuMs");
  const wall = of("wallMs");
  return {
    cpu: {
      baseline: round(median(cpu.baseline), 0),
      guard: round(median(cpu.guard), 0),
      curl: round(median(cpu.curl), 0),
      ...ratios(samples, "cpuMs"),
      ranges: summaries(cpu),
      orphanMs: summaries(of("orphanCpuMs")),
      samplesMs: cpu,
    },
    wall: { ms: summaries(wall), ...ratios(samples, "wallMs"), samplesMs: wall },
  };
}

/** 1. `pulumi preview`: baseline, baseline + data source and guard, baseline + curl. */
async function previewCost(sim: Simulator) {
  const stacks = await variantStacks(sim, "preview");
  const preview = (variant: Variant) => measuredCli(stacks[variant], ["preview"]);
  for (const variant of Object.keys(stacks) as Variant[]) await preview(variant); // warm the disk cache
  const samples = await interleave(ROUNDS, {
    baseline: () => preview("baseline"),
    guard: () => preview("guard"),
    curl: () => preview("curl"),
  });
  for (const stack of Object.values(stacks)) await stack.remove();
  return compare(samples);
}

/**
 * 2. `pulumi up --yes` of the three variants as a user runs it (a preview pass, then the update pass;
 * the Automation API's `up` would skip the preview), each on an empty stack, which the stack's
 * `destroy` (not measured) restores; and the quotaUsed requests of each guard `up`.
 */
async function upCost(sim: Simulator) {
  const stacks = await variantStacks(sim, "up");
  const requests: number[] = [];
  const up = async (variant: Variant) => {
    const stack = stacks[variant];
    sim.resetLog();
    const sample = await measuredCli(stack, ["up", "--yes"]);
    if (variant === "guard") requests.push(sim.requestCount("quotaUsed"));
    await stack.stack.destroy();
    return sample;
  };
  for (const variant of Object.keys(stacks) as Variant[]) await up(variant); // warm the disk cache
  requests.length = 0;
  const samples = await interleave(ROUNDS, {
    baseline: () => up("baseline"),
    guard: () => up("guard"),
    curl: () => up("curl"),
  });
  for (const stack of Object.values(stacks)) await stack.remove();
  return { ...compare(samples), quotaUsedRequests: requests };
}

/** 3. quotaUsed requests per preview with 1, 10 and 50 guards. */
async function requestsPerPreview(sim: Simulator) {
  const counts: Record<string, number> = {};
  for (const guards of [1, 10, 50]) {
    const stack = await programStack(sim, `bench-guards-${guards}`, GUARD_PROGRAM, { GUARDS: String(guards) });
    sim.resetLog();
    await stack.stack.preview();
    counts[String(guards)] = sim.requestCount("quotaUsed");
    await stack.remove();
  }
  return counts;
}

/**
 * 8. Two stacks' `pulumi up --yes` started together, both already deployed, their guards unchanged
 * and 5 s of work behind each: against one tenant (`queued`: one holds the tenant, the other waits
 * for it) and against two tenants (`apart`: no contention, as two unchanged guards ran before every
 * `up` took the tenant). CPU time of both process trees together, and wall time until both ended.
 */
async function queuedUps(sim: Simulator) {
  const other = await startSimulator();
  try {
    const [a, b, c] = [
      await programStack(sim, "bench-queued-a", QUEUED_PROGRAM),
      await programStack(sim, "bench-queued-b", QUEUED_PROGRAM),
      await programStack(other, "bench-apart-c", QUEUED_PROGRAM),
    ];
    let deployments = 0;
    const pair = async (first: ProgramStack, second: ProgramStack): Promise<CpuSample> => {
      deployments += 1;
      const up = (stack: ProgramStack) => {
        stack.stack.workspace.envVars.BENCH_ROUND = String(deployments);
        return measuredCli(stack, ["up", "--yes"]);
      };
      const start = performance.now();
      const [one, two] = await Promise.all([up(first), up(second)]);
      return {
        wallMs: performance.now() - start,
        cpuMs: one.cpuMs + two.cpuMs,
        orphanCpuMs: one.orphanCpuMs + two.orphanCpuMs,
        orphans: one.orphans + two.orphans,
      };
    };
    await pair(a, b); // deploys the stacks: the guards are unchanged from here on
    await pair(a, c);
    const samples = await interleave(ROUNDS, { queued: () => pair(a, b), apart: () => pair(a, c) });
    for (const stack of [a, b, c]) await stack.remove();
    const of = (variant: "queued" | "apart", measure: "cpuMs" | "wallMs") =>
      samples[variant].map((sample) => round(sample[measure], 1));
    const ratio = (measure: "cpuMs" | "wallMs") =>
      round(median(of("queued", measure)) / median(of("apart", measure)), 3);
    return {
      cpu: {
        queued: summarize(of("queued", "cpuMs")),
        apart: summarize(of("apart", "cpuMs")),
        queuedOverApart: ratio("cpuMs"),
      },
      wall: {
        queued: summarize(of("queued", "wallMs")),
        apart: summarize(of("apart", "wallMs")),
        queuedOverApart: ratio("wallMs"),
      },
      orphanMs: Math.max(...[...samples.queued, ...samples.apart].map((sample) => sample.orphanCpuMs)),
      samples,
    };
  } finally {
    await other.close();
  }
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

/** 4. Time to fail with default settings: connection refused, and an endpoint that never answers. */
async function failureTimes() {
  const refused = await interleave(ROUNDS, { refused: async () => (await timeToFail("http://127.0.0.1:9")).ms });
  const silent = await startSimulator();
  silent.queueFault("quotaUsed", { kind: "delay", ms: 600_000 }, 100);
  const neverAnswers = await timeToFail(silent.url);
  await silent.close();
  return {
    refusedMs: summarize(refused.refused),
    neverAnswersMs: neverAnswers.ms,
    neverAnswersError: neverAnswers.error,
  };
}

/**
 * A fresh Node process that loads `first`, then `module`, and prints the CPU time (user + system),
 * wall time and RSS growth of loading `module` (`first` is what the process has loaded anyway).
 */
const LOAD_PROBE = `
if (process.argv[1]) require(process.argv[1]);
const before = process.memoryUsage().rss;
const cpu = process.cpuUsage();
const start = process.hrtime.bigint();
require(process.argv[2]);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({ cpuMs: (used.user + used.system) / 1e3, ms, rssMB: (process.memoryUsage().rss - before) / 2 ** 20 }));`;

type Load = { cpuMs: number; ms: number; rssMB: number };

const summarizeLoads = (loads: Load[]) => {
  const of = (key: keyof Load) =>
    summarize(
      loads.map((load) => load[key]),
      1,
    );
  return { cpuMs: of("cpuMs"), ms: of("ms"), rssMB: of("rssMB") };
};

/**
 * 5. Cost of loading, each in a fresh Node process in the programs' workspace: in the program,
 * `pulumi-koodrive` against `@pulumi/pulumi` alone; in the provider process, the runtime the
 * dynamic provider loads, after `@pulumi/pulumi` (which that process has loaded already).
 */
async function loadCost() {
  const root = await programWorkspaceRoot();
  const load = async (first: string, module: string) => {
    const { stdout } = await run(process.execPath, ["-e", LOAD_PROBE, first, module], { cwd: root });
    return JSON.parse(stdout) as Load;
  };
  const runtime = () => load("@pulumi/pulumi", "pulumi-koodrive/provider-runtime");
  await runtime(); // as after the first provider process of a machine (caches, if any, are written)
  const { pulumi, koodrive, providerRuntime } = await interleave(ROUNDS * 2, {
    pulumi: () => load("", "@pulumi/pulumi"),
    koodrive: () => load("", "pulumi-koodrive"),
    providerRuntime: runtime,
  });
  const m = (xs: Load[], key: keyof Load) => median(xs.map((x) => x[key]));
  return {
    pulumiAlone: summarizeLoads(pulumi),
    pulumiKoodrive: summarizeLoads(koodrive),
    extraCpuMs: round(m(koodrive, "cpuMs") - m(pulumi, "cpuMs"), 1),
    extraMs: round(m(koodrive, "ms") - m(pulumi, "ms"), 1),
    extraMB: round(m(koodrive, "rssMB") - m(pulumi, "rssMB"), 1),
    providerRuntime: summarizeLoads(providerRuntime),
  };
}

async function machine() {
  return { ...(await benchMachine()), rounds: ROUNDS, quick: QUICK };
}

/** Everything this leg measures. */
export type LegResults = Awaited<ReturnType<typeof measure>>;

async function measure() {
  const sim = await startSimulator();
  try {
    return {
      machine: await machine(),
      preview: await previewCost(sim),
      up: await upCost(sim),
      requests: await requestsPerPreview(sim),
      load: await loadCost(),
      queued: await queuedUps(sim),
      failures: QUICK ? undefined : await failureTimes(),
      throughput: QUICK ? undefined : await measureSimulatorThroughput({ connections: 50, durationMs: 5000 }),
    };
  } finally {
    await sim.close();
    await removeProgramWorkspace();
    await removeCpuHelper();
  }
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out || out.startsWith("--")) throw new Error("usage: node dist/bench/leg.js OUT.json [--quick]");
  measure().then(
    (results) => writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`),
    (error: unknown) => {
      console.error(`bench leg failed: ${error instanceof Error ? error.stack : String(error)}`);
      process.exitCode = 1;
    },
  );
}
