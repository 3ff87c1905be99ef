import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../harness/engine";
import { QUOTA_USED_FIELDS } from "../../provider/client/quota-used";
import { CONNECTION_KEYS, CONNECTION_SETTINGS } from "../../provider/config/connection-settings";
import { RESERVE_KEYS, RESERVE_SETTINGS } from "../../provider/config/reserve-settings";
import { GUARD_OUTPUT_KEYS } from "../../provider/guard/outputs";
import { generateSchema, pluginDownloadUrl, SCHEMA_FILE } from "../../tools/schemagen/plugin-schema";
import { declarationDocs } from "../helpers/declaration-docs";

/** The doc comments of `GuardOutputs` in the built declaration file, by output. */
const outputDocs = declarationDocs("provider/guard/outputs.d.ts", "GuardOutputs");

// biome-ignore lint/suspicious/noExplicitAny: walks the schema JSON, whose shape the assertions check
type Spec = Record<string, any>;

/** Every property spec in the schema, with where it is. */
function properties(schema: Spec): [string, Spec][] {
  const found: [string, Spec][] = [];
  const collect = (where: string, props: Spec | undefined) => {
    for (const [name, spec] of Object.entries(props ?? {})) found.push([`${where}.${name}`, spec as Spec]);
  };
  collect("config", schema.config.variables);
  collect("provider", schema.provider.inputProperties);
  for (const [token, resource] of Object.entries<Spec>(schema.resources)) {
    collect(`${token} input`, resource.inputProperties);
    collect(token, resource.properties);
  }
  for (const [token, fn] of Object.entries<Spec>(schema.functions)) collect(token, fn.outputs.properties);
  for (const [token, type] of Object.entries<Spec>(schema.types)) collect(token, type.properties);
  return found;
}

describe("the koodrive plugin schema", () => {
  const schema = generateSchema() as Spec;

  it("is what the declarations generate (run `npm run schema` after changing them)", () => {
    assert.deepStrictEqual(JSON.parse(readFileSync(SCHEMA_FILE, "utf8")), schema);
  });

  it("carries what a registry listing needs, and where the engine downloads the plugin", () => {
    assert.equal(schema.publisher, "KooDrive Pulumi contributors");
    assert.equal(schema.homepage, "https://github.com/koodrive/pulumi-koodrive");
    assert.equal(schema.repository, schema.homepage);
    assert.ok(schema.keywords.includes("category/utility") && schema.keywords.includes("kind/native"));
    // The logo is the repository's own file, at its address on the main branch.
    assert.match(schema.logoUrl, /\/raw\/main\/docs\/logo\.svg$/);
    assert.ok(existsSync(path.join(REPO_ROOT, "docs/logo.svg")));
    assert.equal(schema.pluginDownloadURL, "github://api.github.com/koodrive/pulumi-koodrive");
    assert.equal(
      pluginDownloadUrl({ KOODRIVE_PLUGIN_DOWNLOAD_URL: "https://downloads.example.invalid/koodrive/" }),
      "https://downloads.example.invalid/koodrive/",
    );
  });

  it("describes every property", () => {
    const undescribed = properties(schema).filter(
      ([, spec]) => !(typeof spec.description === "string" && spec.description),
    );
    assert.deepStrictEqual(undescribed, []);
  });

  it("returns the 17 figures and the derived ones from getServiceUsage, all required", () => {
    const outputs = schema.functions["koodrive:index:getServiceUsage"].outputs;
    for (const field of [...QUOTA_USED_FIELDS, "remainingSeats", "remainingQuotaGB", "spaceUsedPercent"]) {
      assert.ok(outputs.properties[field], `${field} is missing`);
      assert.ok(outputs.required.includes(field), `${field} is not required`);
    }
    assert.equal(Object.keys(outputs.properties).length, 27);
    assert.ok(
      outputs.properties.runway && !outputs.required.includes("runway"),
      "runway is optional: a function keeps no history",
    );
  });

  it("configures the connection and the reserves with the KOODRIVE_* fallbacks, credentials secret", () => {
    const inputs = schema.provider.inputProperties;
    assert.deepStrictEqual(Object.keys(inputs), [...CONNECTION_KEYS, ...RESERVE_KEYS]);
    for (const key of CONNECTION_KEYS) {
      assert.deepStrictEqual(inputs[key].defaultInfo, { environment: [CONNECTION_SETTINGS[key].variable] });
    }
    for (const key of RESERVE_KEYS) {
      assert.deepStrictEqual(inputs[key].defaultInfo, { environment: [RESERVE_SETTINGS[key].variable] });
    }
    const secrets = Object.keys(inputs).filter((key) => inputs[key].secret);
    assert.deepStrictEqual(secrets.sort(), ["accessToken", "appSecret", "lockUrl"]);
    assert.deepStrictEqual(Object.keys(schema.config.variables).sort(), Object.keys(inputs).sort());
  });

  it("declares CapacityGuard with the TypeScript guard's arguments and outputs", () => {
    const guard = schema.resources["koodrive:index:CapacityGuard"];
    assert.deepStrictEqual(Object.keys(guard.inputProperties), [
      "plannedUsers",
      "plannedSpaceGB",
      "minFreeSeats",
      "minFreeGB",
      "warnAtPercent",
      "minRunwayDays",
      "enforcement",
    ]);
    for (const output of GUARD_OUTPUT_KEYS) {
      assert.ok(guard.properties[output], `${output} is missing`);
      assert.equal(guard.properties[output].description, outputDocs[output], `${output}'s description is its doc`);
    }
  });

  it("takes every description from the project's own declarations, none from TypeScript's library", () => {
    const texts = [
      ...properties(schema).map(([, spec]) => String(spec.description)),
      ...Object.values<Spec>(schema.types).map((type) => String(type.description ?? "")),
      ...Object.values<Spec>(schema.resources).map((resource) => String(resource.description)),
    ];
    const library = readFileSync(require.resolve("typescript/lib/lib.es5.d.ts"), "utf8");
    const libraryDocs = [...library.matchAll(/\/\*\*\s*\n?\s*\*?\s*([A-Z][^*\n]{15,})/g)].map(([, text = ""]) =>
      text.trim(),
    );
    assert.ok(libraryDocs.includes("Make all properties in T required"), "the library's docs were found");
    const borrowed = texts.filter((text) => libraryDocs.some((doc) => text.includes(doc)));
    assert.deepStrictEqual(borrowed, []);
  });

  it("types whole numbers of the guard's outputs as integers", () => {
    const types = schema.types;
    for (const [token, names] of [
      ["koodrive:index:RemainingAfterPlan", ["seats", "deptQuotaGB", "personalQuotaGB", "groupQuotaGB", "quotaGB"]],
      ["koodrive:index:NewAllocation", ["users"]],
      ["koodrive:index:Allocation", ["users"]],
      ["koodrive:index:Violation", ["planned", "deployed", "new", "remaining", "reserve", "exceededBy"]],
    ] as const) {
      for (const name of names) assert.equal(types[token]?.properties[name]?.type, "integer", `${token}.${name}`);
    }
  });
});
