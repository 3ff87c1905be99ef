import type { Allocation, PlanEvaluation } from "./client/plan";
import type { RunwayShortfall } from "./client/runway";
import type { GetServiceUsageResult } from "./client/usage";

/** How a guard's check came out. */
export type GuardStatus = "fits" | "exceeds" | "pending" | "unreadable";

/** What a guard records after its check. */
export interface GuardOutputs {
  status: GuardStatus;
  fits: boolean;
  violations: PlanEvaluation["violations"];
  warnings: PlanEvaluation["warnings"];
  /** Figures that would run out within `minRunwayDays` after the plan (a violation, or an advisory guard's warning). */
  runwayShortfalls: RunwayShortfall[];
  remainingAfterPlan?: PlanEvaluation["remainingAfterPlan"];
  /** What this run allocates anew: the growth over the plan admitted before, per figure. */
  newAllocation?: PlanEvaluation["newAllocation"];
  /** The plan this check admits; once the guard is created or updated, the next run judges only growth beyond it. */
  admittedPlan?: Allocation;
  /** Said once, on the first run after an upgrade that changed how the guard counts. */
  notice?: string;
  usage?: GetServiceUsageResult;
  /** One sentence on the verdict, or why there is none. */
  message: string;
}
