/** The BENCHMARKS.md table of one leg's results. */
import type { LegResults } from "./leg";
import type { Summary } from "./stats";

const GOALS = { guardOverBaseline: 1.05, guardOverCurl: 1.0, runtimeMs: 40, runtimeMB: 10, requestsPerUp: 2 };

const yes = (met: boolean) => (met ? "yes" : "no");
/** `median (min–max)` */
const spread = (s: Summary, unit = "") => `${s.median}${unit} (${s.min}–${s.max})`;

function wallTimes(what: string, r: LegResults["preview"]): string {
  const met = r.guardOverBaseline <= GOALS.guardOverBaseline && r.guardOverCurl <= GOALS.guardOverCurl;
  return (
    `| ${what}: baseline / + data source and guard / + curl | ${spread(r.ms.baseline)} / ${spread(r.ms.guard)} / ` +
    `${spread(r.ms.curl)} ms | guard/baseline ≤ ${GOALS.guardOverBaseline}, guard/curl ≤ ${GOALS.guardOverCurl.toFixed(2)} | ` +
    `${yes(met)} (guard/baseline ${r.guardOverBaseline}, guard/curl ${r.guardOverCurl}) |`
  );
}

/** A heading line and the table of one leg, as markdown. */
export function legTable(results: LegResults): string {
  const { machine: m, preview, up, requests, load, failures, throughput } = results;
  const runtime = load.providerRuntime;
  const upRequests = up.quotaUsedRequests;
  const rows = [
    `**Node ${m.node}, @pulumi/pulumi ${m.pulumiSdk}** (engine ${m.pulumi}; ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB; ` +
      `${m.rounds} interleaved rounds; medians, range in brackets)`,
    "",
    "| comparison | measured | goal | met |",
    "|---|---|---|---|",
    wallTimes("`pulumi preview`", preview),
    wallTimes("`pulumi up`", up),
    `| quotaUsed requests per \`pulumi up\` (preview pass + update pass) | ${upRequests.join(" / ")} | ${GOALS.requestsPerUp} | ${yes(upRequests.every((n) => n === GOALS.requestsPerUp))} |`,
    `| quotaUsed requests per preview, 1 / 10 / 50 guards | ${requests["1"]} / ${requests["10"]} / ${requests["50"]} | 1 each | ${yes(Object.values(requests).every((n) => n === 1))} |`,
    `| provider process: runtime load after @pulumi/pulumi | ${spread(runtime.ms, " ms")}, ${spread(runtime.rssMB, " MB")} RSS | ≤ ${GOALS.runtimeMs} ms, ≤ ${GOALS.runtimeMB} MB | ${yes(runtime.ms.median <= GOALS.runtimeMs && runtime.rssMB.median <= GOALS.runtimeMB)} |`,
    `| program: require @pulumi/pulumi alone / pulumi-koodrive | ${load.pulumiAlone.ms.median} / ${load.pulumiKoodrive.ms.median} ms, ${load.pulumiAlone.rssMB.median} / ${load.pulumiKoodrive.rssMB.median} MB RSS | ≤ +50 ms, ≤ +10 MB | ${yes(load.extraMs <= 50 && load.extraMB <= 10)} (+${load.extraMs} ms, +${load.extraMB} MB) |`,
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
