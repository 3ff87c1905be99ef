import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { MARKDOWN_FORECAST_POINTS } from "../../cli/report-markdown";
import { FIGURES } from "../../provider/capacity/figures";
import { type Simulator, startSimulator } from "../../sim";
import { artifactsFolder, launchChromium, watchedTab } from "../helpers/chromium";
import { tenDaysOfHistory } from "../helpers/report-fixture";
import { runCli } from "../helpers/run-cli";
import { TEST_TOKEN } from "../helpers/secrets";

/** What Mermaid drew of one chart: the bars and the line paths in its SVG, or the error it threw. */
interface Rendered {
  error?: string;
  bars: number;
  lines: number;
}

/**
 * Run in the page (plain JavaScript): renders each chart with Mermaid's own `mermaid.render`, as
 * GitHub does for a `mermaid` block, puts the SVG in the page and counts what it drew.
 */
const RENDER = `async (charts) => {
  mermaid.initialize({ startOnLoad: false });
  const drawn = [];
  for (const [index, chart] of charts.entries()) {
    try {
      const { svg } = await mermaid.render("chart" + index, chart);
      const figure = document.createElement("figure");
      figure.innerHTML = svg;
      document.body.appendChild(figure);
      drawn.push({
        bars: figure.querySelectorAll("g.bar-plot-0 rect").length,
        lines: figure.querySelectorAll("g[class^='line-plot-'] path").length,
      });
    } catch (error) {
      drawn.push({ error: String(error && error.message ? error.message : error), bars: 0, lines: 0 });
    }
  }
  return drawn;
}`;

describe("koodrive-usage report --markdown, under Mermaid in headless Chromium", function () {
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

  it("renders every chart with its bars and lines, with no error", async () => {
    const readings = tenDaysOfHistory(sim, join(dir, "usage.jsonl"));
    const run = await runCli(
      ["report", "--history", join(dir, "usage.jsonl"), "--markdown", "--plan-users", "10", "--min-free-seats", "5"],
      { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TEST_TOKEN },
    );
    assert.equal(run.code, 0, run.stderr);
    const charts = [...run.stdout.matchAll(/```mermaid\n([\s\S]*?)```/g)].map(([, chart = ""]) => chart);
    assert.equal(charts.length, FIGURES.length);

    browser = await launchChromium();
    const { tab, errors } = await watchedTab(browser);
    await tab.setContent("<!doctype html><html><body></body></html>");
    await tab.addScriptTag({ path: require.resolve("mermaid/dist/mermaid.min.js") });
    const rendered = (await tab.evaluate(`(${RENDER})(${JSON.stringify(charts)})`)) as Rendered[];
    await tab.screenshot({ path: join(artifactsFolder("report"), "koodrive-summary-mermaid.png"), fullPage: true });

    assert.deepEqual(errors, [], "no console error");
    const columns = readings + MARKDOWN_FORECAST_POINTS;
    assert.deepEqual(
      rendered,
      charts.map((chart) => ({ bars: columns, lines: chart.match(/^ {2}line \[/gm)?.length ?? 0 })),
    );
    // Seats: the readings and forecast, the capacity, the reserve and the plan.
    assert.equal(rendered[0]?.lines, 4);
  });
});
