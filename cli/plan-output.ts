import type { PlanEvaluation } from "../provider/client/plan";

/** The stderr lines of a plan: each violation's message, then each warning prefixed `warning:`. */
export function planDiagnostics(evaluation: PlanEvaluation): string[] {
  return [
    ...evaluation.violations.map((violation) => violation.message),
    ...evaluation.warnings.map((warning) => `warning: ${warning.message}`),
  ];
}

/** The verdict on a plan and what is left after it, for the readable summary. */
export function formatPlanOutcome(evaluation: PlanEvaluation): string {
  const { violations, remainingAfterPlan: left } = evaluation;
  const verdict = evaluation.fits
    ? "Plan fits."
    : `Plan exceeds capacity (${violations.length} violation${violations.length === 1 ? "" : "s"}, listed on stderr).`;
  return [
    verdict,
    `Left after the plan: ${left.seats} seats, department pool ${left.deptQuotaGB} GB, personal pool ${left.personalQuotaGB} GB, group pool ${left.groupQuotaGB} GB, all pools ${left.quotaGB} GB.`,
  ].join("\n");
}
