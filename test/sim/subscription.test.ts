import assert from "node:assert/strict";
import { KooDriveHttpClient } from "../../provider/client/client";
import { resolveSettings } from "../../provider/config/settings";
import { startSimulator } from "../../sim";
import { useSimulator } from "../helpers/simulator";
import { ADD_USER_BODY, call, PATHS, post, TOKEN_AUTH } from "./http";

/** The fields of "Obtaining the Subscription Status" in the API reference. */
const REFERENCE_FIELDS = [
  "status",
  "spaceCapacity",
  "userCount",
  "groupSpaceSize",
  "personalSpaceSize",
  "organizationName",
  "organizationId",
  "rootDeptCode",
  "tenantId",
  "departmentSpaceSize",
  "aiAvailable",
  "wpsAvailable",
  "productType",
];

describe("koodrive-sim's subscription (GET /koodrive/ose/v1/service)", () => {
  const sim = useSimulator();

  it("answers the reference's fields, status 0, and a tenant id of its own", async () => {
    const answer = await call(sim().url, PATHS.service, { headers: TOKEN_AUTH });
    assert.equal(answer.status, 200);
    const { code, data } = answer.json as { code: number; data: Record<string, unknown> };
    assert.equal(code, 0);
    assert.deepEqual(Object.keys(data).sort(), [...REFERENCE_FIELDS].sort());
    assert.equal(data.status, 0);
    assert.equal(data.personalSpaceSize, 0);
    assert.equal(data.userCount, sim().usage().userMaxCount);
    assert.match(String(data.tenantId), /^[0-9a-f]{32}$/);
    const other = await startSimulator();
    try {
      assert.notEqual(other.subscription().tenantId, data.tenantId, "two simulators are two tenants");
    } finally {
      await other.close();
    }
    assert.equal((await call(sim().url, PATHS.service)).status, 401, "authenticated like every endpoint");
  });

  it("changes the subscription through PUT /__sim/service, refusing a bad key", async () => {
    const put = await post(
      sim().url,
      "/__sim/service",
      { status: 1, personalSpaceSize: 10, tenantId: "t-42" },
      {},
      "PUT",
    );
    assert.equal(put.status, 200);
    assert.deepEqual(
      [sim().subscription().status, sim().subscription().personalSpaceSize, sim().subscription().tenantId],
      [1, 10, "t-42"],
    );
    const bad = await post(sim().url, "/__sim/service", { status: 2, seats: 1 }, {}, "PUT");
    assert.equal(bad.status, 400);
    assert.match((bad.json as { msg: string }).msg, /status/);
    assert.equal(sim().subscription().status, 1, "nothing changed");
    assert.equal((await call(sim().url, "/__sim/service")).status, 200);
  });

  it("refuses every add of a frozen tenant (400 / 13000323, nothing taken), and adds again once unfrozen", async () => {
    const made = await post(sim().url, PATHS.space("dept-7"), { capacity: "10", type: 0 });
    assert.equal(made.status, 200, made.text);
    const containerId = sim().spaces()[0]?.containerId;
    const before = sim().usage();
    const frozen = await post(sim().url, "/__sim/service", { status: 1 }, {}, "PUT");
    assert.equal(frozen.status, 200);
    const refusals = [
      await post(sim().url, PATHS.users, ADD_USER_BODY),
      await post(sim().url, PATHS.space("200000000000000009"), { capacity: "10", type: 1 }),
      await post(sim().url, PATHS.space("dept-7"), { type: 0, containerId, capacity: "20" }, TOKEN_AUTH, "PUT"),
    ];
    for (const refused of refusals) {
      assert.equal(refused.status, 400, refused.text);
      const { code, msg } = refused.json as { code: number; msg: string };
      assert.equal(code, 13000323);
      assert.match(
        msg,
        /^the tenant's subscription is frozen \(status 1\): .+ cannot be added until it is renewed or unfrozen$/,
      );
    }
    assert.deepEqual(sim().usage(), before, "a frozen tenant's figures do not move");
    assert.deepEqual(sim().users(), []);
    const read = await call(sim().url, PATHS.quotaUsed, { headers: TOKEN_AUTH });
    assert.equal(read.status, 200, "reads still answer");
    const shrink = await post(
      sim().url,
      PATHS.space("dept-7"),
      { type: 0, containerId, capacity: "5" },
      TOKEN_AUTH,
      "PUT",
    );
    assert.equal(shrink.status, 200, "a shrink adds nothing");

    const bad = await post(sim().url, "/__sim/service", { status: "frozen", personalSpaceSize: -1 }, {}, "PUT");
    assert.equal(bad.status, 400);
    assert.match((bad.json as { msg: string }).msg, /status.*personalSpaceSize|personalSpaceSize.*status/);
    assert.equal((await post(sim().url, "/__sim/service", { status: 0 }, {}, "PUT")).status, 200);
    assert.equal((await post(sim().url, PATHS.users, ADD_USER_BODY)).status, 200, "unfrozen, the add goes through");
    assert.equal(sim().usage().userCount, before.userCount + 1);
  });

  it("is read by the client, as the guard reads it beside the figures; one tenant id for every token of a simulator", async () => {
    const tokens = ["token-one", "token-two"];
    const tenant = await startSimulator({ fixture: { tokens, subscription: { tenantId: "acme-0001" } } });
    try {
      for (const accessToken of tokens) {
        const client = new KooDriveHttpClient(resolveSettings({ endpoint: tenant.url, accessToken, env: {} }));
        try {
          const subscription = await client.readSubscription();
          assert.equal(subscription.tenantId, "acme-0001");
          assert.equal(subscription.status, 0);
        } finally {
          await client.close();
        }
      }
      assert.equal(tenant.requestCount("service"), 2);
      tenant.queueFault("service", { kind: "data", data: { status: 0, tenantId: "" } });
      const client = new KooDriveHttpClient(resolveSettings({ endpoint: tenant.url, accessToken: tokens[0], env: {} }));
      try {
        await assert.rejects(client.readSubscription(), /unexpected response: data\.tenantId is empty/);
      } finally {
        await client.close();
      }
    } finally {
      await tenant.close();
    }
  });
});
