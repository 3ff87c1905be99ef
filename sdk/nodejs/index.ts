/**
 * What a TypeScript or JavaScript Pulumi program imports: the data source, the guard, `User` and `Space`, and the
 * types of the figures they carry. The KooDrive client itself is `pulumi-koodrive/client`, so a
 * program that only declares guards does not load an HTTP stack and schemas it never runs (they
 * run in the provider process, under `provider/`). Every name is listed (api/pulumi-koodrive.api.md reports them).
 */

export { CONNECTION_SETTINGS } from "../../provider/config/connection-settings";
export type { GuardOutputs, GuardStatus } from "../../provider/guard/outputs";
export type { SpaceOutputs, SpaceTypeName } from "../../provider/guard/space";
export type { UserOutputs } from "../../provider/guard/user";
export { CapacityGuard, type CapacityGuardArgs } from "./capacity-guard";
export type {
  Allocation,
  CapacityFigure,
  ConnectionKey,
  DerivedUsage,
  Enforcement,
  GetServiceUsageResult,
  GuardNewShare,
  GuardPlan,
  KooDriveConnectionArgs,
  NewAllocation,
  PlanGrowth,
  PlannedSpaceGB,
  QuotaUsedData,
  Range,
  RemainingAfterPlan,
  Runway,
  RunwayFigure,
  RunwayFigureName,
  RunwayShare,
  RunwayShortfall,
  Usage,
  UsedSpaceUnit,
  UtilisationWarning,
  Violation,
} from "./client";
export type { ConnectionArgs } from "./connection";
export {
  type GetServiceUsageArgs,
  type GetServiceUsageOptions,
  type GetServiceUsageOutputArgs,
  getServiceUsage,
  getServiceUsageOutput,
  ServiceUsage,
} from "./service-usage";
export { Space, type SpaceArgs } from "./space";
export { User, type UserArgs } from "./user";
