import { z } from "zod";
import { QUOTA_USED_PATH } from "../provider/client/quota-used";
import { SUBSCRIPTION_PATH } from "../provider/client/subscription";
import { ERROR_CODES, errorReply, methodNotAllowedReply, type Reply, successReply } from "./replies";
import type { SpacePool, Tenant } from "./state";
import { withJsonBody } from "./validation";

/** The KooDrive endpoints the simulator serves. */
export const ENDPOINT_NAMES = ["quotaUsed", "service", "addUser", "userCount", "createSpace"] as const;

/** One of the simulated KooDrive endpoints. */
export type EndpointName = (typeof ENDPOINT_NAMES)[number];

/** What an endpoint handler gets: the raw body and the tenant. */
export interface EndpointCall {
  rawBody: string;
  tenant: Tenant;
}

/** A simulated endpoint. */
export interface EndpointRoute {
  name: EndpointName;
  method: "GET" | "POST";
  pattern: RegExp;
  /** The field of the success envelope that carries the answer (`data`, or `total` for the user count). */
  payloadKey: "data" | "total";
  handle(call: EndpointCall): Reply;
}

const AddUserBodySchema = z.object({
  userId: z.string().min(1),
  modifyUserInfoReq: z.object({ deptId: z.number().int(), role: z.number().int() }),
});

const CreateSpaceBodySchema = z.object({
  capacity: z.string().regex(/^[1-9]\d*$/, "expected a positive whole number of GB, as a string"),
  type: z.union([z.literal(0), z.literal(1)]),
});

const POOLS: Record<0 | 1, SpacePool> = { 0: "dept", 1: "personal" };

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
    handle: withJsonBody(AddUserBodySchema, (_body, { tenant }) => {
      if (tenant.takeSeat()) return successReply();
      const { userMaxCount } = tenant.usage();
      return errorReply(
        400,
        ERROR_CODES.userLimitReached,
        `user limit reached: all ${userMaxCount} subscribed seats are taken`,
      );
    }),
  },
  {
    name: "userCount",
    method: "GET",
    pattern: /^\/koodrive\/ose\/v1\/users\/count$/,
    payloadKey: "total",
    handle: ({ tenant }) => successReply({ total: tenant.usage().userCount }),
  },
  {
    name: "createSpace",
    method: "POST",
    pattern: /^\/koodrive\/ose\/v1\/space\/[^/]+$/,
    payloadKey: "data",
    handle: withJsonBody(CreateSpaceBodySchema, ({ capacity, type }, { tenant }) =>
      tenant.allocate(POOLS[type], Number(capacity))
        ? successReply()
        : errorReply(400, ERROR_CODES.insufficientSpace, "insufficient space"),
    ),
  },
];

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
