import { createHash, createHmac } from "node:crypto";

/** The signing algorithm KooDrive's app authentication uses; it opens the Authorization header. */
export const SIGNING_ALGORITHM = "HMAC-SHA256";

/** The headers an app-signed request must sign, at the least. */
export const REQUIRED_SIGNED_HEADERS = ["host", "x-date", "x-user-id"] as const;

/** What a signature covers. */
export interface SignableRequest {
  /** HTTP method, any case. */
  method: string;
  /** The full request URL; its host (with a non-default port) is the signed Host header. */
  url: URL;
  /** Headers to sign by name (any case), e.g. host, x-date, x-user-id. */
  headers: Readonly<Record<string, string>>;
  /** Request body; empty for GET. */
  body?: string;
}

/** The credentials of an app. */
export interface AppCredentials {
  appId: string;
  appSecret: string;
  /** The user id the app acts as (X-User-Id). */
  userId: string;
}

const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** RFC 3986 percent-encoding: everything but A-Z a-z 0-9 - _ . ~ is encoded (space as %20). */
function rfc3986Encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The absolute path with each segment RFC 3986 encoded and a trailing `/` added when missing. */
export function canonicalUri(pathname: string): string {
  const encoded = pathname
    .split("/")
    .map((segment) => rfc3986Encode(decodeSegment(segment)))
    .join("/");
  const absolute = encoded.startsWith("/") ? encoded : `/${encoded}`;
  return absolute.endsWith("/") ? absolute : `${absolute}/`;
}

/** Compares by Unicode code point, as Python compares strings (UTF-16 order differs above U+FFFF). */
function byCodePoint(a: string, b: string): number {
  const left = Array.from(a, (char) => char.codePointAt(0) ?? 0);
  const right = Array.from(b, (char) => char.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

/**
 * Query parameters sorted by name, then value, as decoded (as Huawei Cloud's own SDK signer sorts
 * them: `a=1&a-=2`), then `name=value` percent-encoded, joined by `&`.
 */
export function canonicalQueryString(params: URLSearchParams): string {
  return [...params]
    .sort(([a, av], [b, bv]) => byCodePoint(a, b) || byCodePoint(av, bv))
    .map(([name, value]) => `${rfc3986Encode(name)}=${rfc3986Encode(value)}`)
    .join("&");
}

function normalizedHeaders(headers: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value.trim()]));
}

/** The canonical request of the API notes: method, URI, query, headers, signed header names, payload hash. */
export function canonicalRequest(request: SignableRequest): { text: string; signedHeaders: string } {
  const headers = normalizedHeaders(request.headers);
  const names = [...headers.keys()].sort();
  const canonicalHeaders = names.map((name) => `${name}:${headers.get(name)}\n`).join("");
  const signedHeaders = names.join(";");
  const text = [
    request.method.toUpperCase(),
    canonicalUri(request.url.pathname),
    canonicalQueryString(request.url.searchParams),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(request.body ?? ""),
  ].join("\n");
  return { text, signedHeaders };
}

/** `HMAC-SHA256\n` + hex SHA-256 of the canonical request. */
function stringToSign(canonicalRequestText: string): string {
  return `${SIGNING_ALGORITHM}\n${sha256Hex(canonicalRequestText)}`;
}

/** Lowercase hex HMAC-SHA256 of the string to sign, keyed with the app secret. */
export function signature(appSecret: string, canonicalRequestText: string): string {
  return createHmac("sha256", appSecret).update(stringToSign(canonicalRequestText), "utf8").digest("hex");
}

/** Formats a time as X-Date wants it: UTC `YYYYMMDDTHHMMSSZ`. */
function formatXDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** Parses an X-Date value; undefined when it is not `YYYYMMDDTHHMMSSZ`. */
export function parseXDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return date.getUTCDate() === d && date.getUTCMonth() === mo - 1 ? date : undefined;
}

/** The Authorization value of an app-signed request. */
function authorizationHeader(appId: string, signedHeaders: string, hexSignature: string): string {
  return `${SIGNING_ALGORITHM} AppId=${appId},SignedHeaders=${signedHeaders},Signature=${hexSignature}`;
}

/**
 * Signs a request for app authentication at time `now`: returns the headers to send
 * (Authorization, Host, X-Date, X-User-Id). Call it again for every attempt.
 */
export function signAppRequest(
  request: { method: string; url: URL; body?: string },
  credentials: AppCredentials,
  now: Date = new Date(),
): Record<string, string> {
  const signed = { host: request.url.host, "x-date": formatXDate(now), "x-user-id": credentials.userId };
  const canonical = canonicalRequest({ ...request, headers: signed });
  return {
    authorization: authorizationHeader(
      credentials.appId,
      canonical.signedHeaders,
      signature(credentials.appSecret, canonical.text),
    ),
    ...signed,
  };
}
