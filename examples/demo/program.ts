/**
 * The demo stack (root Pulumi.yaml): publishes the tenant's capacity as stack outputs and guards a
 * planned allocation taken from config. `npm run demo` drives it; `npm run pulumi -- up` runs it by hand.
 */
import * as pulumi from "@pulumi/pulumi";
import { CapacityGuard, getServiceUsageOutput } from "../../sdk/nodejs";

const config = new pulumi.Config();
const usage = getServiceUsageOutput();

const guard = new CapacityGuard("demo-plan", {
  plannedUsers: config.getNumber("plannedUsers") ?? 0,
  plannedSpaceGB: {
    dept: config.getNumber("plannedDeptGB") ?? 0,
    personal: config.getNumber("plannedPersonalGB") ?? 0,
  },
  minFreeSeats: config.getNumber("minFreeSeats"),
  warnAtPercent: config.getNumber("warnAtPercent") ?? 90,
});

/** Seats: used, total and left. */
export const seats = usage.apply((u) => ({ used: u.userCount, total: u.userMaxCount, remaining: u.remainingSeats }));
/** Quota left per pool and in all, in GB. */
export const remainingQuotaGB = usage.apply((u) => ({
  dept: u.remainingDeptQuotaGB,
  personal: u.remainingPersonalQuotaGB,
  group: u.remainingGroupQuotaGB,
  total: u.remainingQuotaGB,
}));
/** Data stored, in GB, and as a percentage of the capacity. */
export const storage = usage.apply((u) => ({
  usedGB: u.spaceUsedGB,
  capacityGB: u.spaceCapacity,
  percent: u.spaceUsedPercent,
}));
/** The guard's verdict on the planned allocation. */
export const plan = { status: guard.status, remainingAfterPlan: guard.remainingAfterPlan };
