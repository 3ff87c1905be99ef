import { once } from "node:events";
import { connect } from "node:net";
import { request } from "undici";
import { DEMO_TOKEN } from "../../sim";

/** The demo token, as an Authorization header. */
export const TOKEN_AUTH = { authorization: `Bearer ${DEMO_TOKEN}` };

/** A finished exchange with the simulator. */
export interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: unknown;
}

/** Sends a request to `base + path` and reads the whole answer. */
export async function call(
  base: string,
  path: string,
  options: {
    method?: "GET" | "POST" | "PUT" | "DELETE";
    headers?: Record<string, string>;
    body?: string;
    signal?: AbortSignal;
  } = {},
): Promise<Exchange> {
  const response = await request(`${base}${path}`, {
    method: options.method ?? "GET",
    headers: options.headers ?? {},
    body: options.body,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

/** Sends a JSON body. */
export function post(
  base: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = TOKEN_AUTH,
  method: "POST" | "PUT" = "POST",
  signal?: AbortSignal,
): Promise<Exchange> {
  return call(base, path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

/** The paths of the simulated endpoints. */
export const PATHS = {
  quotaUsed: "/koodrive/ose/v1/service/quotaUsed",
  service: "/koodrive/ose/v1/service",
  users: "/koodrive/ose/v1/users",
  userCount: "/koodrive/ose/v1/users/count",
  space: (ownerId: string) => `/koodrive/ose/v1/space/${ownerId}`,
} as const;

/** A valid add-user body. */
export const ADD_USER_BODY = { userId: "200000000000000001", modifyUserInfoReq: { deptId: 1, role: 0 } };

/**
 * Sends a request head, then `bodyBytes` of body in 64 KiB chunks over a raw socket, stopping early once the
 * server answers or closes. Returns what came back and how many body bytes were handed to the socket.
 */
export async function rawUpload(
  base: string,
  head: string,
  bodyBytes: number,
): Promise<{ response: string; written: number }> {
  const { hostname, port } = new URL(base);
  const socket = connect({ host: hostname, port: Number(port) });
  await once(socket, "connect");
  let response = "";
  let ended = false;
  socket.on("data", (chunk: Buffer) => {
    response += chunk.toString("latin1");
  });
  const closed = new Promise<void>((resolve) => {
    socket.once("close", () => {
      ended = true;
      resolve();
    });
    socket.on("error", () => {});
  });
  socket.write(head);
  const chunk = Buffer.alloc(64 * 1024, "x");
  let written = 0;
  while (written < bodyBytes && response === "" && !ended) {
    const piece = chunk.subarray(0, Math.min(chunk.length, bodyBytes - written));
    written += piece.length;
    if (!socket.write(piece)) await Promise.race([once(socket, "drain").catch(() => undefined), closed]);
  }
  socket.end();
  await closed;
  return { response, written };
}
