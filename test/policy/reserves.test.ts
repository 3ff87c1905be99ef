import assert from "node:assert/strict";
import { parsePolicyConfig } from "../../policy/config-schema";
import type { PolicyResourceView } from "../../policy/guards";
import { governedOf, governedPlanProblems, governedShortfalls } from "../../policy/reserves";
import { GUARD_TYPES, SPACE_TYPES, USER_TYPES } from "../../provider/guard/types";

const NO_ENV = {};
const orgMinimums = (config: Record<string, unknown>) => parsePolicyConfig("koodrive-org-minimums", config);
const plansFit = (config: Record<string, unknown>) => parsePolicyConfig("koodrive-plans-fit", config);

/** A dynamic User with its `connection` argument. */
const dynamicUser = (connection: Record<string, unknown> = {}): PolicyResourceView => ({
  type: USER_TYPES.dynamic,
  name: "alice",
  urn: `urn:pulumi:dev::p::${USER_TYPES.dynamic}::alice`,
  props: { kind: "User", userId: "1001", connection },
});

/** A plugin Space under a provider with `props` (an explicit provider's arguments, or the default one's config). */
const pluginSpace = (props: Record<string, unknown>): PolicyResourceView => ({
  type: SPACE_TYPES.plugin,
  name: "team",
  urn: `urn:pulumi:dev::p::${SPACE_TYPES.plugin}::team`,
  props: { ownerId: "1001", type: "department", capacityGB: 10 },
  provider: { type: "pulumi:providers:koodrive", props },
});

describe("the provider settings that govern Users and Spaces, as the pack reads them", () => {
  it("come from a dynamic resource's connection, then the stack's config, then the environment", () => {
    const env = {
      PULUMI_CONFIG: JSON.stringify({ "koodrive:minFreeSeats": "4", "koodrive:minFreeGB": "20" }),
      KOODRIVE_MIN_FREE_SEATS: "9",
      KOODRIVE_MIN_RUNWAY_DAYS: "7",
      KOODRIVE_ENFORCEMENT: "advisory",
    };
    const view = governedOf(dynamicUser({ minFreeSeats: "2", endpoint: "cn" }), env);
    assert.equal(view?.label, "User 'alice'");
    assert.deepEqual(view?.settings, {
      minFreeSeats: { value: "2", from: "its connection" },
      minFreeGB: { value: "20", from: "koodrive:minFreeGB" },
      minRunwayDays: { value: "7", from: "KOODRIVE_MIN_RUNWAY_DAYS" },
      enforcement: { value: "advisory", from: "KOODRIVE_ENFORCEMENT" },
    });
  });

  it("come from a plugin resource's provider (text or numbers), then the environment, never the stack's config", () => {
    const env = { PULUMI_CONFIG: JSON.stringify({ "koodrive:minFreeGB": "20" }), KOODRIVE_MIN_FREE_GB: "30" };
    const view = governedOf(pluginSpace({ minFreeSeats: 5, enforcement: "mandatory", endpoint: "cn" }), env);
    assert.equal(view?.label, "Space 'team'");
    assert.deepEqual(view?.settings, {
      minFreeSeats: { value: "5", from: "its provider" },
      minFreeGB: { value: "30", from: "KOODRIVE_MIN_FREE_GB" },
      enforcement: { value: "mandatory", from: "its provider" },
    });
    assert.equal(governedOf({ ...pluginSpace({}), type: GUARD_TYPES.plugin }, env), undefined);
  });

  it("fall short of the organisation's minimums: an advisory provider, a reserve below its minimum, not set as 0", () => {
    const minimums = orgMinimums({ minFreeSeats: 5, minRunwayDays: 7 });
    const advisory = governedOf(pluginSpace({ enforcement: "advisory", minFreeSeats: "2" }), NO_ENV);
    assert.ok(advisory);
    assert.deepEqual(governedShortfalls(advisory, minimums), [
      `enforcement is "advisory" (its provider); the organisation requires "mandatory" (or allowAdvisory in the policy config)`,
      "minFreeSeats is 2 (its provider); the organisation's minimum is 5",
      "minRunwayDays is not set; the organisation's minimum is 7",
    ]);
    assert.deepEqual(governedShortfalls(advisory, { ...minimums, allowAdvisory: true, minRunwayDays: 0 }), [
      "minFreeSeats is 2 (its provider); the organisation's minimum is 5",
    ]);
    const zero = governedOf(dynamicUser({ minFreeSeats: "0" }), NO_ENV);
    assert.ok(zero);
    assert.deepEqual(governedShortfalls(zero, orgMinimums({ minFreeSeats: 1 })), [
      "minFreeSeats is 0 (its connection); the organisation's minimum is 1",
    ]);
    const strong = governedOf(dynamicUser({ minFreeSeats: "5", minRunwayDays: "7" }), NO_ENV);
    assert.ok(strong);
    assert.deepEqual(governedShortfalls(strong, minimums), []);
    assert.deepEqual(
      governedShortfalls(strong, orgMinimums({})),
      [],
      "the default config asks nothing of a mandatory provider",
    );
  });

  it("must apply at least plans-fit's reserves: mandatory, each at least the pack's", () => {
    const config = plansFit({ minFreeSeats: 5 });
    const advisory = governedOf(pluginSpace({ enforcement: "advisory", minFreeSeats: "10" }), NO_ENV);
    assert.ok(advisory);
    assert.deepEqual(governedPlanProblems(advisory, config), [
      `minFreeSeats is 10 (its provider) but enforcement is "advisory" (its provider), so it only warns; the pack keeps minFreeSeats 5 free after the deployment's allocations`,
    ]);
    assert.deepEqual(
      governedPlanProblems(advisory, plansFit({})),
      [],
      "with no reserve to keep, advisory weakens nothing",
    );
    const low = governedOf(dynamicUser({ minFreeSeats: "3" }), NO_ENV);
    assert.ok(low);
    assert.deepEqual(governedPlanProblems(low, plansFit({ minFreeSeats: 5, minFreeGB: 10 })), [
      "minFreeSeats is 3 (its connection); the pack keeps minFreeSeats 5 free after the deployment's allocations",
      "minFreeGB is not set; the pack keeps minFreeGB 10 free after the deployment's allocations",
    ]);
    const enough = governedOf(dynamicUser({ minFreeSeats: "5" }), NO_ENV);
    assert.ok(enough);
    assert.deepEqual(governedPlanProblems(enough, config), []);
  });

  it("leave a setting unknown until the update to the resource's own check", () => {
    const connection = new Proxy(
      { minFreeSeats: "0" },
      {
        get(target, key) {
          if (key === "enforcement") throw new Error("unknown during preview");
          return Reflect.get(target, key);
        },
        ownKeys: () => ["minFreeSeats", "enforcement"],
      },
    );
    const view = governedOf(dynamicUser(connection as Record<string, unknown>), NO_ENV);
    assert.ok(view);
    assert.deepEqual(governedPlanProblems(view, plansFit({ minFreeSeats: 5 })), []);
    assert.deepEqual(governedShortfalls(view, orgMinimums({ minFreeSeats: 5 })), [
      "minFreeSeats is 0 (its connection); the organisation's minimum is 5",
    ]);
  });
});
