/**
 * The package's error model, in one module: every error pulumi-koodrive throws (the client, the guard,
 * the tenant lock, the provider processes, the policy pack, the CLI and the simulator) is a class
 * below, extending `KooDriveError` with a stable `code` to switch on. The module sits in the bottom
 * layer and imports nothing, so every layer can throw its errors. Messages are "summary: detail" (the
 * summary alone when it says everything), and never carry a token or an app secret.
 *
 * A new error is a new code in `KooDriveErrorCode`, a class here with a doc comment, and a row in the
 * codes table of docs/_index.md ("Error codes"; test/docs/error-codes.test.ts holds the table to this
 * module). `throw new Error(` appears nowhere in the package (test/repository/errors.test.ts).
 */

/** The stable codes of `KooDriveError`, one per class below (docs/_index.md, "Error codes"). */
export type KooDriveErrorCode =
  | "ERR_KOODRIVE_CONFIGURATION"
  | "ERR_KOODRIVE_AUTHENTICATION"
  | "ERR_KOODRIVE_SERVICE"
  | "ERR_KOODRIVE_INVALID_RESPONSE"
  | "ERR_KOODRIVE_NETWORK"
  | "ERR_KOODRIVE_TIMEOUT"
  | "ERR_KOODRIVE_LOCK"
  | "ERR_KOODRIVE_LOCK_TIMEOUT"
  | "ERR_KOODRIVE_CANCELLED"
  | "ERR_KOODRIVE_GUARD_REFUSED"
  | "ERR_KOODRIVE_UNSUPPORTED_STATE"
  | "ERR_KOODRIVE_PROGRAM"
  | "ERR_KOODRIVE_POLICY_CONFIG"
  | "ERR_KOODRIVE_INVOCATION"
  | "ERR_KOODRIVE_FIXTURE"
  | "ERR_KOODRIVE_SIMULATOR_INPUT"
  | "ERR_KOODRIVE_INTERNAL"
  | "ERR_KOODRIVE_LEASE_LOST"
  | "ERR_KOODRIVE_TENANT_MISMATCH"
  | "ERR_KOODRIVE_NOT_FOUND"
  | "ERR_KOODRIVE_ALREADY_EXISTS"
  | "ERR_KOODRIVE_SEAT_LIMIT"
  | "ERR_KOODRIVE_INSUFFICIENT_SPACE"
  | "ERR_KOODRIVE_UNCONFIRMED_ADD"
  | "ERR_KOODRIVE_STORES_DATA";

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

/** Base class of every error this package throws. An error that says another again (a refresh that could not read) is a `KooDriveError` with its cause's code and the cause in `cause`. */
export class KooDriveError extends Error {
  /** Stable code: switch on this, not on the message. */
  readonly code: KooDriveErrorCode;
  /** One line: what went wrong. */
  readonly summary: string;
  /** What is known and what to do about it; empty when the summary says everything. */
  readonly detail: string;
  /** HTTP status of the last answer, when there was one. */
  readonly status?: number;
  /** KooDrive's `code` from the error body, when there was one. */
  readonly koodriveCode?: number | string;
  /** KooDrive's `msg` from the error body, when there was one. */
  readonly koodriveMsg?: string;
  /** The X-Traceid sent with the request, for support tickets. */
  readonly traceId?: string;
  /** How many attempts were made. */
  readonly attempts?: number;

  constructor(code: KooDriveErrorCode, summary: string, detail: string, context: KooDriveErrorContext = {}) {
    const notes = [
      context.attempts !== undefined && context.attempts > 1 ? `after ${context.attempts} attempts` : "",
      context.traceId ? `trace id ${context.traceId}` : "",
    ].filter(Boolean);
    super(
      `${detail ? `${summary}: ${detail}` : summary}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`,
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

/** A class of the errors below: `KooDriveError`s of one `code`, made from a summary, a detail and what is known. */
export interface CodedErrorClass {
  /** An error of the class's code: "summary: detail", with what is known of the exchange. */
  new (summary: string, detail?: string, context?: KooDriveErrorContext): KooDriveError;
}

/** The base of the errors below that take a summary, a detail and what is known: a `KooDriveError` of one `code`. */
function errorWithCode(code: KooDriveErrorCode): CodedErrorClass {
  return class extends KooDriveError {
    constructor(summary: string, detail = "", context: KooDriveErrorContext = {}) {
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

/** A deployment waited for a tenant that another deployment holds longer than `koodrive:lockTimeout` allows. */
export class TenantLockTimeout extends errorWithCode("ERR_KOODRIVE_LOCK_TIMEOUT") {}

/** The engine cancelled the run (Ctrl-C, a cancelled job) while KooDrive was being read, or while waiting for the tenant. */
export class CancelledError extends KooDriveError {
  constructor(summary = "the run was cancelled (Ctrl-C or a cancelled job), so KooDrive was not read", detail = "") {
    super("ERR_KOODRIVE_CANCELLED", summary, detail);
  }
}

/**
 * A failure against a resource's top-level property, and why: what a guard's check reports and its
 * refusal carries, what the adapters send the engine, which shows it against the property.
 */
export interface Failure {
  /** The top-level property: a guard's argument (such as `plannedUsers`), a provider setting, or `""` for the call as a whole. */
  readonly property: string;
  /** Why, in words, naming the figures: what the engine prints against the property. */
  readonly reason: string;
}

/**
 * A guard's plan no longer fits once the tenant is held, at create or update: the guard is not created
 * or updated. `failures` names each argument (`property`) and why, as the check's failures do.
 */
export class GuardRefusal extends KooDriveError {
  /** Each refused argument, and why. */
  readonly failures: readonly Failure[];

  constructor(failures: readonly Failure[]) {
    super(
      "ERR_KOODRIVE_GUARD_REFUSED",
      "the plan exceeds capacity",
      failures.map((failure) => failure.reason).join("; "),
    );
    this.failures = failures;
  }
}

/** The state holds a resource this version of pulumi-koodrive cannot handle (one written by a newer version). */
export class UnsupportedStateError extends errorWithCode("ERR_KOODRIVE_UNSUPPORTED_STATE") {}

/**
 * The Pulumi program uses the package in a way it cannot accept (two `getServiceUsage` calls that would
 * record under one name). Pulumi's runtime prints it as it prints its own `RunError`: the message, no
 * stack (it recognizes the `__pulumiRunError` mark, in every supported `@pulumi/pulumi`).
 */
export class ProgramError extends errorWithCode("ERR_KOODRIVE_PROGRAM") {
  /** The mark by which `@pulumi/pulumi`'s `RunError.isInstance` knows an error to print without a stack. */
  readonly __pulumiRunError = true;
}

/**
 * The policy pack's config does not parse: the message names the policy and every offending key. It
 * fails the run whatever the policy's enforcement level. CrossGuard prints a failed policy's stack:
 * this one's is its message alone, since the fault is in the config file, not the code.
 */
export class PolicyConfigError extends KooDriveError {
  constructor(policy: string, problems: string) {
    super(
      "ERR_KOODRIVE_POLICY_CONFIG",
      `policy config of ${policy}`,
      `${problems}; fix it in the file given to --policy-pack-config`,
    );
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** A command line (`koodrive-usage`, `koodrive-sim`) that cannot be used; the message names the flag and what to do. */
export class InvocationError extends errorWithCode("ERR_KOODRIVE_INVOCATION") {}

/** A simulator fixture that cannot be used; the message names the file (or source) and the bad key. */
export class FixtureError extends errorWithCode("ERR_KOODRIVE_FIXTURE") {}

/** The simulator's control API (`setUsage`, `fail`) was given something it cannot use; the message names the key. */
export class SimulatorInputError extends errorWithCode("ERR_KOODRIVE_SIMULATOR_INPUT") {}

/** Something pulumi-koodrive itself got wrong (a broken invariant): a bug to report, with the message. */
export class InternalError extends KooDriveError {
  constructor(summary: string) {
    super("ERR_KOODRIVE_INTERNAL", summary, "this is a bug in pulumi-koodrive; please report it with this message");
  }
}

/**
 * This provider process held a tenant's lease and lost it, or the lease would end sooner than the
 * work about to be done: its renewals failed for a whole lease term (the lock server unreachable),
 * or the lease was found taken or gone. What the deployment does to the tenant from then on is not
 * serialized with other deployments, so every guard of the tenant fails from then on.
 */
export class TenantLeaseLost extends errorWithCode("ERR_KOODRIVE_LEASE_LOST") {}

/**
 * Two reads under one `tenant` name answered two different KooDrive tenant ids: the name joins the
 * ledgers and locks of one tenant, so it cannot cover two. The run fails, naming both endpoints,
 * before either tenant's guards admit anything under the other's name.
 */
export class TenantMismatchError extends errorWithCode("ERR_KOODRIVE_TENANT_MISMATCH") {}

/** KooDrive has no such user or space (its code 13000309 "resource does not exist" or 13000301 "space does not exist"). */
export class NotFoundError extends errorWithCode("ERR_KOODRIVE_NOT_FOUND") {}

/** KooDrive refused an add because the user (or the department's space) exists already; nothing was added. */
export class AlreadyExistsError extends errorWithCode("ERR_KOODRIVE_ALREADY_EXISTS") {}

/** KooDrive refused to add a user because every subscribed seat is taken; nothing was added. */
export class SeatLimitError extends errorWithCode("ERR_KOODRIVE_SEAT_LIMIT") {}

/** KooDrive refused a space or a growth because the pool cannot hold it (code 13000311 "insufficient space"); nothing changed. */
export class InsufficientSpaceError extends errorWithCode("ERR_KOODRIVE_INSUFFICIENT_SPACE") {}

/**
 * A call that adds (a user, a space) could not be confirmed: its answer was lost or unclear (a timeout
 * after sending, a reset, a 5xx, a cut-off answer) and reading back did not find what it added, or
 * KooDrive said it added but reading back failed. `added` is `"yes"` when KooDrive answered success,
 * `"unknown"` when it may or may not have; the add was not sent again, so it was never made twice.
 * Read the user or space before adding it again. `cause` is the failure that made the outcome unclear.
 */
export class UnconfirmedAddError extends KooDriveError {
  /** Whether KooDrive said it added: `"yes"`, or `"unknown"` when its answer was lost or unclear. */
  readonly added: "yes" | "unknown";

  constructor(added: "yes" | "unknown", summary: string, detail: string, context: KooDriveErrorContext = {}) {
    super("ERR_KOODRIVE_UNCONFIRMED_ADD", summary, detail, context);
    this.added = added;
  }
}

/**
 * A `User` whose personal spaces store data, or a `Space` that stores data, was not deleted: KooDrive's
 * delete removes the data with it. The message names how much data; `forceDestroy: true` deletes it
 * all the same. Also a `Space` not shrunk below the data it stores (the message names both figures).
 */
export class StoresDataError extends errorWithCode("ERR_KOODRIVE_STORES_DATA") {}

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
