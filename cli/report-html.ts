/**
 * `koodrive-usage report --html FILE`: one self-contained page. Chart.js (a dependency) is inlined
 * from its minified build and the data sits in the page as JSON, so the page loads nothing at view
 * time: its Content-Security-Policy allows no request at all.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { getAsset, isSea } from "node:sea";
import { amount, amountOf, PLAN_FIGURES } from "../provider/capacity/figures";
import { describeDays, describeRate } from "../provider/capacity/runway";
import { planDiagnostics } from "./plan-output";
import type { ChartPoint, FigureChart, ReportModel } from "./report-model";

/** What each line of a chart is, as the page's datasets name it (`role`) for its legend, colours and tests. */
export type DatasetRole =
  | "readings"
  | "median"
  | "band-high"
  | "band-low"
  | "capacity"
  | "reserve"
  | "min-runway"
  | "plan";

/** A Chart.js dataset as the page gives it. */
interface Dataset {
  role: DatasetRole;
  label: string;
  data: ChartPoint[];
  borderColor: string;
  backgroundColor: string;
  borderWidth: number;
  borderDash?: number[];
  pointRadius: number;
  fill: false | { target: number };
  stepped?: boolean;
}

const DAY_MS = 86_400_000;

const COLORS: Record<DatasetRole, string> = {
  readings: "#1f6feb",
  median: "#8250df",
  "band-high": "rgba(130, 80, 223, 0.35)",
  "band-low": "rgba(130, 80, 223, 0.35)",
  capacity: "#cf222e",
  reserve: "#bc4c00",
  "min-runway": "#57606a",
  plan: "#1a7f37",
};

/** The id of a figure's canvas: `chart-seats`, `chart-deptQuota`, … */
export function canvasId(chart: FigureChart): string {
  return `chart-${chart.key}`;
}

function dataset(role: DatasetRole, label: string, data: ChartPoint[], style: Partial<Dataset> = {}): Dataset {
  return {
    role,
    label,
    data,
    borderColor: COLORS[role],
    backgroundColor: COLORS[role],
    borderWidth: 2,
    pointRadius: 0,
    fill: false,
    ...style,
  };
}

/** The datasets of a figure's chart, in drawing order; the band's high end fills down to its low end. */
export function datasetsOf(chart: FigureChart, model: ReportModel): Dataset[] {
  const across = (y: number): ChartPoint[] => [
    { x: model.start, y },
    { x: model.end, y },
  ];
  const sets: Dataset[] = [dataset("readings", "readings", chart.readings, { pointRadius: 3 })];
  if (chart.median.length > 0) {
    sets.push(
      dataset("median", "forecast (median rate)", chart.median, { borderDash: [6, 4] }),
      dataset("band-low", "80 % range, low end", chart.band.low, { borderWidth: 0 }),
      // Filled down to the low end, the dataset just before it.
      dataset("band-high", "80 % range", chart.band.high, { borderWidth: 0, fill: { target: sets.length + 1 } }),
    );
  }
  sets.push(
    dataset(
      "capacity",
      `capacity (${amount(chart.row.unit, chart.forecast.capacity)})`,
      across(chart.forecast.capacity),
    ),
  );
  if (chart.reserve) {
    const { argument, value, level } = chart.reserve;
    sets.push(dataset("reserve", `reserve: ${argument} ${value}`, across(level), { borderDash: [2, 3] }));
  }
  if (model.minRunway) {
    const { days, at } = model.minRunway;
    sets.push(
      dataset(
        "min-runway",
        `minRunwayDays ${days}`,
        [
          { x: at, y: 0 },
          { x: at, y: chart.top },
        ],
        { borderDash: [4, 4] },
      ),
    );
  }
  if (chart.plan) {
    sets.push(
      dataset("plan", `after the plan (+${amount(chart.row.unit, chart.plan.added)})`, [
        { x: Date.parse(model.asOf), y: chart.forecast.used },
        ...chart.plan.points,
      ]),
    );
  }
  return sets;
}

/** A figure's Chart.js configuration, but for the functions the page's script adds (tick and tooltip labels). */
function chartConfig(chart: FigureChart, model: ReportModel) {
  return {
    type: "line",
    data: { datasets: datasetsOf(chart, model) },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      interaction: { mode: "nearest", intersect: false },
      scales: {
        x: {
          type: "linear",
          min: model.start,
          max: model.end,
          // Whole days, at most about six labels of them.
          ticks: { stepSize: DAY_MS * Math.max(1, Math.ceil((model.end - model.start) / DAY_MS / 6)) },
        },
        y: { type: "linear", min: 0, max: chart.top, title: { display: true, text: chart.unit } },
      },
      plugins: {
        title: { display: true, text: chart.title },
        legend: { labels: { boxHeight: 2 } },
      },
    },
  };
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ESCAPES[char] as string);

/** JSON that may stand inside a `<script>` element: no `<` to close it. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, "\\u003c");

/** Chart.js's minified UMD build: its file name, and its key in the release executable's assets. */
export const CHART_ASSET = "chart.umd.min.js";

/** Chart.js's minified UMD build in the installed package. */
export function chartLibraryFile(): string {
  // The package's exports name no dist file but its entry; the UMD build sits beside it.
  return join(dirname(require.resolve("chart.js")), CHART_ASSET);
}

/**
 * Chart.js's minified UMD build without its source map comment: as the installed package ships it,
 * or in the release executable (tools/release/executables.ts), which has no package folder, the copy
 * it carries as an asset.
 */
export function chartLibrary(): string {
  const text = isSea() ? getAsset(CHART_ASSET, "utf8") : readFileSync(chartLibraryFile(), "utf8");
  return text.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n").replace(/<\/script/gi, "<\\/script");
}

/** A figure's row of the page's table: used / capacity, rate with its range, when full with its range. */
function tableRow(chart: FigureChart): string {
  const { used, capacity, perDay, perDayRange, daysUntilFull, daysUntilFullRange, fullOn, fullOnRange } =
    chart.forecast;
  const cells = [
    chart.title,
    `${used} / ${amount(chart.row.unit, capacity)}`,
    perDay === null ? "no rate yet" : describeRate(chart.row, perDay),
    perDayRange ? `${perDayRange[0]}–${perDayRange[1]}` : "",
    daysUntilFull === null ? (perDay === null ? "" : "not in sight") : describeDays(daysUntilFull, daysUntilFullRange),
    fullOn === null
      ? ""
      : fullOnRange
        ? `${fullOn} (${fullOnRange[0] ?? "?"} to ${fullOnRange[1] ?? "later"})`
        : fullOn,
  ];
  return `<tr>${cells.map((cell, index) => (index === 0 ? `<th scope="row">${escapeHtml(cell)}</th>` : `<td>${escapeHtml(cell)}</td>`)).join("")}</tr>`;
}

/** The plan's verdict: fits or not, and each violation, shortfall and warning. */
function planSection(model: ReportModel): string {
  if (!model.plan) return "";
  const { fits, remainingAfterPlan } = model.plan;
  const left = PLAN_FIGURES.map((row) => amountOf(row, remainingAfterPlan[row.outputKey]));
  const lines = planDiagnostics(model.plan).map((line) => `<li>${escapeHtml(line)}</li>`);
  return `<section id="plan" class="${fits ? "fits" : "exceeds"}">
<h2>The plan ${fits ? "fits" : "does not fit"}</h2>
<p>Left after the plan: ${escapeHtml(left.join(", "))}.</p>
${lines.length > 0 ? `<ul>${lines.join("")}</ul>` : ""}
</section>`;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1f2328;background:#fff}
h1{font-size:1.4rem;margin:0 0 .25rem}h2{font-size:1.1rem}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:right}
th[scope=row],thead th{text-align:left}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:1rem}
.chart{position:relative;height:320px;border:1px solid #d0d7de;border-radius:6px;padding:.5rem}
#plan.fits h2{color:#1a7f37}#plan.exceeds h2{color:#cf222e}.note{color:#57606a}`;

/** The page's own script: the tick and tooltip labels (dates), then one chart per canvas. */
const SCRIPT = `const day = (ms) => new Date(ms).toISOString().slice(0, 10);
const minute = (ms) => new Date(ms).toISOString().slice(0, 16).replace("T", " ") + " UTC";
for (const { id, config } of JSON.parse(document.getElementById("koodrive-report-data").textContent)) {
  config.options.scales.x.ticks.callback = (value) => day(value);
  config.options.plugins.tooltip = { callbacks: { title: (items) => (items.length > 0 ? minute(items[0].parsed.x) : "") } };
  config.options.plugins.legend.labels.filter = (item, data) => data.datasets[item.datasetIndex].role !== "band-low";
  new Chart(document.getElementById(id), config);
}`;

/** The whole page: heading, the plan's verdict, the table, a chart per figure, the library and the data. */
export function reportHtml(model: ReportModel): string {
  const charts = model.figures.map((chart) => ({ id: canvasId(chart), config: chartConfig(chart, model) }));
  const canvases = model.figures
    .map(
      (chart) =>
        `<div class="chart"><canvas id="${canvasId(chart)}" role="img" aria-label="${escapeHtml(`${chart.title} over time, with its forecast`)}"></canvas></div>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>KooDrive capacity at ${escapeHtml(model.endpoint)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>KooDrive capacity</h1>
<p>${escapeHtml(model.endpoint)}, newest reading ${escapeHtml(model.asOf.slice(0, 16).replace("T", " "))} UTC. <span class="note">Forecast ${escapeHtml(model.note)}; the band is the 80 % range of the daily growth, drawn ${model.horizonDays} days ahead.</span></p>
${planSection(model)}
<table>
<thead><tr><th>Figure</th><th>Used / capacity</th><th>Per day</th><th>80 % range</th><th>Full in</th><th>Full on (80 % range)</th></tr></thead>
<tbody>
${model.figures.map(tableRow).join("\n")}
</tbody>
</table>
<div class="charts">
${canvases}
</div>
<script type="application/json" id="koodrive-report-data">${scriptJson(charts)}</script>
<script>${chartLibrary()}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
