import type { CheckedPlan } from "../provider/capacity/plan-schema";
import { forecastRunway, type GetServiceUsageResult, type Reading, readingOf } from "../provider/capacity/runway";
import { InternalError } from "../provider/client/errors";
import { identifiedTenant } from "../provider/config/tenant";
import { frozenProblem, type GuardCase, judgeGuard } from "../provider/guard/judge";
import type { RunHistory } from "../provider/tenant/history";
import type { KooDriveClient } from "../sdk/nodejs/client";
import type { CliOptions } from "./args";
import { EXIT_CODES } from "./exit-codes";
import { appendToHistory, readHistory } from "./history";
import type { CliPlanOutcome } from "./plan-output";

/** Where the CLI writes; each call is one line or block, without the trailing newline. */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** What one run read and judged: the usage (with its runway when a history is kept), the history, the plan's verdict. */
export interface Observation {
  usage: GetServiceUsageResult;
  /**
   * With `--history`: the tenant's readings, the file's and this machine's history's (this run's
   * included when it was new); empty without `--history`.
   */
  history: Reading[];
  /** The plan's verdict; undefined without plan flags. */
  evaluation: CliPlanOutcome | undefined;
}

/**
 * Reads the usage into the tenant's history on this machine (`machine`), and into the `--history` file,
 * each when a figure changed or a day has passed; with `--history`, forecasts the runway from both.
 * Judges the plan, `minRunwayDays` included; the file's warnings go to stderr.
 */
export async function observe(
  client: KooDriveClient,
  options: Pick<CliOptions, "history" | "plan" | "record">,
  out: CliOutput,
  machine: RunHistory,
): Promise<Observation> {
  // The file is read first, so an unusable one stops the run before anything is sent.
  const file = options.history === undefined ? undefined : await readHistory(options.history);
  // The subscription tells the tenant's id, which keys its history; a plan is judged with it too (frozen,
  // the default personal space), and a recording holds it: read beside the figures (one round trip);
  // both settle before anything is reported, so a failed read still leaves the other's answer recorded.
  // Its failure is a warning when a plan or a recording wanted it: the plan is judged without it.
  const wanted = options.record !== undefined || options.plan !== undefined;
  const [figures, subscription] = await Promise.allSettled([client.readServiceUsage(), client.readSubscription()]);
  if (figures.status === "rejected") throw figures.reason;
  const read = figures.value;
  if (subscription.status === "rejected" && wanted) {
    const why = subscription.reason instanceof Error ? subscription.reason.message : String(subscription.reason);
    const recorded = options.record === undefined ? "" : "; its answer is recorded";
    out.stderr(`warning: the subscription could not be read (${oneLine(why)})${recorded}`);
  }
  const facts = subscription.status === "fulfilled" ? subscription.value : undefined;
  // The tenant as the guards key its history: its endpoint with its id; the credential while the id is unknown.
  const tenant = facts ? identifiedTenant(client.tenant, facts.tenantId) : client.tenant;
  const reading = readingOf(read.usage, read.takenAt);
  let usage: GetServiceUsageResult = read.usage;
  let history: Reading[] = [];
  if (options.history !== undefined && file) {
    const kept = await appendToHistory(options.history, file, reading);
    const recorded = await machine.record(tenant.figuresKey, kept);
    history = recorded.history;
    usage = { ...usage, runway: forecastRunway(history, usage) };
    for (const warning of file.warnings) out.stderr(`warning: ${warning}`);
    if (recorded.warning) out.stderr(`warning: ${recorded.warning}`);
  } else {
    const { warning } = await machine.record(tenant.figuresKey, [reading]);
    if (warning) out.stderr(`warning: ${warning}`);
  }
  const known = facts && { status: facts.status, personalSpaceSize: facts.personalSpaceSize ?? 0 };
  return { usage, history, evaluation: options.plan && judgePlan(usage, options.plan, read.takenAt, known) };
}

/** `text` on one line: a message's line breaks (and the spaces around them) become one space. */
export const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " ");

/** The exit code of a run whose plan was judged (or not): 1 when it does not fit. */
export function exitCodeOf(evaluation: CliPlanOutcome | undefined): number {
  return evaluation && !evaluation.fits ? EXIT_CODES.planExceeded : EXIT_CODES.ok;
}

/** The plan's verdict, as a guard of this plan gives it (the guard core): with `minRunwayDays`, its runway shortfalls too. */
function judgePlan(
  usage: GetServiceUsageResult,
  plan: CheckedPlan,
  takenAt: Date,
  subscription: GuardCase["subscription"],
): CliPlanOutcome {
  const { outputs } = judgeGuard({
    plan,
    enforcement: "mandatory",
    admitted: undefined,
    name: "the plan",
    figures: { read: "done", usage, takenAt },
    others: [],
    ...(subscription ? { subscription } : {}),
  });
  const { fits, violations, warnings, runwayShortfalls, remainingAfterPlan, newAllocation, message } = outputs;
  // A guard that read its figures always has these two.
  if (!remainingAfterPlan || !newAllocation) throw new InternalError("the guard core judged no plan");
  const frozen = frozenProblem(subscription, newAllocation);
  return {
    fits,
    violations,
    warnings,
    runwayShortfalls,
    remainingAfterPlan,
    newAllocation,
    message,
    ...(frozen ? { frozen } : {}),
  };
}
