import assert from "node:assert/strict";
import { DEMO_APP } from "../../sim";
import { signedHeaders, xDate } from "../helpers/app-signature";
import { useSimulator } from "../helpers/simulator";
import { call, PATHS, TOKEN_AUTH } from "./http";

const DAY_MS = 86_400_000;

describe("koodrive-sim clock", () => {
  const sim = useSimulator();

  const setClock = (body: string) => call(sim().url, "/__sim/clock", { method: "PUT", body });
  const signedAt = (date: Date) =>
    call(sim().url, PATHS.quotaUsed, {
      headers: signedHeaders({ method: "GET", url: `${sim().url}${PATHS.quotaUsed}`, ...DEMO_APP, date: xDate(date) }),
    });

  it("answers with a Date header from its clock, which PUT /__sim/clock moves and runs on from", async () => {
    const set = await setClock(JSON.stringify({ time: "2026-11-11T00:00:00Z" }));
    assert.equal(set.status, 200);
    const answer = await call(sim().url, PATHS.quotaUsed, { headers: TOKEN_AUTH });
    const date = Date.parse(String(answer.headers.date));
    const since = date - Date.parse("2026-11-11T00:00:00Z");
    assert.ok(since >= 0 && since < 60_000, `Date header ${answer.headers.date}`);
    const read = (await call(sim().url, "/__sim/clock")).json as { time: string };
    assert.ok(Date.parse(read.time) >= Date.parse("2026-11-11T00:00:00Z"));
  });

  it("checks X-Date against its clock: a signature of the machine's time is stale ten days later", async () => {
    assert.equal((await signedAt(new Date())).status, 200);
    sim().setClock(new Date(Date.now() + 10 * DAY_MS));
    assert.equal((await signedAt(new Date())).status, 401);
    assert.equal((await signedAt(sim().now())).status, 200);
    await call(sim().url, "/__sim/reset", { method: "POST" });
    assert.equal((await signedAt(new Date())).status, 200);
  });

  it("refuses a time that is not ISO 8601, naming the key", async () => {
    for (const body of ['{"time": "next tuesday"}', '{"time": 5}', '{"when": "2026-11-11T00:00:00Z"}']) {
      const answer = await setClock(body);
      assert.equal(answer.status, 400, body);
      assert.match(answer.text, /time|when: unknown key/);
    }
  });
});
