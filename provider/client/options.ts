import type { Secret } from "./secret";

/** How requests are authenticated. */
export type Credentials =
  | { mode: "token"; token: Secret }
  | { mode: "app"; appId: string; appSecret: Secret; userId: string };

/**
 * What the HTTP client needs to make requests, resolved and validated: provider/config's
 * `resolveSettings` produces it from the settings, the stack config and the environment.
 */
export interface ClientOptions {
  endpoint: URL;
  credentials: Credentials;
  /** Time limit of one attempt, in ms. */
  timeoutMs: number;
  /** Retries after the first attempt on network errors, timeouts, 5xx and 429. */
  retries: number;
  /** No attempt or wait goes past this many ms after the call started. */
  deadlineMs: number;
  /** First backoff delay in ms, doubled each retry, with full jitter. */
  retryBaseDelayMs: number;
  /** PEM CA certificate(s) to trust besides Node's defaults. */
  caCert?: string;
  /** The proxy to tunnel through; undefined for a direct connection (loopback is never proxied). */
  proxy?: URL;
}
