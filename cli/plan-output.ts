import { amountOf, PLAN_FIGURES } from "../provider/capacity/figures";
import type { PlanEvaluation } from "../provider/capacity/plan";
import type { GuardOutputs } from "../provider/guard/outputs";

/** A plan's verdict as the CLI gives it (`plan` in `--json`): what a guard of the plan records, figures aside. */
export interface CliPlanOutcome extends PlanEvaluation, Pick<GuardOutputs, "runwayShortfalls" | "message"> {
  /** Why nothing can be added, when the tenant's subscription is frozen. */
  frozen?: string;
}

/** The stderr lines of a plan: each violation's and runway shortfall's message, then each warning prefixed `warning:`. */
export function planDiagnostics(evaluation: CliPlanOutcome): string[] {
  return [
    ...(evaluation.frozen ? [evaluation.frozen] : []),
    ...evaluation.violations.map((violation) => `${violation.message}: ${violation.remedy}`),
    ...evaluation.runwayShortfalls.map((shortfall) => shortfall.message),
    ...evaluation.warnings.map((warning) => `warning: ${warning.message}`),
  ];
}

/** The verdict on a plan and what is left after it, for the readable summary. */
export function formatPlanOutcome(evaluation: CliPlanOutcome): string {
  const { remainingAfterPlan: left } = evaluation;
  const problems =
    evaluation.violations.length + evaluation.runwayShortfalls.length + (evaluation.frozen === undefined ? 0 : 1);
  const verdict = evaluation.fits
    ? "Plan fits."
    : `Plan exceeds capacity (${problems} violation${problems === 1 ? "" : "s"}, listed on stderr).`;
  return [
    verdict,
    `Left after the plan: ${PLAN_FIGURES.map((figure) => amountOf(figure, left[figure.outputKey])).join(", ")}.`,
  ].join("\n");
}
