/**
 * `koodrive-usage report`: reads the usage into the `--history` file as the command does, then draws
 * the history, the runway and the plan: `--html FILE` (a self-contained page) and `--markdown`
 * (stdout, and appended to `$GITHUB_STEP_SUMMARY` when set).
 */
import { appendFile, writeFile } from "node:fs/promises";
import { InvocationError } from "../provider/client/errors";
import type { RunHistory } from "../provider/tenant/history";
import type { KooDriveClient } from "../sdk/nodejs/client";
import type { ReportOptions } from "./args";
import { type CliOutput, exitCodeOf, observe } from "./observe";
import { formatPlanOutcome, planDiagnostics } from "./plan-output";
import { reportHtml } from "./report-html";
import { reportMarkdown } from "./report-markdown";
import { reportModel } from "./report-model";
import { formatRunway, formatUsageSummary } from "./summary";

/** The variable GitHub Actions names the job summary's file in. */
export const STEP_SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY";

/** Writes `text` with `write`, or says which file could not be written and what to do. */
async function writeTo(what: string, path: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw new InvocationError(`${what} ${path}: cannot write the report (${code}); give a writable file`);
  }
}

/** Runs `koodrive-usage report`: reads, records, forecasts and writes what was asked; returns the exit code. */
export async function writeReport(
  client: KooDriveClient,
  options: ReportOptions,
  env: Readonly<Record<string, string | undefined>>,
  out: CliOutput,
  machine: RunHistory,
): Promise<number> {
  const { usage, history, evaluation } = await observe(client, options, out, machine);
  // A report always keeps a history, so the runway is always forecast.
  const runway = usage.runway as NonNullable<typeof usage.runway>;
  const model = reportModel({ endpoint: client.endpoint, history, runway, plan: options.plan, evaluation });
  const { html, markdown } = options.report;
  if (html !== undefined) await writeTo("--html", html, () => writeFile(html, reportHtml(model), "utf8"));
  if (markdown) {
    const text = reportMarkdown(model);
    out.stdout(text);
    const summary = env[STEP_SUMMARY_VARIABLE];
    if (summary) await writeTo(`$${STEP_SUMMARY_VARIABLE}`, summary, () => appendFile(summary, `${text}\n`, "utf8"));
  } else {
    out.stdout(formatUsageSummary(usage, client.endpoint));
    out.stdout(`\n${formatRunway(runway, history)}`);
    if (evaluation) out.stdout(`\n${formatPlanOutcome(evaluation)}`);
    out.stdout(`\nReport: ${html}`);
  }
  if (evaluation) for (const line of planDiagnostics(evaluation)) out.stderr(line);
  return exitCodeOf(evaluation);
}
