// An app-auth signer written from the API notes (/work/shared/koodrive-api.md), deliberately independent of
// sdk/signing.ts: the simulator verifies with the SDK's code, so a misreading shared by both would pass
// unnoticed if the tests signed with it too.
import { createHash, createHmac } from "node:crypto";

const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** RFC 3986: only A-Z a-z 0-9 - _ . ~ stay as they are. */
function percentEncode(text: string): string {
  return [...Buffer.from(text, "utf8")]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
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
  const names = Object.keys(all)
    .map((name) => name.toLowerCase())
    .filter((name) => !input.unsigned?.includes(name))
    .sort();
  const path = url.pathname
    .split("/")
    .map((segment) => percentEncode(decodeURIComponent(segment)))
    .join("/");
  const query = [...url.searchParams]
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .sort()
    .join("&");
  const canonical = [
    input.method.toUpperCase(),
    path.endsWith("/") ? path : `${path}/`,
    query,
    names.map((name) => `${name}:${(all[name] ?? "").trim()}\n`).join(""),
    names.join(";"),
    sha256Hex(input.body ?? ""),
  ].join("\n");
  const signature = createHmac("sha256", input.appSecret)
    .update(`HMAC-SHA256\n${sha256Hex(canonical)}`, "utf8")
    .digest("hex");
  return {
    ...sent,
    authorization: `HMAC-SHA256 AppId=${input.appId},SignedHeaders=${names.join(";")},Signature=${signature}`,
  };
}
