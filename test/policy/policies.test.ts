import assert from "node:assert/strict";
import { parsePolicyConfig } from "../../policy/config-schema";
import { matches, needsGuard, type StackResourceView, unguardedReason } from "../../policy/guard-required";
import { deployedBefore, guardOf, UNKNOWN } from "../../policy/guards";
import { shortfalls } from "../../policy/org-minimums";
import { PolicyConfigError } from "../../provider/client/errors";
import { GUARD_TYPES, SPACE_TYPES, USER_TYPES } from "../../provider/guard/types";
import { documentedCommands } from "../helpers/documented-commands";

const dynamicGuard = (props: Record<string, unknown>) =>
  guardOf({ type: GUARD_TYPES.dynamic, name: "seats", urn: "urn:pulumi:s::p::t::seats", props });

describe("the policy pack's config", () => {
  it("applies the defaults and ignores the enforcement level CrossGuard passes along", () => {
    assert.deepEqual(parsePolicyConfig("koodrive-org-minimums", { enforcementLevel: "remediate" }), {
      minFreeSeats: 0,
      minFreeGB: 0,
      minRunwayDays: 0,
      allowAdvisory: false,
    });
    assert.deepEqual(
      parsePolicyConfig("koodrive-guard-required", {}).addsUsers.map((matcher) => matcher.type),
      ["command:local:Command", "command:remote:Command"],
    );
  });

  it("refuses an unknown key, a wrong type and a bad pattern, naming the policy and each key", () => {
    assert.throws(
      () => parsePolicyConfig("koodrive-org-minimums", { minFreeSeat: 5, minFreeGB: "5" }),
      (error: Error) =>
        error instanceof PolicyConfigError &&
        error.message ===
          "policy config of koodrive-org-minimums: minFreeGB must be a whole number ≥ 0; minFreeSeat: unknown key; fix it in the file given to --policy-pack-config" &&
        error.stack === `PolicyConfigError: ${error.message}`,
    );
    assert.throws(
      () => parsePolicyConfig("koodrive-guard-required", { addsUsers: [{ name: "(" }] }),
      /policy config of koodrive-guard-required: addsUsers\[0\]\.name is not a valid regular expression/,
    );
    assert.throws(
      () => parsePolicyConfig("koodrive-plans-fit", { connection: { endpont: "cn" } }),
      /connection\.endpont: unknown key/,
    );
  });
});

describe("the policies on plain values", () => {
  it("match a resource on every field given", () => {
    const command = {
      type: "command:local:Command",
      name: "user-7",
      urn: "urn:pulumi:dev::p::command:local:Command::user-7",
      props: {},
    };
    assert.equal(matches({ type: "command:local:Command", name: "^user-" }, command), true);
    assert.equal(matches({ type: "command:local:Command", name: "^space-" }, command), false);
    assert.equal(matches({ urn: "::dev::" }, command), false);
    assert.equal(matches({ urn: "urn:pulumi:dev::" }, command), true);
  });

  it("match a Command by its command text, create or update, whatever its name; an unknown text matches nothing", () => {
    const command = (props: Record<string, unknown>) => ({
      type: "command:local:Command",
      name: "onboarding",
      urn: "urn:pulumi:dev::p::command:local:Command::onboarding",
      props,
    });
    const matcher = { type: "command:local:Command", command: "koodrive/ose/v1/users" };
    assert.equal(matches(matcher, command({ create: "curl -X POST $URL/koodrive/ose/v1/users" })), true);
    assert.equal(matches(matcher, command({ create: "true", update: "curl $URL/koodrive/ose/v1/users/7" })), true);
    assert.equal(matches(matcher, command({ create: "true" })), false);
    const unknown = new Proxy(
      {},
      {
        get() {
          throw new Error("unknown during preview");
        },
      },
    );
    assert.equal(matches(matcher, command(unknown)), false);
  });

  it("ask by default every Command of the README, the docs and the examples for a guard, and no other", () => {
    const { addsUsers } = parsePolicyConfig("koodrive-guard-required", {});
    const documented = documentedCommands();
    assert.ok(documented.length > 0, "the README, docs/ and examples/ declare Commands that add users");
    for (const { where, type, props } of documented) {
      assert.ok(
        Object.values(props).some((text) => text !== undefined),
        `${where}: write the Command's create or update as a literal, so this test reads what it runs`,
      );
      const view = { type, name: where, urn: `urn:pulumi:dev::p::${type}::${where}`, props };
      assert.ok(needsGuard(addsUsers, view), `${where}: the default addsUsers misses ${JSON.stringify(props)}`);
    }
    const command = (type: string, create: string) => ({
      type,
      name: "c",
      urn: `urn:pulumi:dev::p::${type}::c`,
      props: { create },
    });
    for (const create of [
      `curl -fsS -X POST "$KOODRIVE_ENDPOINT/koodrive/ose/v1/users" -d '{"userId":"7"}'`,
      `curl -X PUT https://intl.myhuaweicloud-koodrive.com/koodrive/ose/v1/users/7`,
      `curl -X POST "$BASE/koodrive/ose/v1/space/7" -d '{"capacity":"10","type":1}'`,
      `curl -X POST "$BASE/koodrive/ose/v1/space/group"`,
      `curl -X POST "$BASE/koodrive/ose/v1/users/batchimport/preverify"`,
      `http GET $BASE/koodrive/ose/v2/space/7?type=1`,
      "./add-users.sh users.csv",
      "python3 scripts/add_spaces.py",
    ]) {
      assert.ok(needsGuard(addsUsers, command("command:remote:Command", create)), create);
    }
    for (const create of [
      "true",
      `curl -fsS "$KOODRIVE_ENDPOINT/koodrive/ose/v1/service/quotaUsed"`,
      "git add users.csv",
      "./list-users.sh",
    ]) {
      assert.equal(needsGuard(addsUsers, command("command:local:Command", create)), false, create);
    }
  });

  it("never ask a User or a Space for a guard, whatever addsUsers names", () => {
    const everything = parsePolicyConfig("koodrive-guard-required", { addsUsers: [{ urn: "" }] }).addsUsers;
    for (const type of [...Object.values(USER_TYPES), ...Object.values(SPACE_TYPES)]) {
      assert.equal(
        needsGuard(everything, { type, name: "u", urn: `urn:pulumi:dev::p::${type}::u`, props: {} }),
        false,
        type,
      );
    }
    assert.equal(needsGuard(everything, { type: "random:index:RandomId", name: "r", urn: "r", props: {} }), true);
  });

  it("read a guard's plan, its enforcement (unknown counts as mandatory) and what it deployed before", () => {
    const guard = dynamicGuard({
      plannedUsers: 30,
      enforcement: "advisory",
      newAllocation: { users: 10, spaceGB: { dept: 0, personal: 0, group: 0 } },
      connection: { endpoint: "cn", accessToken: 42 },
    });
    assert.equal(guard?.enforcement, "advisory");
    assert.equal(guard?.plan?.plannedUsers, 30);
    assert.deepEqual(guard?.connection, { endpoint: "cn" });
    assert.deepEqual(deployedBefore({ users: 30 }, guard?.newAllocation), { users: 20 });
    assert.equal(deployedBefore({ users: 30 }, { users: 30, spaceGB: { dept: 0, personal: 0, group: 0 } }), undefined);
    const unknown = new Proxy(
      { plannedUsers: 3 },
      {
        get(target, key) {
          if (key === "enforcement") throw new Error("unknown during preview");
          return Reflect.get(target, key);
        },
      },
    );
    const pending = dynamicGuard(unknown);
    assert.equal(pending?.enforcement, "mandatory");
    assert.equal(pending?.fields.enforcement, UNKNOWN);
    assert.equal(pending?.plan, undefined);
    assert.equal(guardOf({ type: "command:local:Command", name: "x", urn: "u", props: {} }), undefined);
  });

  it("find what a guard falls short of the minimums, and the values that meet them", () => {
    const minimums = { minFreeSeats: 5, minFreeGB: 0, minRunwayDays: 7, allowAdvisory: false };
    const guard = dynamicGuard({ plannedUsers: 1, minFreeSeats: 0, enforcement: "advisory" });
    assert.ok(guard);
    assert.deepEqual(shortfalls(guard, minimums), {
      problems: [
        `enforcement is "advisory"; the organisation requires "mandatory" (or allowAdvisory in the policy config)`,
        "minFreeSeats is 0; the organisation's minimum is 5",
        "minRunwayDays is not set; the organisation's minimum is 7",
      ],
      raised: { enforcement: "mandatory", minFreeSeats: 5, minRunwayDays: 7 },
    });
    assert.deepEqual(shortfalls(guard, { ...minimums, allowAdvisory: true, minRunwayDays: 0 }).raised, {
      minFreeSeats: 5,
    });
  });

  it("find a mandatory guard among a resource's dependencies, however indirect", async () => {
    const resource = (type: string, name: string, props: Record<string, unknown> = {}): StackResourceView => ({
      type,
      name,
      urn: `urn:pulumi:dev::p::${type}::${name}`,
      props,
      dependencies: [],
      propertyDependencies: {},
    });
    const guard = resource(GUARD_TYPES.plugin, "seats", { plannedUsers: 1 });
    const middle = resource("random:index:RandomId", "id");
    const user = resource("command:local:Command", "user-1");
    const strict = { allowAdvisory: false };
    assert.match(
      (await unguardedReason(user, strict)) ?? "",
      /'user-1' adds KooDrive users or space without a CapacityGuard/,
    );
    middle.dependencies = [guard];
    user.propertyDependencies = { create: [middle] };
    assert.equal(await unguardedReason(user, strict), undefined);
    guard.props = { plannedUsers: 1, enforcement: "advisory" };
    assert.match((await unguardedReason(user, strict)) ?? "", /depends only on advisory guards \('seats'\)/);
    assert.equal(await unguardedReason(user, { allowAdvisory: true }), undefined);
  });
});
