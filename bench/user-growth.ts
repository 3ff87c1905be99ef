/**
 * Cost as the work grows: `pulumi preview` and `pulumi up --yes` of 10, 100 and 500 new `User`
 * resources (a TypeScript program, `import { User } from "pulumi-koodrive"`) against as many
 * `command.local.Command` resources that add each user with curl, as users do without `User` (as
 * examples/onboard-users did before it), against koodrive-sim with seats enough for every run. CPU time of the
 * whole process tree first (cpu-time.ts), wall time for the record, each count's four runs
 * interleaved; and the goals' counts: quotaUsed reads per preview (the simulator's request log),
 * tenant locks taken per deployment (tenant-lock-watch.ts), and the round trips of one preview's reads
 * when KooDrive answers slowly (quotaUsed and the subscription sent together: one round trip).
 *
 *   node dist/bench/user-growth.js [OUT.json] [--quick]      (npm run bench runs it on Node 24)
 *
 * Writes the results to OUT.json, or prints the table without it. `--quick` takes 2 rounds; else
 * `BENCH_ROUNDS` (default 3). `BENCH_COUNTS` (e.g. `10,100`) measures other counts. Each `up` runs on
 * a stack of its own, made and removed outside the measure, adding users of ids no run used before,
 * so no `destroy` is needed between them.
 */
import { writeFileSync } from "node:fs";
import { type ProgramStack, removeProgramWorkspace } from "../harness/program-stack";
import { DEMO_TOKEN, type Simulator, startSimulator } from "../sim";
import { type CpuSample, removeCpuHelper } from "./cpu-time";
import { COMMANDS_TS_PROGRAM, USERS_TS_PROGRAM } from "./programs";
import { benchMachine, measuredCli, simStack } from "./stacks";
import { interleave, median, round, type Summary, summarize } from "./stats";
import { countLockTakes, tenantLockKeys } from "./tenant-lock-watch";

const QUICK = process.argv.includes("--quick");
const ROUNDS = QUICK ? 2 : Number(process.env.BENCH_ROUNDS ?? 3);
const COUNTS = (process.env.BENCH_COUNTS ?? "10,100,500").split(",").map(Number);
/** Seats enough for every user the runs add (none is deleted): the goals are about cost, not refusals. */
const SEATS = 1_000_000;

const PROGRAMS = { users: USERS_TS_PROGRAM, commands: COMMANDS_TS_PROGRAM };
type Variant = keyof typeof PROGRAMS;
const VARIANTS = Object.keys(PROGRAMS) as Variant[];

/** One measured run and what koodrive-sim and the tenant's lock saw of it. */
interface GrowthSample extends CpuSample {
  quotaUsed: number;
  adds: number;
  lockTakes: number;
}

/** One command's figures for one variant: CPU and wall time, every sample kept. */
interface VariantFigures {
  cpuMs: Summary;
  wallMs: Summary;
  cpuSamplesMs: number[];
  /** CPU in processes only the subreaper reaped, at most. */
  orphanMs: number;
}

/** One command (`preview` or `up`) at one count: both variants, the ratio of their CPU medians, the Users' counts. */
export interface GrowthComparison {
  users: VariantFigures;
  commands: VariantFigures;
  /** Median CPU of the Users over that of the Commands. */
  usersOverCommands: number;
  /** Wall time, for the record. */
  usersOverCommandsWall: number;
  /** quotaUsed requests of each Users run. */
  quotaUsed: number[];
  /** Tenant lock takes of each Users run. */
  lockTakes: number[];
}

/** What one count measured. */
export interface GrowthCount {
  count: number;
  preview: GrowthComparison;
  up: GrowthComparison;
}

/** What `npm run bench` records of this item. */
export interface UserGrowthResults {
  machine: Awaited<ReturnType<typeof benchMachine>> & { rounds: number; date: string };
  counts: GrowthCount[];
  roundTrips: PreviewRoundTrips;
}

/** How long koodrive-sim holds each answer of quotaUsed and the subscription in the round-trip measure, ms. */
const SLOW_ANSWER_MS = 500;

/**
 * One Users preview's reads of KooDrive when each answer takes `SLOW_ANSWER_MS`: how many of each, and
 * how far apart they arrived. Sent one after the other, the second would arrive an answer's delay
 * after the first; sent together, at once: one round trip of latency per preview.
 */
export interface PreviewRoundTrips {
  users: number;
  quotaUsed: number;
  subscription: number;
  /** Between the first quotaUsed request's arrival and the first subscription request's, ms. */
  apartMs: number;
  slowAnswerMs: number;
}

/** Measures {@link PreviewRoundTrips} with a preview of 10 new Users on a stack of its own. */
async function measureRoundTrips(sim: Simulator): Promise<PreviewRoundTrips> {
  const users = 10;
  const stack = await simStack(
    sim,
    "bench-growth-round-trips",
    { "index.ts": USERS_TS_PROGRAM },
    {
      BENCH_COUNT: String(users),
      BENCH_ID: "rt",
    },
  );
  try {
    sim.resetLog();
    for (const endpoint of ["quotaUsed", "service"] as const) {
      sim.queueFault(endpoint, { kind: "delay", ms: SLOW_ANSWER_MS }, 100);
    }
    await measuredCli(stack, ["preview"]);
    const log = sim.requestLog();
    const arrival = (endpoint: "quotaUsed" | "service") => {
      const first = log.find((entry) => entry.endpoint === endpoint);
      if (!first) throw new Error(`the round-trip preview sent no ${endpoint} request`);
      return Date.parse(first.time);
    };
    return {
      users,
      quotaUsed: sim.requestCount("quotaUsed"),
      subscription: sim.requestCount("service"),
      apartMs: Math.abs(arrival("service") - arrival("quotaUsed")),
      slowAnswerMs: SLOW_ANSWER_MS,
    };
  } finally {
    sim.clearFaults();
    await stack.remove();
  }
}

/** The figures of one variant's samples. */
function figures(samples: GrowthSample[]): VariantFigures {
  const cpu = samples.map((sample) => round(sample.cpuMs, 1));
  return {
    cpuMs: summarize(cpu),
    wallMs: summarize(samples.map((sample) => sample.wallMs)),
    cpuSamplesMs: cpu,
    orphanMs: Math.max(...samples.map((sample) => sample.orphanCpuMs)),
  };
}

/** Both variants' samples of one command compared. */
function compare(samples: Record<Variant, GrowthSample[]>): GrowthComparison {
  const m = (variant: Variant, measure: "cpuMs" | "wallMs") =>
    median(samples[variant].map((sample) => sample[measure]));
  return {
    users: figures(samples.users),
    commands: figures(samples.commands),
    usersOverCommands: round(m("users", "cpuMs") / m("commands", "cpuMs"), 3),
    usersOverCommandsWall: round(m("users", "wallMs") / m("commands", "wallMs"), 3),
    quotaUsed: samples.users.map((sample) => sample.quotaUsed),
    lockTakes: samples.users.map((sample) => sample.lockTakes),
  };
}

/**
 * Measures the previews and `up`s of `count` new users of each variant, interleaved; after one run of
 * each when `warm` (the first count: the caches are warm for the others).
 */
async function measureCount(sim: Simulator, lockKeys: string[], count: number, warm: boolean): Promise<GrowthCount> {
  let runs = 0;
  /** Runs `pulumi ARGS` on `stack`, measured, counting what koodrive-sim and the tenant's lock saw. */
  const measured = async (stack: ProgramStack, args: string[]): Promise<GrowthSample> => {
    const users = sim.users().length;
    sim.resetLog();
    const [sample, lockTakes] = await countLockTakes(lockKeys, () => measuredCli(stack, args));
    const adds = sim.users().length - users;
    if (args[0] === "up" && adds !== count) {
      throw new Error(`pulumi up of ${count} users added ${adds} to koodrive-sim (${stack.dir})`);
    }
    return { ...sample, quotaUsed: sim.requestCount("quotaUsed"), adds, lockTakes };
  };
  const env = (variant: Variant) => ({ BENCH_COUNT: String(count), BENCH_ID: `${variant[0]}${count}r${runs}n` });
  const stack = (variant: Variant, command: string) =>
    simStack(sim, `bench-growth-${variant}-${count}-${command}`, { "index.ts": PROGRAMS[variant] }, env(variant));
  // The previews run on stacks that stay empty; each `up` on a fresh stack, made and removed outside the measure.
  const previewStacks = { users: await stack("users", "preview"), commands: await stack("commands", "preview") };
  const preview = (variant: Variant) => measured(previewStacks[variant], ["preview"]);
  const up = async (variant: Variant) => {
    runs += 1;
    const fresh = await stack(variant, "up");
    try {
      return await measured(fresh, ["up", "--yes"]);
    } finally {
      await fresh.remove();
    }
  };
  // Each once before timing starts (the disk cache, the provider's compile cache), at the first count.
  for (const variant of warm ? VARIANTS : []) await preview(variant);
  for (const variant of warm ? VARIANTS : []) await up(variant);
  const samples = await interleave(ROUNDS, {
    usersPreview: () => preview("users"),
    commandsPreview: () => preview("commands"),
    usersUp: () => up("users"),
    commandsUp: () => up("commands"),
  });
  for (const previewStack of Object.values(previewStacks)) await previewStack.remove();
  return {
    count,
    preview: compare({ users: samples.usersPreview, commands: samples.commandsPreview }),
    up: compare({ users: samples.usersUp, commands: samples.commandsUp }),
  };
}

/** Measures every count in `COUNTS`, over `ROUNDS` interleaved rounds each. */
export async function measureUserGrowth(): Promise<UserGrowthResults> {
  const sim = await startSimulator({ fixture: { usage: { userCount: 0, userMaxCount: SEATS } } });
  try {
    const tenantId = String(sim.subscription().tenantId);
    const lockKeys = tenantLockKeys(sim.url, DEMO_TOKEN, tenantId);
    const machine = { ...(await benchMachine()), rounds: ROUNDS, date: new Date().toISOString() };
    const counts: GrowthCount[] = [];
    for (const count of COUNTS) {
      console.error(`bench: ${count} new Users against ${count} curl Commands`);
      counts.push(await measureCount(sim, lockKeys, count, counts.length === 0));
    }
    console.error(`bench: one preview's round trips, each answer held ${SLOW_ANSWER_MS} ms`);
    return { machine, counts, roundTrips: await measureRoundTrips(sim) };
  } finally {
    await sim.close();
    await removeProgramWorkspace();
    await removeCpuHelper();
  }
}

/** The goals: one quotaUsed read per preview, one lock per `up`, Users ≤ Commands in CPU from 100 users on. */
export function growthGoals(r: UserGrowthResults) {
  const previewReads = r.counts.flatMap((c) => c.preview.quotaUsed);
  const upLocks = r.counts.flatMap((c) => c.up.lockTakes);
  const large = r.counts.filter((c) => c.count >= 100);
  return {
    onePreviewRead: previewReads.every((n) => n === 1),
    oneLockPerUp: upLocks.every((n) => n === 1),
    oneRoundTrip:
      r.roundTrips.quotaUsed === 1 &&
      r.roundTrips.subscription === 1 &&
      r.roundTrips.apartMs < r.roundTrips.slowAnswerMs,
    previewNoDearer: large.every((c) => c.preview.usersOverCommands <= 1),
    upNoDearer: large.every((c) => c.up.usersOverCommands <= 1),
  };
}

const yes = (met: boolean) => (met ? "yes" : "no");
const spread = (s: Summary) => `${s.median} (${s.min}–${s.max})`;
/** The distinct values of a list, `1` or `1, 2`. */
const distinct = (values: number[]) => [...new Set(values)].sort((a, b) => a - b).join(", ");

/** What the round-trip measure saw, in a table's cell. */
const roundTrips = (t: PreviewRoundTrips) =>
  `${t.users} Users: ${t.quotaUsed} quotaUsed and ${t.subscription} subscription request, arriving ${t.apartMs} ms apart with each answer held ${t.slowAnswerMs} ms`;

/** The BENCHMARKS.md table of this item. */
export function userGrowthTable(r: UserGrowthResults): string {
  const m = r.machine;
  const goals = growthGoals(r);
  const row = (c: GrowthCount) =>
    `| ${c.count} | ${spread(c.preview.users.cpuMs)} / ${spread(c.preview.commands.cpuMs)} | ${c.preview.usersOverCommands} | ` +
    `${spread(c.up.users.cpuMs)} / ${spread(c.up.commands.cpuMs)} | ${c.up.usersOverCommands} | ` +
    `${c.preview.users.wallMs.median} / ${c.preview.commands.wallMs.median}; ${c.up.users.wallMs.median} / ${c.up.commands.wallMs.median} | ` +
    `${distinct(c.preview.quotaUsed)} | ${distinct(c.preview.lockTakes)} / ${distinct(c.up.lockTakes)} |`;
  const orphans = Math.max(
    ...r.counts.flatMap((c) => [c.preview, c.up].flatMap((x) => [x.users.orphanMs, x.commands.orphanMs])),
  );
  const ratios = (command: "preview" | "up") =>
    r.counts
      .filter((c) => c.count >= 100)
      .map((c) => `${c.count}: ${c[command].usersOverCommands}`)
      .join(", ");
  return [
    `**Cost as the work grows: new \`User\`s against curl \`Command\`s** (Node ${m.node}, @pulumi/pulumi ${m.pulumiSdk}; engine ${m.pulumi}; ` +
      `${m.cpu}, ${m.cores} cores; ${m.rounds} interleaved rounds, after one run of each at the first count; CPU time of the whole process tree, ms, medians, range in brackets; ` +
      `in processes only the subreaper reaped: at most ${orphans} ms)`,
    "",
    "| new users | `preview` CPU: Users / Commands | Users/Commands | `up` CPU: Users / Commands | Users/Commands | wall, medians (for the record): preview; up, Users / Commands | quotaUsed reads per Users preview | tenant locks taken per Users preview / `up` |",
    "|---|---|---|---|---|---|---|---|",
    ...r.counts.map(row),
    "",
    "| goal | measured | met |",
    "|---|---|---|",
    `| one quotaUsed read per preview, whatever the count | ${r.counts.map((c) => `${c.count}: ${distinct(c.preview.quotaUsed)}`).join(", ")} | ${yes(goals.onePreviewRead)} |`,
    `| one round trip of latency per preview: quotaUsed and the subscription read together | ${roundTrips(r.roundTrips)} | ${yes(goals.oneRoundTrip)} |`,
    `| one tenant lock per deployment (\`up\`) | ${r.counts.map((c) => `${c.count}: ${distinct(c.up.lockTakes)}`).join(", ")} | ${yes(goals.oneLockPerUp)} |`,
    `| at 100 and 500, Users cost no more CPU than Commands: \`preview\` | Users/Commands ${ratios("preview")} | ${yes(goals.previewNoDearer)} |`,
    `| the same, \`up\` | Users/Commands ${ratios("up")} | ${yes(goals.upNoDearer)} |`,
  ].join("\n");
}

if (require.main === module) {
  const out = process.argv.slice(2).find((arg) => !arg.startsWith("--"));
  measureUserGrowth().then(
    (results) => {
      if (out) writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
      else console.log(userGrowthTable(results));
    },
    (error: unknown) => {
      console.error(`user growth bench failed: ${error instanceof Error ? error.stack : String(error)}`);
      process.exitCode = 1;
    },
  );
}
