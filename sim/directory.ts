import { randomBytes } from "node:crypto";
import type { SpacePool, Tenant } from "./state";

/**
 * The simulator's users and spaces, and how each change moves the tenant's figures. Every method is a
 * synchronous read-check-write, as `Tenant`'s are, so concurrent requests never oversell a seat or a pool.
 *
 * What the API reference documents is modelled as it says; where it is silent, the nearest faithful
 * thing is done and said here:
 * - Adding a user whose id exists already is refused (the reference does not say; a second seat for one
 *   id would be the unfaithful reading), before the seat check, taking nothing.
 * - Deleting a user deletes "the corresponding resources" (the reference's words): the user's personal
 *   spaces, their quota and their data. Department spaces belong to departments and stay.
 * - Departments are not modelled: any `deptId` is accepted and its name is `dept-<deptId>`. Nor is a
 *   space's owner checked against the users: a department is not a user, and earlier versions of the
 *   simulator allocated spaces for any owner.
 * - A department has one space (a second is refused as existing); a user may have several personal
 *   spaces (GetSpaceV2: "a user may have multiple spaces"; DeleteSpace: the containerId picks one).
 * - Group spaces are not served: the reference documents their creation (`POST .../space/group`) but
 *   neither their change nor their deletion (UpdateSpace and DeleteSpace take department and personal
 *   spaces only), so the group pool's figures move only through `PUT /__sim/usage`.
 * - A frozen tenant (the subscription's `status` 1: "resources and data are reserved but the cloud
 *   service cannot be used") refuses every add, a user, a space or a space's growth, taking nothing; the
 *   reference documents no code for it, so the refusal's code is the simulator's own. Reads, shrinks,
 *   status changes and deletes still answer, so a frozen tenant can be looked at and tidied.
 * - A space's stored data is in the unit of quotaUsed's `spaceUsed` (KB, 1 GB = 1024 × 1024 KB); it
 *   changes only through the control path `PUT /__sim/stored`, and a space cannot shrink below it (the
 *   user manual's rule).
 */

/** A space type as the API numbers it: 0 department, 1 personal. */
export type SpaceType = 0 | 1;

const POOL_OF: Record<SpaceType, SpacePool> = { 0: "dept", 1: "personal" };

/** KB in one GB, for comparing stored data with a capacity. */
export const KB_PER_GB = 1024 * 1024;

/** A simulated user, as `GET /koodrive/ose/v1/users/{userId}` answers it. */
export interface SimUser {
  /** The user's third-party id, made up by the simulator. */
  id: string;
  /** The subscription's organizationId. */
  orgId: string;
  /** The id the user was added with. */
  userId: string;
  /** The department's id, as digits. */
  deptId: string;
  /** `dept-<deptId>`: departments are not modelled. */
  deptName: string;
  /** Always empty. */
  mobile: string;
  /** `user-<userId>`. */
  name: string;
  /** 0 department admin, 1 common user, 2 system admin, 5 member with management permissions. */
  role: number;
  /** 0 enabled, 1 disabled. */
  status: number;
}

/** A simulated space, with its figures as numbers. */
export interface SimSpace {
  /** The space's id, made up by the simulator. */
  containerId: string;
  /** 0 department, 1 personal. */
  type: SpaceType;
  /** The department's or the user's id. */
  ownerId: string;
  /** In GB. */
  capacity: number;
  /** 0 normal, 1 disabled. */
  status: number;
  /** Data stored, in spaceUsed's unit (KB). */
  spaceUsed: number;
  /** When it was created, ISO 8601 on the simulator's clock. */
  createTime: string;
  /** When it last changed, ISO 8601 on the simulator's clock. */
  updateTime: string;
}

/** Why a change was refused. */
export type Refusal =
  | { refused: "exists"; what: string }
  | { refused: "seats"; userMaxCount: number }
  | { refused: "space" }
  | { refused: "userNotFound"; userId: string }
  | { refused: "spaceNotFound"; what: string }
  | { refused: "ambiguous"; ownerId: string; count: number }
  | { refused: "belowStored"; capacity: number; spaceUsed: number }
  | { refused: "frozen"; what: string };

/** What a user change may set. */
export interface UserChange {
  deptId?: string;
  role?: number;
  status?: number;
}

/** Which space of an owner a change is about: the type, and the container when the owner has several. */
export interface SpaceSelector {
  ownerId: string;
  type: SpaceType;
  containerId?: string;
}

const newId = (): string => (BigInt(`0x${randomBytes(7).toString("hex")}`) + 10n ** 18n).toString();

/** The users and spaces of one simulated tenant. */
export class Directory {
  readonly #tenant: Tenant;
  readonly #users = new Map<string, SimUser>();
  readonly #spaces = new Map<string, SimSpace>();
  readonly #now: () => Date;

  constructor(tenant: Tenant, now: () => Date) {
    this.#tenant = tenant;
    this.#now = now;
  }

  /**
   * Adds a user, taking a seat, and, when the subscription's `personalSpaceSize` is set, the user's
   * default personal space of that size from the personal pool: refused, taking nothing, when either
   * is short.
   */
  addUser(userId: string, change: UserChange): SimUser | Refusal {
    if (this.#tenant.frozen()) return { refused: "frozen", what: `user ${userId}` };
    if (this.#users.has(userId)) return { refused: "exists", what: `user ${userId}` };
    if (!this.#tenant.takeSeat()) return { refused: "seats", userMaxCount: this.#tenant.usage().userMaxCount };
    const size = Number(this.#tenant.subscription().personalSpaceSize ?? 0);
    if (size > 0) {
      const space = this.createSpace(userId, 1, size);
      if ("refused" in space) {
        this.#tenant.freeSeat();
        return space;
      }
    }
    const deptId = change.deptId ?? "1";
    const user: SimUser = {
      id: newId(),
      orgId: String(this.#tenant.subscription().organizationId),
      userId,
      deptId,
      deptName: `dept-${deptId}`,
      mobile: "",
      name: `user-${userId}`,
      role: change.role ?? 1,
      status: change.status ?? 0,
    };
    this.#users.set(userId, user);
    return { ...user };
  }

  /** The user, if there is one. */
  user(userId: string): SimUser | undefined {
    const user = this.#users.get(userId);
    return user && { ...user };
  }

  /** Every user added through the API, oldest first. */
  users(): SimUser[] {
    return [...this.#users.values()].map((user) => ({ ...user }));
  }

  /** Changes a user's department, role or status. */
  updateUser(userId: string, change: UserChange): SimUser | Refusal {
    const user = this.#users.get(userId);
    if (!user) return { refused: "userNotFound", userId };
    if (change.deptId !== undefined) Object.assign(user, { deptId: change.deptId, deptName: `dept-${change.deptId}` });
    if (change.role !== undefined) user.role = change.role;
    if (change.status !== undefined) user.status = change.status;
    return { ...user };
  }

  /** Deletes a user and the user's personal spaces, giving back the seat, their quota and their data. */
  deleteUser(userId: string): Refusal | undefined {
    if (!this.#users.delete(userId)) return { refused: "userNotFound", userId };
    for (const space of [...this.#spaces.values()]) {
      if (space.type === 1 && space.ownerId === userId) this.#remove(space);
    }
    this.#tenant.freeSeat();
    return undefined;
  }

  /** Creates a space of `capacity` GB, allocated from its pool. */
  createSpace(ownerId: string, type: SpaceType, capacity: number): SimSpace | Refusal {
    if (this.#tenant.frozen()) return { refused: "frozen", what: `a ${capacity} GB space of ${ownerId}` };
    if (type === 0 && this.spaces(ownerId, 0).length > 0) {
      return { refused: "exists", what: `the space of department ${ownerId}` };
    }
    if (!this.#tenant.allocate(POOL_OF[type], capacity)) return { refused: "space" };
    const time = this.#now().toISOString();
    const space: SimSpace = {
      containerId: `C${randomBytes(16).toString("hex")}`,
      type,
      ownerId,
      capacity,
      status: 0,
      spaceUsed: 0,
      createTime: time,
      updateTime: time,
    };
    this.#spaces.set(space.containerId, space);
    return { ...space };
  }

  /** The owner's spaces (of one type when given), oldest first. */
  spaces(ownerId?: string, type?: number): SimSpace[] {
    return [...this.#spaces.values()]
      .filter(
        (space) => (ownerId === undefined || space.ownerId === ownerId) && (type === undefined || space.type === type),
      )
      .map((space) => ({ ...space }));
  }

  /** The space with this container id, if there is one. */
  space(containerId: string): SimSpace | undefined {
    const space = this.#spaces.get(containerId);
    return space && { ...space };
  }

  /** Changes a space's capacity (its growth allocated from the pool, a shrink given back) or status. */
  updateSpace(selector: SpaceSelector, change: { capacity?: number; status?: number }): SimSpace | Refusal {
    const space = this.#select(selector);
    if ("refused" in space) return space;
    if (change.capacity !== undefined && change.capacity !== space.capacity) {
      const pool = POOL_OF[space.type];
      if (change.capacity * KB_PER_GB < space.spaceUsed) {
        return { refused: "belowStored", capacity: change.capacity, spaceUsed: space.spaceUsed };
      }
      if (change.capacity > space.capacity) {
        if (this.#tenant.frozen()) {
          return { refused: "frozen", what: `${change.capacity - space.capacity} GB more for ${space.containerId}` };
        }
        if (!this.#tenant.allocate(pool, change.capacity - space.capacity)) return { refused: "space" };
      } else {
        this.#tenant.release(pool, space.capacity - change.capacity);
      }
      space.capacity = change.capacity;
    }
    if (change.status !== undefined) space.status = change.status;
    space.updateTime = this.#now().toISOString();
    return { ...space };
  }

  /** Deletes a space, giving its quota and its data back. */
  deleteSpace(selector: SpaceSelector): Refusal | undefined {
    const space = this.#select(selector);
    if ("refused" in space) return space;
    this.#remove(space);
    return undefined;
  }

  /** Sets the data a space stores (spaceUsed's unit), moving the pool's and the tenant's stored figures. */
  setStored(containerId: string, spaceUsed: number): SimSpace | Refusal {
    const space = this.#spaces.get(containerId);
    if (!space) return { refused: "spaceNotFound", what: `space ${containerId}` };
    this.#tenant.addStored(POOL_OF[space.type], spaceUsed - space.spaceUsed);
    space.spaceUsed = spaceUsed;
    return { ...space };
  }

  #remove(space: SimSpace): void {
    this.#spaces.delete(space.containerId);
    this.#tenant.release(POOL_OF[space.type], space.capacity);
    this.#tenant.addStored(POOL_OF[space.type], -space.spaceUsed);
  }

  /** The space a selector names: by container id (of that owner and type), else the owner's only one of the type. */
  #select({ ownerId, type, containerId }: SpaceSelector): SimSpace | Refusal {
    if (containerId !== undefined) {
      const space = this.#spaces.get(containerId);
      return space && space.ownerId === ownerId && space.type === type
        ? space
        : { refused: "spaceNotFound", what: `space ${containerId} of owner ${ownerId}` };
    }
    const found = [...this.#spaces.values()].filter((space) => space.ownerId === ownerId && space.type === type);
    if (found.length > 1) return { refused: "ambiguous", ownerId, count: found.length };
    return (
      found[0] ?? { refused: "spaceNotFound", what: `${type === 0 ? "department" : "personal"} space of ${ownerId}` }
    );
  }
}
