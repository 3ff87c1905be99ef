/**
 * KooDrive's users as its API reference documents them (CreateUser, GetUser, UpdateUser, DeleteUser):
 * the record `GET /koodrive/ose/v1/users/{userId}` answers, what an add and a change send, and their
 * checks. Plain types, so the published ones stand alone; user-schema.ts reads the answers.
 */
import { ConfigurationError } from "./errors";

/** The `data` of `GET /koodrive/ose/v1/users/{userId}`: one user of the tenant. */
export interface KooDriveUser {
  /** The user's id, as added and as the paths take it. */
  userId: string;
  /** The role: 0 department admin, 1 common user, 2 system admin, 5 member with management permissions. */
  role: number;
  /** The account's status: 0 enabled, 1 disabled. */
  status: number;
  /** The user's third-party id, as KooDrive reports it. */
  id?: string;
  /** The organization's id. */
  orgId?: string;
  /** The department's id (a long decimal string). */
  deptId?: string;
  /** The department's name. */
  deptName?: string;
  /** The mobile number, masked as KooDrive shows it. */
  mobile?: string;
  /** The user's name. */
  name?: string;
}

/** A user to add (`POST /koodrive/ose/v1/users`); department and role default as KooDrive decides. */
export interface NewUser {
  userId: string;
  /** The department's id: decimal digits (sent as a string: ids exceed what a JSON number holds exactly). */
  deptId?: string;
  /** One of {@link USER_ROLES}. */
  role?: number;
}

/** What `PUT /koodrive/ose/v1/users/{userId}` may change; what is left out stays as it is. */
export interface UserChange {
  deptId?: string;
  role?: number;
  /** One of {@link USER_STATUSES}. */
  status?: number;
}

/** The roles the reference documents: 0 department admin, 1 common user, 2 system admin, 5 member with management permissions. */
export const USER_ROLES: readonly number[] = Object.freeze([0, 1, 2, 5]);

/** The account statuses the reference documents: 0 enabled, 1 disabled. */
export const USER_STATUSES: readonly number[] = Object.freeze([0, 1]);

/** The path users are added under. */
export const USERS_PATH = "/koodrive/ose/v1/users";

/** The path of one user. */
export function userPath(userId: string): string {
  return `${USERS_PATH}/${encodeURIComponent(userId)}`;
}

/**
 * Checks what a user add or change would send, before anything is sent: a `ConfigurationError` naming
 * the field and what it must be.
 */
export function checkUserFields(fields: { userId?: string } & UserChange, what: string): void {
  const problems: string[] = [];
  if (fields.userId !== undefined && (fields.userId.trim() === "" || fields.userId.includes("/"))) {
    problems.push(`userId must be a KooDrive user id (not empty, no "/"), not "${fields.userId}"`);
  }
  if (fields.deptId !== undefined && !/^\d{1,19}$/.test(fields.deptId)) {
    problems.push(`deptId must be a department id of decimal digits, not "${fields.deptId}"`);
  }
  if (fields.role !== undefined && !USER_ROLES.includes(fields.role)) {
    problems.push(`role must be one of ${USER_ROLES.join(", ")}, not ${fields.role}`);
  }
  if (fields.status !== undefined && !USER_STATUSES.includes(fields.status)) {
    problems.push(`status must be 0 (enabled) or 1 (disabled), not ${fields.status}`);
  }
  if (problems.length > 0) throw new ConfigurationError(`invalid ${what}`, `${problems.join("; ")}; nothing was sent`);
}
