import assert from "node:assert/strict";
import { DOCUMENTED_EXAMPLE } from "../../provider/client/quota-used";
import { useLoopbackClients } from "../helpers/client-fixture";
import { json, quotaUsed, type Responder, raw, refusedUrl, resetConnection } from "../helpers/loopback-server";
import { rejectsWithCode } from "../helpers/secrets";

describe("KooDriveClient failures", () => {
  const loopback = useLoopbackClients();

  /** Fetches once (no retries) from a server answering with `responder`. */
  async function fetchOnce(responder: Parameters<typeof loopback.server>[0], useApp = false) {
    const server = await loopback.server(responder);
    const client = useApp ? loopback.appClient(server.url) : loopback.tokenClient(server.url);
    return client.getQuotaUsed();
  }

  describe("network", () => {
    it("reports a refused connection as a network error naming the host", async () => {
      const url = await refusedUrl();
      const error = await rejectsWithCode(
        loopback.tokenClient(url, { retries: 0 }).getQuotaUsed(),
        "ERR_KOODRIVE_NETWORK",
      );
      assert.match(error.message, /refused the connection/);
      assert.ok(error.message.includes(new URL(url).host));
    });

    it("reports a reset connection as a network error", async () => {
      const server = await loopback.server(resetConnection);
      const error = await rejectsWithCode(
        loopback.appClient(server.url, { retries: 0 }).getQuotaUsed(),
        "ERR_KOODRIVE_NETWORK",
      );
      assert.match(error.message, /closed the connection|cut off/);
    });
  });

  describe("a service that echoes the credentials", () => {
    const echo: Responder = (request, response) => {
      response.writeHead(401, { "content-type": "application/json" });
      response.end(JSON.stringify({ code: 401, msg: `bad credentials: ${request.headers.authorization}` }));
    };

    it("keeps an echoed token out of the error", async () => {
      const error = await rejectsWithCode(fetchOnce(echo), "ERR_KOODRIVE_AUTHENTICATION");
      assert.match(error.message, /bad credentials: Bearer \[secret\]/);
    });
  });

  describe("bodies that are not the documented JSON", () => {
    const bodies: [string, Parameters<typeof raw>][] = [
      ["an HTML page", [200, "<html><body>Bad gateway</body></html>", { "content-type": "text/html" }]],
      ["HTML labelled as JSON", [200, "  <!DOCTYPE html><html></html>"]],
      ["an empty body", [200, ""]],
      ["malformed JSON", [200, '{"code":0,"data":{']],
      ["a JSON array", [200, "[1,2]"]],
    ];
    for (const [title, args] of bodies) {
      it(`refuses ${title} as an invalid response`, async () => {
        const error = await rejectsWithCode(fetchOnce(raw(...args)), "ERR_KOODRIVE_INVALID_RESPONSE");
        assert.equal(error.status, 200);
        assert.ok(error.traceId);
      });
    }

    it("reports an HTML gateway page on a 502 by its status, after retries", async () => {
      const server = await loopback.server(raw(502, "<html>502</html>", { "content-type": "text/html" }));
      const error = await rejectsWithCode(
        loopback.tokenClient(server.url, { retries: 1 }).getQuotaUsed(),
        "ERR_KOODRIVE_SERVICE",
      );
      assert.equal(error.status, 502);
      assert.match(error.message, /HTTP 502/);
    });
  });

  describe("the envelope", () => {
    it("treats a 200 whose code is not 0 as a service error naming the code and msg", async () => {
      const error = await rejectsWithCode(
        fetchOnce(json(200, { code: 13000412, msg: "space not activated" })),
        "ERR_KOODRIVE_SERVICE",
      );
      assert.equal(error.koodriveCode, 13000412);
      assert.equal(error.koodriveMsg, "space not activated");
      assert.match(error.message, /13000412/);
      assert.match(error.message, /space not activated/);
    });

    it("treats an APIGW string code on a 200 as a service error", async () => {
      const error = await rejectsWithCode(
        fetchOnce(json(200, { code: "APIGW.0301", msg: "incorrect authentication" }), true),
        "ERR_KOODRIVE_SERVICE",
      );
      assert.equal(error.koodriveCode, "APIGW.0301");
    });

    for (const [title, envelope] of [
      ["missing", { code: 0, msg: "success" }],
      ["null", { code: 0, msg: "success", data: null }],
    ] as const) {
      it(`refuses code 0 with data ${title}`, async () => {
        const error = await rejectsWithCode(fetchOnce(json(200, envelope)), "ERR_KOODRIVE_INVALID_RESPONSE");
        assert.match(error.message, /data is missing/);
      });
    }

    it("refuses an envelope without code", async () => {
      const error = await rejectsWithCode(
        fetchOnce(json(200, { msg: "success", data: DOCUMENTED_EXAMPLE })),
        "ERR_KOODRIVE_INVALID_RESPONSE",
      );
      assert.match(error.message, /code/);
    });
  });

  describe("the data fields", () => {
    const malformed: [string, Record<string, unknown>, RegExp][] = [
      ["a negative figure", { userCount: -3 }, /data\.userCount must be a whole number ≥ 0 \(got -3\)/],
      ["a non-numeric string", { spaceUsed: "12a" }, /data\.spaceUsed must be a whole number ≥ 0 \(got "12a"\)/],
      ["a negative digit string", { spaceUsed: "-12" }, /data\.spaceUsed must be a whole number/],
      ["a float", { deptSpaceQuota: 61.5 }, /data\.deptSpaceQuota must be a whole number ≥ 0 \(got 61\.5\)/],
      [
        "an unsafe integer",
        { spaceUsed: 2 ** 60 },
        /data\.spaceUsed is beyond the largest safe whole number, 9007199254740991 \(got 1152921504606847000\)/,
      ],
      [
        "a digit string beyond the safe range",
        { spaceUsed: "9007199254740993" },
        /data\.spaceUsed is beyond the largest safe whole number, 9007199254740991 \(got "9007199254740993"\)/,
      ],
      ["a boolean figure", { userMaxCount: true }, /data\.userMaxCount must be a whole number/],
      ["a number as productType", { productType: 1 }, /data\.productType must be a string \(got 1\)/],
      ["null as productType", { productType: null }, /data\.productType must be a string/],
      ["a missing field", { groupSpaceUsed: undefined }, /data\.groupSpaceUsed is missing/],
    ];
    for (const [title, patch, expected] of malformed) {
      it(`refuses ${title}, naming the field`, async () => {
        const error = await rejectsWithCode(
          fetchOnce(quotaUsed({ ...DOCUMENTED_EXAMPLE, ...patch })),
          "ERR_KOODRIVE_INVALID_RESPONSE",
        );
        assert.match(error.message, expected);
      });
    }

    it("names every malformed field, not just the first", async () => {
      const error = await rejectsWithCode(
        fetchOnce(quotaUsed({ ...DOCUMENTED_EXAMPLE, userCount: -1, spaceCapacity: "x", productType: 7 })),
        "ERR_KOODRIVE_INVALID_RESPONSE",
      );
      for (const field of ["userCount", "spaceCapacity", "productType"]) assert.match(error.message, new RegExp(field));
    });

    it("accepts figures sent as digit strings and reads them as numbers", async () => {
      const quoted = Object.fromEntries(
        Object.entries(DOCUMENTED_EXAMPLE).map(([key, value]) => [
          key,
          typeof value === "number" ? String(value) : value,
        ]),
      );
      assert.deepEqual(await fetchOnce(quotaUsed(quoted)), { ...DOCUMENTED_EXAMPLE });
    });

    it("tolerates unknown extra fields and drops them", async () => {
      const data = await fetchOnce(quotaUsed({ ...DOCUMENTED_EXAMPLE, newFigure: 5, nested: { a: [1] } }));
      assert.deepEqual(data, { ...DOCUMENTED_EXAMPLE });
    });
  });
});
