/**
 * The tests' one reference signer for app authentication, written again from the API notes (as the
 * "Configuration" section of docs/installation-configuration.md restates them) without provider/client/signing.ts, so that the
 * tests check the client and the simulator, which verifies with the client's code, against a second
 * reading of the rules. Query parameters are sorted as Huawei Cloud's own SDK signer sorts them:
 * decoded, by name then value, before encoding (`a=1&a-=2`, not `a-=2&a=1`).
 */
import { createHash, createHmac } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

const UNRESERVED = /^[A-Za-z0-9\-_.~]$/;

/** RFC 3986 encoding, byte by byte over UTF-8: unreserved characters stay, all else becomes %XX (upper case). */
export function percentEncode(text: string): string {
  let encoded = "";
  for (const byte of new TextEncoder().encode(text)) {
    const char = String.fromCharCode(byte);
    encoded += UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return encoded;
}

/** Each segment of an unencoded absolute path encoded, and a trailing `/` added when missing. */
export function expectedCanonicalUri(rawSegments: readonly string[]): string {
  const path = `/${rawSegments.map(percentEncode).join("/")}`;
  return path.endsWith("/") ? path : `${path}/`;
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * `name=value` pairs sorted as decoded, by name then value (UTF-8 byte order, which is code point
 * order), then both encoded, joined by `&`.
 */
export function expectedCanonicalQuery(pairs: readonly (readonly [string, string])[]): string {
  return [...pairs]
    .sort(([a, av], [b, bv]) => byteOrder(a, b) || byteOrder(av, bv))
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join("&");
}

const hex = (text: string) => createHash("sha256").update(text).digest("hex");

/** Leading and trailing spaces and tabs removed: the whitespace HTTP allows around a header value. */
const trimHeader = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, "");

/** The canonical request of the notes, from its parts. */
export function expectedCanonicalRequest(parts: {
  method: string;
  canonicalUri: string;
  canonicalQuery: string;
  headers: Readonly<Record<string, string>>;
  body?: string;
}): string {
  const names = Object.keys(parts.headers).sort((a, b) => byteOrder(a.toLowerCase(), b.toLowerCase()));
  const lines = names.map((name) => `${name.toLowerCase()}:${trimHeader(parts.headers[name] ?? "")}\n`).join("");
  const signed = names.map((name) => name.toLowerCase()).join(";");
  return [
    parts.method.toUpperCase(),
    parts.canonicalUri,
    parts.canonicalQuery,
    lines,
    signed,
    hex(parts.body ?? ""),
  ].join("\n");
}

/** Lowercase hex HMAC-SHA256, keyed with the app secret, of `HMAC-SHA256\n` + hex SHA-256 of the canonical request. */
export function expectedSignature(appSecret: string, canonicalRequestText: string): string {
  return createHmac("sha256", appSecret)
    .update(`HMAC-SHA256\n${hex(canonicalRequestText)}`)
    .digest("hex");
}

const AUTHORIZATION = /^HMAC-SHA256 AppId=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/;

/** Checks an app-signed request as a server would; returns what is wrong, or undefined when it verifies. */
export function verifyAppSignature(
  request: { method: string; url: string; headers: IncomingHttpHeaders },
  app: { appId: string; appSecret: string; userId: string },
  now: Date,
): string | undefined {
  const match = AUTHORIZATION.exec(String(request.headers.authorization));
  if (!match) return `malformed Authorization: ${request.headers.authorization}`;
  const [, appId, signedHeaders, signature] = match;
  if (appId !== app.appId) return `AppId ${appId}`;
  if (signedHeaders !== "host;x-date;x-user-id") return `SignedHeaders ${signedHeaders}`;
  const xDate = String(request.headers["x-date"]);
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(xDate);
  if (!date) return `X-Date ${xDate}`;
  const [, y, mo, d, h, mi, s] = date.map(Number) as number[];
  const sentAt = Date.UTC(y as number, (mo as number) - 1, d, h, mi, s);
  if (Math.abs(now.getTime() - sentAt) > 15 * 60 * 1000) return `X-Date ${xDate} is more than 15 minutes off`;
  if (request.headers["x-user-id"] !== app.userId) return `X-User-Id ${request.headers["x-user-id"]}`;
  const [path = "", query = ""] = request.url.split("?");
  const canonical = expectedCanonicalRequest({
    method: request.method,
    canonicalUri: expectedCanonicalUri(path.slice(1).split("/").map(decodeURIComponent)),
    canonicalQuery: expectedCanonicalQuery([...new URLSearchParams(query)]),
    headers: { host: String(request.headers.host), "x-date": xDate, "x-user-id": app.userId },
  });
  return signature === expectedSignature(app.appSecret, canonical) ? undefined : "signature mismatch";
}

/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function xDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`
  );
}

/** What to sign, and how to spoil it for rejection tests. */
export interface SignInput {
  method: string;
  /** Full URL the request is sent to (its host:port is the signed Host). */
  url: string;
  body?: string;
  appId: string;
  appSecret: string;
  userId: string;
  date: string;
  /** Extra headers to send and sign. */
  extra?: Record<string, string>;
  /** Signed header names to leave out of SignedHeaders (they are still sent). */
  unsigned?: string[];
}

/** The headers of an app-authenticated request (Host is left to the HTTP client, which sends the same value). */
export function signedHeaders(input: SignInput): Record<string, string> {
  const url = new URL(input.url);
  const sent: Record<string, string> = { "x-date": input.date, "x-user-id": input.userId, ...input.extra };
  const all: Record<string, string> = { host: url.host, ...sent };
  const signed = Object.fromEntries(
    Object.entries(all).filter(([name]) => !input.unsigned?.includes(name.toLowerCase())),
  );
  const canonical = expectedCanonicalRequest({
    method: input.method,
    canonicalUri: expectedCanonicalUri(url.pathname.slice(1).split("/").map(decodeURIComponent)),
    canonicalQuery: expectedCanonicalQuery([...url.searchParams]),
    headers: signed,
    body: input.body,
  });
  const names = Object.keys(signed)
    .map((name) => name.toLowerCase())
    .sort(byteOrder)
    .join(";");
  return {
    ...sent,
    authorization: `HMAC-SHA256 AppId=${input.appId},SignedHeaders=${names},Signature=${expectedSignature(input.appSecret, canonical)}`,
  };
}
