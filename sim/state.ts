import { DOCUMENTED_EXAMPLE, type QuotaUsedData } from "../provider/client/quota-used";
import { QuotaUsedDataSchema } from "../provider/client/quota-used-schema";

/** Any subset of the 17 quotaUsed fields; unknown keys and negative figures are refused. */
export const UsagePatchSchema = QuotaUsedDataSchema.partial().strict();

/** A partial usage object, as fixtures and `PUT /__sim/usage` give it. */
export type UsagePatch = Partial<QuotaUsedData>;

/** The pools a space can be created in: `type` 0 is the department pool, 1 the personal pool. */
export type SpacePool = "dept" | "personal";

const POOL_FIELDS = {
  dept: { quota: "deptSpaceQuota", used: "deptSpaceQuotaUsed" },
  personal: { quota: "personalSpaceQuota", used: "personalSpaceQuotaUsed" },
} as const satisfies Record<SpacePool, { quota: keyof QuotaUsedData; used: keyof QuotaUsedData }>;

/**
 * The simulated tenant. Every change is a synchronous read-check-write, so concurrent requests
 * (which Node interleaves only at `await` points) can never oversell a seat or a pool.
 */
export class Tenant {
  #usage: QuotaUsedData;

  constructor(initial: UsagePatch = {}) {
    this.#usage = { ...DOCUMENTED_EXAMPLE };
    this.merge(initial);
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

  /** Allocates `capacityGb` out of a pool; false (and nothing changes) when the pool cannot hold it. */
  allocate(pool: SpacePool, capacityGb: number): boolean {
    const fields = POOL_FIELDS[pool];
    if (this.#usage[fields.used] + capacityGb > this.#usage[fields.quota]) return false;
    this.#usage[fields.used] += capacityGb;
    this.#usage.spaceQuotaUsed += capacityGb;
    return true;
  }
}
