import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { DOCUMENTED_EXAMPLE } from "../../provider/client/quota-used";

/** A request as the test server received it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** `performance.now()` when it arrived. */
  receivedAt: number;
}

/** How the server answers one request. */
export type Responder = (request: IncomingMessage, response: ServerResponse) => void;

/** A running test server. */
export interface LoopbackServer {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  requests: RecordedRequest[];
  /** Stops listening and drops every connection, hanging ones included. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1, port 0. The n-th request gets `responders[n]`; once they run out,
 * the last one answers every further request.
 */
export async function startLoopbackServer(...responders: Responder[]): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    requests.push({
      method: request.method ?? "",
      url: request.url ?? "",
      headers: request.headers,
      receivedAt: performance.now(),
    });
    const responder = responders[Math.min(requests.length, responders.length) - 1];
    if (!responder) throw new Error("startLoopbackServer needs at least one responder");
    responder(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A base URL nothing listens on: a port that was free a moment ago. */
export async function refusedUrl(): Promise<string> {
  const server = await startLoopbackServer(() => undefined);
  await server.close();
  return server.url;
}

/** Answers with `body` as sent, with this status and content type. */
export function raw(status: number, body: string, headers: Record<string, string> = {}): Responder {
  return (_request, response) => {
    response.writeHead(status, { "content-type": "application/json", ...headers });
    response.end(body);
  };
}

/** Answers with `value` as JSON. */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): Responder {
  return raw(status, JSON.stringify(value), headers);
}

/** A KooDrive success envelope around `data` (the documented example by default). */
function quotaUsedEnvelope(data: unknown = DOCUMENTED_EXAMPLE): { code: 0; msg: string; data: unknown } {
  return { code: 0, msg: "success", data };
}

/** HTTP 200 with the success envelope around `data`. */
export function quotaUsed(data?: unknown): Responder {
  return json(200, quotaUsedEnvelope(data));
}

/** A KooDrive error envelope with this status. */
export function koodriveError(status: number, code: number, msg: string, headers?: Record<string, string>): Responder {
  return json(status, { code, msg }, headers);
}

/** Never answers. */
export const hang: Responder = () => undefined;

/** Drops the connection without an answer. */
export const resetConnection: Responder = (request) => request.socket.destroy();

/** Sends the headers with the full Content-Length and half the body, then drops the connection. */
export const cutOffBody: Responder = (_request, response) => {
  const body = Buffer.from(JSON.stringify(quotaUsedEnvelope()));
  response.writeHead(200, { "content-type": "application/json", "content-length": body.length });
  response.write(body.subarray(0, body.length / 2), () => response.destroy());
};
