import type { CheckedPlan } from "../provider/capacity/plan-schema";
import type { GetServiceUsageResult } from "../provider/capacity/runway";
import { forecastRunway, type Reading, readingOf } from "../provider/capacity/runway";
import { ConfigurationError, InternalError, InvocationError, isKooDriveError } from "../provider/client/errors";
import { credentialKeys, variableOf } from "../provider/config/connection-settings";
import { judgeGuard } from "../provider/guard/judge";
import { KooDriveClient } from "../sdk/nodejs/client";
import { type CliOptions, parseCliArgs } from "./args";
import { runDb } from "./db";
import { EXIT_CODES } from "./exit-codes";
import { HELP_TEXT } from "./help";
import { appendToHistory, readHistory } from "./history";
import { type CliPlanOutcome, formatPlanOutcome, planDiagnostics } from "./plan-output";
import { formatRunway, formatUsageSummary } from "./summary";

/** Where the CLI writes; each call is one line or block, without the trailing newline. */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

type Environment = Readonly<Record<string, string | undefined>>;

/** What the CLI says when nothing at all was given for the endpoint or the credentials: the flag or variables to set. */
const MISSING: Record<"endpoint" | "credentials", string> = {
  endpoint: `no endpoint: pass --endpoint cn, intl or a base URL, or set ${variableOf("endpoint")}`,
  credentials: `no credentials: set ${credentialKeys("token").map(variableOf).join(", ")}, or ${credentialKeys("app")
    .map(variableOf)
    .join(", ")
    .replace(/, ([^,]*)$/, " and $1")}, in the environment`,
};

/**
 * Reads the usage (into the `--history` file when a figure changed or a day has passed, with the
 * runway forecast from it), prints it as asked,
 * and judges the plan, `minRunwayDays` included; returns the exit code.
 */
async function report(client: KooDriveClient, options: CliOptions, out: CliOutput): Promise<number> {
  // The file is read first, so an unusable one stops the run before anything is sent.
  const file = options.history === undefined ? undefined : await readHistory(options.history);
  const read = await client.readServiceUsage();
  let usage: GetServiceUsageResult = read.usage;
  let history: Reading[] = [];
  if (options.history !== undefined && file) {
    history = await appendToHistory(options.history, file, readingOf(read.usage, read.takenAt));
    usage = { ...usage, runway: forecastRunway(history, usage) };
    for (const warning of file.warnings) out.stderr(`warning: ${warning}`);
  }
  const evaluation = options.plan && judgePlan(usage, options.plan, read.takenAt);
  if (options.json) {
    out.stdout(JSON.stringify(evaluation ? { ...usage, plan: evaluation } : usage, null, 2));
  } else {
    out.stdout(formatUsageSummary(usage, client.endpoint));
    if (usage.runway) out.stdout(`\n${formatRunway(usage.runway, history)}`);
    if (evaluation) out.stdout(`\n${formatPlanOutcome(evaluation)}`);
  }
  if (evaluation) for (const line of planDiagnostics(evaluation)) out.stderr(line);
  return evaluation && !evaluation.fits ? EXIT_CODES.planExceeded : EXIT_CODES.ok;
}

/** The plan's verdict, as a guard of this plan gives it (the guard core): with `minRunwayDays`, its runway shortfalls too. */
function judgePlan(usage: GetServiceUsageResult, plan: CheckedPlan, takenAt: Date): CliPlanOutcome {
  const { outputs } = judgeGuard({
    plan,
    enforcement: "mandatory",
    admitted: undefined,
    name: "the plan",
    figures: { read: "done", usage, takenAt },
    others: [],
  });
  const { fits, violations, warnings, runwayShortfalls, remainingAfterPlan, newAllocation, message } = outputs;
  // A guard that read its figures always has these two.
  if (!remainingAfterPlan || !newAllocation) throw new InternalError("the guard core judged no plan");
  return { fits, violations, warnings, runwayShortfalls, remainingAfterPlan, newAllocation, message };
}

function failure(error: unknown, out: CliOutput): number {
  const missing = error instanceof ConfigurationError ? error.missing : undefined;
  const message = missing ? MISSING[missing] : error instanceof Error ? error.message : String(error);
  out.stderr(`koodrive-usage: ${message.replace(/\s*\n\s*/g, " ")}`);
  const invocation =
    error instanceof InvocationError || (isKooDriveError(error) && error.code === "ERR_KOODRIVE_CONFIGURATION");
  return invocation ? EXIT_CODES.badInvocation : EXIT_CODES.usageUnreadable;
}

/** The whole `koodrive-usage` command: flags and environment in, output and exit code out. */
export async function run(argv: readonly string[], env: Environment, out: CliOutput): Promise<number> {
  let client: KooDriveClient | undefined;
  try {
    if (argv[0] === "db") return await runDb(argv.slice(1), env, out);
    const options = parseCliArgs(argv);
    if (options.help) {
      out.stdout(HELP_TEXT.trimEnd());
      return EXIT_CODES.ok;
    }
    client = new KooDriveClient({
      endpoint: options.endpoint,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      usedSpaceUnit: options.usedSpaceUnit,
      env,
    });
    return await report(client, options, out);
  } catch (error) {
    return failure(error, out);
  } finally {
    await client?.close();
  }
}
