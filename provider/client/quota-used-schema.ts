import { z } from "zod";
import type { QUOTA_USED_FIELDS, QuotaUsedData } from "./quota-used";
import type { SameType } from "./same-type";
import { wholeNumberSchema } from "./whole-number";

/**
 * A non-negative whole number, as every figure in a quotaUsed response is. A string of digits is
 * accepted and read as its number (gateways sometimes quote long integers); one beyond the largest safe
 * whole number is refused saying so, as is anything else.
 */
const figure = z.preprocess(
  (value) => (typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value),
  wholeNumberSchema(),
);

/**
 * The `data` object of `GET /koodrive/ose/v1/service/quotaUsed`, field for field as the API names them.
 * Unknown extra fields are tolerated (and dropped), so a newer service does not break older clients.
 */
export const QuotaUsedDataSchema = z.object({
  /** Total space the tenant subscribed, in GB. */
  spaceCapacity: figure,
  /** Quota already allocated out of the capacity, in GB (the three pools' quota used added up). */
  spaceQuotaUsed: figure,
  /** Size of the department pool, in GB. */
  deptSpaceQuota: figure,
  /** Size of the personal pool, in GB. */
  personalSpaceQuota: figure,
  /** Size of the group pool, in GB. */
  groupSpaceQuota: figure,
  /** Reserved pool, in GB. */
  reservedSpaceQuota: figure,
  /** Quota allocated out of the department pool, in GB. */
  deptSpaceQuotaUsed: figure,
  /** Quota allocated out of the personal pool, in GB. */
  personalSpaceQuotaUsed: figure,
  /** Quota allocated out of the group pool, in GB. */
  groupSpaceQuotaUsed: figure,
  /** Data actually stored in all pools, in the tenant's used-space unit (KB unless configured otherwise). */
  spaceUsed: figure,
  /** Data stored in the department pool, in the used-space unit. */
  deptSpaceUsed: figure,
  /** Data stored in the personal pool, in the used-space unit. */
  personalSpaceUsed: figure,
  /** Data stored in the group pool, in the used-space unit. */
  groupSpaceUsed: figure,
  /** OrgID users created: seats taken. */
  userCount: figure,
  /** Seats subscribed. */
  userMaxCount: figure,
  /** Expiration of package download, as the service reports it (unit not documented). */
  packageDownloadExpires: figure,
  /** Product type, e.g. "1". */
  productType: z.string({ error: "must be a string" }),
});

// Compile-time check: the schema reads exactly the published interface, so neither can drift.
// The field list names every field.
const schemaMatchesInterface: SameType<z.output<typeof QuotaUsedDataSchema>, QuotaUsedData> = true;
const fieldsNameEveryField: SameType<(typeof QUOTA_USED_FIELDS)[number], keyof QuotaUsedData> = true;
void [schemaMatchesInterface, fieldsNameEveryField];
