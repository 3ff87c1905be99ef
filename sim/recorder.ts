import { ENDPOINT_NAMES, type EndpointName } from "./endpoints";
import type { FaultKind } from "./faults";

/** How a request presented itself: a token, an HMAC-SHA256 app signature, or no Authorization at all. */
export type AuthMode = "token" | "app" | "none";

/** One request to a simulated endpoint (or an unknown path). Never holds credentials. */
export interface RequestLogEntry {
  /** Arrival time, ISO 8601. */
  time: string;
  /** The HTTP method. */
  method: string;
  /** The path, without the query string. */
  path: string;
  /** The status sent; 0 while no answer was sent (in flight, reset, or never answered). */
  status: number;
  /** How the request authenticated: a token, an app's signature, or not at all. */
  authMode: AuthMode;
  /** The X-Traceid header, when the request had one. */
  traceId?: string;
  /** The endpoint, when the path was a known one. */
  endpoint?: EndpointName;
  /** The kind of the injected fault that this request consumed, if any. */
  fault?: FaultKind;
}

/** The request counts, per endpoint. */
export type RequestCounts = Record<EndpointName, number>;

/** How many entries the log keeps; older ones are dropped (the counters stay exact). */
const LOG_LIMIT = 10_000;

/** Counts and logs the requests to the simulated endpoints. */
export class RequestRecorder {
  #log: RequestLogEntry[] = [];
  #total = 0;
  #counts: RequestCounts = RequestRecorder.#zeroCounts();

  static #zeroCounts(): RequestCounts {
    return Object.fromEntries(ENDPOINT_NAMES.map((name) => [name, 0])) as RequestCounts;
  }

  /** Counts a request on arrival and returns its log entry, to be completed with the status sent. */
  begin(entry: Omit<RequestLogEntry, "time" | "status">): RequestLogEntry {
    const full: RequestLogEntry = { time: new Date().toISOString(), status: 0, ...entry };
    this.#total += 1;
    if (entry.endpoint) this.#counts[entry.endpoint] += 1;
    this.#log.push(full);
    if (this.#log.length > 2 * LOG_LIMIT) this.#log = this.#log.slice(-LOG_LIMIT);
    return full;
  }

  /** Requests to `endpoint`, or to any path (known or not) when omitted. */
  count(endpoint?: EndpointName): number {
    return endpoint ? this.#counts[endpoint] : this.#total;
  }

  /** A copy of the per-endpoint counts. */
  counts(): RequestCounts {
    return { ...this.#counts };
  }

  /** Copies of the logged entries, oldest first (at most {@link LOG_LIMIT}). */
  entries(): RequestLogEntry[] {
    return this.#log.slice(-LOG_LIMIT).map((entry) => ({ ...entry }));
  }

  /** Clears the log and the counters. */
  reset(): void {
    this.#log = [];
    this.#total = 0;
    this.#counts = RequestRecorder.#zeroCounts();
  }
}
