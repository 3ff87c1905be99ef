import assert from "node:assert/strict";
import { inspect } from "node:util";
import { isKooDriveError, type KooDriveError, type KooDriveErrorCode } from "../../provider/client/errors";

/** A token for tests; distinctive, so that any leak of it is found. */
export const TEST_TOKEN = "tok-3f9c81d7e2a64b59-LEAKCHECK";

/** An app for tests; the secret is distinctive, so that any leak of it is found. */
export const TEST_APP = Object.freeze({
  appId: "test-app-7a1e",
  appSecret: "app-secret-c0ffee42b7d9-LEAKCHECK",
  userId: "100000000000000042",
});

const SECRETS = [TEST_TOKEN, TEST_APP.appSecret];

/** Asserts that no test credential appears in `text`. */
export function assertNoSecretIn(text: string, where: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `a secret leaked into ${where}: ${text}`);
}

/** Asserts that no test credential appears in the error's message, JSON form or `util.inspect` output. */
function assertNoSecretInError(error: unknown): void {
  assertNoSecretIn((error as Error).message, "error.message");
  assertNoSecretIn(JSON.stringify(error), "JSON.stringify(error)");
  assertNoSecretIn(inspect(error, { depth: 10 }), "util.inspect(error)");
}

function assertKooDriveError(error: unknown, code: KooDriveErrorCode): KooDriveError {
  assert.ok(isKooDriveError(error), `expected a KooDriveError, got ${inspect(error)}`);
  assert.equal(error.code, code, error.message);
  assertNoSecretInError(error);
  return error;
}

/** Awaits `promise`, asserts that it rejects with a KooDriveError of `code` that leaks no secret, and returns it. */
export async function rejectsWithCode(promise: Promise<unknown>, code: KooDriveErrorCode): Promise<KooDriveError> {
  const error = await promise.then(
    (value) => assert.fail(`expected ${code}, got ${JSON.stringify(value)}`),
    (reason: unknown) => reason,
  );
  return assertKooDriveError(error, code);
}

/** Runs `action`, asserts that it throws a KooDriveError of `code` that leaks no secret, and returns it. */
export function throwsWithCode(action: () => unknown, code: KooDriveErrorCode): KooDriveError {
  try {
    action();
  } catch (error) {
    return assertKooDriveError(error, code);
  }
  return assert.fail(`expected ${code}, nothing was thrown`);
}

/** The ways a server may echo a credential: raw, JSON-escaped, percent-encoded, base64. */
export const SECRET_ENCODINGS: Record<string, (secret: string) => string> = {
  raw: (s) => s,
  jsonUnicode: (s) => [...s].map((c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`).join(""),
  jsonSlash: (s) => s.replace(/\//g, "\\/"),
  percent: (s) => encodeURIComponent(s),
  percentAll: (s) => [...Buffer.from(s)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""),
  base64: (s) => Buffer.from(s).toString("base64"),
  base64Bearer: (s) => Buffer.from(`x:Bearer ${s}`).toString("base64url"),
};

/**
 * More ways a server may echo a credential, which the client redacts too: in hex (either case), or in
 * part, as a server that shortens it for display does (a run of 8 characters or more, raw or in hex;
 * the forms assume a secret of 10 characters or more).
 * Kept apart from SECRET_ENCODINGS, which the engine tests sweep whole states and logs for.
 */
export const SECRET_PARTIAL_ECHOES: Record<string, (secret: string) => string> = {
  hex: (s) => Buffer.from(s).toString("hex"),
  hexUpper: (s) => Buffer.from(s).toString("hex").toUpperCase(),
  suffix: (s) => s.slice(-8),
  infix: (s) => s.slice(1, 10),
  hexInfix: (s) => Buffer.from(s).toString("hex").slice(3, 19),
};
