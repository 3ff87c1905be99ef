import assert from "node:assert/strict";
import { DOCUMENTED_EXAMPLE } from "../../provider/client/quota-used";
import { DEMO_APP, DEMO_TOKEN, ENDPOINT_NAMES, type RequestLogEntry } from "../../sim";
import { signedHeaders, xDate } from "../helpers/app-signature";
import { useSimulator } from "../helpers/simulator";
import { ADD_USER_BODY, call, PATHS, post, TOKEN_AUTH } from "./http";

/** Zero requests at every endpoint, with `counts` over them. */
const countsOf = (counts: Record<string, number> = {}) => ({
  ...Object.fromEntries(ENDPOINT_NAMES.map((name) => [name, 0])),
  ...counts,
});

describe("koodrive-sim control paths", () => {
  const sim = useSimulator();

  const requests = async () =>
    (await call(sim().url, "/__sim/requests")).json as { counts: Record<string, number>; log: RequestLogEntry[] };

  it("reports counts per endpoint and a log without credentials, not counting control requests", async () => {
    await call(sim().url, PATHS.quotaUsed, { headers: { ...TOKEN_AUTH, "x-traceid": "trace-abc" } });
    await call(sim().url, PATHS.quotaUsed, {
      headers: signedHeaders({
        method: "GET",
        url: `${sim().url}${PATHS.quotaUsed}`,
        ...DEMO_APP,
        date: xDate(new Date()),
      }),
    });
    await post(sim().url, PATHS.users, ADD_USER_BODY);
    await call(sim().url, "/nowhere?token=x");
    await call(sim().url, "/__sim/usage");
    const { counts, log } = await requests();
    assert.deepEqual(counts, countsOf({ quotaUsed: 2, addUser: 1 }));
    assert.equal(sim().requestCount(), 4);
    assert.equal(sim().requestCount("quotaUsed"), 2);
    assert.deepEqual(
      log.map(({ method, path, status, authMode, traceId, endpoint }) => ({
        method,
        path,
        status,
        authMode,
        traceId,
        endpoint,
      })),
      [
        {
          method: "GET",
          path: PATHS.quotaUsed,
          status: 200,
          authMode: "token",
          traceId: "trace-abc",
          endpoint: "quotaUsed",
        },
        {
          method: "GET",
          path: PATHS.quotaUsed,
          status: 200,
          authMode: "app",
          traceId: undefined,
          endpoint: "quotaUsed",
        },
        { method: "POST", path: PATHS.users, status: 200, authMode: "token", traceId: undefined, endpoint: "addUser" },
        { method: "GET", path: "/nowhere", status: 404, authMode: "none", traceId: undefined, endpoint: undefined },
      ],
    );
    assert.ok(log.every((entry) => !Number.isNaN(Date.parse(entry.time))));
    const serialized = JSON.stringify(log);
    for (const secret of [DEMO_TOKEN, DEMO_APP.appSecret, "Signature", "HMAC"]) assert.ok(!serialized.includes(secret));
    assert.deepEqual(sim().requestLog(), log);
  });

  it("clears the log, the counters and the queued faults on POST /__sim/reset, keeping the tenant", async () => {
    await post(sim().url, PATHS.users, ADD_USER_BODY);
    sim().queueFault("quotaUsed", { kind: "status", status: 500 });
    assert.equal((await call(sim().url, "/__sim/reset", { method: "POST" })).status, 200);
    assert.deepEqual(await requests(), {
      counts: countsOf(),
      log: [],
    });
    assert.equal((await call(sim().url, PATHS.quotaUsed, { headers: TOKEN_AUTH })).status, 200);
    assert.equal(sim().usage().userCount, DOCUMENTED_EXAMPLE.userCount + 1);
  });

  it("clears the log and counters on resetLog()", async () => {
    await call(sim().url, PATHS.quotaUsed, { headers: TOKEN_AUTH });
    sim().resetLog();
    assert.equal(sim().requestCount(), 0);
    assert.deepEqual(sim().requestLog(), []);
  });

  it("reads and merges the tenant's usage", async () => {
    assert.deepEqual((await call(sim().url, "/__sim/usage")).json, { ...DOCUMENTED_EXAMPLE });
    const put = await post(sim().url, "/__sim/usage", { userCount: 100, spaceUsed: 1 }, {}, "PUT");
    assert.equal(put.status, 200);
    assert.deepEqual(put.json, { ...DOCUMENTED_EXAMPLE, userCount: 100, spaceUsed: 1 });
    assert.deepEqual(sim().usage(), { ...DOCUMENTED_EXAMPLE, userCount: 100, spaceUsed: 1 });
    assert.equal((await post(sim().url, PATHS.users, ADD_USER_BODY)).status, 400);
  });

  it("refuses a bad usage patch with 400 naming the key, changing nothing", async () => {
    const cases: [unknown, RegExp][] = [
      [{ userCount: 1, seats: 5 }, /seats: unknown key/],
      [{ userCount: -1 }, /userCount/],
      [{ spaceCapacity: 1.5 }, /spaceCapacity/],
      [{ productType: 1 }, /productType/],
      [[], /top level/],
    ];
    for (const [patch, named] of cases) {
      const answer = await post(sim().url, "/__sim/usage", patch, {}, "PUT");
      assert.equal(answer.status, 400, JSON.stringify(patch));
      assert.match((answer.json as { msg: string }).msg, named);
    }
    const notJson = await call(sim().url, "/__sim/usage", { method: "PUT", body: "{" });
    assert.equal(notJson.status, 400);
    assert.deepEqual(sim().usage(), { ...DOCUMENTED_EXAMPLE });
    assert.throws(() => sim().setUsage({ userCount: -3 }), /userCount/);
  });

  it("queues faults over HTTP", async () => {
    const queued = await post(sim().url, "/__sim/faults", {
      endpoint: "quotaUsed",
      count: 2,
      fault: { kind: "status", status: 503, headers: { "retry-after": "1" } },
    });
    assert.equal(queued.status, 200);
    assert.deepEqual(queued.json, { code: 0, msg: "success", pending: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1)
      statuses.push((await call(sim().url, PATHS.quotaUsed, { headers: TOKEN_AUTH })).status);
    assert.deepEqual(statuses, [503, 503, 200]);
  });

  it("refuses an invalid fault over HTTP with 400 naming the problem", async () => {
    const cases: [unknown, RegExp][] = [
      [{ endpoint: "nope", fault: { kind: "reset" } }, /endpoint/],
      [{ endpoint: "quotaUsed", fault: { kind: "explode" } }, /fault\.kind/],
      [{ endpoint: "quotaUsed", fault: { kind: "delay" } }, /fault\.ms/],
      [{ endpoint: "quotaUsed", fault: { kind: "reset", extra: 1 } }, /fault\.extra: unknown key/],
      [{ endpoint: "quotaUsed", count: 0, fault: { kind: "reset" } }, /count/],
    ];
    for (const [body, named] of cases) {
      const answer = await post(sim().url, "/__sim/faults", body, {});
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.match((answer.json as { msg: string }).msg, named);
    }
    assert.equal((await call(sim().url, PATHS.quotaUsed, { headers: TOKEN_AUTH })).status, 200);
  });

  it("bounds the fault count at 1000000 per endpoint with 400 naming the limit, and stays up", async () => {
    for (const count of [1e9, 3e7, 1_000_001]) {
      const answer = await post(
        sim().url,
        "/__sim/faults",
        { endpoint: "quotaUsed", count, fault: { kind: "reset" } },
        {},
      );
      assert.equal(answer.status, 400, String(count));
      assert.match((answer.json as { msg: string }).msg, /count: at most 1000000 faults/);
    }
    const full = await post(
      sim().url,
      "/__sim/faults",
      { endpoint: "quotaUsed", count: 999_999, fault: { kind: "status", status: 503 } },
      {},
    );
    assert.deepEqual(full.json, { code: 0, msg: "success", pending: 999_999 });
    const last = await post(
      sim().url,
      "/__sim/faults",
      { endpoint: "quotaUsed", count: 1, fault: { kind: "html" } },
      {},
    );
    assert.deepEqual(last.json, { code: 0, msg: "success", pending: 1_000_000 });
    const over = await post(sim().url, "/__sim/faults", { endpoint: "quotaUsed", fault: { kind: "reset" } }, {});
    assert.equal(over.status, 400);
    assert.match((over.json as { msg: string }).msg, /quotaUsed has 1000000 queued/);
    assert.throws(() => sim().queueFault("quotaUsed", { kind: "reset" }), /at most 1000000 faults/);
    assert.equal((await call(sim().url, PATHS.quotaUsed, { headers: TOKEN_AUTH })).status, 503);
    assert.equal((await call(sim().url, PATHS.userCount, { headers: TOKEN_AUTH })).status, 200);
  });

  it("answers unknown control paths with 404 and wrong methods with 405", async () => {
    assert.equal((await call(sim().url, "/__sim/nothing")).status, 404);
    const wrong = await call(sim().url, "/__sim/reset");
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.allow, "POST");
    assert.equal(sim().requestCount(), 0);
  });
});
