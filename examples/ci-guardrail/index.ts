import * as pulumi from "@pulumi/pulumi";
import { CapacityGuard } from "pulumi-koodrive";

// The allocation this change plans, kept in the stack's config so a pull request changes it in review.
const config = new pulumi.Config();
const guard = new CapacityGuard("planned-allocation", {
  plannedUsers: config.getNumber("plannedUsers") ?? 0,
  plannedSpaceGB: config.getObject<{ dept?: number; personal?: number; group?: number }>("plannedSpaceGB") ?? {},
  minFreeSeats: config.getNumber("minFreeSeats") ?? 0,
  minFreeGB: config.getNumber("minFreeGB"),
  warnAtPercent: config.getNumber("warnAtPercent") ?? 90,
});

// Resources that add users or spaces go here, each with `{ dependsOn: [guard] }`.

export const verdict = guard.message;
export const remainingAfterPlan = guard.remainingAfterPlan;
