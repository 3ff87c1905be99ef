/** The BENCHMARKS.md table of one leg's results. */
import type { LegResults } from "./leg";
import type { Summary } from "./stats";

const GOALS = { guardOverBaseline: 1.05, guardOverCurl: 1.0, runtimeMs: 40, runtimeMB: 10, requestsPerUp: 3 };

const yes = (met: boolean) => (met ? "yes" : "no");
/** `median (min–max)` */
const spread = (s: Summary, unit = "") => `${s.median}${unit} (${s.min}–${s.max})`;

type Comparison = LegResults["preview"];

const ratiosMet = (r: { guardOverBaseline: number; guardOverCurl: number }) =>
  r.guardOverBaseline <= GOALS.guardOverBaseline && r.guardOverCurl <= GOALS.guardOverCurl;

const ratioText = (r: { guardOverBaseline: number; guardOverCurl: number }) =>
  `guard/baseline ${r.guardOverBaseline}, guard/curl ${r.guardOverCurl}`;

/** The row of a comparison's CPU time (whole process tree), against the goals. */
function cpuRow(what: string, r: Comparison): string {
  const { cpu } = r;
  return (
    `| ${what}, CPU: baseline / + data source and guard / + curl | ${spread(cpu.ranges.baseline)} / ${spread(cpu.ranges.guard)} / ` +
    `${spread(cpu.ranges.curl)} ms (added: guard +${cpu.guard - cpu.baseline}, curl +${cpu.curl - cpu.baseline}; ` +
    `in processes only the subreaper reaped: at most ${Math.max(...Object.values(cpu.orphanMs).map((s) => s.max))} ms) | ` +
    `guard/baseline ≤ ${GOALS.guardOverBaseline}, guard/curl ≤ ${GOALS.guardOverCurl.toFixed(2)} | ${yes(ratiosMet(cpu))} (${ratioText(cpu)}) |`
  );
}

/** The row of a comparison's wall time, for the record. */
function wallRow(what: string, r: Comparison): string {
  const { ms } = r.wall;
  return `| ${what}, wall time (for the record) | ${spread(ms.baseline)} / ${spread(ms.guard)} / ${spread(ms.curl)} ms | — | ${ratioText(r.wall)} |`;
}

/** A heading line and the table of one leg, as markdown. */
export function legTable(results: LegResults): string {
  const { machine: m, preview, up, requests, load, queued, failures, throughput } = results;
  const runtime = load.providerRuntime;
  const upRequests = up.quotaUsedRequests;
  const rows = [
    `**Node ${m.node}, @pulumi/pulumi ${m.pulumiSdk}** (engine ${m.pulumi}; ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB; ` +
      `${m.rounds} interleaved rounds; medians, range in brackets)`,
    "",
    "| comparison | measured | goal | met |",
    "|---|---|---|---|",
    cpuRow("`pulumi preview`", preview),
    cpuRow("`pulumi up`", up),
    `| quotaUsed requests per \`pulumi up\` creating the guard (preview pass, update pass, afresh under the tenant lock) | ${upRequests.join(" / ")} | ${GOALS.requestsPerUp} | ${yes(upRequests.every((n) => n === GOALS.requestsPerUp))} |`,
    `| quotaUsed requests per preview, 1 / 10 / 50 guards | ${requests["1"]} / ${requests["10"]} / ${requests["50"]} | 1 each | ${yes(Object.values(requests).every((n) => n === 1))} |`,
    `| provider process: runtime load after @pulumi/pulumi, CPU | ${spread(runtime.cpuMs, " ms")} CPU (wall ${runtime.ms.median} ms), ${spread(runtime.rssMB, " MB")} RSS | ≤ ${GOALS.runtimeMs} ms CPU, ≤ ${GOALS.runtimeMB} MB | ${yes(runtime.cpuMs.median <= GOALS.runtimeMs && runtime.rssMB.median <= GOALS.runtimeMB)} |`,
    `| program: require @pulumi/pulumi alone / pulumi-koodrive, CPU | ${load.pulumiAlone.cpuMs.median} / ${load.pulumiKoodrive.cpuMs.median} ms CPU, ${load.pulumiAlone.rssMB.median} / ${load.pulumiKoodrive.rssMB.median} MB RSS | ≤ +50 ms, ≤ +10 MB | ${yes(load.extraCpuMs <= 50 && load.extraMB <= 10)} (+${load.extraCpuMs} ms, +${load.extraMB} MB) |`,
    wallRow("`pulumi preview`", preview),
    wallRow("`pulumi up`", up),
    `| two stacks' \`pulumi up\` at once, guards unchanged, 5 s of work each, CPU of both: one tenant (queued) / two tenants (apart) | ${spread(queued.cpu.queued)} / ${spread(queued.cpu.apart)} ms (in processes only the subreaper reaped: at most ${queued.orphanMs} ms) | — | queued/apart ${queued.cpu.queuedOverApart} |`,
    `| the same, wall time until both ended (for the record) | ${spread(queued.wall.queued)} / ${spread(queued.wall.apart)} ms | — | queued/apart ${queued.wall.queuedOverApart} |`,
  ];
  if (failures) {
    rows.push(
      `| time to fail, connection refused | ${spread(failures.refusedMs, " ms")} | < 35 s | ${yes(failures.refusedMs.max < 35_000)} |`,
      `| time to fail, never answers | ${failures.neverAnswersMs} ms (${failures.neverAnswersError}) | < 35 s | ${yes(failures.neverAnswersMs < 35_000)} |`,
    );
  }
  if (throughput) {
    rows.push(
      `| koodrive-sim quotaUsed, ${throughput.connections} connections | ${throughput.requestsPerSecond} req/s (${throughput.errors} errors) | ≥ 5,000 req/s | ${yes(throughput.requestsPerSecond >= 5000)} |`,
    );
  }
  return rows.join("\n");
}
