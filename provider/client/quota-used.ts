/**
 * The `data` object of `GET /koodrive/ose/v1/service/quotaUsed`: the 17 figures KooDrive reports for a
 * tenant, field for field as the API names them. A plain interface, so the published types stand
 * alone; the schema that reads it (quota-used-schema.ts) is checked against it at compile time.
 */
export interface QuotaUsedData {
  /** Total space the tenant subscribed, in GB. */
  spaceCapacity: number;
  /** Quota already allocated out of the capacity, in GB (the three pools' quota used added up). */
  spaceQuotaUsed: number;
  /** Size of the department pool, in GB. */
  deptSpaceQuota: number;
  /** Size of the personal pool, in GB. */
  personalSpaceQuota: number;
  /** Size of the group pool, in GB. */
  groupSpaceQuota: number;
  /** Reserved pool, in GB. */
  reservedSpaceQuota: number;
  /** Quota allocated out of the department pool, in GB. */
  deptSpaceQuotaUsed: number;
  /** Quota allocated out of the personal pool, in GB. */
  personalSpaceQuotaUsed: number;
  /** Quota allocated out of the group pool, in GB. */
  groupSpaceQuotaUsed: number;
  /** Data actually stored in all pools, in the tenant's used-space unit (KB unless configured otherwise). */
  spaceUsed: number;
  /** Data stored in the department pool, in the used-space unit. */
  deptSpaceUsed: number;
  /** Data stored in the personal pool, in the used-space unit. */
  personalSpaceUsed: number;
  /** Data stored in the group pool, in the used-space unit. */
  groupSpaceUsed: number;
  /** OrgID users created: seats taken. */
  userCount: number;
  /** Seats subscribed. */
  userMaxCount: number;
  /** Expiration of package download, as the service reports it (unit not documented). */
  packageDownloadExpires: number;
  /** Product type, e.g. "1". */
  productType: string;
}

/** The names of the 17 quotaUsed fields. */
export const QUOTA_USED_FIELDS = [
  "spaceCapacity",
  "spaceQuotaUsed",
  "deptSpaceQuota",
  "personalSpaceQuota",
  "groupSpaceQuota",
  "reservedSpaceQuota",
  "deptSpaceQuotaUsed",
  "personalSpaceQuotaUsed",
  "groupSpaceQuotaUsed",
  "spaceUsed",
  "deptSpaceUsed",
  "personalSpaceUsed",
  "groupSpaceUsed",
  "userCount",
  "userMaxCount",
  "packageDownloadExpires",
  "productType",
] as const satisfies readonly (keyof QuotaUsedData)[];

/** The example tenant of the API reference; the simulator serves it by default. */
export const DOCUMENTED_EXAMPLE: Readonly<QuotaUsedData> = Object.freeze({
  spaceUsed: 7753298,
  spaceCapacity: 10240,
  deptSpaceQuota: 6144,
  personalSpaceQuota: 2048,
  groupSpaceQuota: 2048,
  reservedSpaceQuota: 0,
  spaceQuotaUsed: 327,
  deptSpaceUsed: 1975057,
  deptSpaceQuotaUsed: 42,
  personalSpaceUsed: 3933426,
  personalSpaceQuotaUsed: 35,
  groupSpaceUsed: 1844815,
  groupSpaceQuotaUsed: 250,
  userCount: 20,
  userMaxCount: 100,
  packageDownloadExpires: 7,
  productType: "1",
});

/** The path of the service-usage endpoint. */
export const QUOTA_USED_PATH = "/koodrive/ose/v1/service/quotaUsed";
