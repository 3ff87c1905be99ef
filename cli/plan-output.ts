import type { PlanEvaluation } from "../provider/client/plan";
import type { RunwayShortfall } from "../provider/client/runway";

/** A plan's verdict as the CLI gives it: with `--min-runway-days`, the figures that run out too soon, which make it not fit. */
export interface CliPlanOutcome extends PlanEvaluation {
  runwayShortfalls?: RunwayShortfall[];
}

/** The stderr lines of a plan: each violation's and runway shortfall's message, then each warning prefixed `warning:`. */
export function planDiagnostics(evaluation: CliPlanOutcome): string[] {
  return [
    ...evaluation.violations.map((violation) => violation.message),
    ...(evaluation.runwayShortfalls ?? []).map((shortfall) => shortfall.message),
    ...evaluation.warnings.map((warning) => `warning: ${warning.message}`),
  ];
}

/** The verdict on a plan and what is left after it, for the readable summary. */
export function formatPlanOutcome(evaluation: CliPlanOutcome): string {
  const { remainingAfterPlan: left } = evaluation;
  const problems = evaluation.violations.length + (evaluation.runwayShortfalls?.length ?? 0);
  const verdict = evaluation.fits
    ? "Plan fits."
    : `Plan exceeds capacity (${problems} violation${problems === 1 ? "" : "s"}, listed on stderr).`;
  return [
    verdict,
    `Left after the plan: ${left.seats} seats, department pool ${left.deptQuotaGB} GB, personal pool ${left.personalQuotaGB} GB, group pool ${left.groupQuotaGB} GB, all pools ${left.quotaGB} GB.`,
  ].join("\n");
}
