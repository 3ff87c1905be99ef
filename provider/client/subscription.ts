/**
 * The `data` object of `GET /koodrive/ose/v1/service` ("Obtaining the Subscription Status" in the API
 * reference): the tenant's subscription. The guard reads it once per run per credential for the
 * tenant's id (`tenantId`), which tells tenants apart whatever the endpoint or the credential. A plain
 * interface, so the published types stand alone; subscription-schema.ts reads it.
 */
export interface SubscriptionData {
  /** The service status: 0 normal, 1 frozen (resources and data kept, the service cannot be used). */
  status: number;
  /** The tenant's identifier: equal for every credential and endpoint of one tenant. */
  tenantId: string;
  /** The default size of a new user's individual space, in GB; 0 when none is enabled. */
  personalSpaceSize?: number;
  /** The default size of a team space, in GB; 0 when none is enabled. */
  groupSpaceSize?: number;
  /** The default size of a department space, in GB; 0 when none is enabled. */
  departmentSpaceSize?: number;
  /** The space quota subscribed. */
  spaceCapacity?: number;
  /** The OrgID user quota subscribed. */
  userCount?: number;
  /** The organization's name. */
  organizationName?: string;
  /** The organization's identifier. */
  organizationId?: string;
  /** The product type, e.g. "1". */
  productType?: string;
}

/** The path of the subscription endpoint. */
export const SUBSCRIPTION_PATH = "/koodrive/ose/v1/service";
