import type { z } from "zod";
import {
  AlreadyExistsError,
  AuthenticationError,
  InsufficientSpaceError,
  InvalidResponseError,
  type KooDriveError,
  type KooDriveErrorContext,
  NotFoundError,
  SeatLimitError,
  ServiceError,
} from "./errors";
import { KOODRIVE_CODES } from "./koodrive-codes";
import type { QuotaUsedData } from "./quota-used";
import { serverText } from "./redact";
import type { SubscriptionData } from "./subscription";
import type { Validator } from "./validation";
import { envelopeValidator, quotaUsedDataValidator, subscriptionDataValidator } from "./validators";
import { describeIssues } from "./zod-issues";

/** What came back from one attempt. */
export interface RawAnswer {
  status: number;
  contentType: string;
  /** The body, at most 1 MB of it. */
  body: string;
  /** True when the body was longer than what was read. */
  truncated?: boolean;
  /** The Location header, "" when absent. */
  location?: string;
  /** The Date header: the server's clock when it answered, "" when absent. */
  date?: string;
}

function describeValue(value: unknown): string {
  if (typeof value === "number" && !Number.isFinite(value)) return `got ${value}, a number out of range`;
  const text = serverText(JSON.stringify(value) ?? String(value), 1_000);
  return `got ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

function looksLikeHtml(answer: RawAnswer): boolean {
  return /html/i.test(answer.contentType) || /^\s*</.test(answer.body);
}

function parseJson(answer: RawAnswer, context: KooDriveErrorContext): unknown {
  if (answer.truncated) {
    throw new InvalidResponseError(
      "answer too large",
      `KooDrive answered HTTP ${answer.status} with a body over 1 MB, which no KooDrive answer is; check the endpoint`,
      context,
    );
  }
  if (answer.body.trim() === "") {
    throw new InvalidResponseError(
      "empty response",
      `KooDrive answered HTTP ${answer.status} with an empty body`,
      context,
    );
  }
  if (looksLikeHtml(answer)) {
    throw new InvalidResponseError(
      "HTML instead of JSON",
      `KooDrive answered HTTP ${answer.status} with an HTML page (a proxy or gateway error page?); check the endpoint`,
      context,
    );
  }
  try {
    return JSON.parse(answer.body);
  } catch {
    throw new InvalidResponseError(
      "malformed JSON",
      `the HTTP ${answer.status} body is not valid JSON (${answer.body.length} bytes, cut off or not JSON)`,
      context,
    );
  }
}

/**
 * Reads an error answer (any status but 2xx) into the matching error. Only called once retries
 * are over or not allowed.
 */
export function errorFromAnswer(answer: RawAnswer, context: KooDriveErrorContext, gaveUp?: string): Error {
  let koodrive: { code?: number | string; msg?: string } = {};
  try {
    const envelope = envelopeValidator.outputOf(JSON.parse(answer.body));
    if (envelope) {
      const { code, msg } = envelope;
      koodrive = { code: typeof code === "string" ? serverText(code, 100) : code };
      if (msg !== undefined) koodrive.msg = serverText(msg);
    }
  } catch {
    // Not JSON (or nested beyond the stack): the status alone has to do.
  }
  const withCode: KooDriveErrorContext = { ...context, status: answer.status };
  if (koodrive.code !== undefined) withCode.koodriveCode = koodrive.code;
  if (koodrive.msg !== undefined) withCode.koodriveMsg = koodrive.msg;
  const said =
    koodrive.code !== undefined
      ? `KooDrive code ${koodrive.code}: ${koodrive.msg ?? "(no msg)"}`
      : "no KooDrive error body";
  const retry = gaveUp ?? "retries are used up, try again later";
  if (answer.status >= 300 && answer.status < 400) {
    const where = answer.location ? `to ${serverText(answer.location, 200)}` : "without saying where";
    return new ServiceError(
      "KooDrive redirected",
      `HTTP ${answer.status} ${where}; requests are not sent on to other hosts, so set the endpoint to where the service really is`,
      withCode,
    );
  }
  if (answer.status === 401 || answer.status === 403) {
    return new AuthenticationError(
      "authentication failed",
      `HTTP ${answer.status}, ${said}; check the access token (it expires after 20 idle minutes) or the app id, secret and user id`,
      withCode,
    );
  }
  if (answer.status === 429) {
    return new ServiceError("rate limited", `HTTP 429, ${said}; ${retry}`, withCode);
  }
  if (answer.status < 500 && koodrive.code !== undefined) {
    const known = knownRefusal(koodrive.code, `KooDrive returned HTTP ${answer.status}`, said, withCode);
    if (known) return known;
  }
  return new ServiceError(`KooDrive returned HTTP ${answer.status}`, gaveUp ? `${said}; ${gaveUp}` : said, withCode);
}

/**
 * The error of a KooDrive refusal the client knows by its code (koodrive-codes.ts): not found, already
 * exists, no seat left, insufficient space; undefined for any other code.
 */
function knownRefusal(
  code: number | string,
  summary: string,
  detail: string,
  context: KooDriveErrorContext,
): KooDriveError | undefined {
  switch (Number(code)) {
    case KOODRIVE_CODES.resourceNotFound:
    case KOODRIVE_CODES.spaceNotFound:
      return new NotFoundError(summary, detail, context);
    case KOODRIVE_CODES.alreadyExists:
      return new AlreadyExistsError(summary, detail, context);
    case KOODRIVE_CODES.userLimitReached:
      return new SeatLimitError(summary, detail, context);
    case KOODRIVE_CODES.insufficientSpace:
      return new InsufficientSpaceError(summary, detail, context);
    default:
      return undefined;
  }
}

/** Parses a 2xx quotaUsed answer: the envelope, `code == 0`, and the 17 fields of `data`. */
export function parseQuotaUsedAnswer(answer: RawAnswer, context: KooDriveErrorContext): QuotaUsedData {
  return parseDataAnswer(answer, context, quotaUsedDataValidator, "quotaUsed");
}

/** Parses a 2xx subscription answer (`GET /koodrive/ose/v1/service`): the envelope, `code == 0`, and `data`. */
export function parseSubscriptionAnswer(answer: RawAnswer, context: KooDriveErrorContext): SubscriptionData {
  const data = parseDataAnswer(answer, context, subscriptionDataValidator, "subscription");
  if (data.tenantId.trim() === "") {
    throw new InvalidResponseError("unexpected response", "data.tenantId is empty", {
      ...context,
      status: answer.status,
    });
  }
  return data;
}

/** Parses a 2xx answer whose `data` the validator reads; `what` names the answer in messages. */
export function parseDataAnswer<T>(
  answer: RawAnswer,
  context: KooDriveErrorContext,
  validator: Validator<z.ZodType<T>>,
  what: string,
): T {
  return withinDepth(answer, context, what, () => parseData(answer, context, validator));
}

/**
 * Parses a 2xx answer's envelope alone (a change, a delete, an add whose answer may or may not carry
 * `data`): `code` must be 0, a known refusal is thrown as its error. Returns `data` unread.
 */
export function parseCodeAnswer(answer: RawAnswer, context: KooDriveErrorContext, what: string): unknown {
  return withinDepth(answer, context, what, () => readEnvelope(answer, context).data);
}

/** Runs `read`, saying so when the answer is nested too deeply for JSON.parse or a check (a RangeError). */
function withinDepth<T>(answer: RawAnswer, context: KooDriveErrorContext, what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new InvalidResponseError(
      "unexpected response",
      `the answer is nested too deeply to read, which no ${what} answer is`,
      { ...context, status: answer.status },
    );
  }
}

/** The envelope of a 2xx answer whose `code` is 0; a non-zero code is thrown as the refusal it is. */
function readEnvelope(answer: RawAnswer, context: KooDriveErrorContext): { data?: unknown } {
  const withStatus = { ...context, status: answer.status };
  const json = parseJson(answer, withStatus);
  const envelope = envelopeValidator.safeParse(json);
  if (!envelope.success) {
    throw new InvalidResponseError(
      "unexpected response",
      `not a KooDrive envelope: ${describeIssues(envelope.error, { root: json, show: describeValue })}`,
      withStatus,
    );
  }
  const { code, msg, data } = envelope.data;
  if (String(code) !== "0") {
    const shownCode = typeof code === "string" ? serverText(code, 100) : code;
    const shownMsg = serverText(msg ?? "");
    const refused = { ...withStatus, koodriveCode: shownCode, koodriveMsg: shownMsg };
    const summary = `KooDrive error ${shownCode}`;
    throw (
      knownRefusal(shownCode, summary, shownMsg || "(no msg)", refused) ??
      new ServiceError(summary, shownMsg || "(no msg)", refused)
    );
  }
  return { data };
}

function parseData<T>(answer: RawAnswer, context: KooDriveErrorContext, validator: Validator<z.ZodType<T>>): T {
  const withStatus = { ...context, status: answer.status };
  const { data } = readEnvelope(answer, context);
  if (data === undefined || data === null) {
    throw new InvalidResponseError("unexpected response", "code is 0 but data is missing", withStatus);
  }
  const parsed = validator.safeParse(data);
  if (!parsed.success) {
    throw new InvalidResponseError(
      "unexpected response",
      describeIssues(parsed.error, { prefix: "data", root: data, show: describeValue }),
      withStatus,
    );
  }
  return parsed.data;
}
