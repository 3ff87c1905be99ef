import assert from "node:assert/strict";
import { DOCUMENTED_EXAMPLE } from "../../provider/client/quota-used";
import { QuotaUsedDataSchema } from "../../provider/client/quota-used-schema";
import { ERROR_CODES } from "../../sim";
import { useSimulator } from "../helpers/simulator";
import { ADD_USER_BODY, call, PATHS, post, rawUpload, TOKEN_AUTH } from "./http";

describe("koodrive-sim endpoints", () => {
  const sim = useSimulator();

  it("serves the documented example tenant from quotaUsed in the success envelope", async () => {
    const answer = await call(sim().url, PATHS.quotaUsed, { headers: TOKEN_AUTH });
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers["content-type"]), /^application\/json/);
    assert.deepEqual(answer.json, { code: 0, msg: "success", data: { ...DOCUMENTED_EXAMPLE } });
    assert.equal(QuotaUsedDataSchema.safeParse((answer.json as { data: unknown }).data).success, true);
  });

  it("serves figures set through setUsage", async () => {
    sim().setUsage({ userCount: 99, productType: "2" });
    const answer = await call(sim().url, PATHS.quotaUsed, { headers: TOKEN_AUTH });
    assert.deepEqual((answer.json as { data: unknown }).data, {
      ...DOCUMENTED_EXAMPLE,
      userCount: 99,
      productType: "2",
    });
  });

  it("counts users and takes a seat for each added user", async () => {
    assert.deepEqual((await call(sim().url, PATHS.userCount, { headers: TOKEN_AUTH })).json, {
      code: 0,
      msg: "success",
      total: 20,
    });
    const added = await post(sim().url, PATHS.users, ADD_USER_BODY);
    assert.equal(added.status, 200);
    assert.deepEqual(added.json, { code: 0, msg: "success" });
    assert.equal(sim().usage().userCount, 21);
    assert.equal(
      ((await call(sim().url, PATHS.userCount, { headers: TOKEN_AUTH })).json as { total: number }).total,
      21,
    );
  });

  it("refuses a user when no seat is left, with 400, a non-zero code and 'user limit', changing nothing", async () => {
    sim().setUsage({ userCount: 100, userMaxCount: 100 });
    const refused = await post(sim().url, PATHS.users, ADD_USER_BODY);
    assert.equal(refused.status, 400);
    const body = refused.json as { code: number; msg: string };
    assert.notEqual(body.code, 0);
    assert.match(body.msg, /user limit/i);
    assert.equal(sim().usage().userCount, 100);
  });

  for (const [type, pool] of [
    [0, "dept"],
    [1, "personal"],
  ] as const) {
    it(`allocates a type ${type} space from the ${pool} pool`, async () => {
      const created = await post(sim().url, PATHS.space("300000000000000001"), { capacity: "100", type });
      assert.equal(created.status, 200);
      const { code, data } = created.json as { code: number; data: Record<string, string> };
      assert.equal(code, 0);
      assert.deepEqual([data.type, data.capacity, data.spaceUsed], [String(type), "100", "0"]);
      const usage = sim().usage();
      assert.equal(usage[`${pool}SpaceQuotaUsed`], DOCUMENTED_EXAMPLE[`${pool}SpaceQuotaUsed`] + 100);
      assert.equal(usage.spaceQuotaUsed, DOCUMENTED_EXAMPLE.spaceQuotaUsed + 100);
      assert.equal(usage.groupSpaceQuotaUsed, DOCUMENTED_EXAMPLE.groupSpaceQuotaUsed);
    });
  }

  it("allocates a pool exactly to the full and refuses 1 GB more with 13000311 insufficient space", async () => {
    const free = DOCUMENTED_EXAMPLE.personalSpaceQuota - DOCUMENTED_EXAMPLE.personalSpaceQuotaUsed;
    assert.equal((await post(sim().url, PATHS.space("1"), { capacity: String(free), type: 1 })).status, 200);
    const before = sim().usage();
    const refused = await post(sim().url, PATHS.space("1"), { capacity: "1", type: 1 });
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.json, { code: ERROR_CODES.insufficientSpace, msg: "insufficient space" });
    assert.equal(ERROR_CODES.insufficientSpace, 13000311);
    assert.deepEqual(sim().usage(), before);
  });

  const badBodies: [string, string, string][] = [
    ["addUser", PATHS.users, "{not json"],
    ["addUser", PATHS.users, JSON.stringify({ userId: "1" })],
    ["addUser", PATHS.users, JSON.stringify({ userId: "1", modifyUserInfoReq: { deptId: "x", role: 0 } })],
    ["addUser", PATHS.users, ""],
    ["createSpace", PATHS.space("1"), JSON.stringify({ capacity: 100, type: 0 })],
    ["createSpace", PATHS.space("1"), JSON.stringify({ capacity: "-5", type: 0 })],
    ["createSpace", PATHS.space("1"), JSON.stringify({ capacity: "5", type: 2 })],
    ["createSpace", PATHS.space("1"), JSON.stringify({ type: 0 })],
  ];
  for (const [endpoint, path, body] of badBodies) {
    it(`refuses the ${endpoint} body ${body || "(empty)"} with 400 / 13000102 and changes nothing`, async () => {
      const answer = await call(sim().url, path, { method: "POST", headers: TOKEN_AUTH, body });
      assert.equal(answer.status, 400);
      assert.equal((answer.json as { code: number }).code, 13000102);
      assert.deepEqual(sim().usage(), { ...DOCUMENTED_EXAMPLE });
    });
  }

  it("names the bad field in a validation failure", async () => {
    const answer = await post(sim().url, PATHS.users, { userId: "1", modifyUserInfoReq: { deptId: 1, role: "x" } });
    assert.match((answer.json as { msg: string }).msg, /modifyUserInfoReq\.role/);
  });

  it("answers an unknown path with 404 and the error envelope", async () => {
    for (const path of ["/koodrive/ose/v1/nothing", `${PATHS.quotaUsed}/`, "/"]) {
      const answer = await call(sim().url, path, { headers: TOKEN_AUTH });
      assert.equal(answer.status, 404, path);
      assert.equal((answer.json as { code: number }).code, ERROR_CODES.notFound);
    }
  });

  it("answers a wrong method on a known path with 405, the envelope and Allow", async () => {
    const cases = [
      ["POST", PATHS.quotaUsed, "GET"],
      ["GET", PATHS.users, "POST"],
      ["DELETE", PATHS.userCount, "GET"],
      ["GET", PATHS.space("1"), "POST, PUT, DELETE"],
    ] as const;
    for (const [method, path, allow] of cases) {
      const answer = await call(sim().url, path, { method, headers: TOKEN_AUTH });
      assert.equal(answer.status, 405, `${method} ${path}`);
      assert.equal(answer.headers.allow, allow);
      assert.equal((answer.json as { code: number }).code, ERROR_CODES.methodNotAllowed);
    }
  });

  it("refuses a body over 1 MiB with 413", async () => {
    const answer = await call(sim().url, PATHS.users, {
      method: "POST",
      headers: TOKEN_AUTH,
      body: "x".repeat(1024 * 1024 + 1),
    });
    assert.equal(answer.status, 413);
    assert.equal(sim().usage().userCount, DOCUMENTED_EXAMPLE.userCount);
  });

  const HUNDRED_MB = 100 * 1024 * 1024;
  const BODY_TARGETS = [
    "PUT /__sim/usage",
    "POST /__sim/faults",
    "POST /__sim/reset",
    "GET /__sim/requests",
    `POST ${PATHS.users}`,
    `POST ${PATHS.space("owner-1")}`,
    `GET ${PATHS.quotaUsed}`,
    "POST /no/such/path",
  ];
  for (const target of BODY_TARGETS) {
    for (const framing of ["content-length", "chunked"] as const) {
      it(`answers a 100 MB ${framing} body to ${target} with 413, without reading it all`, async () => {
        const length = framing === "content-length" ? `content-length: ${HUNDRED_MB}` : "transfer-encoding: chunked";
        const head = `${target} HTTP/1.1\r\nhost: sim\r\nauthorization: ${TOKEN_AUTH.authorization}\r\ncontent-type: application/json\r\n${length}\r\n\r\n`;
        // A chunked body is one huge chunk, so every byte after its size line is payload.
        const chunkHead = framing === "chunked" ? `${HUNDRED_MB.toString(16)}\r\n` : "";
        const { response, written } = await rawUpload(sim().url, head + chunkHead, HUNDRED_MB);
        assert.match(response, /^HTTP\/1\.1 413 /);
        assert.match(response, /"code":13000413/);
        assert.ok(written < HUNDRED_MB, `the client could hand over all ${written} bytes`);
        assert.deepEqual(sim().usage(), { ...DOCUMENTED_EXAMPLE });
      });
    }
  }
});
