import { z } from "zod";
import { SimulatorInputError } from "../provider/client/errors";
import { ENDPOINT_NAMES, type EndpointName } from "./endpoints";
import { ERROR_CODES, jsonReply, type Reply, successReply } from "./replies";

const httpStatus = z.number().int().min(200).max(599);

/** A fault to inject into the next request of an endpoint. */
export const FaultSchema = z.discriminatedUnion("kind", [
  /** Answer with this status, body (default: an error envelope; a string is sent as is) and extra headers. */
  z.strictObject({
    kind: z.literal("status"),
    status: httpStatus,
    body: z.unknown().optional(),
    headers: z.record(z.string(), z.string()).optional(),
  }),
  /**
   * Wait `ms` before handling the request, then answer normally; a huge `ms` never answers. A request
   * whose client hangs up first is dropped unhandled (it never reached the service, as it were).
   */
  z.strictObject({ kind: z.literal("delay"), ms: z.number().int().nonnegative() }),
  /**
   * Handle the request at once (the change is made), then wait `ms` before answering: the answer a client
   * that gives up first never hears.
   */
  z.strictObject({ kind: z.literal("slowAnswer"), ms: z.number().int().nonnegative() }),
  /** Send the headers with the full Content-Length and half the normal body, then destroy the socket. */
  z.strictObject({ kind: z.literal("truncate") }),
  /** Destroy the socket without an answer. */
  z.strictObject({ kind: z.literal("reset") }),
  /** An HTML error page (text/html), as a proxy in front of the service would send; status 502 by default. */
  z.strictObject({ kind: z.literal("html"), status: httpStatus.optional() }),
  /** A 200 success envelope carrying `data` as given (for the user count: as `total`). */
  z.strictObject({ kind: z.literal("data"), data: z.unknown() }),
]);

/** A fault to inject; see {@link FaultSchema}. */
export type Fault = z.infer<typeof FaultSchema>;

/** The kind of a fault. */
export type FaultKind = Fault["kind"];

/** At most this many faults may be queued per endpoint, so no request can exhaust the simulator's memory. */
export const MAX_QUEUED_FAULTS = 1_000_000;

/** The body of `POST /__sim/faults`: queue `fault` for the next `count` requests of `endpoint`. */
export const FaultRequestSchema = z.strictObject({
  endpoint: z.enum(ENDPOINT_NAMES),
  count: z
    .number()
    .int()
    .positive()
    .max(MAX_QUEUED_FAULTS, `at most ${MAX_QUEUED_FAULTS} faults may be queued per endpoint`)
    .default(1),
  fault: FaultSchema,
});

/** A fault and how many more requests it applies to; one entry per `add`, however large the count. */
interface FaultRun {
  fault: Fault;
  remaining: number;
}

/** Faults queued per endpoint, consumed one per request in queue order. */
export class FaultQueue {
  readonly #queues = new Map<EndpointName, FaultRun[]>();
  readonly #pending = new Map<EndpointName, number>();

  /**
   * Queues `fault` for the next `count` requests of `endpoint`, after those already queued. Throws, queueing
   * nothing, when that would put more than {@link MAX_QUEUED_FAULTS} in the endpoint's queue.
   */
  add(endpoint: EndpointName, fault: Fault, count: number): void {
    const pending = this.pending(endpoint);
    if (!Number.isSafeInteger(count) || count < 1 || pending + count > MAX_QUEUED_FAULTS) {
      throw new SimulatorInputError(
        `count: at most ${MAX_QUEUED_FAULTS} faults may be queued per endpoint; ${endpoint} has ${pending} queued, so ${count} more do not fit`,
      );
    }
    const queue = this.#queues.get(endpoint) ?? [];
    queue.push({ fault, remaining: count });
    this.#queues.set(endpoint, queue);
    this.#pending.set(endpoint, pending + count);
  }

  /** Removes and returns the next fault for `endpoint`, if any. */
  take(endpoint: EndpointName): Fault | undefined {
    const queue = this.#queues.get(endpoint);
    const run = queue?.[0];
    if (!run) return undefined;
    run.remaining -= 1;
    if (run.remaining === 0) queue.shift();
    this.#pending.set(endpoint, this.pending(endpoint) - 1);
    return run.fault;
  }

  /** How many faults are still queued for `endpoint`. */
  pending(endpoint: EndpointName): number {
    return this.#pending.get(endpoint) ?? 0;
  }

  /** Drops every queued fault. */
  clear(): void {
    this.#queues.clear();
    this.#pending.clear();
  }
}

const REASONS: Readonly<Record<number, string>> = {
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** The reply of a fault that replaces the answer outright. */
export function faultReply(
  fault: Extract<Fault, { kind: "status" | "html" | "data" }>,
  payloadKey: "data" | "total",
): Reply {
  switch (fault.kind) {
    case "status":
      return jsonReply(
        fault.status,
        fault.body ?? { code: ERROR_CODES.innerServerError, msg: `simulated fault: HTTP ${fault.status}` },
        fault.headers,
      );
    case "html": {
      const status = fault.status ?? 502;
      const title = `${status} ${REASONS[status] ?? "Error"}`;
      return {
        status,
        contentType: "text/html; charset=utf-8",
        body: `<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center><hr><center>koodrive-sim</center></body></html>\n`,
      };
    }
    case "data":
      return successReply({ [payloadKey]: fault.data });
  }
}
