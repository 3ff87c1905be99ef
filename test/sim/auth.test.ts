import assert from "node:assert/strict";
import { DEMO_APP, DEMO_TOKEN, type Simulator, type SimulatorFixture, startSimulator } from "../../sim";
import { type SignInput, signedHeaders, xDate } from "../helpers/app-signature";
import { ADD_USER_BODY, call, type Exchange, PATHS, post } from "./http";

const NOW = new Date("2024-09-09T03:33:25Z");
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

function assertRefused(answer: Exchange, reason: RegExp, ...mustNotContain: string[]): void {
  assert.equal(answer.status, 401, answer.text);
  const body = answer.json as { code: number; msg: string };
  assert.deepEqual(Object.keys(body).sort(), ["code", "msg"]);
  assert.equal(typeof body.code, "number");
  assert.notEqual(body.code, 0);
  assert.match(body.msg, reason);
  for (const secret of mustNotContain) assert.ok(!answer.text.includes(secret), `the answer echoes ${secret}`);
}

describe("koodrive-sim authentication", () => {
  let sim: Simulator;
  const start = async (fixture?: SimulatorFixture) => {
    sim = await startSimulator({ now: () => NOW, ...(fixture ? { fixture } : {}) });
  };
  afterEach(async () => {
    await sim.close();
  });

  /** Signs a request for the demo app at the simulator's clock, with overrides, and sends it. */
  async function sendSigned(
    path: string,
    overrides: Partial<SignInput> & { sendTo?: string; dropHeader?: string } = {},
  ): Promise<Exchange> {
    const { sendTo, dropHeader, ...signOverrides } = overrides;
    const method = signOverrides.method === "POST" ? "POST" : "GET";
    const input: SignInput = {
      method,
      url: `${sim.url}${path}`,
      appId: DEMO_APP.appId,
      appSecret: DEMO_APP.appSecret,
      userId: DEMO_APP.userId,
      date: xDate(NOW),
      ...signOverrides,
    };
    const headers = signedHeaders(input);
    if (dropHeader) delete headers[dropHeader];
    if (method === "POST") headers["content-type"] = "application/json";
    return call(sim.url, sendTo ?? path, {
      method,
      headers,
      ...(input.body === undefined ? {} : { body: input.body }),
    });
  }

  describe("with the demo credentials", () => {
    beforeEach(() => start());

    it("accepts the demo token bare and with the Bearer scheme in any case", async () => {
      const presented = [
        `Bearer ${DEMO_TOKEN}`,
        `bearer ${DEMO_TOKEN}`,
        `BEARER ${DEMO_TOKEN}`,
        `bEaReR ${DEMO_TOKEN}`,
        DEMO_TOKEN,
      ];
      for (const authorization of presented) {
        const answer = await call(sim.url, PATHS.quotaUsed, { headers: { authorization } });
        assert.equal(answer.status, 200, authorization);
        assert.equal((answer.json as { code: number }).code, 0);
      }
      assert.deepEqual(
        sim.requestLog().map((entry) => entry.authMode),
        presented.map(() => "token"),
      );
    });

    it("refuses the demo token behind another scheme or a second Bearer", async () => {
      for (const authorization of [`Basic ${DEMO_TOKEN}`, `Bearer Bearer ${DEMO_TOKEN}`, `Bearer${DEMO_TOKEN}`]) {
        assertRefused(await call(sim.url, PATHS.quotaUsed, { headers: { authorization } }), /unknown token/);
      }
    });

    it("refuses an unknown token without echoing it", async () => {
      const presented = "Bearer stolen-looking-token-1234";
      const answer = await call(sim.url, PATHS.quotaUsed, { headers: { authorization: presented } });
      assertRefused(answer, /unknown token/, "stolen-looking-token-1234");
    });

    it("refuses a request without Authorization on every endpoint, changing nothing", async () => {
      assertRefused(await call(sim.url, PATHS.quotaUsed), /missing Authorization/);
      assertRefused(await call(sim.url, PATHS.userCount), /missing Authorization/);
      assertRefused(await post(sim.url, PATHS.users, ADD_USER_BODY, {}), /missing Authorization/);
      assertRefused(await post(sim.url, PATHS.space("1"), { capacity: "1", type: 0 }, {}), /missing Authorization/);
      assert.equal(sim.usage().userCount, 20);
      assert.equal(sim.usage().spaceQuotaUsed, 327);
      assert.ok(sim.requestLog().every((entry) => entry.authMode === "none" && entry.status === 401));
    });

    it("accepts a good app signature on GET and logs it as app auth", async () => {
      const answer = await sendSigned(PATHS.quotaUsed);
      assert.equal(answer.status, 200, answer.text);
      assert.equal(sim.requestLog()[0]?.authMode, "app");
    });

    it("accepts a good app signature over a POST body", async () => {
      const answer = await sendSigned(PATHS.users, { method: "POST", body: JSON.stringify(ADD_USER_BODY) });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(sim.usage().userCount, 21);
    });

    it("accepts a signature over a query string and an extra signed header", async () => {
      const answer = await sendSigned(`${PATHS.userCount}?z=1&a=b%20c&a=a`, { extra: { "x-traceid": "trace-1" } });
      assert.equal(answer.status, 200, answer.text);
    });

    it("accepts a query signed with its parameters sorted as decoded, name first (a=1&a-=2)", async () => {
      const answer = await sendSigned(`${PATHS.userCount}?a-=2&a=1&%C3%A9=3&z=4`);
      assert.equal(answer.status, 200, answer.text);
    });

    it("accepts an X-Date 14 minutes away either way", async () => {
      for (const offset of [-14, 14]) {
        const answer = await sendSigned(PATHS.quotaUsed, { date: xDate(minutes(offset)) });
        assert.equal(answer.status, 200, `offset ${offset}: ${answer.text}`);
      }
    });

    it("refuses a signature made with the wrong secret, echoing neither secret nor signature", async () => {
      const answer = await sendSigned(PATHS.quotaUsed, { appSecret: "not-the-secret" });
      assertRefused(answer, /signature does not match/, "not-the-secret", DEMO_APP.appSecret);
      const presented = /Signature=([0-9a-f]+)/.exec(
        signedHeaders({
          method: "GET",
          url: `${sim.url}${PATHS.quotaUsed}`,
          appId: DEMO_APP.appId,
          appSecret: "not-the-secret",
          userId: DEMO_APP.userId,
          date: xDate(NOW),
        }).authorization ?? "",
      )?.[1];
      assert.ok(presented && !answer.text.includes(presented));
    });

    it("refuses a request sent to another path than the one signed", async () => {
      assertRefused(await sendSigned(PATHS.userCount, { sendTo: PATHS.quotaUsed }), /signature does not match/);
    });

    it("refuses a request whose query string was changed after signing", async () => {
      assertRefused(
        await sendSigned(`${PATHS.quotaUsed}?a=1`, { sendTo: `${PATHS.quotaUsed}?a=2` }),
        /signature does not match/,
      );
    });

    it("refuses a request whose body was changed after signing", async () => {
      const signed = signedHeaders({
        method: "POST",
        url: `${sim.url}${PATHS.users}`,
        body: JSON.stringify(ADD_USER_BODY),
        appId: DEMO_APP.appId,
        appSecret: DEMO_APP.appSecret,
        userId: DEMO_APP.userId,
        date: xDate(NOW),
      });
      const tampered = { ...ADD_USER_BODY, userId: "999" };
      assertRefused(await post(sim.url, PATHS.users, tampered, signed), /signature does not match/);
      assert.equal(sim.usage().userCount, 20);
    });

    it("refuses a request whose signed X-User-Id was changed after signing", async () => {
      const headers = signedHeaders({
        method: "GET",
        url: `${sim.url}${PATHS.quotaUsed}`,
        appId: DEMO_APP.appId,
        appSecret: DEMO_APP.appSecret,
        userId: DEMO_APP.userId,
        date: xDate(NOW),
      });
      headers["x-user-id"] = "100000000000000002";
      assertRefused(await call(sim.url, PATHS.quotaUsed, { headers }), /signature does not match/);
    });

    it("refuses a stale or future X-Date (more than 15 minutes away)", async () => {
      for (const offset of [-16, 16, -24 * 60]) {
        assertRefused(await sendSigned(PATHS.quotaUsed, { date: xDate(minutes(offset)) }), /15 minutes/);
      }
    });

    it("refuses an X-Date that does not parse", async () => {
      for (const date of ["2024-09-09T03:33:25Z", "20240230T033325Z", "20240909T033325", "yesterday", ""]) {
        assertRefused(await sendSigned(PATHS.quotaUsed, { date }), /X-Date is not/);
      }
    });

    it("refuses SignedHeaders without x-user-id, x-date or host, naming the missing one", async () => {
      for (const name of ["x-user-id", "x-date", "host"]) {
        assertRefused(
          await sendSigned(PATHS.quotaUsed, { unsigned: [name] }),
          new RegExp(`SignedHeaders must include ${name}`),
        );
      }
    });

    it("refuses a request that lacks a header it claims to have signed", async () => {
      assertRefused(
        await sendSigned(PATHS.quotaUsed, { extra: { "x-traceid": "t" }, dropHeader: "x-traceid" }),
        /signed header x-traceid is not in the request/,
      );
    });

    it("refuses an unknown app", async () => {
      assertRefused(await sendSigned(PATHS.quotaUsed, { appId: "someone-else" }), /unknown app/);
    });

    // Names that live on Object.prototype once answered 500 "value.trim is not a function".
    const MALFORMED_APP_AUTHORIZATIONS = [
      "HMAC-SHA256 ",
      "HMAC-SHA256 ,,,",
      "HMAC-SHA256 AppId",
      "HMAC-SHA256 AppIdX,SignedHeadersY,SignatureZ",
      "HMAC-SHA256 AppId=demo-app,SignedHeaders=,Signature=00",
      "HMAC-SHA256 AppId=demo-app,SignedHeaders=;;;,Signature=00",
      "HMAC-SHA256 AppId=constructor,SignedHeaders=host;x-date;x-user-id,Signature=00",
      "HMAC-SHA256 AppId=__proto__,SignedHeaders=host;x-date;x-user-id,Signature=00",
      ...["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "prototype"].map(
        (name) => `HMAC-SHA256 AppId=demo-app,SignedHeaders=host;x-date;x-user-id;${name},Signature=00`,
      ),
      "HMAC-SHA256 AppId=demo-app,SignedHeaders=constructor;host;x-date;x-user-id,Signature=00",
      "HMAC-SHA256 AppId=demo-app,SignedHeaders=host;x-date;x-user-id,Signature=\u00ff\u00fe",
      "HMAC-SHA256 AppId=demo-app=x,SignedHeaders==host;x-date;x-user-id,Signature==",
    ];
    for (const authorization of MALFORMED_APP_AUTHORIZATIONS) {
      it(`answers 401 to the malformed Authorization ${JSON.stringify(authorization)}`, async () => {
        const answer = await call(sim.url, PATHS.quotaUsed, {
          headers: { authorization, "x-date": xDate(NOW), "x-user-id": DEMO_APP.userId },
        });
        assertRefused(answer, /authentication failed: /);
        assert.equal(sim.requestLog()[0]?.status, 401);
      });
    }

    it("refuses a malformed HMAC-SHA256 Authorization", async () => {
      const answer = await call(sim.url, PATHS.quotaUsed, {
        headers: { authorization: "HMAC-SHA256 AppId=demo-app", "x-date": xDate(NOW), "x-user-id": "1" },
      });
      assertRefused(answer, /malformed/);
      assert.equal(sim.requestLog()[0]?.authMode, "app");
    });
  });

  describe("with fixture credentials", () => {
    beforeEach(() =>
      start({ tokens: ["fixture-token"], apps: [{ appId: "fixture-app", appSecret: "fixture-secret", userId: "7" }] }),
    );
    const fixtureApp = { appId: "fixture-app", appSecret: "fixture-secret", userId: "7" };

    it("accepts the fixture's token and app", async () => {
      assert.equal((await call(sim.url, PATHS.quotaUsed, { headers: { authorization: "fixture-token" } })).status, 200);
      assert.equal((await sendSigned(PATHS.quotaUsed, fixtureApp)).status, 200);
    });

    it("no longer accepts the demo credentials", async () => {
      assertRefused(await call(sim.url, PATHS.quotaUsed, { headers: { authorization: DEMO_TOKEN } }), /unknown token/);
      assertRefused(await sendSigned(PATHS.quotaUsed), /unknown app/);
    });

    it("lets an app restricted to a user act only as that user", async () => {
      assertRefused(await sendSigned(PATHS.quotaUsed, { ...fixtureApp, userId: "8" }), /X-User-Id/);
    });
  });

  it("accepts no demo app when the fixture gives only tokens", async () => {
    await start({ tokens: ["only-token"] });
    assertRefused(await sendSigned(PATHS.quotaUsed), /unknown app/);
    assertRefused(await call(sim.url, PATHS.quotaUsed, { headers: { authorization: DEMO_TOKEN } }), /unknown token/);
  });
});
