/**
 * KooDrive's `code` values that mean something the client acts on, one table for the client and for
 * koodrive-sim. The API reference's error-code page documents 13000102, 13000301, 13000309 and
 * 13000311; it documents no code for "every seat is taken", "already exists", "a space cannot shrink
 * below what it stores" or "the tenant is frozen", so those four are the simulator's own (a real tenant answers them with a code
 * the client does not know, and the client reports that as a plain `ServiceError` with the code).
 */
export const KOODRIVE_CODES = Object.freeze({
  /** Documented: "Verify parameters failed". */
  parameterInvalid: 13000102,
  /** Documented: "Space not exist or abnormal". */
  spaceNotFound: 13000301,
  /** Documented: "Resource does not exist" (the simulator answers it for an unknown user). */
  resourceNotFound: 13000309,
  /** Documented: "Insufficient space": the pool cannot hold the capacity asked for. */
  insufficientSpace: 13000311,
  /** Not documented, the simulator's own: every subscribed seat is taken. */
  userLimitReached: 13000320,
  /** Not documented, the simulator's own: the user (or the department's space) exists already. */
  alreadyExists: 13000321,
  /** Not documented, the simulator's own: the new capacity is below the data the space stores. */
  capacityBelowStored: 13000322,
  /** Not documented, the simulator's own: the subscription is frozen (`status` 1), so nothing can be added. */
  tenantFrozen: 13000323,
});
