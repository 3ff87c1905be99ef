import type { IncomingMessage, ServerResponse } from "node:http";
import { NetworkError } from "../provider/client/errors";
import { authenticate, authModeOf, type Credentials } from "./auth";
import { CONTROL_PREFIX, handleControl, type SimulatorCore } from "./control";
import { type EndpointRoute, matchRoute, pathParams } from "./endpoints";
import { faultReply } from "./faults";
import type { RequestLogEntry } from "./recorder";
import { ERROR_CODES, errorReply, type Reply } from "./replies";

/** Bodies larger than this are refused with 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

// setTimeout fires at once for delays above 2^31-1 ms, so a "never answer" delay is capped there (~24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Reads the whole body; undefined as soon as it is known to be larger than {@link MAX_BODY_BYTES} (from
 * Content-Length, or once that many bytes have arrived), without reading or keeping any more of it.
 */
function readBody(request: IncomingMessage): Promise<string | undefined> {
  if (Number(request.headers["content-length"]) > MAX_BODY_BYTES) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      request.off("data", onData);
      request.pause();
      chunks.length = 0;
      resolve(undefined);
    };
    request.on("data", onData);
    request.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.once("error", reject);
    request.once("close", () => reject(new NetworkError("the client closed the connection before the body ended")));
  });
}

/** 413, closing the connection afterwards so the rest of the body is never read. */
const TOO_LARGE: Reply = {
  ...errorReply(413, ERROR_CODES.payloadTooLarge, `the body is larger than ${MAX_BODY_BYTES} bytes`),
  headers: { connection: "close" },
};

/** The reply's headers, with a `Date` from the simulator's clock rather than the machine's. */
function headersOf(reply: Reply, contentLength: number, now: Date): Record<string, string | number> {
  return {
    date: now.toUTCString(),
    "content-type": reply.contentType,
    "content-length": contentLength,
    ...reply.headers,
  };
}

function sendWhole(response: ServerResponse, reply: Reply, now: Date, entry?: RequestLogEntry): void {
  if (entry) entry.status = reply.status;
  response.writeHead(reply.status, headersOf(reply, Buffer.byteLength(reply.body), now));
  response.end(reply.body);
}

/** Sends the headers with the full Content-Length and only the first half of the body, then drops the socket. */
function sendTruncated(response: ServerResponse, reply: Reply, now: Date, entry: RequestLogEntry): void {
  entry.status = reply.status;
  const body = Buffer.from(reply.body, "utf8");
  response.writeHead(reply.status, headersOf(reply, body.length, now));
  response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.destroy());
}

/** Waits `ms`; false when the connection closed first (then there is nobody left to answer). */
function wait(ms: number, response: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(
      () => {
        response.off("close", onClose);
        resolve(true);
      },
      Math.min(ms, MAX_TIMER_MS),
    );
    response.once("close", onClose);
  });
}

/** The simulator's HTTP request listener: control paths, then the simulated API with faults and authentication. */
export function createRequestHandler(core: SimulatorCore, credentials: Credentials) {
  const send = (response: ServerResponse, reply: Reply, entry?: RequestLogEntry) =>
    sendWhole(response, reply, core.clock.now(), entry);

  function answer(route: EndpointRoute, request: IncomingMessage, pathname: string, rawBody: string): Reply {
    const failure = authenticate(
      { method: request.method ?? "GET", target: request.url ?? "/", headers: request.headers, body: rawBody },
      credentials,
      core.clock.now(),
    );
    if (failure) return errorReply(401, ERROR_CODES.unauthorized, `authentication failed: ${failure}`);
    const target = request.url ?? "/";
    const query = new URLSearchParams(target.includes("?") ? target.slice(target.indexOf("?") + 1) : "");
    return route.handle({
      rawBody,
      tenant: core.tenant,
      directory: core.directory,
      params: pathParams(route, pathname),
      query,
    });
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? "GET";
    const target = request.url ?? "/";
    const pathname = target.split("?", 1)[0] ?? target;
    const rawBody = await readBody(request);
    if (pathname.startsWith(CONTROL_PREFIX)) {
      send(response, rawBody === undefined ? TOO_LARGE : handleControl(core, method, pathname, rawBody));
      return;
    }
    const match = matchRoute(method, pathname);
    const traceId = request.headers["x-traceid"];
    const entry = core.recorder.begin({
      method,
      path: pathname,
      authMode: authModeOf(request.headers.authorization),
      ...(typeof traceId === "string" ? { traceId } : {}),
      ...(match.route ? { endpoint: match.route.name } : {}),
    });
    if (rawBody === undefined) {
      send(response, TOO_LARGE, entry);
      return;
    }
    if (!match.route) {
      send(response, match.reply, entry);
      return;
    }
    const fault = core.faults.take(match.route.name);
    if (fault) entry.fault = fault.kind;
    switch (fault?.kind) {
      case "reset":
        response.destroy();
        return;
      case "status":
      case "html":
      case "data":
        send(response, faultReply(fault, match.route.payloadKey), entry);
        return;
      case "delay":
        if (!(await wait(fault.ms, response))) return;
        break;
    }
    const reply = answer(match.route, request, pathname, rawBody);
    if (fault?.kind === "slowAnswer" && !(await wait(fault.ms, response))) return;
    if (fault?.kind === "truncate") sendTruncated(response, reply, core.clock.now(), entry);
    else send(response, reply, entry);
  }

  return (request: IncomingMessage, response: ServerResponse): void => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent || response.destroyed) {
        response.destroy();
        return;
      }
      send(response, errorReply(500, ERROR_CODES.innerServerError, `simulator error: ${(error as Error).message}`));
    });
  };
}
