import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import fc from "fast-check";
import { DOCUMENTED_EXAMPLE } from "../../provider/client/quota-used";
import { KooDriveClient } from "../../sdk/nodejs/client";
import { useLoopbackClients } from "../helpers/client-fixture";
import { PROXIED_ENDPOINT, startHostileProxy } from "../helpers/hostile-proxies";
import { refusedUrl } from "../helpers/loopback-server";
import {
  rejectsWithCode,
  SECRET_ENCODINGS,
  SECRET_PARTIAL_ECHOES,
  TEST_TOKEN,
  throwsWithCode,
} from "../helpers/secrets";

const DEADLINE_MS = 1_500;
/** Room for the event loop beyond the deadline; only an upper bound, as the deadline is the documented limit. */
const MARGIN_MS = 1_500;

function proxiedClient(proxy: string): KooDriveClient {
  return new KooDriveClient({
    endpoint: PROXIED_ENDPOINT,
    accessToken: TEST_TOKEN,
    timeoutMs: 400,
    retries: 2,
    retryBaseDelayMs: 1,
    deadlineMs: DEADLINE_MS,
    env: { HTTPS_PROXY: proxy },
  });
}

describe("KooDriveClient behind hostile proxies", () => {
  for (const behaviour of ["drop", "silent", "407"] as const) {
    it(`fails within the deadline, naming the proxy, behind a proxy that answers CONNECT with "${behaviour}"`, async () => {
      const proxy = await startHostileProxy(behaviour);
      const client = proxiedClient(proxy.url);
      try {
        const started = performance.now();
        const error = await rejectsWithCode(
          client.getQuotaUsed(),
          behaviour === "silent" ? "ERR_KOODRIVE_TIMEOUT" : "ERR_KOODRIVE_NETWORK",
        );
        assert.ok(performance.now() - started < DEADLINE_MS + MARGIN_MS, "finished after the deadline");
        assert.match(error.message, new RegExp(`proxy ${proxy.url}`));
        if (behaviour === "407") assert.match(error.message, /HTTP 407/);
        if (behaviour === "drop") assert.match(error.message, /closed the connection without opening a tunnel/);
        assert.ok(proxy.connections() <= 3, `one connection per attempt, got ${proxy.connections()}`);
      } finally {
        await client.close();
        await proxy.close();
      }
    });
  }

  it("names a refused proxy, not the endpoint", async () => {
    const url = await refusedUrl();
    const client = proxiedClient(url);
    const error = await rejectsWithCode(client.getQuotaUsed(), "ERR_KOODRIVE_NETWORK");
    assert.match(error.message, new RegExp(`the proxy ${url} refused the connection`));
    await client.close();
  });
});

describe("KooDriveClient facing hostile answers", () => {
  const loopback = useLoopbackClients();
  const envelope = (body: unknown) => JSON.stringify(body);

  it("refuses a credential with a line break before sending anything", () => {
    throwsWithCode(
      () => new KooDriveClient({ endpoint: "http://127.0.0.1:1", accessToken: "abc\r\nX-Evil: 1", env: {} }),
      "ERR_KOODRIVE_CONFIGURATION",
    );
  });

  it("strips control characters from KooDrive's msg and cuts a huge one, saying so", async () => {
    const msg = `\u001b[2J\u001b[Hfake: all good\u0007\r${"x".repeat(900_000)}`;
    const server = await loopback.server((_q, r) => r.end(envelope({ code: 40001, msg })));
    const error = await rejectsWithCode(loopback.tokenClient(server.url).getQuotaUsed(), "ERR_KOODRIVE_SERVICE");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them
    assert.doesNotMatch(error.message, /[\u0000-\u001f]/);
    assert.ok(error.message.length < 2_000, `message of ${error.message.length} characters`);
    assert.match(error.message, /cut: \d+ characters in all/);
  });

  it("says a 302 was a redirect, and where to", async () => {
    const server = await loopback.server((_q, r) => {
      r.writeHead(302, { location: "https://elsewhere.example.com/login" });
      r.end();
    });
    const error = await rejectsWithCode(loopback.tokenClient(server.url).getQuotaUsed(), "ERR_KOODRIVE_SERVICE");
    assert.match(error.message, /KooDrive redirected: HTTP 302 to https:\/\/elsewhere\.example\.com\/login/);
  });

  it("says why it gave up when Retry-After goes beyond the deadline", async () => {
    const server = await loopback.server((_q, r) => {
      r.writeHead(429, { "retry-after": "3600" });
      r.end(envelope({ code: 429, msg: "slow down" }));
    });
    const error = await rejectsWithCode(loopback.tokenClient(server.url).getQuotaUsed(), "ERR_KOODRIVE_SERVICE");
    assert.match(error.message, /retry after 3600 s \(Retry-After\), beyond the \d+ ms deadline/);
  });

  it("reports 1e400 as a number out of range, not null", async () => {
    const body = envelope({ code: 0, data: { ...DOCUMENTED_EXAMPLE } }).replace(/"userCount":\d+/, '"userCount":1e400');
    const server = await loopback.server((_q, r) => r.end(body));
    const error = await rejectsWithCode(
      loopback.tokenClient(server.url).getQuotaUsed(),
      "ERR_KOODRIVE_INVALID_RESPONSE",
    );
    assert.match(error.message, /data\.userCount .*got Infinity, a number out of range/);
  });

  it("calls a body of over 1 MB of whitespace too large, not empty", async () => {
    const server = await loopback.server((_q, r) => r.end(" ".repeat(3 * 1024 * 1024)));
    const error = await rejectsWithCode(
      loopback.tokenClient(server.url).getQuotaUsed(),
      "ERR_KOODRIVE_INVALID_RESPONSE",
    );
    assert.match(error.message, /answer too large/);
  });

  it("reports 200,000 levels of nesting as an invalid response with the trace id", async () => {
    const depth = 200_000;
    const body = `{"code":0,"data":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    const server = await loopback.server((_q, r) => r.end(body));
    const error = await rejectsWithCode(
      loopback.tokenClient(server.url).getQuotaUsed(),
      "ERR_KOODRIVE_INVALID_RESPONSE",
    );
    assert.match(error.message, /trace id [0-9a-f]+/i);
  });
});

describe("KooDriveClient redaction (property)", () => {
  const loopback = useLoopbackClients();

  const ECHOES = { ...SECRET_ENCODINGS, ...SECRET_PARTIAL_ECHOES };

  it("never prints, throws or returns an echoed secret in any encoding, whole or in part", async () => {
    const secretChar = fc.constantFrom(..."abcXYZ0129+/=-_.~!".split(""));
    await fc.assert(
      fc.asyncProperty(
        fc.array(secretChar, { minLength: 10, maxLength: 40 }).map((chars) => chars.join("")),
        fc.constantFrom(...Object.keys(ECHOES)),
        fc.constantFrom("msg", "field", "status"),
        async (secret, encoding, where) => {
          const echoed = ECHOES[encoding]?.(secret) ?? secret;
          const raw =
            where === "msg"
              ? `{"code":40001,"msg":"bad token ${echoed}"}`
              : where === "field"
                ? `{"code":0,"data":{"userCount":"${echoed}"}}`
                : `{"code":"${echoed}"}`;
          const server = await loopback.server((_q, r) => {
            r.writeHead(where === "status" ? 400 : 200, { "content-type": "application/json" });
            r.end(raw);
          });
          const client = loopback.client({ endpoint: server.url, accessToken: secret, retries: 0 });
          const error = await client.getQuotaUsed().then(
            () => assert.fail("expected a failure"),
            (reason: Error) => reason,
          );
          const shown = [error.message, JSON.stringify(error), String(error.stack)].join("\n");
          for (const form of Object.values(ECHOES)) {
            const encoded = form(secret);
            assert.ok(!shown.includes(encoded), `${encoding} echo leaked as ${encoded}: ${shown}`);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
