import assert from "node:assert/strict";
import { useSimulator } from "../helpers/simulator";
import { ADD_USER_BODY, call, PATHS, post, TOKEN_AUTH } from "./http";

describe("koodrive-sim under concurrent requests", () => {
  const sim = useSimulator();

  it("adds exactly 10 users when 200 parallel requests race for 10 free seats", async () => {
    sim().setUsage({ userCount: 90, userMaxCount: 100 });
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        post(sim().url, PATHS.users, { ...ADD_USER_BODY, userId: `4000000000000${String(i).padStart(5, "0")}` }),
      ),
    );
    assert.equal(answers.filter((answer) => answer.status === 200).length, 10);
    const refused = answers.filter((answer) => answer.status === 400);
    assert.equal(refused.length, 190);
    assert.ok(refused.every((answer) => /user limit/i.test((answer.json as { msg: string }).msg)));
    assert.equal(sim().usage().userCount, 100);
    assert.equal(
      ((await call(sim().url, PATHS.userCount, { headers: TOKEN_AUTH })).json as { total: number }).total,
      100,
    );
    assert.equal(sim().requestCount("addUser"), 200);
  });

  it("never over-allocates a pool when 100 parallel 10 GB spaces race for 50 GB", async () => {
    sim().setUsage({ deptSpaceQuota: 100, deptSpaceQuotaUsed: 50, spaceQuotaUsed: 50 });
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => post(sim().url, PATHS.space(String(i + 1)), { capacity: "10", type: 0 })),
    );
    assert.equal(answers.filter((answer) => answer.status === 200).length, 5);
    assert.equal(sim().usage().deptSpaceQuotaUsed, 100);
    assert.equal(sim().usage().spaceQuotaUsed, 100);
  });
});
