/**
 * KooDrive's department and personal spaces as its API reference documents them (CreateSpace,
 * GetSpaceV2, GetSpaceByContainerID, UpdateSpace, DeleteSpace). Group spaces are left out: the
 * reference documents their creation (`POST /koodrive/ose/v1/space/group`) but neither their change nor
 * their deletion. Plain types; space-schema.ts reads the answers.
 */
import { ConfigurationError } from "./errors";

/** A space's type as the API numbers it: 0 department, 1 personal. */
export type SpaceType = 0 | 1;

/** A space as KooDrive answers it (SpaceInfo; the reference types every field as String, numbers are read as numbers). */
export interface SpaceInfo {
  /** 0 department, 1 personal (2 group, in a listing). */
  type: number;
  /** 0 normal, 1 disabled. */
  status: number;
  /** The department's id for a department space, the user's id for a personal one. */
  ownerId: string;
  /** The space's id. */
  containerId: string;
  /** The space's size, in GB (the reading of the reference's example). */
  capacity: number;
  /** The data stored, in the tenant's used-space unit (that of quotaUsed's `spaceUsed`, KB by default). */
  spaceUsed: number;
  /** The tenant's id. */
  tenantId?: string;
  /** When the space was created, as KooDrive writes it. */
  createTime?: string;
  /** When the space last changed, as KooDrive writes it. */
  updateTime?: string;
}

/** A space to create (`POST /koodrive/ose/v1/space/{ownerId}`). */
export interface NewSpace {
  ownerId: string;
  type: SpaceType;
  /** Whole GB, at least 1. */
  capacity: number;
}

/** Which space a change or delete is about: its owner and type, and its container id (needed when the owner has several). */
export interface SpaceSelector {
  ownerId: string;
  type: SpaceType;
  containerId?: string;
}

/** What `PUT /koodrive/ose/v1/space/{ownerId}` may change. */
export interface SpaceChange {
  /** Whole GB, at least 1: a growth is allocated from the pool, a shrink given back. */
  capacity?: number;
  /** 0 normal, 1 disabled. */
  status?: number;
}

/** A space's type in words, as the reference's English pages say it: `department` or `individual`. */
export function spaceKind(type: SpaceType): string {
  return type === 0 ? "department" : "individual";
}

/** The path a space is created, changed and deleted under. */
export function spacePath(ownerId: string): string {
  return `/koodrive/ose/v1/space/${encodeURIComponent(ownerId)}`;
}

/** The path listing an owner's spaces (GetSpaceV2). */
export function spaceListPath(ownerId: string, type?: SpaceType): string {
  return `/koodrive/ose/v2/space/${encodeURIComponent(ownerId)}${type === undefined ? "" : `?type=${type}`}`;
}

/** The path of one space by its container id. */
export function containerPath(containerId: string): string {
  return `/koodrive/ose/v1/space/container/${encodeURIComponent(containerId)}`;
}

/**
 * Checks what a space call would send, before anything is sent: a `ConfigurationError` naming the
 * field and what it must be.
 */
export function checkSpaceFields(fields: Partial<SpaceSelector> & SpaceChange, what: string): void {
  const problems: string[] = [];
  for (const key of ["ownerId", "containerId"] as const) {
    const value = fields[key];
    if (value !== undefined && (value.trim() === "" || value.includes("/"))) {
      problems.push(`${key} must be a KooDrive id (not empty, no "/"), not "${value}"`);
    }
  }
  if (fields.type !== undefined && fields.type !== 0 && fields.type !== 1) {
    problems.push(`type must be 0 (department) or 1 (personal), not ${fields.type}`);
  }
  if (fields.capacity !== undefined && !(Number.isSafeInteger(fields.capacity) && fields.capacity >= 1)) {
    problems.push(`capacity must be a whole number of GB, at least 1, not ${fields.capacity}`);
  }
  if (fields.status !== undefined && fields.status !== 0 && fields.status !== 1) {
    problems.push(`status must be 0 (normal) or 1 (disabled), not ${fields.status}`);
  }
  if (problems.length > 0) throw new ConfigurationError(`invalid ${what}`, `${problems.join("; ")}; nothing was sent`);
}
