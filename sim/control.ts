import { z } from "zod";
import { ClockRequestSchema, type SimulatorClock } from "./clock";
import type { Directory } from "./directory";
import { type FaultQueue, FaultRequestSchema } from "./faults";
import type { RequestRecorder } from "./recorder";
import { ERROR_CODES, errorReply, jsonReply, methodNotAllowedReply, type Reply, successReply } from "./replies";
import { SubscriptionPatchSchema, type Tenant, UsagePatchSchema } from "./state";
import { withJsonBody } from "./validation";

/**
 * The body of `PUT /__sim/stored`: the data a space stores, in the unit of quotaUsed's `spaceUsed` (KB);
 * the pool's and the tenant's stored figures move by the difference.
 */
export const StoredRequestSchema = z.strictObject({
  containerId: z.string().min(1),
  spaceUsed: z.number().int().nonnegative(),
});

/** Control paths start with this prefix; they need no authentication and are neither counted nor logged. */
export const CONTROL_PREFIX = "/__sim/";

/** The simulator's mutable parts, shared by the API and the control paths. */
export interface SimulatorCore {
  tenant: Tenant;
  directory: Directory;
  recorder: RequestRecorder;
  faults: FaultQueue;
  clock: SimulatorClock;
}

const clockReply = (clock: SimulatorClock): Reply => jsonReply(200, { time: clock.now().toISOString() });

type ControlHandler = (context: { core: SimulatorCore; rawBody: string }) => Reply;

const CONTROL_ROUTES = new Map<string, Readonly<Record<string, ControlHandler>>>([
  [
    "requests",
    { GET: ({ core: { recorder } }) => jsonReply(200, { counts: recorder.counts(), log: recorder.entries() }) },
  ],
  [
    "reset",
    {
      POST: ({ core: { recorder, faults, clock } }) => {
        recorder.reset();
        faults.clear();
        clock.reset();
        return successReply();
      },
    },
  ],
  [
    "usage",
    {
      GET: ({ core: { tenant } }) => jsonReply(200, tenant.usage()),
      PUT: withJsonBody(UsagePatchSchema, (patch, { core: { tenant } }) => {
        tenant.merge(patch);
        return jsonReply(200, tenant.usage());
      }),
    },
  ],
  [
    "service",
    {
      GET: ({ core: { tenant } }) => jsonReply(200, tenant.subscription()),
      PUT: withJsonBody(SubscriptionPatchSchema, (patch, { core: { tenant } }) => {
        tenant.mergeSubscription(patch);
        return jsonReply(200, tenant.subscription());
      }),
    },
  ],
  ["users", { GET: ({ core: { directory } }) => jsonReply(200, directory.users()) }],
  ["spaces", { GET: ({ core: { directory } }) => jsonReply(200, directory.spaces()) }],
  [
    "stored",
    {
      PUT: withJsonBody(StoredRequestSchema, ({ containerId, spaceUsed }, { core: { directory } }) => {
        const result = directory.setStored(containerId, spaceUsed);
        return "refused" in result
          ? errorReply(404, ERROR_CODES.notFound, `no space ${containerId}`)
          : jsonReply(200, result);
      }),
    },
  ],
  [
    "clock",
    {
      GET: ({ core: { clock } }) => clockReply(clock),
      PUT: withJsonBody(ClockRequestSchema, ({ time }, { core: { clock } }) => {
        clock.set(new Date(time));
        return clockReply(clock);
      }),
    },
  ],
  [
    "faults",
    {
      POST: withJsonBody(FaultRequestSchema, ({ endpoint, count, fault }, { core: { faults } }) => {
        try {
          faults.add(endpoint, fault, count);
        } catch (error) {
          return errorReply(
            400,
            ERROR_CODES.parameterInvalid,
            `parameter validation failed: ${(error as Error).message}`,
          );
        }
        return successReply({ pending: faults.pending(endpoint) });
      }),
    },
  ],
]);

/** Answers a request under {@link CONTROL_PREFIX}. */
export function handleControl(core: SimulatorCore, method: string, pathname: string, rawBody: string): Reply {
  const methods = CONTROL_ROUTES.get(pathname.slice(CONTROL_PREFIX.length));
  if (!methods) return errorReply(404, ERROR_CODES.notFound, `no such control path ${pathname}`);
  const handler = methods[method];
  return handler ? handler({ core, rawBody }) : methodNotAllowedReply(method, Object.keys(methods));
}
