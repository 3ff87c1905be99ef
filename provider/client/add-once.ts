/**
 * Calls that add (a user, a space) and cannot add twice. The add is sent again only when it was never
 * sent (the connection was refused, the host not found: `neverSent`); any other failure is either
 * KooDrive's clear refusal (a 4xx answer, a non-zero code), reported as it is, or unclear (a timeout
 * after sending, a reset, a 5xx, a cut-off or unreadable answer), after which what the add would have
 * made is read back before anything else, and the call reports what it found.
 */
import {
  InvalidResponseError,
  isKooDriveError,
  type KooDriveError,
  type KooDriveErrorContext,
  NetworkError,
  TimeoutError,
  UnconfirmedAddError,
} from "./errors";

/** What an add made, as KooDrive holds it now, and how that is known. */
export interface Added<T> {
  /** The user or space, as read from KooDrive after the add. */
  record: T;
  /**
   * `answer`: KooDrive answered the add with success. `read-back`: its answer was lost or unclear (the
   * failure is in `unclear`), and reading back found what the add makes.
   */
  confirmedBy: "answer" | "read-back";
  /** The failure that made the outcome unclear, when `confirmedBy` is `read-back`. */
  unclear?: KooDriveError;
}

/** The connection errors that happen before a request is written: a request that met one was never sent. */
const NEVER_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]);

function causeCode(error: unknown): string | undefined {
  const own = (error as { code?: unknown } | undefined)?.code;
  if (typeof own === "string") return own;
  const nested = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof nested === "string" ? nested : undefined;
}

/** True when the request never left: the connection was refused or never made, so sending it again cannot add twice. */
export function neverSent(error: KooDriveError): boolean {
  const code = causeCode((error as { cause?: unknown }).cause);
  return error instanceof NetworkError && code !== undefined && NEVER_SENT_CODES.has(code);
}

/**
 * True when a failed add may have been made: a timeout, a broken connection or a cut-off answer after
 * sending, a 5xx, or a 2xx that could not be read. False for KooDrive's clear refusals (a 3xx or 4xx
 * answer, a 2xx with a non-zero code) and for requests never sent.
 */
export function isUnclear(error: unknown): error is KooDriveError {
  if (!isKooDriveError(error)) return false;
  if (error instanceof NetworkError) return !neverSent(error);
  if (error instanceof TimeoutError || error instanceof InvalidResponseError) return true;
  return error.status !== undefined && error.status >= 500;
}

/** The steps of one add. */
export interface AddSteps<T> {
  /** What is added, for messages: `user 1001`, `a 10 GB personal space of 1001`. */
  what: string;
  /** Sends the add (sent again only when never sent); resolves with its answer's `data`, unread. */
  send(): Promise<unknown>;
  /** After KooDrive answered success: the record (from the answer's data, or read back); undefined when none is found. */
  confirm(data: unknown): Promise<T | undefined>;
  /** After an unclear failure: the record the add would have made, read back; undefined when there is none. */
  readBack(): Promise<T | undefined>;
}

/** The trace id and KooDrive's code of the add's own failure, for the error that reports it. */
const contextOf = (error: KooDriveError): KooDriveErrorContext => ({
  ...(error.traceId === undefined ? {} : { traceId: error.traceId }),
  ...(error.status === undefined ? {} : { status: error.status }),
  ...(error.koodriveCode === undefined ? {} : { koodriveCode: error.koodriveCode }),
  cause: error,
});

/** Runs an add that cannot add twice: see the module's doc. */
export async function addOnce<T>(steps: AddSteps<T>): Promise<Added<T>> {
  let data: unknown;
  try {
    data = await steps.send();
  } catch (error) {
    if (!isUnclear(error)) throw error;
    return { record: await readBackAfter(error, steps), confirmedBy: "read-back", unclear: error };
  }
  let record: T | undefined;
  try {
    record = await steps.confirm(data);
  } catch (readError) {
    throw new UnconfirmedAddError(
      "yes",
      `KooDrive added ${steps.what}, but it cannot be read back`,
      `${(readError as Error).message}; read it before adding it again`,
      isKooDriveError(readError) ? contextOf(readError) : { cause: readError },
    );
  }
  if (record === undefined) {
    throw new UnconfirmedAddError(
      "yes",
      `KooDrive answered that it added ${steps.what}, but reading it back found none`,
      "read it again before adding it again",
    );
  }
  return { record, confirmedBy: "answer" };
}

/** An error's summary and detail, without the trace id the error that reports it carries anyway. */
const said = (error: KooDriveError): string => (error.detail ? `${error.summary}: ${error.detail}` : error.summary);

async function readBackAfter<T>(unclear: KooDriveError, steps: AddSteps<T>): Promise<T> {
  const why = `the add's outcome is unclear (${said(unclear)})`;
  let found: T | undefined;
  try {
    found = await steps.readBack();
  } catch (readError) {
    if (readError instanceof UnconfirmedAddError) throw readError;
    throw new UnconfirmedAddError(
      "unknown",
      `cannot tell whether ${steps.what} was added`,
      `${why}, and reading back failed too (${(readError as Error).message}). The add was not sent again; read before adding again`,
      contextOf(unclear),
    );
  }
  if (found === undefined) {
    throw new UnconfirmedAddError(
      "unknown",
      `cannot tell whether ${steps.what} was added`,
      `${why}, and reading back found none. The add was not sent again, but KooDrive may still make it if the request reached it late; read before adding again`,
      contextOf(unclear),
    );
  }
  return found;
}
