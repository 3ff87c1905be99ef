import assert from "node:assert/strict";
import { once } from "node:events";
import { connect } from "node:net";
import fc from "fast-check";
import { request } from "undici";
import { QuotaUsedDataSchema } from "../../provider/client/quota-used-schema";
import { DEMO_APP, DEMO_TOKEN, ENDPOINT_NAMES } from "../../sim";
import { xDate } from "../helpers/app-signature";
import { useSimulator } from "../helpers/simulator";
import { PATHS } from "./http";

// Throws random requests at one simulator, then checks that it still answers correctly. The invariant on
// every answer: no 5xx unless the request used up a configured fault, and never the catch-all "simulator error".

const CONTROL_PATHS = ["/__sim/requests", "/__sim/reset", "/__sim/usage", "/__sim/faults", "/__sim/", "/__sim/x"];
const API_PATHS = [PATHS.quotaUsed, PATHS.users, PATHS.userCount, PATHS.space("o-1"), "/koodrive/ose/v1/space/"];
const PROTOTYPE_KEYS = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "prototype"];
const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
const headerText = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);

const path = fc
  .tuple(
    fc.constantFrom(...CONTROL_PATHS, ...API_PATHS, "/", "/koodrive"),
    fc.constantFrom("", "/", "/x", "%00", "%zz", "?a=1&a=%ff", "?%", "#frag", "/../__sim/usage"),
  )
  .map(([base, tail]) => base + tail);

const authorization = fc.oneof(
  headerText,
  fc.constantFrom("Bearer ", "bearer ", "BEARER ", "", "Basic ").map((scheme) => scheme + DEMO_TOKEN),
  fc
    .array(fc.tuple(fc.constantFrom("AppId", "SignedHeaders", "Signature", ...PROTOTYPE_KEYS, ""), headerText), {
      maxLength: 5,
    })
    .map((parts) => `HMAC-SHA256 ${parts.map(([key, value]) => `${key}=${value}`).join(",")}`),
  fc
    .tuple(
      fc.boolean(),
      fc.array(fc.constantFrom("host", "x-date", "x-user-id", "", ...PROTOTYPE_KEYS), { maxLength: 6 }),
    )
    .map(([required, names]) => [...(required ? ["host", "x-date", "x-user-id"] : []), ...names])
    .map((names) => `HMAC-SHA256 AppId=${DEMO_APP.appId},SignedHeaders=${names.join(";")},Signature=${"0".repeat(64)}`),
);

const fault = fc.oneof(
  fc.record({ kind: fc.constant("status"), status: fc.integer({ min: 200, max: 599 }) }),
  fc.record({ kind: fc.constant("html"), status: fc.integer({ min: 500, max: 599 }) }),
  fc.record({ kind: fc.constant("data"), data: fc.jsonValue() }),
  fc.record({ kind: fc.constantFrom("reset", "truncate") }),
  fc.record({ kind: fc.constant("delay"), ms: fc.integer({ min: 0, max: 5 }) }),
  fc.jsonValue(),
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 200 }),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc
    .record({
      endpoint: fc.oneof(fc.constantFrom(...ENDPOINT_NAMES), fc.string()),
      count: fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constantFrom(1e9, 3e7, 1.5, Number.MAX_SAFE_INTEGER)),
      fault,
    })
    .map((value) => JSON.stringify(value)),
  fc
    .dictionary(fc.constantFrom("userCount", "userMaxCount", "spaceQuotaUsed", ...PROTOTYPE_KEYS), fc.jsonValue())
    .map((value) => JSON.stringify(value)),
);

const anyRequest = fc.record({
  method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND"),
  path,
  authorization: fc.option(authorization, { nil: undefined }),
  headers: fc.dictionary(fc.oneof(token, fc.constantFrom(...PROTOTYPE_KEYS, "x-date", "x-user-id")), headerText, {
    maxKeys: 4,
  }),
  body,
});

/** A control request with a body that may well be valid, so faults and figures really change. */
const controlRequest = fc.record({
  method: fc.constantFrom("POST", "PUT"),
  path: fc.constantFrom("/__sim/faults", "/__sim/usage"),
  authorization: fc.constant(undefined),
  headers: fc.constant({}),
  body,
});

/** An API request whose X-Date and X-User-Id pass, so a malformed signature is parsed all the way. */
const apiRequest = fc.record({
  method: fc.constantFrom("GET", "POST"),
  path: fc.constantFrom(...API_PATHS),
  authorization,
  headers: fc.constant({}).map(() => ({ "x-date": xDate(new Date()), "x-user-id": DEMO_APP.userId })),
  body,
});

const httpRequest = fc.oneof(anyRequest, controlRequest, apiRequest);

/** Raw bytes: pure noise, or a request head bent out of shape followed by noise. */
const rawBytes = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  fc
    .tuple(
      fc.constantFrom("GET", "POST", "PUT", "G\u00e9T", ""),
      path,
      fc.constantFrom("HTTP/1.1", "HTTP/1.0", "HTTP/9.9", ""),
      fc.array(
        fc.oneof(
          fc.constantFrom(
            "content-length: 104857600",
            "content-length: -1",
            "content-length: 5",
            "transfer-encoding: chunked",
            `authorization: Bearer ${DEMO_TOKEN}`,
            "authorization: HMAC-SHA256 AppId=demo-app,SignedHeaders=host;x-date;x-user-id;constructor,Signature=0",
          ),
          headerText.map((text) => `x-${text}`),
        ),
        { maxLength: 5 },
      ),
      fc.uint8Array({ maxLength: 200 }),
    )
    .map(([method, target, version, lines, tail]) =>
      Buffer.concat([Buffer.from(`${method} ${target} ${version}\r\n${lines.join("\r\n")}\r\n\r\n`, "latin1"), tail]),
    ),
);

/** Writes `bytes`, half-closes, and returns everything the server sent until it closed. */
async function rawExchange(base: string, bytes: Uint8Array): Promise<string> {
  const { hostname, port } = new URL(base);
  const socket = connect({ host: hostname, port: Number(port) });
  let received = "";
  socket.on("data", (chunk: Buffer) => {
    received += chunk.toString("latin1");
  });
  socket.on("error", () => {});
  const closed = once(socket, "close");
  socket.end(bytes);
  await closed;
  return received;
}

describe("koodrive-sim under random requests", function () {
  this.timeout(120_000);
  const sim = useSimulator();
  let sent = 0;

  /** The log entry of the request with this trace id, if it reached an API route or 404/405. */
  const logged = (traceId: string) =>
    sim()
      .requestLog()
      .find((entry) => entry.traceId === traceId);

  it("never answers 5xx except for a configured fault, over HTTP and raw sockets, and still serves correctly", async () => {
    await fc.assert(
      fc.asyncProperty(httpRequest, async ({ method, path: target, authorization: auth, headers, body: payload }) => {
        sent += 1;
        const traceId = `fuzz-${sent}`;
        const outgoing: Record<string, string> = { ...headers, "x-traceid": traceId };
        if (auth !== undefined) outgoing.authorization = auth;
        let status: number | undefined;
        let text = "";
        try {
          const response = await request(`${sim().url}${target}`, { method, headers: outgoing, body: payload });
          status = response.statusCode;
          text = await response.body.text();
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code === "UND_ERR_INVALID_ARG") return; // undici refused to send it; the raw arm covers the rest
          const entry = logged(traceId);
          assert.ok(entry?.fault === "reset" || entry?.fault === "truncate", `${method} ${target}: ${code}`);
          return;
        }
        assert.ok(!text.includes("simulator error"), `${method} ${target}: ${text}`);
        if (status >= 500) {
          const entry = logged(traceId);
          assert.ok(entry?.fault !== undefined, `${method} ${target} answered ${status} without a fault: ${text}`);
          assert.equal(entry.status, status);
        }
      }),
      { numRuns: 400 },
    );

    sim().clearFaults();
    await fc.assert(
      fc.asyncProperty(rawBytes, async (bytes) => {
        const received = await rawExchange(sim().url, bytes);
        assert.doesNotMatch(received, /^HTTP\/1\.[01] 5\d\d/m, received);
        assert.ok(!received.includes("simulator error"), received);
      }),
      { numRuns: 300 },
    );

    assert.deepEqual(
      sim()
        .requestLog()
        .filter((entry) => entry.status >= 500 && entry.fault === undefined),
      [],
    );
    sim().clearFaults();
    const quotaUsed = async () => {
      const response = await request(`${sim().url}${PATHS.quotaUsed}`, {
        headers: { authorization: `Bearer ${DEMO_TOKEN}` },
      });
      return { status: response.statusCode, json: (await response.body.json()) as { code: number; data: unknown } };
    };
    const after = await quotaUsed();
    assert.equal(after.status, 200);
    assert.equal(after.json.code, 0);
    assert.deepEqual(after.json.data, sim().usage());
    assert.equal(QuotaUsedDataSchema.safeParse(after.json.data).success, true);
    sim().setUsage({ userCount: 12, userMaxCount: 34 });
    const set = await quotaUsed();
    assert.deepEqual(set.json.data, { ...sim().usage(), userCount: 12, userMaxCount: 34 });
  });
});
