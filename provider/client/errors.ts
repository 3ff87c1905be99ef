/**
 * Every error this package throws is a `KooDriveError` with a stable `code` to switch on.
 * Messages are "summary: detail", and never carry a token or an app secret.
 */

/** The stable codes of `KooDriveError`. */
export type KooDriveErrorCode =
  | "ERR_KOODRIVE_CONFIGURATION"
  | "ERR_KOODRIVE_AUTHENTICATION"
  | "ERR_KOODRIVE_SERVICE"
  | "ERR_KOODRIVE_INVALID_RESPONSE"
  | "ERR_KOODRIVE_NETWORK"
  | "ERR_KOODRIVE_TIMEOUT"
  | "ERR_KOODRIVE_LOCK";

/** What is known about the HTTP exchange an error came from. */
export interface KooDriveErrorContext {
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  /** KooDrive's `code` from the error body, when there was one. */
  koodriveCode?: number | string;
  /** KooDrive's `msg` from the error body, when there was one. */
  koodriveMsg?: string;
  /** The X-Traceid sent with the request, for support tickets. */
  traceId?: string;
  /** How many attempts were made. */
  attempts?: number;
  /** The underlying error (not enumerable). */
  cause?: unknown;
}

/** Base class of every error this package throws. */
export class KooDriveError extends Error {
  /** Stable code: switch on this, not on the message. */
  readonly code: KooDriveErrorCode;
  /** One line: what went wrong. */
  readonly summary: string;
  /** What is known and what to do about it. */
  readonly detail: string;
  readonly status?: number;
  readonly koodriveCode?: number | string;
  readonly koodriveMsg?: string;
  readonly traceId?: string;
  readonly attempts?: number;

  constructor(code: KooDriveErrorCode, summary: string, detail: string, context: KooDriveErrorContext = {}) {
    const notes = [
      context.attempts !== undefined && context.attempts > 1 ? `after ${context.attempts} attempts` : "",
      context.traceId ? `trace id ${context.traceId}` : "",
    ].filter(Boolean);
    super(
      `${summary}: ${detail}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`,
      context.cause === undefined ? undefined : { cause: context.cause },
    );
    this.name = new.target.name;
    this.code = code;
    this.summary = summary;
    this.detail = detail;
    for (const key of ["status", "koodriveCode", "koodriveMsg", "traceId", "attempts"] as const) {
      if (context[key] !== undefined) Object.assign(this, { [key]: context[key] });
    }
  }
}

/** Settings are missing, conflicting or malformed; nothing was sent. */
export class ConfigurationError extends KooDriveError {
  /** Set when nothing was given at all for the endpoint, or for any credential: a caller may say where to give it. */
  readonly missing?: "endpoint" | "credentials";

  constructor(summary: string, detail: string, missing?: "endpoint" | "credentials") {
    super("ERR_KOODRIVE_CONFIGURATION", summary, detail);
    if (missing) this.missing = missing;
  }
}

/** The base of the errors below: a `KooDriveError` that always carries `code`. */
function errorWithCode(code: Exclude<KooDriveErrorCode, "ERR_KOODRIVE_CONFIGURATION">) {
  return class extends KooDriveError {
    constructor(summary: string, detail: string, context: KooDriveErrorContext) {
      super(code, summary, detail, context);
    }
  };
}

/** KooDrive refused the credentials (HTTP 401 or 403). */
export class AuthenticationError extends errorWithCode("ERR_KOODRIVE_AUTHENTICATION") {}

/** KooDrive answered with an error: a non-2xx status or a `code` other than 0. */
export class ServiceError extends errorWithCode("ERR_KOODRIVE_SERVICE") {}

/** The answer was not the documented JSON: HTML, cut off, or fields missing or of the wrong type. */
export class InvalidResponseError extends errorWithCode("ERR_KOODRIVE_INVALID_RESPONSE") {}

/** The connection failed: refused, reset, DNS, TLS. */
export class NetworkError extends errorWithCode("ERR_KOODRIVE_NETWORK") {}

/** No answer came in time. */
export class TimeoutError extends errorWithCode("ERR_KOODRIVE_TIMEOUT") {}

/**
 * The tenant lock's server failed: unreachable, refused the login, or lost the connection (and with it
 * the lock). Not KooDrive: the codes above are KooDrive's, and their advice would mislead here.
 */
export class LockError extends errorWithCode("ERR_KOODRIVE_LOCK") {}

/** True when `error` is a `KooDriveError`, also across copies of this package. */
export function isKooDriveError(error: unknown): error is KooDriveError {
  const code: unknown = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === "string" && code.startsWith("ERR_KOODRIVE_");
}

/** `error` with `redact` applied to every text it carries (message, summary, detail, KooDrive's msg), in place. */
export function redactError<E extends KooDriveError>(error: E, redact: (text: string) => string): E {
  for (const key of ["message", "summary", "detail", "koodriveMsg"] as const) {
    const value = error[key];
    if (typeof value === "string")
      Object.defineProperty(error, key, {
        value: redact(value),
        enumerable: key !== "message",
        writable: true,
        configurable: true,
      });
  }
  if (typeof error.stack === "string") error.stack = redact(error.stack);
  return error;
}
