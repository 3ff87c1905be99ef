export { CapacityGuard, type CapacityGuardArgs, type Enforcement } from "./capacity-guard";
export type { ConnectionArgs } from "./connection";
export type { GuardStatus } from "./guard-plan";
export {
  type GetServiceUsageArgs,
  type GetServiceUsageOptions,
  type GetServiceUsageOutputArgs,
  getServiceUsage,
  getServiceUsageOutput,
  ServiceUsage,
} from "./service-usage";
