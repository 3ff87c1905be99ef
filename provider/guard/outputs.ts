/**
 * The guard's outputs, declared once: the provider records them, the `CapacityGuard` class exposes
 * them (sdk/nodejs/capacity-guard.ts merges `GuardOutputFields` into the class), the plugin schema and
 * its SDKs document them from these comments.
 */
import type { Allocation, NewAllocation, RemainingAfterPlan, UtilisationWarning, Violation } from "../capacity/plan";
import type { GetServiceUsageResult, RunwayShortfall } from "../capacity/runway";

/** How a guard's check came out: `fits`, `exceeds`, `pending` (plan or connection unknown until the update) or `unreadable` (figures could not be read). */
export type GuardStatus = "fits" | "exceeds" | "pending" | "unreadable";

/** What a guard records after its check. */
export interface GuardOutputs {
  /** `fits`, `exceeds`, `pending` (plan or connection unknown until the update) or `unreadable` (figures could not be read). */
  status: GuardStatus;
  /** False when the plan exceeds capacity or the figures could not be read. */
  fits: boolean;
  /** Every figure the plan does not fit, with what is planned, what is left and by how much it is exceeded. */
  violations: Violation[];
  /** Figures that fit but pass `warnAtPercent`. */
  warnings: UtilisationWarning[];
  /** Figures that would run out within `minRunwayDays` after the plan at their recent growth rate (a violation, or an advisory guard's warning). */
  runwayShortfalls: RunwayShortfall[];
  /** What is left of each figure after the plan (absent while pending). */
  remainingAfterPlan?: RemainingAfterPlan;
  /** What this run allocates anew: the growth over the plan admitted before, per figure. */
  newAllocation?: NewAllocation;
  /** The plan admitted so far: the next run judges only growth beyond it. An advisory guard admits no more than was left. */
  admittedPlan?: Allocation;
  /** The figures the plan was judged on (re-read by `pulumi refresh`). */
  usage?: GetServiceUsageResult;
  /** One sentence on the verdict, or why there is none. */
  message: string;
}

/** Every output's name, in declaration order; the compile-time check below keeps it complete. */
export const GUARD_OUTPUT_KEYS = [
  "status",
  "fits",
  "violations",
  "warnings",
  "runwayShortfalls",
  "remainingAfterPlan",
  "newAllocation",
  "admittedPlan",
  "usage",
  "message",
] as const satisfies readonly (keyof GuardOutputs)[];

type Missing = Exclude<keyof GuardOutputs, (typeof GUARD_OUTPUT_KEYS)[number]>;
const everyOutputListed: [Missing] extends [never] ? true : Missing = true;
void everyOutputListed;
