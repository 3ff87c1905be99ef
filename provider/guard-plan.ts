import { z } from "zod";
import type { Allocation, PlanEvaluation } from "../sdk/plan";
import type { GetServiceUsageResult } from "../sdk/usage";

const wholeNumber = (what: string) =>
  z
    .number({ error: `${what} must be a whole number ≥ 0` })
    .int({ error: `${what} must be a whole number ≥ 0` })
    .nonnegative({ error: `${what} must be a whole number ≥ 0` })
    .optional();

/** What a `CapacityGuard` checks, as its provider receives it. The argument docs live in capacity-guard.ts. */
export const GuardPlanSchema = z.object({
  plannedUsers: wholeNumber("plannedUsers"),
  plannedSpaceGB: z
    .object({
      dept: wholeNumber("plannedSpaceGB.dept"),
      personal: wholeNumber("plannedSpaceGB.personal"),
      group: wholeNumber("plannedSpaceGB.group"),
    })
    .strict()
    .optional(),
  minFreeSeats: wholeNumber("minFreeSeats"),
  minFreeGB: wholeNumber("minFreeGB"),
  warnAtPercent: z
    .number({ error: "warnAtPercent must be a number from 0 to 100" })
    .min(0, { error: "warnAtPercent must be a number from 0 to 100" })
    .max(100, { error: "warnAtPercent must be a number from 0 to 100" })
    .optional(),
  enforcement: z
    .enum(["mandatory", "advisory"], { error: 'enforcement must be "mandatory" or "advisory"' })
    .default("mandatory"),
});

/** How a guard's check came out. */
export type GuardStatus = "fits" | "exceeds" | "pending" | "unreadable";

/** What a guard records after its check. */
export interface GuardOutputs {
  status: GuardStatus;
  fits: boolean;
  violations: PlanEvaluation["violations"];
  warnings: PlanEvaluation["warnings"];
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
