import assert from "node:assert/strict";
import { DOCUMENTED_EXAMPLE } from "../../provider/client/quota-used";
import { useLoopbackClients } from "../helpers/client-fixture";
import { cutOffBody, hang, koodriveError, quotaUsed, resetConnection } from "../helpers/loopback-server";
import { rejectsWithCode } from "../helpers/secrets";

describe("KooDriveClient retries, timeouts and the deadline", () => {
  const loopback = useLoopbackClients();

  it("retries HTTP 500 and 503, then returns the answer that succeeds", async () => {
    const server = await loopback.server(
      koodriveError(500, 13000201, "inner server invoke failure"),
      koodriveError(503, 13000201, "unavailable"),
      quotaUsed(),
    );
    const data = await loopback.tokenClient(server.url, { retries: 2 }).getQuotaUsed();
    assert.deepEqual(data, { ...DOCUMENTED_EXAMPLE });
    assert.equal(server.requests.length, 3);
  });

  it("retries a reset connection", async () => {
    const server = await loopback.server(resetConnection, quotaUsed());
    assert.deepEqual(await loopback.tokenClient(server.url, { retries: 1 }).getQuotaUsed(), { ...DOCUMENTED_EXAMPLE });
    assert.equal(server.requests.length, 2);
  });

  it("gives up after the allowed retries with the last failure, naming the attempts", async () => {
    const server = await loopback.server(koodriveError(503, 13000201, "still unavailable"));
    const error = await rejectsWithCode(
      loopback.tokenClient(server.url, { retries: 2 }).getQuotaUsed(),
      "ERR_KOODRIVE_SERVICE",
    );
    assert.equal(server.requests.length, 3);
    assert.equal(error.status, 503);
    assert.equal(error.attempts, 3);
    assert.match(error.message, /after 3 attempts/);
  });

  it("waits at least the Retry-After of a 429 before trying again", async () => {
    // With the default 500 ms base, backoff alone would come back in under 500 ms.
    const server = await loopback.server(koodriveError(429, 429, "slow down", { "retry-after": "1" }), quotaUsed());
    await loopback.tokenClient(server.url, { retries: 1, retryBaseDelayMs: 500 }).getQuotaUsed();
    const [first, second] = server.requests;
    assert.ok(first && second);
    assert.ok(second.receivedAt - first.receivedAt >= 900, `retried after ${second.receivedAt - first.receivedAt} ms`);
  });

  it("reports a 429 whose retries are used up as rate limiting", async () => {
    const server = await loopback.server(koodriveError(429, 429, "slow down", { "retry-after": "0" }));
    const error = await rejectsWithCode(
      loopback.tokenClient(server.url, { retries: 1 }).getQuotaUsed(),
      "ERR_KOODRIVE_SERVICE",
    );
    assert.equal(error.status, 429);
    assert.match(error.message, /rate limited/);
    assert.equal(server.requests.length, 2);
  });

  it("gives up at once when Retry-After asks for more than the deadline leaves", async () => {
    const server = await loopback.server(koodriveError(429, 429, "slow down", { "retry-after": "3600" }), quotaUsed());
    await rejectsWithCode(loopback.tokenClient(server.url, { retries: 3 }).getQuotaUsed(), "ERR_KOODRIVE_SERVICE");
    assert.equal(server.requests.length, 1);
  });

  const notRetried: [number, "ERR_KOODRIVE_SERVICE" | "ERR_KOODRIVE_AUTHENTICATION"][] = [
    [400, "ERR_KOODRIVE_SERVICE"],
    [401, "ERR_KOODRIVE_AUTHENTICATION"],
    [403, "ERR_KOODRIVE_AUTHENTICATION"],
  ];
  for (const [status, code] of notRetried) {
    it(`does not retry HTTP ${status}, and reports ${code} with KooDrive's code and msg`, async () => {
      const server = await loopback.server(koodriveError(status, 13000410, "no permission on the space"), quotaUsed());
      const error = await rejectsWithCode(loopback.tokenClient(server.url, { retries: 3 }).getQuotaUsed(), code);
      assert.equal(server.requests.length, 1);
      assert.equal(error.status, status);
      assert.equal(error.koodriveCode, 13000410);
      assert.equal(error.koodriveMsg, "no permission on the space");
      assert.match(error.message, /13000410: no permission on the space/);
    });
  }

  it("fails with a timeout when no answer comes within timeoutMs", async () => {
    const server = await loopback.server(hang);
    const error = await rejectsWithCode(
      loopback.tokenClient(server.url, { timeoutMs: 100, retries: 0 }).getQuotaUsed(),
      "ERR_KOODRIVE_TIMEOUT",
    );
    assert.match(error.message, /within 100 ms/);
    assert.equal(server.requests.length, 1);
  });

  it("retries a timeout, and succeeds when the next attempt is answered", async () => {
    const server = await loopback.server(hang, quotaUsed());
    await loopback.tokenClient(server.url, { timeoutMs: 100, retries: 1 }).getQuotaUsed();
    assert.equal(server.requests.length, 2);
  });

  it("stops at the deadline even when timeoutMs and retries would allow more", async () => {
    const server = await loopback.server(hang);
    await rejectsWithCode(
      loopback.tokenClient(server.url, { timeoutMs: 10_000, retries: 3, deadlineMs: 200 }).getQuotaUsed(),
      "ERR_KOODRIVE_TIMEOUT",
    );
    assert.equal(server.requests.length, 1);
  });

  it("times out when the body stalls after the headers", async () => {
    const server = await loopback.server((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write('{"code":0,');
    });
    await rejectsWithCode(
      loopback.tokenClient(server.url, { timeoutMs: 150, retries: 0 }).getQuotaUsed(),
      "ERR_KOODRIVE_TIMEOUT",
    );
  });

  it("reports a body cut off half-way as a network error", async () => {
    const server = await loopback.server(cutOffBody);
    const error = await rejectsWithCode(
      loopback.tokenClient(server.url, { retries: 0 }).getQuotaUsed(),
      "ERR_KOODRIVE_NETWORK",
    );
    assert.match(error.message, /cut off/);
  });
});
