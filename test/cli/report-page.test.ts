import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { horizonOf } from "../../cli/report-model";
import { type Simulator, startSimulator } from "../../sim";
import { artifactsFolder, launchChromium, watchedTab } from "../helpers/chromium";
import { tenDaysOfHistory } from "../helpers/report-fixture";
import { runCli } from "../helpers/run-cli";
import { TEST_TOKEN } from "../helpers/secrets";

/** A dataset as the page's charts hold it, read through Chart.js's own API. */
interface DrawnDataset {
  role: string;
  label: string;
  /** Points in the dataset's data. */
  points: number;
  /** Point elements Chart.js laid out at finite pixel positions. */
  drawn: number;
  visible: boolean;
  /** The dataset index its fill reaches down to, when it fills. */
  fillTarget: number | null;
  /** The band's colour's alpha at the middle of the band, halfway through the forecast (band-high only). */
  bandAlpha: number | null;
}

/**
 * Run in the page (plain JavaScript: this project compiles without the DOM's types): each canvas's
 * chart through Chart.js's own API (`Chart.getChart`, `getDatasetMeta`, `isDatasetVisible`), and the
 * canvas's pixel in the middle of the band.
 */
const PROBE = `[...document.querySelectorAll("canvas")].map((canvas) => {
  const chart = Chart.getChart(canvas);
  if (!chart) return { id: canvas.id, datasets: [] };
  const pixels = canvas.getContext("2d");
  return {
    id: canvas.id,
    datasets: chart.data.datasets.map((dataset, index) => {
      const elements = chart.getDatasetMeta(index).data;
      let bandAlpha = null;
      if (dataset.role === "band-high" && dataset.fill) {
        const middle = Math.floor(elements.length / 2);
        const high = elements[middle];
        const low = chart.getDatasetMeta(dataset.fill.target).data[middle];
        if (high && low && Math.abs(low.y - high.y) > 4) {
          bandAlpha = pixels.getImageData(Math.round(high.x), Math.round((high.y + low.y) / 2), 1, 1).data[3];
        }
      }
      return {
        role: dataset.role,
        label: dataset.label,
        points: dataset.data.length,
        drawn: elements.filter((point) => Number.isFinite(point.x) && Number.isFinite(point.y)).length,
        visible: chart.isDatasetVisible(index),
        fillTarget: dataset.fill ? dataset.fill.target : null,
        bandAlpha,
      };
    }),
  };
})`;

const MIN_RUNWAY_DAYS = 20;

describe("koodrive-usage report --html, in headless Chromium", function () {
  this.timeout(180_000);
  let sim: Simulator;
  let dir: string;
  let browser: Browser | undefined;

  beforeEach(async () => {
    sim = await startSimulator({ fixture: { tokens: [TEST_TOKEN], usage: { userMaxCount: 100 } } });
    dir = mkdtempSync(join(tmpdir(), "koodrive-report-"));
  });
  afterEach(async () => {
    await browser?.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("draws seats and each pool over ten days, the forecast band, reserves, minRunwayDays and the plan, with no console error and no request", async () => {
    const history = join(dir, "usage.jsonl");
    const page = join(dir, "capacity.html");
    const readings = tenDaysOfHistory(sim, history);
    const run = await runCli(
      [
        "report",
        "--history",
        history,
        "--html",
        page,
        "--plan-users",
        "10",
        "--plan-dept-gb",
        "500",
        "--min-free-seats",
        "5",
        "--min-free-gb",
        "100",
        "--min-runway-days",
        String(MIN_RUNWAY_DAYS),
      ],
      { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TEST_TOKEN },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "");
    assert.match(run.stdout, /^Plan fits\.$/m);
    assert.match(run.stdout, new RegExp(`^Report: ${page.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
    assert.equal(readFileSync(history, "utf8").trimEnd().split("\n").length, readings, "the report appended day 9");
    const html = readFileSync(page, "utf8");
    assert.ok(!/<script[^>]+src=|<link[^>]+href=/.test(html), "the page names no script or style to load");

    browser = await launchChromium();
    const { tab, errors } = await watchedTab(browser);
    const requests: string[] = [];
    const url = pathToFileURL(page).href;
    tab.on("request", (request) => {
      if (request.url() !== url) requests.push(request.url());
    });
    await tab.goto(url, { waitUntil: "load" });

    const charts = (await tab.evaluate(PROBE)) as { id: string; datasets: DrawnDataset[] }[];

    await tab.screenshot({ path: join(artifactsFolder("report"), "koodrive-report.png"), fullPage: true });

    assert.deepEqual(errors, [], "no console error");
    assert.deepEqual(requests, [], "the page loads nothing");
    assert.deepEqual(
      charts.map((chart) => chart.id),
      [
        "chart-seats",
        "chart-deptQuota",
        "chart-personalQuota",
        "chart-groupQuota",
        "chart-allocatableQuota",
        "chart-storedData",
      ],
    );
    const forecastPoints = horizonOf(MIN_RUNWAY_DAYS) + 1;
    for (const { id, datasets } of charts) {
      const roles = datasets.map((dataset) => dataset.role);
      const expected = [
        "readings",
        "median",
        "band-low",
        "band-high",
        "capacity",
        ...(id === "chart-seats" || id === "chart-allocatableQuota" ? ["reserve"] : []),
        "min-runway",
        // The plan's users take seats; its department GB come out of that pool and all pools'.
        ...(["chart-seats", "chart-deptQuota", "chart-allocatableQuota"].includes(id) ? ["plan"] : []),
      ];
      assert.deepEqual(roles, expected, id);
      const points: Record<string, number> = {
        readings,
        median: forecastPoints,
        "band-low": forecastPoints,
        "band-high": forecastPoints,
        capacity: 2,
        reserve: 2,
        "min-runway": 2,
        plan: forecastPoints + 1,
      };
      for (const dataset of datasets) {
        assert.equal(dataset.points, points[dataset.role], `${id} ${dataset.role}: points in the data`);
        assert.equal(dataset.drawn, dataset.points, `${id} ${dataset.role}: points laid out`);
        assert.ok(dataset.visible, `${id} ${dataset.role} is shown`);
      }
      const band = datasets.find((dataset) => dataset.role === "band-high");
      assert.equal(band?.fillTarget, roles.indexOf("band-low"), `${id}: the band fills down to its low end`);
    }
    // Seats grew 2 a day but 8 on the onboarding day: the band is wide, and painted.
    const seatsBand = charts[0]?.datasets.find((dataset) => dataset.role === "band-high");
    assert.ok((seatsBand?.bandAlpha ?? 0) > 0, `the seats band is painted (alpha ${seatsBand?.bandAlpha})`);
    const labels = charts[0]?.datasets.map((dataset) => dataset.label);
    assert.deepEqual(labels, [
      "readings",
      "forecast (median rate)",
      "80 % range, low end",
      "80 % range",
      "capacity (100 seats)",
      "reserve: minFreeSeats 5",
      `minRunwayDays ${MIN_RUNWAY_DAYS}`,
      "after the plan (+10 seats)",
    ]);
    // The text as rendered, as a person reads it.
    // biome-ignore lint/performance/useDomNodeTextContent: innerText is the rendered text
    const table = await tab.locator("table").innerText();
    assert.match(table, /Seats\s+45 \/ 100 seats\s+2 seats a day\s+2–8\s/);
    // biome-ignore lint/performance/useDomNodeTextContent: innerText is the rendered text
    assert.match(await tab.locator("#plan h2").innerText(), /^The plan fits$/);
  });
});
