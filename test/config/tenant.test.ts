import assert from "node:assert/strict";
import { identifiedTenant } from "../../provider/config/tenant";
import { KooDriveClient } from "../../sdk/nodejs/client";

/** The tenant of a client made from `options`. */
const tenantOf = (options: ConstructorParameters<typeof KooDriveClient>[0]) =>
  new KooDriveClient({ env: {}, ...options }).tenant;

describe("the tenant a connection reaches", () => {
  const base = { endpoint: "https://koodrive.example.com", accessToken: "tok-1" };

  it("is one tenant for every spelling of one connection", () => {
    const key = tenantOf(base).key;
    for (const spelling of [
      { ...base, endpoint: "https://KooDrive.Example.com/" },
      { ...base, endpoint: "https://koodrive.example.com:443" },
      { ...base, endpoint: "https://koodrive.example.com./" },
      { ...base, endpoint: "https://KooDrive.Example.com.:443" },
      { ...base, endpoint: " https://koodrive.example.com// " },
      { ...base, accessToken: "Bearer tok-1" },
      { ...base, accessToken: "bearer  tok-1" },
    ]) {
      assert.equal(tenantOf(spelling).key, key, JSON.stringify(spelling));
    }
    assert.equal(
      tenantOf({ ...base, endpoint: "cn" }).key,
      tenantOf({ ...base, endpoint: "https://cn.myhuaweicloud-koodrive.com" }).key,
    );
  });

  it("tells tenants apart by endpoint, path prefix and credential", () => {
    const keys = new Set(
      [
        base,
        { ...base, endpoint: "https://other.example.com" },
        { ...base, endpoint: "https://koodrive.example.com/gateway" },
        { ...base, accessToken: "tok-2" },
        { endpoint: base.endpoint, appId: "app", appSecret: "s", userId: "1" },
        { endpoint: base.endpoint, appId: "app", appSecret: "other-secret", userId: "2" },
      ].map((options) => tenantOf(options).key),
    );
    assert.equal(keys.size, 6);
    assert.equal(
      tenantOf({ endpoint: base.endpoint, appId: "app", appSecret: "s", userId: "1" }).key,
      tenantOf({ endpoint: base.endpoint, appId: "app", appSecret: "rotated", userId: "1" }).key,
      "an app is its id and user, whatever its secret",
    );
  });

  it("takes the tenant setting as its label and, while the tenant id is unknown, as the ledger's and lock's key, never the figures'", () => {
    const named = tenantOf({ ...base, tenant: "acme-prod" });
    assert.equal(named.label, "acme-prod");
    const alias = tenantOf({
      ...base,
      endpoint: "https://alias.example.com",
      accessToken: "tok-9",
      tenant: "acme-prod",
    });
    assert.equal(alias.key, named.key, "one name joins the ledgers and locks");
    assert.notEqual(alias.figuresKey, named.figuresKey, "the name never keys the figures");
    assert.equal(named.figuresKey, tenantOf(base).figuresKey);
    assert.equal(tenantOf({ ...base, env: { KOODRIVE_TENANT: "acme-prod" } }).key, named.key);
    const plain = tenantOf(base);
    assert.equal(plain.label, "https://koodrive.example.com");
    assert.ok(!JSON.stringify([plain, named]).includes("tok-1"));
  });

  it("is KooDrive's tenant id once the subscription is read: one ledger and lock, figures per endpoint", () => {
    const one = identifiedTenant(tenantOf(base), "t-1");
    const rotated = identifiedTenant(tenantOf({ ...base, accessToken: "tok-2" }), "t-1");
    const alias = identifiedTenant(tenantOf({ ...base, endpoint: "https://alias.example.com" }), "t-1");
    const named = identifiedTenant(tenantOf({ ...base, tenant: "acme-prod" }), "t-1");
    assert.deepEqual(new Set([one.key, rotated.key, alias.key, named.key]).size, 1);
    assert.equal(one.figuresKey, rotated.figuresKey, "two tokens of one tenant read one set of figures");
    assert.notEqual(one.figuresKey, alias.figuresKey, "another endpoint reads its own");
    assert.notEqual(identifiedTenant(tenantOf(base), "t-2").key, one.key);
    assert.equal(named.label, "acme-prod");
  });
});
