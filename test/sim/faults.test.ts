import assert from "node:assert/strict";
import { request } from "undici";
import { DOCUMENTED_EXAMPLE } from "../../provider/client/quota-used";
import type { Simulator } from "../../sim";
import { useSimulator } from "../helpers/simulator";
import { ADD_USER_BODY, call, PATHS, post, TOKEN_AUTH } from "./http";

const quotaUsed = (sim: () => Simulator) => call(sim().url, PATHS.quotaUsed, { headers: TOKEN_AUTH });

describe("koodrive-sim fault injection", () => {
  const sim = useSimulator();

  it("answers a status fault with its status, headers and a default error envelope", async () => {
    sim().queueFault("quotaUsed", { kind: "status", status: 429, headers: { "Retry-After": "2" } });
    const answer = await quotaUsed(sim);
    assert.equal(answer.status, 429);
    assert.equal(answer.headers["retry-after"], "2");
    const body = answer.json as { code: number; msg: string };
    assert.notEqual(body.code, 0);
    assert.equal(typeof body.msg, "string");
  });

  it("answers a status fault with the given body, e.g. a 200 whose code is not 0", async () => {
    sim().queueFault("quotaUsed", {
      kind: "status",
      status: 200,
      body: { code: 13000201, msg: "inner server invoke failure" },
    });
    const answer = await quotaUsed(sim);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, { code: 13000201, msg: "inner server invoke failure" });
  });

  it("sends a string body of a status fault as is", async () => {
    sim().queueFault("quotaUsed", { kind: "status", status: 500, body: "{truncated" });
    const answer = await quotaUsed(sim);
    assert.equal(answer.status, 500);
    assert.equal(answer.text, "{truncated");
  });

  it("consumes faults one per request, in queue order, then answers normally", async () => {
    sim().queueFault("quotaUsed", { kind: "status", status: 503 }, 2);
    sim().queueFault("quotaUsed", { kind: "status", status: 500 });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await quotaUsed(sim)).status);
    assert.deepEqual(statuses, [503, 503, 500, 200]);
    assert.deepEqual(
      sim()
        .requestLog()
        .map((entry) => entry.fault),
      ["status", "status", "status", undefined],
    );
  });

  it("keeps faults to their endpoint", async () => {
    sim().queueFault("addUser", { kind: "status", status: 500 });
    assert.equal((await quotaUsed(sim)).status, 200);
    assert.equal((await call(sim().url, PATHS.userCount, { headers: TOKEN_AUTH })).status, 200);
    assert.equal((await post(sim().url, PATHS.users, ADD_USER_BODY)).status, 500);
  });

  it("changes nothing when a fault replaces the answer", async () => {
    sim().queueFault("addUser", { kind: "status", status: 503 });
    sim().queueFault("createSpace", { kind: "html" });
    await post(sim().url, PATHS.users, ADD_USER_BODY);
    await post(sim().url, PATHS.space("1"), { capacity: "1", type: 0 });
    assert.deepEqual(sim().usage(), { ...DOCUMENTED_EXAMPLE });
  });

  it("delays the answer by a delay fault's ms, then answers normally", async () => {
    sim().queueFault("quotaUsed", { kind: "delay", ms: 300 });
    const started = performance.now();
    const answer = await quotaUsed(sim);
    assert.ok(performance.now() - started >= 290, "answered too early");
    assert.equal(answer.status, 200);
    assert.deepEqual((answer.json as { data: unknown }).data, { ...DOCUMENTED_EXAMPLE });
  });

  it("never answers under a huge delay, and close() still returns promptly", async () => {
    sim().queueFault("quotaUsed", { kind: "delay", ms: 10 * 24 * 3600 * 1000 });
    const pending = request(`${sim().url}${PATHS.quotaUsed}`, { headers: TOKEN_AUTH, headersTimeout: 60_000 });
    const outcome = pending.then(
      () => "answered",
      () => "failed",
    );
    const early = await Promise.race([outcome, new Promise((resolve) => setTimeout(resolve, 300, "waiting"))]);
    assert.equal(early, "waiting");
    const started = performance.now();
    await sim().close();
    assert.ok(performance.now() - started < 1000, "close() waited for the hanging request");
    assert.equal(await outcome, "failed");
    assert.equal(sim().requestLog()[0]?.status, 0);
  });

  it("truncates: full Content-Length, half the body, then a dropped connection", async () => {
    const full = (await quotaUsed(sim)).text;
    sim().queueFault("quotaUsed", { kind: "truncate" });
    const response = await request(`${sim().url}${PATHS.quotaUsed}`, { headers: TOKEN_AUTH });
    assert.equal(response.statusCode, 200);
    assert.equal(Number(response.headers["content-length"]), Buffer.byteLength(full));
    const received: Buffer[] = [];
    await assert.rejects(async () => {
      for await (const chunk of response.body) received.push(chunk as Buffer);
    });
    assert.equal(Buffer.concat(received).toString(), full.slice(0, Math.floor(full.length / 2)));
  });

  it("commits the change before truncating the answer, as a lost response would", async () => {
    sim().queueFault("addUser", { kind: "truncate" });
    await assert.rejects(post(sim().url, PATHS.users, ADD_USER_BODY));
    assert.equal(sim().usage().userCount, DOCUMENTED_EXAMPLE.userCount + 1);
  });

  it("resets the connection without an answer", async () => {
    sim().queueFault("quotaUsed", { kind: "reset" });
    await assert.rejects(quotaUsed(sim));
    assert.equal((await quotaUsed(sim)).status, 200);
    assert.deepEqual(
      sim()
        .requestLog()
        .map((entry) => [entry.fault, entry.status]),
      [
        ["reset", 0],
        [undefined, 200],
      ],
    );
  });

  it("answers an html fault with an HTML page, 502 by default", async () => {
    sim().queueFault("userCount", { kind: "html" });
    sim().queueFault("userCount", { kind: "html", status: 504 });
    for (const status of [502, 504]) {
      const answer = await call(sim().url, PATHS.userCount, { headers: TOKEN_AUTH });
      assert.equal(answer.status, status);
      assert.match(String(answer.headers["content-type"]), /^text\/html/);
      assert.match(answer.text, /^<html>.*<\/html>\n$/s);
      assert.equal(answer.json, undefined);
    }
  });

  it("answers a data fault with a success envelope carrying the given data", async () => {
    const data = { ...DOCUMENTED_EXAMPLE, userCount: "twenty", spaceCapacity: undefined };
    sim().queueFault("quotaUsed", { kind: "data", data });
    const answer = await quotaUsed(sim);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, { code: 0, msg: "success", data: JSON.parse(JSON.stringify(data)) });
  });

  it("puts a data fault's value in `total` for the user count", async () => {
    sim().queueFault("userCount", { kind: "data", data: "many" });
    assert.deepEqual((await call(sim().url, PATHS.userCount, { headers: TOKEN_AUTH })).json, {
      code: 0,
      msg: "success",
      total: "many",
    });
  });

  it("refuses an invalid fault, naming the bad key", () => {
    assert.throws(() => sim().queueFault("quotaUsed", { kind: "delay", ms: -1 }), /ms/);
    assert.throws(() => sim().queueFault("quotaUsed", { kind: "status", status: 42 }), /status/);
    assert.throws(() => sim().queueFault("quotaUsed", { kind: "reset" }, 0), /count/);
  });

  it("drops queued faults on clearFaults()", async () => {
    sim().queueFault("quotaUsed", { kind: "status", status: 500 }, 3);
    sim().clearFaults();
    assert.equal((await quotaUsed(sim)).status, 200);
  });
});
