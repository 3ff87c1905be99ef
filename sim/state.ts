import { randomBytes } from "node:crypto";
import { z } from "zod";
import { DOCUMENTED_EXAMPLE, type QuotaUsedData } from "../provider/client/quota-used";
import { QuotaUsedDataSchema } from "../provider/client/quota-used-schema";

/** Any subset of the 17 quotaUsed fields; unknown keys and negative figures are refused. */
export const UsagePatchSchema = QuotaUsedDataSchema.partial().strict();

/** A partial usage object, as fixtures and `PUT /__sim/usage` give it. */
export type UsagePatch = Partial<QuotaUsedData>;

const size = z.number().int().nonnegative();

/**
 * The subscription settings a fixture and `PUT /__sim/service` may change: the status (0 normal,
 * 1 frozen), the tenant's id (each simulator makes its own: two simulators are two tenants), the
 * default space sizes and the organization. Unknown keys are refused.
 */
export const SubscriptionPatchSchema = z.strictObject({
  status: z.union([z.literal(0), z.literal(1)]).optional(),
  tenantId: z.string().min(1).optional(),
  personalSpaceSize: size.optional(),
  groupSpaceSize: size.optional(),
  departmentSpaceSize: size.optional(),
  organizationName: z.string().optional(),
  organizationId: z.string().optional(),
});

/** A partial subscription, as fixtures and `PUT /__sim/service` give it. */
export type SubscriptionPatch = z.infer<typeof SubscriptionPatchSchema>;

/** The subscription settings of a simulated tenant. */
type SubscriptionSettings = Required<SubscriptionPatch>;

/** The pools a space can be created in: `type` 0 is the department pool, 1 the personal pool. */
export type SpacePool = "dept" | "personal";

const POOL_FIELDS = {
  dept: { quota: "deptSpaceQuota", used: "deptSpaceQuotaUsed" },
  personal: { quota: "personalSpaceQuota", used: "personalSpaceQuotaUsed" },
} as const satisfies Record<SpacePool, { quota: keyof QuotaUsedData; used: keyof QuotaUsedData }>;

const STORED_FIELDS = {
  dept: "deptSpaceUsed",
  personal: "personalSpaceUsed",
} as const satisfies Record<SpacePool, keyof QuotaUsedData>;

/**
 * The simulated tenant. Every change is a synchronous read-check-write, so concurrent requests
 * (which Node interleaves only at `await` points) can never oversell a seat or a pool.
 */
export class Tenant {
  #usage: QuotaUsedData;
  readonly #subscription: SubscriptionSettings;

  constructor(initial: UsagePatch = {}, subscription: SubscriptionPatch = {}) {
    this.#usage = { ...DOCUMENTED_EXAMPLE };
    this.merge(initial);
    const tenantId = randomBytes(16).toString("hex");
    this.#subscription = {
      status: 0,
      tenantId,
      personalSpaceSize: 0,
      groupSpaceSize: 0,
      departmentSpaceSize: 0,
      organizationName: "Example Organization",
      organizationId: `org-${tenantId.slice(0, 12)}`,
    };
    this.mergeSubscription(subscription);
  }

  /**
   * The subscription as `GET /koodrive/ose/v1/service` answers it, with the reference's fields: the
   * settings, and the space and user quotas of the figures.
   */
  subscription(): Record<string, unknown> {
    const { status, tenantId, personalSpaceSize, groupSpaceSize, departmentSpaceSize } = this.#subscription;
    return {
      status,
      spaceCapacity: this.#usage.spaceCapacity,
      userCount: this.#usage.userMaxCount,
      groupSpaceSize,
      personalSpaceSize,
      organizationName: this.#subscription.organizationName,
      organizationId: this.#subscription.organizationId,
      rootDeptCode: "1",
      tenantId,
      departmentSpaceSize,
      aiAvailable: false,
      wpsAvailable: false,
      productType: this.#usage.productType,
    };
  }

  /** Whether the subscription is frozen (`status` 1): resources and data kept, nothing can be added. */
  frozen(): boolean {
    return this.#subscription.status === 1;
  }

  /** Overwrites the given subscription settings, leaving the others as they are. */
  mergeSubscription(patch: SubscriptionPatch): void {
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) Object.assign(this.#subscription, { [key]: value });
    }
  }

  /** A copy of the current figures. */
  usage(): QuotaUsedData {
    return { ...this.#usage };
  }

  /** Overwrites the given figures, leaving the others as they are. No consistency between figures is enforced. */
  merge(patch: UsagePatch): void {
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) Object.assign(this.#usage, { [key]: value });
    }
  }

  /** Takes one seat; false (and nothing changes) when every seat is taken. */
  takeSeat(): boolean {
    if (this.#usage.userCount >= this.#usage.userMaxCount) return false;
    this.#usage.userCount += 1;
    return true;
  }

  /** Gives one seat back (a user deleted); never below 0, whatever `PUT /__sim/usage` seeded. */
  freeSeat(): void {
    this.#usage.userCount = Math.max(0, this.#usage.userCount - 1);
  }

  /** Allocates `capacityGb` out of a pool; false (and nothing changes) when the pool cannot hold it. */
  allocate(pool: SpacePool, capacityGb: number): boolean {
    const fields = POOL_FIELDS[pool];
    if (this.#usage[fields.used] + capacityGb > this.#usage[fields.quota]) return false;
    this.#usage[fields.used] += capacityGb;
    this.#usage.spaceQuotaUsed += capacityGb;
    return true;
  }

  /** Gives `capacityGb` back to a pool (a space deleted or shrunk); no figure goes below 0. */
  release(pool: SpacePool, capacityGb: number): void {
    const { used } = POOL_FIELDS[pool];
    this.#usage[used] = Math.max(0, this.#usage[used] - capacityGb);
    this.#usage.spaceQuotaUsed = Math.max(0, this.#usage.spaceQuotaUsed - capacityGb);
  }

  /** Moves the data stored in a pool by `delta` (in spaceUsed's unit), and spaceUsed with it; never below 0. */
  addStored(pool: SpacePool, delta: number): void {
    const field = STORED_FIELDS[pool];
    this.#usage[field] = Math.max(0, this.#usage[field] + delta);
    this.#usage.spaceUsed = Math.max(0, this.#usage.spaceUsed + delta);
  }
}
