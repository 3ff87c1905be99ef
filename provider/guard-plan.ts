import type { PlanEvaluation } from "../sdk/plan";
import type { GetServiceUsageResult } from "../sdk/usage";

/** How a guard's check came out. */
export type GuardStatus = "fits" | "exceeds" | "pending" | "unreadable";

/** What a guard records after its check. */
export interface GuardOutputs {
  status: GuardStatus;
  fits: boolean;
  violations: PlanEvaluation["violations"];
  warnings: PlanEvaluation["warnings"];
  remainingAfterPlan?: PlanEvaluation["remainingAfterPlan"];
  usage?: GetServiceUsageResult;
  /** One sentence on the verdict, or why there is none. */
  message: string;
}
