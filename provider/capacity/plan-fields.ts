import type { GuardPlan } from "./plan";
import { capacityPlanKeys } from "./validators";

/** The plan's fields, in the schema's order (`CapacityPlanSchema`, from which validators.ts is generated), without loading zod. */
export const PLAN_FIELDS: readonly (keyof GuardPlan)[] = capacityPlanKeys;
