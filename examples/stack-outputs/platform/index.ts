import { getServiceUsageOutput } from "pulumi-koodrive";

// Platform code publishes the tenant's capacity once; other stacks read it with a StackReference.
const usage = getServiceUsageOutput();

export const remainingSeats = usage.remainingSeats;
export const remainingQuotaGB = usage.remainingQuotaGB;
export const remainingDeptQuotaGB = usage.remainingDeptQuotaGB;
export const remainingPersonalQuotaGB = usage.remainingPersonalQuotaGB;
export const remainingGroupQuotaGB = usage.remainingGroupQuotaGB;
export const spaceUsedPercent = usage.spaceUsedPercent;
export const seatsUsedPercent = usage.seatsUsedPercent;
