import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import fc from "fast-check";
import type { z } from "zod";
import { REPO_ROOT } from "../../harness/engine";
import { ENFORCEMENTS } from "../../provider/capacity/plan";
import { ReadingSchema } from "../../provider/capacity/reading-schema";
import * as capacityValidators from "../../provider/capacity/validators";
import { QUOTA_USED_FIELDS } from "../../provider/client/quota-used";
import { INVALID, type Validator } from "../../provider/client/validation";
import * as clientValidators from "../../provider/client/validators";
import { CONNECTION_KEYS } from "../../provider/config/connection-settings";
import * as configValidators from "../../provider/config/validators";
import { DEMO_TOKEN, startSimulator } from "../../sim";
import { generateValidators, SOURCES } from "../../tools/validators/generate";

const run = promisify(execFile);

/** Each folder's generated checks, as the provider process loads them. */
const GENERATED: Record<string, Record<string, unknown>> = {
  "provider/client": clientValidators,
  "provider/capacity": capacityValidators,
  "provider/config": configValidators,
};

/** The generated source of `file` as `npm run validators` writes it: through biome's formatting and import sorting. */
function formatted(file: string, source: string): string {
  const biome = path.join(REPO_ROOT, "node_modules/.bin/biome");
  return execFileSync(biome, ["check", "--write", `--stdin-file-path=${file}`], {
    cwd: REPO_ROOT,
    input: source,
    encoding: "utf8",
  });
}

/** The fields of the subscription answer the schema reads. */
const SUBSCRIPTION_KEYS = [
  "status",
  "tenantId",
  "personalSpaceSize",
  "groupSpaceSize",
  "departmentSpaceSize",
  "spaceCapacity",
  "userCount",
  "organizationName",
  "organizationId",
  "productType",
];

/** Values of every kind, with the edges the schemas draw lines at. */
const tricky: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  fc.constantFrom(
    undefined,
    null,
    true,
    Number.NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    1.5,
    -1,
    100,
    100.5,
    2 ** 53,
    2 ** 53 - 1,
  ),
  fc.constantFrom("", "12", "007", "-1", "1.5", "1e3", " 1", "0x10", "9".repeat(17), ...ENFORCEMENTS, "Mandatory"),
  fc.constantFrom("2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2024-01-01T00:00:00.5+05:30", "2024-01-01T00:00Z"),
  fc.constantFrom([], {}, [1], { dept: 1 }),
  fc.double(),
  fc.string(),
);

/**
 * `valid`'s records, as they are or with one key (of `keys`, an unknown one or `__proto__` as an own
 * key) set to a tricky value, set to undefined, or deleted.
 */
function mutated(valid: fc.Arbitrary<Record<string, unknown>>, keys: readonly string[]) {
  return fc
    .tuple(
      valid,
      fc.constantFrom(...keys, "unknownKey", "__proto__"),
      tricky,
      fc.constantFrom("keep", "set", "undefined", "delete"),
    )
    .map(([record, key, value, how]) => {
      const copy = { ...record };
      if (how === "set" || how === "undefined") {
        Object.defineProperty(copy, key, {
          value: how === "set" ? value : undefined,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else if (how === "delete") delete copy[key];
      return copy;
    });
}

const whole = fc.oneof(fc.nat(), fc.maxSafeNat());
const figure = fc.oneof(whole, fc.nat().map(String), fc.integer({ min: 0, max: 999_999_999_999_999 }).map(String));
const optional = <T>(record: Record<string, fc.Arbitrary<T>>) => fc.record(record, { requiredKeys: [] });
const spaceKeys = ["dept", "personal", "group"];
const space = mutated(optional(Object.fromEntries(spaceKeys.map((key) => [key, whole]))), spaceKeys);
const planKeys = capacityValidators.capacityPlanKeys;
const plan = optional({
  plannedUsers: whole,
  plannedSpaceGB: space,
  minFreeSeats: whole,
  minFreeGB: whole,
  warnAtPercent: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.integer({ min: 0, max: 100 })),
  minRunwayDays: whole,
  enforcement: fc.constantFrom(...ENFORCEMENTS),
} as Record<string, fc.Arbitrary<unknown>>);
/** The fields of a user answer the schema reads. */
const USER_KEYS = ["userId", "role", "status", "id", "orgId", "deptId", "deptName", "mobile", "name"];
/** The fields of a space answer the schema reads. */
const SPACE_INFO_KEYS = [
  "type",
  "status",
  "ownerId",
  "containerId",
  "capacity",
  "spaceUsed",
  "tenantId",
  "createTime",
  "updateTime",
];
const spaceInfo = mutated(
  fc.record(
    {
      type: fc.oneof(fc.constantFrom("0", "1", "2", 0, 1), figure),
      status: fc.oneof(fc.constantFrom("0", "1"), figure),
      ownerId: fc.string(),
      containerId: fc.string(),
      capacity: figure,
      spaceUsed: figure,
      tenantId: fc.string(),
      createTime: fc.string(),
      updateTime: fc.string(),
    } as Record<string, fc.Arbitrary<unknown>>,
    { requiredKeys: ["type", "status", "ownerId", "containerId", "capacity", "spaceUsed"] },
  ),
  SPACE_INFO_KEYS,
);
const takenAt = fc
  .tuple(
    fc.date({ min: new Date("0001-01-01"), max: new Date("9999-12-31"), noInvalidDate: true }),
    fc.constantFrom("Z", "+05:30", "-23:59", "+24:00"),
  )
  .map(([date, zone]) => date.toISOString().replace("Z", zone));
const amount = fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e15, noNaN: true }));
const readingKeys = Object.keys(ReadingSchema.shape);
const reading = mutated(
  fc.record(
    Object.fromEntries(readingKeys.map((key) => [key, key === "takenAt" ? takenAt : amount])) as Record<
      string,
      fc.Arbitrary<unknown>
    >,
  ),
  readingKeys,
);

/** Inputs for each schema: records near its valid ones, and anything at all. */
const INPUTS: Record<string, fc.Arbitrary<unknown>> = {
  EnvelopeSchema: mutated(
    fc.record(
      { code: fc.oneof(fc.integer(), fc.string()), msg: fc.string(), data: fc.anything() },
      { requiredKeys: ["code"] },
    ),
    ["code", "msg", "data"],
  ),
  QuotaUsedDataSchema: mutated(
    fc.record({
      ...Object.fromEntries(QUOTA_USED_FIELDS.map((key) => [key, figure])),
      productType: fc.string(),
    } as Record<string, fc.Arbitrary<unknown>>),
    QUOTA_USED_FIELDS,
  ),
  SubscriptionDataSchema: mutated(
    fc.record(
      {
        status: fc.oneof(fc.constantFrom(0, 1, "0", "1"), figure),
        tenantId: fc.string(),
        personalSpaceSize: figure,
        groupSpaceSize: figure,
        departmentSpaceSize: figure,
        spaceCapacity: figure,
        userCount: figure,
        organizationName: fc.string(),
        organizationId: fc.string(),
        productType: fc.string(),
      } as Record<string, fc.Arbitrary<unknown>>,
      { requiredKeys: ["status", "tenantId"] },
    ),
    SUBSCRIPTION_KEYS,
  ),
  KooDriveUserSchema: mutated(
    fc.record(
      {
        userId: fc.string(),
        role: fc.oneof(fc.constantFrom(0, 1, 2, 5, "1"), figure),
        status: fc.oneof(fc.constantFrom(0, 1, "0"), figure),
        id: fc.string(),
        orgId: fc.string(),
        deptId: fc.oneof(fc.string(), fc.constant("1243693141656107521")),
        deptName: fc.string(),
        mobile: fc.string(),
        name: fc.string(),
      } as Record<string, fc.Arbitrary<unknown>>,
      { requiredKeys: ["userId", "role", "status"] },
    ),
    USER_KEYS,
  ),
  SpaceInfoSchema: spaceInfo,
  SpaceListSchema: fc.array(fc.oneof({ weight: 4, arbitrary: spaceInfo }, { weight: 1, arbitrary: tricky }), {
    maxLength: 4,
  }),
  CapacityPlanSchema: mutated(plan, planKeys),
  AllocationSchema: mutated(optional({ users: whole, spaceGB: space } as Record<string, fc.Arbitrary<unknown>>), [
    "users",
    "spaceGB",
  ]),
  HistorySchema: fc.array(fc.oneof({ weight: 4, arbitrary: reading }, { weight: 1, arbitrary: tricky }), {
    maxLength: 4,
  }),
  ConnectionValuesSchema: mutated(
    optional(Object.fromEntries(CONNECTION_KEYS.map((key) => [key, fc.string()]))),
    CONNECTION_KEYS,
  ),
};

/** The validator generated for a schema, by the schema's name, from its folder's validators.ts. */
function validatorOf(name: string, folder: string): Validator<z.ZodType> {
  const exported = `${name[0]?.toLowerCase()}${name.slice(1).replace(/Schema$/, "")}Validator`;
  const found = GENERATED[folder]?.[exported];
  assert.ok(found, `${folder}/validators.ts exports ${exported}`);
  return found as Validator<z.ZodType>;
}

describe("the validators generated from the zod schemas", () => {
  it("are what the schemas generate, one file per folder (run `npm run validators` after changing a schema)", () => {
    const generated = generateValidators();
    assert.deepEqual(
      generated.map(({ file }) => path.relative(REPO_ROOT, path.dirname(file))).sort(),
      Object.keys(GENERATED).sort(),
    );
    for (const { file, source } of generated) {
      assert.equal(readFileSync(file, "utf8"), formatted(file, source), path.relative(REPO_ROOT, file));
    }
  });

  for (const { name, schema, folder } of SOURCES) {
    it(`accept and refuse what ${name} does, with the same output (${folder}/validators.ts)`, () => {
      const { check } = validatorOf(name, folder);
      const input = INPUTS[name];
      assert.ok(input, `inputs for ${name}`);
      let accepted = 0;
      fc.assert(
        fc.property(fc.oneof({ weight: 6, arbitrary: input }, { weight: 1, arbitrary: tricky }), (value) => {
          const expected = schema.safeParse(value);
          const output = check(value);
          assert.equal(output !== INVALID, expected.success, `zod ${expected.success ? "accepts" : "refuses"} it`);
          if (expected.success) {
            accepted++;
            assert.deepStrictEqual(output, expected.data);
          }
        }),
        { numRuns: 2000 },
      );
      // Both sides of the line are tried.
      assert.ok(accepted > 200 && accepted < 1800, `${accepted} of 2000 accepted`);
    });
  }

  it("give the schema's own error for what they refuse", () => {
    const refused = capacityValidators.capacityPlanValidator.safeParse({ plannedUsers: -1 });
    assert.equal(refused.success, false);
    assert.equal(refused.error?.issues[0]?.message, "must be a whole number ≥ 0");
  });

  it("leave zod unloaded in the provider process through a data source's and a guard's check, until an input is refused", async () => {
    const sim = await startSimulator();
    try {
      const runtime = path.join(__dirname, "../../provider/dynamic/runtime.js");
      const { stdout } = await run(process.execPath, [
        "-e",
        `const zodLoaded = () => Object.keys(require.cache).some((file) => /[\\\\/]node_modules[\\\\/]zod[\\\\/](?!v4[\\\\/]locales[\\\\/]index)/.test(file));
        const runtime = require(${JSON.stringify(runtime)});
        const connection = { endpoint: ${JSON.stringify(sim.url)}, accessToken: ${JSON.stringify(DEMO_TOKEN)} };
        (async () => {
          const before = zodLoaded();
          const usage = await runtime.check({}, { kind: "ServiceUsage", providerVersion: "0.0.0", connection });
          const guard = await runtime.check({}, { kind: "CapacityGuard", providerVersion: "0.0.0", connection, plannedUsers: 1 });
          const afterChecks = zodLoaded();
          const refused = await runtime.check({}, { kind: "CapacityGuard", providerVersion: "0.0.0", connection, plannedUsers: -1 });
          const failures = [...usage.failures, ...guard.failures].map((failure) => failure.reason);
          console.log(JSON.stringify({ before, failures, afterChecks, refusal: refused.failures[0].reason, afterRefusal: zodLoaded() }));
          process.exit(0);
        })();`,
      ]);
      assert.deepEqual(JSON.parse(stdout), {
        before: false,
        failures: [],
        afterChecks: false,
        refusal: "plannedUsers must be a whole number ≥ 0",
        afterRefusal: true,
      });
    } finally {
      await sim.close();
    }
  });
});
