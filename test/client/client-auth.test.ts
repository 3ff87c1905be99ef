import assert from "node:assert/strict";
import { DOCUMENTED_EXAMPLE, QUOTA_USED_PATH } from "../../provider/client/quota-used";
import { TRACE_ID_LENGTH } from "../../provider/client/trace-id";
import { verifyAppSignature } from "../helpers/app-signature";
import { useLoopbackClients } from "../helpers/client-fixture";
import { json, koodriveError, quotaUsed } from "../helpers/loopback-server";
import { rejectsWithCode, TEST_APP } from "../helpers/secrets";

describe("KooDriveClient authentication and request headers", () => {
  const loopback = useLoopbackClients();

  describe("token authentication", () => {
    const cases: [string, string][] = [
      ["a bare token gets the Bearer prefix", "abc123"],
      ["a `Bearer+` token is not a scheme, so it gets the prefix", "Bearer+abc123"],
      ["a `Bearer ` token is sent as given", "Bearer abc123"],
      ["a lower-case `bearer ` token is sent as given", "bearer abc123"],
    ];
    for (const [title, token] of cases) {
      it(title, async () => {
        const server = await loopback.server(quotaUsed());
        await loopback.client({ endpoint: server.url, accessToken: token }).getQuotaUsed();
        const expected = /^bearer /i.test(token) ? token : `Bearer ${token}`;
        assert.equal(server.requests[0]?.headers.authorization, expected);
      });
    }

    it("sends a GET to the quotaUsed path, without app headers", async () => {
      const server = await loopback.server(quotaUsed());
      assert.deepEqual(await loopback.tokenClient(server.url).getQuotaUsed(), { ...DOCUMENTED_EXAMPLE });
      const [request] = server.requests;
      assert.equal(request?.method, "GET");
      assert.equal(request?.url, QUOTA_USED_PATH);
      assert.equal(request?.headers["x-date"], undefined);
      assert.equal(request?.headers["x-user-id"], undefined);
    });

    it("keeps a path prefix of the endpoint (a gateway or proxy)", async () => {
      const server = await loopback.server(quotaUsed());
      await loopback.tokenClient(`${server.url}/gateway/`).getQuotaUsed();
      assert.equal(server.requests[0]?.url, `/gateway${QUOTA_USED_PATH}`);
    });
  });

  describe("app authentication", () => {
    it("signs the request so that an independent verifier accepts it", async () => {
      const server = await loopback.server(quotaUsed());
      await loopback.appClient(server.url).getQuotaUsed();
      const [request] = server.requests;
      assert.ok(request);
      assert.equal(verifyAppSignature(request, TEST_APP, new Date()), undefined);
      assert.equal(request.headers["x-user-id"], TEST_APP.userId);
    });

    it("is refused by the verifier when signed with another secret", async () => {
      const server = await loopback.server(quotaUsed());
      await loopback.appClient(server.url, { appSecret: "another-secret" }).getQuotaUsed();
      const [request] = server.requests;
      assert.ok(request);
      assert.equal(verifyAppSignature(request, TEST_APP, new Date()), "signature mismatch");
    });

    it("signs every attempt afresh: a new X-Date and a signature valid for it", async () => {
      // Retry-After: 2 puts the second attempt in a later second, so its X-Date must differ.
      const server = await loopback.server(koodriveError(503, 13000201, "busy", { "retry-after": "2" }), quotaUsed());
      await loopback.appClient(server.url, { retries: 1 }).getQuotaUsed();
      const [first, second] = server.requests;
      assert.ok(first && second);
      assert.notEqual(first.headers["x-date"], second.headers["x-date"]);
      assert.notEqual(first.headers.authorization, second.headers.authorization);
      for (const request of [first, second]) assert.equal(verifyAppSignature(request, TEST_APP, new Date()), undefined);
    });
  });

  describe("X-Traceid", () => {
    it("sends a fresh 58-character trace id with every request and attempt", async () => {
      const server = await loopback.server(json(500, { code: 13000201, msg: "inner" }), quotaUsed());
      const client = loopback.tokenClient(server.url, { retries: 1 });
      await client.getQuotaUsed();
      await client.getQuotaUsed();
      const ids = server.requests.map((request) => request.headers["x-traceid"]);
      assert.equal(ids.length, 3);
      for (const id of ids) assert.match(String(id), new RegExp(`^[0-9a-zA-Z]{${TRACE_ID_LENGTH}}$`));
      assert.equal(TRACE_ID_LENGTH, 58);
      assert.equal(new Set(ids).size, 3);
    });

    it("names the trace id of the failed attempt in the error", async () => {
      const server = await loopback.server(koodriveError(400, 13000102, "parameter validation failed"));
      const error = await rejectsWithCode(loopback.tokenClient(server.url).getQuotaUsed(), "ERR_KOODRIVE_SERVICE");
      const sent = String(server.requests[0]?.headers["x-traceid"]);
      assert.equal(error.traceId, sent);
      assert.ok(error.message.includes(sent));
    });
  });
});
