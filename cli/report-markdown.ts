/**
 * `koodrive-usage report --markdown`: a table and, per figure, a Mermaid `xychart-beta` chart, which
 * GitHub renders in a job summary. Mermaid draws bars and lines but no band, so the 80 % range is in
 * the table.
 */
import { amount, PLAN_FIGURES } from "../provider/capacity/figures";
import { describeDays, describeRate } from "../provider/capacity/runway";
import { planDiagnostics } from "./plan-output";
import type { FigureChart, ReportModel } from "./report-model";

/** Most readings a Mermaid chart shows: the newest. */
export const MARKDOWN_READINGS = 14;
/** Forecast points a Mermaid chart shows after the readings, evenly spread over the horizon. */
export const MARKDOWN_FORECAST_POINTS = 5;

const DAY_MS = 86_400_000;

/** A table cell: `|` escaped, no line break. */
const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
const number = (value: number): string => String(Number(value.toFixed(3)));

/** A figure's row: used / capacity, rate, its 80 % range, when full, the day (with the range's days), and what the plan leaves. */
function tableRow(chart: FigureChart, model: ReportModel): string {
  const { used, capacity, perDay, perDayRange, daysUntilFull, daysUntilFullRange, fullOn, fullOnRange } =
    chart.forecast;
  const row = chart.row;
  const planned = PLAN_FIGURES.find((figure) => figure.runwayKey === chart.key);
  const left = model.plan && planned ? model.plan.remainingAfterPlan[planned.outputKey] : undefined;
  const cells = [
    chart.title,
    `${used} / ${amount(row.unit, capacity)}`,
    perDay === null ? "no rate yet" : describeRate(row, perDay),
    perDayRange ? `${perDayRange[0]}–${perDayRange[1]} a day` : "",
    daysUntilFull === null ? (perDay === null ? "" : "not in sight") : describeDays(daysUntilFull, daysUntilFullRange),
    fullOn === null
      ? ""
      : fullOnRange
        ? `${fullOn} (${fullOnRange[0] ?? "?"} to ${fullOnRange[1] ?? "later"})`
        : fullOn,
    ...(model.plan ? [left === undefined ? "" : `${amount(row.unit, left)} left`] : []),
  ];
  return `| ${cells.map(cell).join(" | ")} |`;
}

/** The table of every figure; with a plan, a column of what it leaves. */
function table(model: ReportModel): string[] {
  const head = [
    "Figure",
    "Used / capacity",
    "Per day",
    "80 % range",
    "Full in (80 % range)",
    "Full on (80 % range)",
    ...(model.plan ? ["After the plan"] : []),
  ];
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map((_, index) => (index === 0 ? " --- " : " ---: ")).join("|")}|`,
    ...model.figures.map((chart) => tableRow(chart, model)),
  ];
}

/** Labels for the x axis, one per point: `MM-DD`, with the time when two points share a day (Mermaid merges equal labels). */
function labels(times: readonly number[]): string[] {
  const seen = new Set<string>();
  return times.map((time) => {
    const iso = new Date(time).toISOString();
    const day = iso.slice(5, 10);
    const label = seen.has(day) ? `${day} ${iso.slice(11, 16)}` : day;
    seen.add(day);
    return label;
  });
}

/** A figure's Mermaid chart and the line under it saying which line is what. */
function mermaidChart(chart: FigureChart, model: ReportModel): string[] {
  const readings = chart.readings.slice(-MARKDOWN_READINGS);
  const at = Date.parse(model.asOf);
  const step = Math.max(1, Math.ceil(model.horizonDays / MARKDOWN_FORECAST_POINTS));
  const days =
    chart.median.length === 0
      ? []
      : Array.from({ length: Math.floor(model.horizonDays / step) }, (_, index) => (index + 1) * step);
  const clamp = (value: number) => number(Math.min(Math.max(value, 0), chart.top));
  const values = readings.map((point) => point.y);
  const { used, capacity, perDay } = chart.forecast;
  const series: [kind: "bar" | "line", what: string, values: number[]][] = [
    ["bar", "bars: the readings", [...values, ...days.map(() => 0)]],
    [
      "line",
      "the readings, then the forecast at the median rate",
      [...values, ...days.map((d) => used + (perDay ?? 0) * d)],
    ],
    [
      "line",
      `capacity (${amount(chart.row.unit, capacity)})`,
      [...values.map(() => capacity), ...days.map(() => capacity)],
    ],
  ];
  if (chart.reserve) {
    const { argument, value, level } = chart.reserve;
    series.push([
      "line",
      `where the reserve starts (${argument} ${value})`,
      [...values.map(() => level), ...days.map(() => level)],
    ]);
  }
  if (chart.plan) {
    const { added } = chart.plan;
    series.push([
      "line",
      `after the plan (+${amount(chart.row.unit, added)})`,
      [...values, ...days.map((d) => used + added + (perDay ?? 0) * d)],
    ]);
  }
  const x = labels([...readings.map((point) => point.x), ...days.map((d) => at + d * DAY_MS)]);
  const lines = series.filter(([kind]) => kind === "line").map(([, what]) => what);
  return [
    "```mermaid",
    "xychart-beta",
    `  title "${chart.title}"`,
    `  x-axis [${x.map((label) => `"${label}"`).join(", ")}]`,
    `  y-axis "${chart.unit}" 0 --> ${number(chart.top)}`,
    ...series.map(([kind, , data]) => `  ${kind} [${data.map(clamp).join(", ")}]`),
    "```",
    "",
    `Bars: the readings${days.length > 0 ? ` (none on the ${days.length} forecast dates after them)` : ""}. Lines, in order: ${lines.join("; ")}.`,
  ];
}

/** The whole Markdown report: heading, the plan's verdict, the table, a chart per figure. */
export function reportMarkdown(model: ReportModel): string {
  const verdict = model.plan
    ? [
        `**The plan ${model.plan.fits ? "fits" : "does not fit"}.**`,
        ...planDiagnostics(model.plan).map((line) => `- ${line}`),
        "",
      ]
    : [];
  const runway = model.minRunway
    ? [
        `minRunwayDays ${model.minRunway.days}: each figure must last until ${new Date(model.minRunway.at).toISOString().slice(0, 10)} after the plan.`,
        "",
      ]
    : [];
  return [
    "## KooDrive capacity",
    "",
    `${model.endpoint}, newest reading ${model.asOf.slice(0, 16).replace("T", " ")} UTC. Forecast ${model.note}; the 80 % range is that of the daily growth.`,
    "",
    ...verdict,
    ...runway,
    ...table(model),
    "",
    ...model.figures.flatMap((chart) => [`### ${chart.title}`, "", ...mermaidChart(chart, model), ""]),
  ].join("\n");
}
