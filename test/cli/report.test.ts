import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MARKDOWN_FORECAST_POINTS } from "../../cli/report-markdown";
import { REPO_ROOT } from "../../harness/engine";
import { FIGURES, labelOf } from "../../provider/capacity/figures";
import { type Simulator, startSimulator } from "../../sim";
import { tenDaysOfHistory } from "../helpers/report-fixture";
import { runCli } from "../helpers/run-cli";
import { TEST_TOKEN } from "../helpers/secrets";

/** The `koodrive-usage report` lines of the docs' report section, as arguments after `npx koodrive-usage`. */
function documentedReportCommands(): string[][] {
  const text = readFileSync(join(REPO_ROOT, "docs/_index.md"), "utf8");
  const start = text.indexOf("\n### The capacity report: `koodrive-usage report`\n");
  const section = text.slice(start, text.indexOf("\n## ", start + 1));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap(([, block = ""]) => block.trim().split("\n"))
    .map((line) => {
      const words = line.replace(/\s+#.*$/, "").split(/\s+/);
      assert.deepEqual(words.slice(0, 3), ["npx", "koodrive-usage", "report"], line);
      return words.slice(2);
    });
}

/**
 * The example workflows' report steps: the arguments after `npx koodrive-usage` (ci-guardrail) or
 * `./koodrive-usage` (yaml-guardrail's release executable), and the step's working directory.
 */
function workflowReportSteps(): { file: string; args: string[]; directory: string | undefined; text: string }[] {
  return ["examples/ci-guardrail/koodrive-guardrail.yml", "examples/yaml-guardrail/koodrive-guardrail.yml"].map(
    (file) => {
      const text = readFileSync(join(REPO_ROOT, file), "utf8");
      const step = /run: (?:npx |\.\/)koodrive-usage (report [^\n]+)\n(?:\s+working-directory: (\S+)\n)?/.exec(text);
      assert.ok(step, `${file} runs koodrive-usage report`);
      return { file, args: (step[1] as string).split(" "), directory: step[2], text };
    },
  );
}

describe("koodrive-usage report", () => {
  let sim: Simulator;
  let dir: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    sim = await startSimulator({ fixture: { tokens: [TEST_TOKEN], usage: { userMaxCount: 100 } } });
    dir = mkdtempSync(join(tmpdir(), "koodrive-report-"));
    env = { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TEST_TOKEN };
  });
  afterEach(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("--markdown prints a table with the 80 % range and a Mermaid xychart per figure, appended to $GITHUB_STEP_SUMMARY", async () => {
    const history = join(dir, "usage.jsonl");
    const readings = tenDaysOfHistory(sim, history);
    const summary = join(dir, "summary.md");
    writeFileSync(summary, "# An earlier step's summary\n");
    const run = await runCli(
      ["report", "--history", history, "--markdown", "--plan-users", "10", "--min-free-seats", "5"],
      { ...env, GITHUB_STEP_SUMMARY: summary },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "");
    assert.equal(readFileSync(summary, "utf8"), `# An earlier step's summary\n${run.stdout}`);
    const text = run.stdout;
    assert.match(text, /^## KooDrive capacity\n/);
    assert.match(text, /Forecast from 10 readings over 9 days/);
    assert.match(text, /^\*\*The plan fits\.\*\*$/m);
    assert.match(
      text,
      /^\| Seats \| 45 \/ 100 seats \| 2 seats a day \| 2–8 a day \| 27\.5 days \(6\.9–27\.5\) \| 2026-12-07 \(2026-11-17 to 2026-12-07\) \| 45 seats left \|$/m,
    );
    const charts = [...text.matchAll(/```mermaid\n([\s\S]*?)```/g)].map(([, chart = ""]) => chart);
    assert.equal(charts.length, FIGURES.length);
    for (const [index, chart] of charts.entries()) {
      const figure = FIGURES[index] as (typeof FIGURES)[number];
      assert.match(
        chart,
        new RegExp(`^xychart-beta\\n {2}title "${labelOf(figure, true).replace(/[()]/g, "\\$&")}"\\n`),
      );
      const columns = readings + MARKDOWN_FORECAST_POINTS;
      const x = /^ {2}x-axis \[(.*)\]$/m.exec(chart)?.[1]?.split(", ") ?? [];
      assert.equal(x.length, columns, `${figure.label}: x-axis`);
      assert.equal(new Set(x).size, columns, `${figure.label}: every label differs (Mermaid merges equal ones)`);
      const series = [...chart.matchAll(/^ {2}(bar|line) \[(.*)\]$/gm)].map(([, kind, values = ""]) => ({
        kind,
        values: values.split(", ").map(Number),
      }));
      assert.equal(series[0]?.kind, "bar");
      assert.ok(series.length >= 3, `${figure.label}: bars, the forecast and the capacity`);
      for (const { values } of series) {
        assert.equal(values.length, columns, `${figure.label}: one value per column`);
        assert.ok(values.every(Number.isFinite), `${figure.label}: numbers only`);
      }
    }
    assert.match(charts[0] ?? "", /^ {2}bar \[20, 22, 24, 27, 29, 31, 39, 41, 43, 45, 0, 0, 0, 0, 0\]$/m);
    assert.match(text, /where the reserve starts \(minFreeSeats 5\); after the plan \(\+10 seats\)\./);
  });

  it("runs the docs' commands and the example workflows' report step", async () => {
    const commands = documentedReportCommands();
    assert.equal(commands.length, 2);
    for (const args of commands) {
      tenDaysOfHistory(sim, join(dir, "usage.jsonl"));
      const run = await runCli(args, env, dir);
      assert.equal(run.code, 0, `${args.join(" ")}: ${run.stderr}`);
    }
    assert.match(readFileSync(join(dir, "capacity.html"), "utf8"), /^<!doctype html>/);

    for (const { file, args, directory, text } of workflowReportSteps()) {
      const history = /--history (\S+)/.exec(args.join(" "))?.[1] ?? "";
      const workspace = mkdtempSync(join(dir, "workspace-"));
      const cwd = directory ? join(workspace, directory) : workspace;
      mkdirSync(cwd, { recursive: true });
      // Each job's cache steps keep the file the report reads, at the path the report names, and the
      // guards' reads keep it too (KOODRIVE_HISTORY_FILE names it).
      const cached = [...text.matchAll(/uses: actions\/cache\/(restore|save)@v4\n\s+with:\n\s+path: (\S+)/g)];
      const kept = ["restore", join(cwd, history)];
      const saved = ["save", join(cwd, history)];
      assert.deepEqual(
        cached.map(([, what, path]) => [what, join(workspace, path ?? "")]),
        [kept, saved, kept, saved, kept, saved],
        file,
      );
      const named = /KOODRIVE_HISTORY_FILE: \$\{\{ github\.workspace \}\}\/(\S+)/.exec(text)?.[1] ?? "";
      assert.equal(join(workspace, named), join(cwd, history), file);
      tenDaysOfHistory(sim, join(cwd, history));
      const summary = join(workspace, "step-summary.md");
      const run = await runCli(args, { ...env, GITHUB_STEP_SUMMARY: summary }, cwd);
      assert.equal(run.code, 0, `${file}: ${run.stderr}`);
      assert.match(readFileSync(summary, "utf8"), /^## KooDrive capacity\n[\s\S]*```mermaid\nxychart-beta\n/);
    }
  });

  it("refuses what it cannot do, saying what to give, before anything is sent", async () => {
    const history = join(dir, "usage.jsonl");
    const refusals: [string[], RegExp][] = [
      [["report", "--html", "x.html"], /report needs --history FILE/],
      [["report", "--history", history], /report needs --html PAGE, --markdown or both/],
      [["report", "--history", history, "--markdown", "--json"], /Unknown option '--json'/],
    ];
    for (const [args, message] of refusals) {
      const run = await runCli(args, env);
      assert.equal(run.code, 2, args.join(" "));
      assert.match(run.stderr, message);
    }
    assert.equal(sim.requestCount("quotaUsed"), 0);
    assert.equal(existsSync(history), false);

    const page = join(dir, "missing-folder", "capacity.html");
    const unwritable = await runCli(["report", "--history", history, "--html", page], env);
    assert.equal(unwritable.code, 2);
    assert.equal(
      unwritable.stderr,
      `koodrive-usage: --html ${page}: cannot write the report (ENOENT); give a writable file\n`,
    );
    const help = await runCli(["report", "--help"], env);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /koodrive-usage report --history FILE \(--html PAGE \| --markdown\)/);
  });
});
