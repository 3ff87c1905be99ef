import { z } from "zod";
import type { SameType } from "../client/same-type";
import { wholeNumberSchema } from "../client/whole-number-schema";
import { reservedBy } from "./figures";
import { ENFORCEMENTS, type GuardPlan } from "./plan";

const PERCENT_RULE = "must be a number from 0 to 100";

/**
 * A capacity plan, declared once with the guard's own names: the `CapacityGuard` arguments, the
 * provider's validation (with the default of `enforcement`), the CLI's plan flags and the docs'
 * argument table (docs/_index.md) come from here. Each field's description is its doc (the plugin schema takes them).
 * Error messages are predicates (`must be …`): `describeIssues` puts the field's path before them.
 */
export const CapacityPlanSchema = z.object({
  plannedUsers: wholeNumberSchema()
    .optional()
    .describe("users the stack allocates in all (e.g. its CSV's rows); each takes a seat"),
  plannedSpaceGB: z
    .object({
      dept: wholeNumberSchema().optional().describe("quota the stack allocates from the department pool, in all, GB"),
      personal: wholeNumberSchema().optional().describe("quota the stack allocates from the personal pool, in all, GB"),
      group: wholeNumberSchema().optional().describe("quota the stack allocates from the group pool, in all, GB"),
    })
    .strict()
    .optional()
    .describe("quota the stack allocates per pool, in all"),
  minFreeSeats: wholeNumberSchema().optional().describe("seats that must stay free after the plan"),
  minFreeGB: wholeNumberSchema()
    .optional()
    .describe(`${reservedBy("minFreeGB").label} that must stay free after the plan`),
  warnAtPercent: z
    .number({ error: PERCENT_RULE })
    .min(0, { error: PERCENT_RULE })
    .max(100, { error: PERCENT_RULE })
    .optional()
    .describe("warn when seats or a pool's quota would be this many percent used after the plan"),
  minRunwayDays: wholeNumberSchema()
    .optional()
    .describe(
      "days each figure must last after the tenant's new allocation in this run at its recent growth rate (needs a history: 3 readings over 3 days)",
    ),
  enforcement: z
    .enum(ENFORCEMENTS, { error: `must be ${ENFORCEMENTS.map((mode) => `"${mode}"`).join(" or ")}` })
    .default("mandatory")
    .describe("fail the deployment, or only warn"),
});

/** A plan as the schema reads it: checked, with its defaults (`enforcement`). */
export type CheckedPlan = z.output<typeof CapacityPlanSchema>;

/** The share of the tenant a guard admitted at its last create or update (its state's `admittedPlan`). */
export const AllocationSchema = z.object({
  users: CapacityPlanSchema.shape.plannedUsers,
  spaceGB: CapacityPlanSchema.shape.plannedSpaceGB,
});

// Compile-time check: the published interface (plan.ts) is exactly what the schema reads.
const schemaMatchesInterface: SameType<z.input<typeof CapacityPlanSchema>, GuardPlan> = true;
void schemaMatchesInterface;
