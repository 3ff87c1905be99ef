/**
 * `pulumi-koodrive/client`: the plain KooDrive client and what it works with, for scripts, the CLI
 * and the provider process alike. `KooDriveClient` takes settings as the guard does (arguments, then
 * the `KOODRIVE_*` variables), reads the raw figures over provider/client's HTTP client and derives
 * the usage with provider/capacity. Loads neither `@pulumi/pulumi` nor anything a program does not use.
 */
import type { GetServiceUsageResult, ServiceUsageReading } from "../../provider/capacity/runway";
import { deriveUsage } from "../../provider/capacity/usage";
import { KooDriveHttpClient } from "../../provider/client/client";
import type { QuotaUsedData } from "../../provider/client/quota-used";
import type { AnswerObserver } from "../../provider/client/recording";
import type { SubscriptionData } from "../../provider/client/subscription";
import { type KooDriveClientOptions, type ResolvedSettings, resolveSettings } from "../../provider/config/settings";
import { credentialIdentity, type TenantIdentity } from "../../provider/config/tenant";

// The public surface of `pulumi-koodrive/client`, name by name (api/client.api.md reports it): the
// client, its options, what it reads and the plan evaluation on it, and the error model.
export {
  type Allocation,
  type CapacityFigure,
  type CapacityPlan,
  type Enforcement,
  evaluatePlan,
  type GuardNewShare,
  type GuardPlan,
  type GuardShare,
  type NewAllocation,
  type PlanEvaluation,
  type PlannedSpaceGB,
  type RemainingAfterPlan,
  type UtilisationWarning,
  type Violation,
} from "../../provider/capacity/plan";
export type {
  GetServiceUsageResult,
  PlanGrowth,
  Range,
  Runway,
  RunwayFigure,
  RunwayFigureName,
  RunwayShare,
  RunwayShortfall,
  ServiceUsageReading,
} from "../../provider/capacity/runway";
export type { DerivedUsage, Usage } from "../../provider/capacity/usage";
export {
  AlreadyExistsError,
  AuthenticationError,
  CancelledError,
  type CodedErrorClass,
  ConfigurationError,
  type Failure,
  FixtureError,
  GuardRefusal,
  InsufficientSpaceError,
  InternalError,
  InvalidResponseError,
  InvocationError,
  isKooDriveError,
  KooDriveError,
  type KooDriveErrorCode,
  type KooDriveErrorContext,
  LockError,
  NetworkError,
  NotFoundError,
  PolicyConfigError,
  ProgramError,
  SeatLimitError,
  ServiceError,
  SimulatorInputError,
  StoresDataError,
  TenantLeaseLost,
  TenantLockTimeout,
  TenantMismatchError,
  TimeoutError,
  UnconfirmedAddError,
  UnsupportedStateError,
} from "../../provider/client/errors";
export type { QuotaUsedData } from "../../provider/client/quota-used";
export type { AnswerObserver, RecordedAnswer } from "../../provider/client/recording";
export type { SubscriptionData } from "../../provider/client/subscription";
export type { UsedSpaceUnit } from "../../provider/client/units";
export { PACKAGE_VERSION } from "../../provider/client/version";
export { CONNECTION_SETTINGS, type ConnectionKey } from "../../provider/config/connection-settings";
export type { KooDriveClientOptions, KooDriveConnectionArgs } from "../../provider/config/settings";
export type { TenantIdentity } from "../../provider/config/tenant";

/** A typed client for the KooDrive service-usage API, with timeouts, retries and app signing. */
export class KooDriveClient {
  readonly #settings: ResolvedSettings;
  readonly #http: KooDriveHttpClient;

  /**
   * Resolves and validates the settings at once: a `ConfigurationError` here means nothing was sent.
   * `observe`, when given, is handed each answer KooDrive gives, credentials redacted, as
   * `koodrive-usage --record` keeps them.
   */
  constructor(options: KooDriveClientOptions = {}, observe?: AnswerObserver) {
    this.#settings = resolveSettings(options);
    this.#http = new KooDriveHttpClient(this.#settings, observe);
  }

  /** The base URL requests go to. */
  get endpoint(): string {
    return this.#http.endpoint;
  }

  /**
   * Which tenant this client reaches as far as its settings tell, whatever their spelling (no secret
   * in it): the credential's identity, which the guard uses for the tenant only until it has read the
   * subscription (`GET /koodrive/ose/v1/service`), whose `tenantId` tells tenants apart whatever the
   * endpoint or the credential.
   */
  get tenant(): TenantIdentity {
    return credentialIdentity(this.#settings);
  }

  /** `token` or `app`. */
  get authMode(): "token" | "app" {
    return this.#http.authMode;
  }

  /** The 17 figures of `GET /koodrive/ose/v1/service/quotaUsed`, validated. */
  getQuotaUsed(): Promise<QuotaUsedData> {
    return this.#http.getQuotaUsed();
  }

  /** The figures with the derived ones (remaining seats and quota, GB, percentages). */
  async getServiceUsage(): Promise<GetServiceUsageResult> {
    return (await this.readServiceUsage()).usage;
  }

  /** `getServiceUsage`, with when KooDrive answered: its `Date` header, else the local clock. */
  async readServiceUsage(): Promise<ServiceUsageReading> {
    const { data, ...when } = await this.#http.readQuotaUsed();
    return { usage: deriveUsage(data, this.#settings.usedSpaceUnit), ...when };
  }

  /** The tenant's subscription (`GET /koodrive/ose/v1/service`): its status (1 frozen), `tenantId`, `personalSpaceSize`, … */
  readSubscription(): Promise<SubscriptionData> {
    return this.#http.readSubscription();
  }

  /** Closes the connections, and drops any left hanging (a silent proxy's, say) instead of waiting on it. */
  close(): Promise<void> {
    return this.#http.close();
  }
}
