import { z } from "zod";
import { KOODRIVE_CODES } from "../provider/client/koodrive-codes";
import { QUOTA_USED_PATH } from "../provider/client/quota-used";
import { SUBSCRIPTION_PATH } from "../provider/client/subscription";
import { describeIssues } from "../provider/client/zod-issues";
import type { Directory, Refusal, SimSpace, SpaceType } from "./directory";
import { ERROR_CODES, errorReply, methodNotAllowedReply, type Reply, successReply } from "./replies";
import type { Tenant } from "./state";
import { withJsonBody } from "./validation";

/** The KooDrive endpoints the simulator serves. */
export const ENDPOINT_NAMES = [
  "quotaUsed",
  "service",
  "addUser",
  "userCount",
  "createSpace",
  "getUser",
  "updateUser",
  "deleteUser",
  "listSpaces",
  "getSpace",
  "updateSpace",
  "deleteSpace",
] as const;

/** One of the simulated KooDrive endpoints. */
export type EndpointName = (typeof ENDPOINT_NAMES)[number];

/** What an endpoint handler gets: the raw body, the tenant, its users and spaces, and the request's path parameters and query. */
export interface EndpointCall {
  rawBody: string;
  tenant: Tenant;
  directory: Directory;
  /** The path's parameters (`{userId}`, `{ownerId}`, `{containerId}`), decoded, in order. */
  params: readonly string[];
  query: URLSearchParams;
}

/** A simulated endpoint. */
export interface EndpointRoute {
  name: EndpointName;
  method: "GET" | "POST" | "PUT" | "DELETE";
  pattern: RegExp;
  /** The field of the success envelope that carries the answer (`data`, or `total` for the user count). */
  payloadKey: "data" | "total";
  handle(call: EndpointCall): Reply;
}

/** A whole number given as a number or as a string of digits (the reference types these both ways). */
const digits = z
  .union([z.string().regex(/^\d+$/, "expected digits"), z.number().int().nonnegative()])
  .transform(String);
const wholeOf = <T extends readonly [number, ...number[]]>(allowed: T, what: string) =>
  z
    .union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)])
    .refine((value) => (allowed as readonly number[]).includes(value), `${what} must be one of ${allowed.join(", ")}`);
const ROLE = wholeOf([0, 1, 2, 5], "role");
const STATUS = wholeOf([0, 1], "status");

const AddUserBodySchema = z.object({
  userId: z.string().min(1),
  modifyUserInfoReq: z.object({ deptId: digits.optional(), role: ROLE.optional() }),
});

const UpdateUserBodySchema = z.object({ deptId: digits.optional(), role: ROLE.optional(), status: STATUS.optional() });

const CAPACITY = z
  .string()
  .regex(/^[1-9]\d*$/, "expected a positive whole number of GB, as a string")
  .transform(Number);
const SPACE_TYPE = z.union([z.literal(0), z.literal(1)]);

const CreateSpaceBodySchema = z.object({ capacity: CAPACITY, type: SPACE_TYPE });

const UpdateSpaceBodySchema = z.object({
  type: SPACE_TYPE,
  containerId: z.string().min(1).optional(),
  capacity: CAPACITY.optional(),
  status: STATUS.optional(),
});

const DeleteSpaceQuerySchema = z.object({
  type: z.enum(["0", "1"]).transform((type) => Number(type) as SpaceType),
  containerId: z.string().min(1).optional(),
});

const ListSpacesQuerySchema = z.object({ type: z.enum(["0", "1", "2"]).transform(Number).optional() });

/** A 400 in KooDrive's envelope: the reference's error-code table answers every code with HTTP 400. */
const refusedReply = (code: number, msg: string): Reply => errorReply(400, code, msg);

/** The reply for a refused change. */
function refusalReply(refusal: Refusal): Reply {
  switch (refusal.refused) {
    case "exists":
      return refusedReply(KOODRIVE_CODES.alreadyExists, `already exists: ${refusal.what}`);
    case "seats":
      return refusedReply(
        KOODRIVE_CODES.userLimitReached,
        `user limit reached: all ${refusal.userMaxCount} subscribed seats are taken`,
      );
    case "space":
      return refusedReply(KOODRIVE_CODES.insufficientSpace, "insufficient space");
    case "userNotFound":
      return refusedReply(KOODRIVE_CODES.resourceNotFound, `resource does not exist: user ${refusal.userId}`);
    case "spaceNotFound":
      return refusedReply(KOODRIVE_CODES.spaceNotFound, `space does not exist: ${refusal.what}`);
    case "ambiguous":
      return refusedReply(
        KOODRIVE_CODES.parameterInvalid,
        `parameter validation failed: containerId is required, owner ${refusal.ownerId} has ${refusal.count} spaces of this type`,
      );
    case "belowStored":
      return refusedReply(
        KOODRIVE_CODES.capacityBelowStored,
        `capacity ${refusal.capacity} GB is below the ${refusal.spaceUsed} KB the space stores`,
      );
    case "frozen":
      return refusedReply(
        KOODRIVE_CODES.tenantFrozen,
        `the tenant's subscription is frozen (status 1): ${refusal.what} cannot be added until it is renewed or unfrozen`,
      );
  }
}

/** A change's result as a reply: the refusal, or success with `data` when there is a record to show. */
function resultReply<T extends object>(result: T | Refusal | undefined, show?: (value: T) => unknown): Reply {
  if (result && "refused" in result) return refusalReply(result);
  return successReply(result && show ? { data: show(result as T) } : {});
}

/** A space as the reference's SpaceInfo shows it: every field a string. */
function spaceInfo(space: SimSpace, tenant: Tenant): Record<string, string> {
  return {
    type: String(space.type),
    status: String(space.status),
    ownerId: space.ownerId,
    containerId: space.containerId,
    bizRootFileId: `${space.containerId}-biz`,
    bizSboxFileId: `${space.containerId}-sbox`,
    capacity: String(space.capacity),
    spaceUsed: String(space.spaceUsed),
    tenantId: String(tenant.subscription().tenantId),
    creator: space.ownerId,
    createTime: space.createTime,
    modifier: space.ownerId,
    updateTime: space.updateTime,
    rootFileId: `${space.containerId}-root`,
  };
}

/** Wraps a handler that reads the query string with `schema`: a 400 / 13000102 naming the parameter when it does not fit. */
function withQuery<T>(schema: z.ZodType<T>, handler: (query: T, call: EndpointCall) => Reply) {
  return (call: EndpointCall): Reply => {
    const parsed = schema.safeParse(Object.fromEntries(call.query));
    if (!parsed.success) {
      return refusedReply(
        KOODRIVE_CODES.parameterInvalid,
        `parameter validation failed: ${describeIssues(parsed.error)}`,
      );
    }
    return handler(parsed.data, call);
  };
}

const param = (call: EndpointCall, index = 0): string => call.params[index] ?? "";

const USER_PATH = /^\/koodrive\/ose\/v1\/users\/(?!count$)([^/]+)$/;
const SPACE_PATH = /^\/koodrive\/ose\/v1\/space\/([^/]+)$/;

/** The routes of the simulated API. */
const ROUTES: readonly EndpointRoute[] = [
  {
    name: "quotaUsed",
    method: "GET",
    pattern: new RegExp(`^${QUOTA_USED_PATH}$`),
    payloadKey: "data",
    handle: ({ tenant }) => successReply({ data: tenant.usage() }),
  },
  {
    name: "service",
    method: "GET",
    pattern: new RegExp(`^${SUBSCRIPTION_PATH}$`),
    payloadKey: "data",
    handle: ({ tenant }) => successReply({ data: tenant.subscription() }),
  },
  {
    name: "addUser",
    method: "POST",
    pattern: /^\/koodrive\/ose\/v1\/users$/,
    payloadKey: "data",
    // The older pages answer `{code, msg}` alone, the newer add `data: {id}`; the simulator answers the
    // older, so a client that needs the user reads it back (GET .../users/{userId}).
    handle: withJsonBody(AddUserBodySchema, ({ userId, modifyUserInfoReq }, { directory }) =>
      resultReply(directory.addUser(userId, modifyUserInfoReq)),
    ),
  },
  {
    name: "userCount",
    method: "GET",
    pattern: /^\/koodrive\/ose\/v1\/users\/count$/,
    payloadKey: "total",
    handle: ({ tenant }) => successReply({ total: tenant.usage().userCount }),
  },
  {
    name: "getUser",
    method: "GET",
    pattern: USER_PATH,
    payloadKey: "data",
    handle: (call) => {
      const user = call.directory.user(param(call));
      return user ? successReply({ data: user }) : refusalReply({ refused: "userNotFound", userId: param(call) });
    },
  },
  {
    name: "updateUser",
    method: "PUT",
    pattern: USER_PATH,
    payloadKey: "data",
    handle: withJsonBody(UpdateUserBodySchema, (change, call: EndpointCall) =>
      resultReply(call.directory.updateUser(param(call), change)),
    ),
  },
  {
    name: "deleteUser",
    method: "DELETE",
    pattern: USER_PATH,
    payloadKey: "data",
    handle: (call) => resultReply(call.directory.deleteUser(param(call))),
  },
  {
    name: "createSpace",
    method: "POST",
    pattern: SPACE_PATH,
    payloadKey: "data",
    // The Chinese page answers the new space's SpaceInfo in `data`; the simulator does too.
    handle: withJsonBody(CreateSpaceBodySchema, ({ capacity, type }, call: EndpointCall) =>
      resultReply(call.directory.createSpace(param(call), type, capacity), (space) => spaceInfo(space, call.tenant)),
    ),
  },
  {
    name: "updateSpace",
    method: "PUT",
    pattern: SPACE_PATH,
    payloadKey: "data",
    handle: withJsonBody(UpdateSpaceBodySchema, ({ type, containerId, capacity, status }, call: EndpointCall) =>
      resultReply(
        call.directory.updateSpace(
          { ownerId: param(call), type, ...(containerId === undefined ? {} : { containerId }) },
          { ...(capacity === undefined ? {} : { capacity }), ...(status === undefined ? {} : { status }) },
        ),
      ),
    ),
  },
  {
    name: "deleteSpace",
    method: "DELETE",
    pattern: SPACE_PATH,
    payloadKey: "data",
    handle: withQuery(DeleteSpaceQuerySchema, ({ type, containerId }, call) =>
      resultReply(
        call.directory.deleteSpace({
          ownerId: param(call),
          type,
          ...(containerId === undefined ? {} : { containerId }),
        }),
      ),
    ),
  },
  {
    name: "listSpaces",
    method: "GET",
    pattern: /^\/koodrive\/ose\/v2\/space\/([^/]+)$/,
    payloadKey: "data",
    handle: withQuery(ListSpacesQuerySchema, ({ type }, call) =>
      successReply({ data: call.directory.spaces(param(call), type).map((space) => spaceInfo(space, call.tenant)) }),
    ),
  },
  {
    name: "getSpace",
    method: "GET",
    pattern: /^\/koodrive\/ose\/v1\/space\/container\/([^/]+)$/,
    payloadKey: "data",
    handle: (call) => {
      const space = call.directory.space(param(call));
      return space
        ? successReply({ data: spaceInfo(space, call.tenant) })
        : refusalReply({ refused: "spaceNotFound", what: `space ${param(call)}` });
    },
  },
];

/** The decoded path parameters of `pathname` under `route`; a malformed escape is kept as sent. */
export function pathParams(route: EndpointRoute, pathname: string): string[] {
  return (route.pattern.exec(pathname)?.slice(1) ?? []).map((raw) => {
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  });
}

/** The route a request is for, or the 404/405 reply when there is none. */
export type RouteMatch = { route: EndpointRoute } | { route: undefined; reply: Reply };

/** Finds the route of a request: 404 for an unknown path, 405 for a known path with the wrong method. */
export function matchRoute(method: string, pathname: string): RouteMatch {
  const onPath = ROUTES.filter((route) => route.pattern.test(pathname));
  const route = onPath.find((candidate) => candidate.method === method);
  if (route) return { route };
  if (onPath.length > 0) {
    return {
      route: undefined,
      reply: methodNotAllowedReply(
        method,
        onPath.map((candidate) => candidate.method),
      ),
    };
  }
  return { route: undefined, reply: errorReply(404, ERROR_CODES.notFound, "no such API") };
}
