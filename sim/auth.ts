import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import {
  canonicalRequest,
  parseXDate,
  REQUIRED_SIGNED_HEADERS,
  SIGNING_ALGORITHM,
  signature,
} from "../provider/client/signing";
import type { AuthMode } from "./recorder";

/** The demo token the simulator accepts when no fixture credentials are given. Not a secret. */
export const DEMO_TOKEN = "demo-token-not-secret";

/** The demo app the simulator accepts when no fixture credentials are given. Not a secret. */
export const DEMO_APP = Object.freeze({
  appId: "demo-app",
  appSecret: "demo-app-secret-not-secret",
  userId: "100000000000000001",
});

/** An app the simulator knows; with `userId`, the app may act only as that user. */
export interface KnownApp {
  /** The app's id, the `AppId` of its signed `Authorization` header. */
  appId: string;
  /** The secret its requests are signed with. */
  appSecret: string;
  /** The one user the app may act as (`X-User-Id`); any user when absent. */
  userId?: string;
}

/** How far X-Date may be from the simulator's clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

/** Compares two strings in constant time (over their SHA-256 digests, so lengths leak nothing either). */
function constantTimeEqual(expectedDigest: Buffer, presented: string): boolean {
  return timingSafeEqual(expectedDigest, digest(presented));
}

// The auth scheme is case-insensitive (RFC 7235), so `bearer x`, `BEARER x` and `Bearer x` all present token x.
const stripBearer = (value: string): string => value.replace(/^bearer /i, "");

/** The credentials a simulator accepts. */
export class Credentials {
  readonly #tokenDigests: Buffer[];
  readonly #apps: Map<string, KnownApp>;

  /** With neither `tokens` nor `apps` given, the demo token and the demo app are accepted (and only then). */
  constructor(given: { tokens?: readonly string[]; apps?: readonly KnownApp[] }) {
    const demo = given.tokens === undefined && given.apps === undefined;
    const tokens = demo ? [DEMO_TOKEN] : (given.tokens ?? []);
    const apps: readonly KnownApp[] = demo
      ? [{ appId: DEMO_APP.appId, appSecret: DEMO_APP.appSecret }]
      : (given.apps ?? []);
    this.#tokenDigests = tokens.map((token) => digest(stripBearer(token)));
    this.#apps = new Map(apps.map((app) => [app.appId, app]));
  }

  /** Whether `token` (with or without `Bearer `, in any case) is known; every known token is compared, in constant time. */
  knowsToken(token: string): boolean {
    const presented = stripBearer(token);
    return this.#tokenDigests.reduce((known, expected) => constantTimeEqual(expected, presented) || known, false);
  }

  /** The app with this id, if known. */
  app(appId: string): KnownApp | undefined {
    return this.#apps.get(appId);
  }
}

/** The authentication mode a request presents, judged by its Authorization header alone. */
export function authModeOf(authorization: string | undefined): AuthMode {
  if (!authorization) return "none";
  return authorization.startsWith(`${SIGNING_ALGORITHM} `) ? "app" : "token";
}

/** The parts of a request that authentication looks at. */
export interface AuthenticatedRequest {
  method: string;
  /** The request target as received (path and query). */
  target: string;
  headers: IncomingHttpHeaders;
  body: string;
}

// Own properties only: a signed header named `constructor` or `__proto__` must not reach Object.prototype.
const headerValue = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  if (!Object.hasOwn(headers, name)) return undefined;
  const value = headers[name];
  if (Array.isArray(value)) return value.join(", ");
  return typeof value === "string" ? value : undefined;
};

function parseAppAuthorization(
  value: string,
): { appId: string; signedHeaders: string[]; signature: string } | undefined {
  const params = new Map(
    value
      .slice(SIGNING_ALGORITHM.length + 1)
      .split(",")
      .filter((part) => part.includes("="))
      .map((part) => {
        const at = part.indexOf("=");
        return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
      }),
  );
  const appId = params.get("AppId");
  const signedHeaders = params.get("SignedHeaders");
  const presented = params.get("Signature");
  if (!appId || !signedHeaders || !presented) return undefined;
  return {
    appId,
    signedHeaders: signedHeaders.split(";").map((name) => name.trim().toLowerCase()),
    signature: presented,
  };
}

function checkAppSignature(request: AuthenticatedRequest, authorization: string, credentials: Credentials, now: Date) {
  const parsed = parseAppAuthorization(authorization);
  if (!parsed) return "malformed HMAC-SHA256 Authorization; expected AppId=...,SignedHeaders=...,Signature=...";
  const app = credentials.app(parsed.appId);
  if (!app) return "unknown app";
  const missing = REQUIRED_SIGNED_HEADERS.filter((name) => !parsed.signedHeaders.includes(name));
  if (missing.length > 0) return `SignedHeaders must include ${missing.join(", ")}`;
  const signed = new Map<string, string>();
  for (const name of parsed.signedHeaders) {
    const value = headerValue(request.headers, name);
    if (value === undefined) return `signed header ${name || "(empty name)"} is not in the request`;
    signed.set(name, value);
  }
  const date = parseXDate(signed.get("x-date")?.trim() ?? "");
  if (!date) return "X-Date is not a UTC time in the form YYYYMMDDTHHMMSSZ";
  if (Math.abs(date.getTime() - now.getTime()) > MAX_CLOCK_SKEW_MS) {
    return "X-Date is more than 15 minutes away from the server clock (stale or future signature)";
  }
  const canonical = canonicalRequest({
    method: request.method,
    url: new URL(request.target, "http://signed.invalid"),
    headers: Object.fromEntries(signed),
    body: request.body,
  });
  if (!constantTimeEqual(digest(signature(app.appSecret, canonical.text)), parsed.signature)) {
    return "signature does not match";
  }
  if (app.userId !== undefined && app.userId !== signed.get("x-user-id")?.trim()) {
    return "this app may not act as the given X-User-Id";
  }
  return undefined;
}

/**
 * Checks a request's credentials as the service does: a known token (with or without `Bearer `, in any case), or an
 * HMAC-SHA256 app signature recomputed from the request. Returns why it failed, or undefined when it passed;
 * the reason never contains a secret or the presented credential.
 */
export function authenticate(request: AuthenticatedRequest, credentials: Credentials, now: Date): string | undefined {
  const authorization = headerValue(request.headers, "authorization");
  switch (authModeOf(authorization)) {
    case "none":
      return "missing Authorization header";
    case "token":
      return credentials.knowsToken(authorization ?? "") ? undefined : "unknown token";
    case "app":
      return checkAppSignature(request, authorization ?? "", credentials, now);
  }
}
