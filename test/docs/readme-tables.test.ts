import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../harness/engine";
import { POLICY_CONFIG_SCHEMAS } from "../../policy/config-schema";
import { PLAN_FIELDS } from "../../provider/capacity/plan-fields";
import { CapacityPlanSchema } from "../../provider/capacity/plan-schema";
import { CONNECTION_KEYS, CONNECTION_SETTINGS } from "../../provider/config/connection-settings";
import { RESERVE_KEYS, RESERVE_SETTINGS } from "../../provider/config/reserve-settings";
import { declarationDocs } from "../helpers/declaration-docs";

/** The user docs that hold the reference tables (the README links to them). */
const DOCS = {
  configuration: "docs/installation-configuration.md",
  reference: "docs/_index.md",
} as const;

/** The rows of the first Markdown table after `heading` in `file`, header row first, cells trimmed. */
function tableAfter(file: string, heading: string): string[][] {
  const text = readFileSync(path.join(REPO_ROOT, file), "utf8");
  const start = text.indexOf(`\n${heading}\n`);
  assert.notEqual(start, -1, `${file} has the heading ${heading}`);
  const lines = text.slice(start).split("\n");
  const first = lines.findIndex((line) => line.startsWith("|"));
  const rows = lines.slice(
    first,
    lines.findIndex((line, index) => index > first && !line.startsWith("|")),
  );
  return rows
    .filter((_, index) => index !== 1) // the |---| line
    .map((row) =>
      row
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        // GitHub's tables: `\|` is a `|` of the cell, in code spans too.
        .map((cell) => cell.trim().replaceAll("\\|", "|")),
    );
}

describe("the docs' reference tables", () => {
  it("list the connection settings as CONNECTION_SETTINGS declares them", () => {
    const [header, ...rows] = tableAfter(DOCS.configuration, "## Configuration");
    assert.deepEqual(header, ["setting", "stack config", "environment", "meaning"]);
    const expected = CONNECTION_KEYS.map((key) => {
      const setting = CONNECTION_SETTINGS[key];
      return [
        `\`${key}\``,
        `\`${setting.config}\`${setting.secret ? " (secret)" : ""}`,
        `\`${setting.variable}\``,
        setting.doc,
      ];
    });
    assert.deepEqual(rows, expected);
  });

  it("list the reserves of Users and Spaces as RESERVE_SETTINGS declares them", () => {
    const [header, ...rows] = tableAfter(DOCS.configuration, "### Reserves of Users and Spaces");
    assert.deepEqual(header, ["setting", "stack config", "environment", "meaning"]);
    assert.deepEqual(
      rows,
      RESERVE_KEYS.map((key) => {
        const setting = RESERVE_SETTINGS[key];
        return [`\`${key}\``, `\`${setting.config}\``, `\`${setting.variable}\``, setting.doc];
      }),
    );
  });

  it("list the guard's plan arguments as CapacityPlanSchema declares them", () => {
    const [header, ...rows] = tableAfter(DOCS.reference, "## `CapacityGuard`");
    assert.deepEqual(header, ["argument", "type", "meaning"]);
    const planRows = rows.filter(([argument]) => !argument?.includes(","));
    assert.deepEqual(
      planRows.map(([argument, , meaning]) => [argument, meaning]),
      PLAN_FIELDS.map((field) => [`\`${field}\``, CapacityPlanSchema.shape[field].description]),
    );
    const connectionRow = rows.find(([argument]) => argument?.includes(","));
    assert.equal(connectionRow?.[0], CONNECTION_KEYS.map((key) => `\`${key}\``).join(", "));
  });

  it("and the published GuardPlan's docs say what the schema's descriptions say", () => {
    const docs = declarationDocs("provider/capacity/plan.d.ts", "GuardPlan");
    assert.deepEqual(
      docs,
      Object.fromEntries(PLAN_FIELDS.map((field) => [field, CapacityPlanSchema.shape[field].description])),
    );
  });

  it("and the published PlannedSpaceGB's docs say what the schema's descriptions of the pools say", () => {
    const pools = CapacityPlanSchema.shape.plannedSpaceGB.unwrap().shape;
    assert.deepEqual(
      declarationDocs("provider/capacity/plan.d.ts", "PlannedSpaceGB"),
      Object.fromEntries(Object.entries(pools).map(([pool, field]) => [pool, field.description])),
    );
  });

  it("list the policy pack's config as POLICY_CONFIG_SCHEMAS declares it", () => {
    const [header, ...rows] = tableAfter(DOCS.reference, "### Policy config");
    assert.deepEqual(header, ["policy", "key", "default", "meaning"]);
    const expected = Object.entries(POLICY_CONFIG_SCHEMAS).flatMap(([policy, schema]) =>
      Object.entries(schema.shape).map(([key, field]) => {
        const given = field.def.type === "default" ? JSON.stringify(field.def.defaultValue) : undefined;
        return [`\`${policy}\``, `\`${key}\``, given === undefined ? "none" : `\`${given}\``, field.description];
      }),
    );
    assert.deepEqual(rows, expected);
  });
});
