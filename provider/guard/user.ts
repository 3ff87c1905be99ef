/**
 * A KooDrive user as a resource that judges itself, for every front end: one new seat, judged and
 * admitted as an addition to its tenant (addition.ts); then added, read, changed and deleted through
 * the client.
 */

import {
  AlreadyExistsError,
  type Failure,
  GuardRefusal,
  isKooDriveError,
  KooDriveError,
  StoresDataError,
  UnconfirmedAddError,
} from "../client/errors";
import { toGB } from "../client/units";
import type { KooDriveUser, UserChange } from "../client/users";
import { checkUserFields } from "../client/users";
import type { KooDriveConnectionArgs } from "../config/settings";
import { stableText, type Values } from "../process/protocol";
import type { ProviderState, Say } from "../process/provider-state";
import { type AdditionRequest, type AdditionVerdict, admitAddition, judgeAddition } from "./addition";
import { containsUnknown, readError } from "./reading";

/** The arguments of a user, as checked. */
export interface UserArgs {
  userId: string;
  deptId?: string;
  role?: number;
  status?: number;
  forceDestroy?: boolean;
}

/** What a `User` records and shows: what KooDrive answers of it. */
export interface UserOutputs {
  /** The user's id. */
  userId: string;
  /** The department's id, when KooDrive reports one. */
  deptId?: string;
  /** The department's name, when KooDrive reports one. */
  deptName?: string;
  /** The role: 0 department admin, 1 common user, 2 system admin, 5 member with management permissions. @integer */
  role: number;
  /** The account's status: 0 enabled, 1 disabled. @integer */
  status: number;
  /** The organization's id, when KooDrive reports one. */
  orgId?: string;
  /** The user's name, when KooDrive reports one. */
  displayName?: string;
}

/** The fields a `User` may change in place; a new `userId` replaces it. */
export const USER_UPDATABLE = ["deptId", "role", "status"] as const;

/**
 * `diff`: a change of `userId` replaces the user; of `forceDestroy`, of `also` (a front end's own
 * inputs, such as the connection) or of an updatable field the program gives, updates it in place.
 * An updatable field the program leaves out is KooDrive's to default: it is no change; nor is
 * `forceDestroy` false where it was left out.
 */
export function diffUser(
  olds: Values,
  news: Values,
  also: readonly string[] = [],
): { changes: boolean; replaces?: string[] } {
  const given = USER_UPDATABLE.filter((key) => news[key] !== undefined);
  const keys = ["userId", "forceDestroy", ...also, ...given];
  // `forceDestroy: false` is the default left out: an imported user (no forceDestroy) declared with it is no change.
  const plain = (values: Values): Values =>
    values.forceDestroy === false ? { ...values, forceDestroy: undefined } : values;
  const changes = stableText(plain(olds), keys) !== stableText(plain(news), keys);
  return { changes, ...(olds.userId !== news.userId ? { replaces: ["userId"] } : {}) };
}

/** A user to judge or deploy, as a front end hands it over. */
export interface UserRequest {
  /** Its URN: its slot in the tenant's ledger, and its stack for the lock's holder. */
  urn: string;
  /** Its name in messages. */
  name: string;
  args: Values;
  /** True when the user already holds its seat (deployed before, same `userId`). */
  seated: boolean;
  connection: KooDriveConnectionArgs;
  /** The connection settings not known until the update. */
  unknownSettings: string[];
}

/** The checked arguments, or the failures naming each wrong one; undefined arguments stay out. */
export function parseUserArgs(args: Values): { ok: true; user: UserArgs } | { ok: false; failures: Failure[] } {
  const failures: Failure[] = [];
  const text = (key: string) => {
    const value = args[key];
    if (value === undefined || typeof value === "string") return value;
    failures.push({ property: key, reason: `${key} must be a string, not ${JSON.stringify(value)}` });
    return undefined;
  };
  const whole = (key: string) => {
    const value = args[key];
    if (value === undefined || Number.isInteger(value)) return value as number | undefined;
    failures.push({ property: key, reason: `${key} must be a whole number, not ${JSON.stringify(value)}` });
    return undefined;
  };
  const userId = text("userId");
  const deptId = text("deptId");
  const role = whole("role");
  const status = whole("status");
  const forceDestroy = args.forceDestroy;
  if (forceDestroy !== undefined && typeof forceDestroy !== "boolean") {
    failures.push({
      property: "forceDestroy",
      reason: `forceDestroy must be true or false, not ${JSON.stringify(forceDestroy)}`,
    });
  }
  if (userId === undefined && failures.length === 0) {
    failures.push({ property: "userId", reason: "userId is required: the KooDrive user id to add" });
  }
  const user: UserArgs = {
    userId: userId ?? "",
    ...(deptId === undefined ? {} : { deptId }),
    ...(role === undefined ? {} : { role }),
    ...(status === undefined ? {} : { status }),
    ...(forceDestroy === true ? { forceDestroy } : {}),
  };
  if (failures.length === 0) {
    try {
      checkUserFields(user, "user");
    } catch (error) {
      const detail = (error as KooDriveError).detail ?? (error as Error).message;
      failures.push({ property: "userId", reason: detail });
    }
  }
  return failures.length > 0 ? { ok: false, failures } : { ok: true, user };
}

/** The outputs of a user as KooDrive answers it. */
export function userOutputs(user: KooDriveUser): UserOutputs {
  return {
    userId: user.userId,
    role: user.role,
    status: user.status,
    ...(user.deptId === undefined ? {} : { deptId: user.deptId }),
    ...(user.deptName === undefined ? {} : { deptName: user.deptName }),
    ...(user.orgId === undefined ? {} : { orgId: user.orgId }),
    ...(user.name === undefined ? {} : { displayName: user.name }),
  };
}

/** A user as an addition to its tenant: one new seat, or nothing when it holds its seat already. */
function additionOf(request: UserRequest): AdditionRequest {
  return {
    urn: request.urn,
    name: request.name,
    kind: "User",
    property: "userId",
    adds: request.seated ? {} : { users: 1 },
    connection: request.connection,
  };
}

/**
 * `check`: a new user's seat, shared in its tenant's ledger and judged with every other allocation of
 * the deployment to that tenant (Users, Spaces and guards) under the provider's reserves. The failures
 * name the seats and the count; a user whose arguments or settings are still unknown is not judged.
 */
export async function checkUser(state: ProviderState, request: UserRequest): Promise<AdditionVerdict> {
  const parsed = parseUserArgs(request.args);
  if (!parsed.ok) return { failures: parsed.failures, warnings: [] };
  if (request.unknownSettings.length > 0 || containsUnknown(request.args.userId)) return { failures: [], warnings: [] };
  return judgeAddition(state, additionOf(request));
}

/**
 * `create`: admits the seat under the tenant's lock (addition.ts: the deployment's whole remaining
 * plan first), then adds the user while the lease will outlive the call. After an add whose outcome is
 * unclear, the user is read back before anything else.
 */
/**
 * KooDrive's "already exists" for a user a create meant to add, saying what to do: the user was added
 * outside the stack, or by an earlier run of it stopped before the engine recorded the add.
 */
function alreadyThere(name: string, userId: string, error: AlreadyExistsError): AlreadyExistsError {
  return new AlreadyExistsError(
    `KooDrive already has the user ${userId}, so ${name} was not added`,
    `${error.detail}; if it was added outside this stack, or by an earlier run of it that was stopped ` +
      `before it recorded the user, adopt it (\`pulumi import koodrive:index:User ${name} ${userId}\`, ` +
      `through the provider plugin) or delete it in KooDrive, then run again`,
    {
      ...Object.fromEntries(
        Object.entries({
          status: error.status,
          koodriveCode: error.koodriveCode,
          koodriveMsg: error.koodriveMsg,
          traceId: error.traceId,
        }).filter(([, value]) => value !== undefined),
      ),
      cause: error,
    },
  );
}

export async function createUser(state: ProviderState, request: UserRequest, say: Say): Promise<UserOutputs> {
  const parsed = parseUserArgs(request.args);
  if (!parsed.ok) throw new GuardRefusal(parsed.failures);
  const { userId, deptId, role, status } = parsed.user;
  const tenant = await admitAddition(state, additionOf({ ...request, seated: false }), say);
  const added = await state.fencedAdd(request.connection, tenant, async (client) => {
    try {
      return (
        await client.createUser({
          userId,
          ...(deptId === undefined ? {} : { deptId }),
          ...(role === undefined ? {} : { role }),
        })
      ).record;
    } catch (error) {
      if (error instanceof AlreadyExistsError) throw alreadyThere(request.name, userId, error);
      if (!(error instanceof UnconfirmedAddError) || error.added !== "unknown") throw error;
      // Whether it was added cannot be told from the answer: read it back before anything else.
      const found = await client.readUser(userId);
      if (found) return found;
      throw error;
    }
  });
  if (status === undefined || status === added.status) return userOutputs(added);
  return userOutputs(await state.withClient(request.connection, (client) => client.updateUser(userId, { status })));
}

/** `read` (refresh): the user as KooDrive holds it now; undefined when it is gone (deleted by hand). */
export async function readUser(
  state: ProviderState,
  connection: KooDriveConnectionArgs,
  userId: string,
): Promise<UserOutputs | undefined> {
  try {
    const user = await state.withClient(connection, (client) => client.readUser(userId));
    return user ? userOutputs(user) : undefined;
  } catch (error) {
    const code = isKooDriveError(error) ? error.code : "ERR_KOODRIVE_INTERNAL";
    throw new KooDriveError(code, `cannot refresh the KooDrive user ${userId}`, readError(error), { cause: error });
  }
}

/** `update`: changes the department, role or status in place (no new seat), then reads the user back. */
export async function updateUser(
  state: ProviderState,
  connection: KooDriveConnectionArgs,
  args: Values,
): Promise<UserOutputs> {
  const parsed = parseUserArgs(args);
  if (!parsed.ok) throw new GuardRefusal(parsed.failures);
  const change: UserChange = Object.fromEntries(
    USER_UPDATABLE.filter((key) => parsed.user[key] !== undefined).map((key) => [key, parsed.user[key]]),
  );
  return userOutputs(await state.withClient(connection, (client) => client.updateUser(parsed.user.userId, change)));
}

/**
 * `delete`: refuses a user whose personal spaces store data unless `forceDestroy`, naming how much;
 * else deletes it (a user already gone is deleted).
 */
export async function deleteUser(
  state: ProviderState,
  connection: KooDriveConnectionArgs,
  userId: string,
  forceDestroy: boolean,
): Promise<void> {
  await state.withClient(connection, async (client, settings) => {
    if (!forceDestroy) {
      const spaces = await client.listSpaces(userId, 1);
      const stored = spaces.reduce((sum, space) => sum + space.spaceUsed, 0);
      if (stored > 0) {
        const gb = toGB(stored, settings.usedSpaceUnit);
        throw new StoresDataError(
          `the KooDrive user ${userId} was not deleted: its personal space${spaces.length === 1 ? "" : "s"} store ${stored} ${settings.usedSpaceUnit} (${Number(gb.toFixed(3))} GB)`,
          "KooDrive deletes a user's spaces and their data with it: set forceDestroy: true on the User to delete it all the same, or move the data first",
        );
      }
    }
    await client.deleteUser(userId);
  });
}
