/**
 * Generates the checks of the zod schemas the provider process parses with, one file per folder
 * (`validators.ts` beside the schemas: the client's answer checks in provider/client, the plan's,
 * allocation's and history's in provider/capacity, the connection values' in provider/config), so
 * that process checks its inputs without loading zod (see provider/client/validation.ts): each schema
 * becomes a plain function that accepts and refuses what the schema does and returns the same output.
 * The schemas stay the one source: a test fails when a committed file is not what they generate,
 * and another that the generated checks and zod agree on inputs of every kind.
 *
 * Only the parts of zod these schemas use are understood (objects, stripped or strict, arrays,
 * optional, default, unions, enums, numbers with whole-number and range checks, strings with a
 * format's pattern, unknown, and preprocessing by a function named in TRANSFORMS); anything else
 * fails the generation, so a schema cannot drift from its check unnoticed.
 *
 *   npm run validators      writes provider/{client,capacity,config}/validators.ts (then formats them)
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { z } from "zod";
import { AllocationSchema, CapacityPlanSchema } from "../../provider/capacity/plan-schema";
import { HistorySchema } from "../../provider/capacity/reading-schema";
import { EnvelopeSchema, QuotaUsedDataSchema } from "../../provider/client/quota-used-schema";
import { SpaceInfoSchema, SpaceListSchema } from "../../provider/client/space-schema";
import { SubscriptionDataSchema } from "../../provider/client/subscription-schema";
import { KooDriveUserSchema } from "../../provider/client/user-schema";
import { digitsAsNumber } from "../../provider/client/whole-number";
import { ConnectionValuesSchema } from "../../provider/config/connection-values";
import { REPO_ROOT } from "../repo-root";

/** A schema to generate a validator for: its export, the folder its check goes to, and its module there. */
interface Source {
  name: string;
  schema: z.ZodType;
  /** The folder, from the repository root, whose `validators.ts` holds the check. */
  folder: string;
  /** The module (from `folder`) that exports the schema. */
  module: string;
  /** Also export the object's keys, in the schema's order, as `<name>Keys`. */
  keys?: boolean;
}

/** The schemas the provider process parses with, each generated into its own layer's folder. */
export const SOURCES: Source[] = [
  { name: "EnvelopeSchema", schema: EnvelopeSchema, folder: "provider/client", module: "./quota-used-schema" },
  {
    name: "QuotaUsedDataSchema",
    schema: QuotaUsedDataSchema,
    folder: "provider/client",
    module: "./quota-used-schema",
  },
  {
    name: "SubscriptionDataSchema",
    schema: SubscriptionDataSchema,
    folder: "provider/client",
    module: "./subscription-schema",
  },
  { name: "KooDriveUserSchema", schema: KooDriveUserSchema, folder: "provider/client", module: "./user-schema" },
  { name: "SpaceInfoSchema", schema: SpaceInfoSchema, folder: "provider/client", module: "./space-schema" },
  { name: "SpaceListSchema", schema: SpaceListSchema, folder: "provider/client", module: "./space-schema" },
  {
    name: "CapacityPlanSchema",
    schema: CapacityPlanSchema,
    folder: "provider/capacity",
    module: "./plan-schema",
    keys: true,
  },
  { name: "AllocationSchema", schema: AllocationSchema, folder: "provider/capacity", module: "./plan-schema" },
  { name: "HistorySchema", schema: HistorySchema, folder: "provider/capacity", module: "./reading-schema" },
  {
    name: "ConnectionValuesSchema",
    schema: ConnectionValuesSchema,
    folder: "provider/config",
    module: "./connection-values",
  },
];

/** Where a folder's generated checks are kept (committed). */
export function validatorsFile(folder: string): string {
  return path.join(REPO_ROOT, folder, "validators.ts");
}

/** The module that runs generated checks, and the one of the preprocessing functions. */
const VALIDATION_MODULE = "provider/client/validation";
const TRANSFORMS_MODULE = "provider/client/whole-number";

/** Preprocessing functions the generated code may call, by the name it imports them as from provider/client/whole-number. */
const TRANSFORMS = new Map<unknown, string>([[digitsAsNumber, "digitsAsNumber"]]);

/** The zod internals the generator reads: a schema's definition, and how an object treats its absent keys. */
interface Internals {
  def: Record<string, unknown> & { type: string; checks?: { _zod: { def: Record<string, unknown> } }[] };
  optin?: "optional" | "defaulted";
  optout?: "optional";
}
const internalsOf = (schema: unknown) => (schema as { _zod: Internals })._zod;

class Generator {
  private readonly names = new Map<unknown, string>();
  private readonly byBody = new Map<string, string>();
  readonly functions: string[] = [];
  readonly transforms = new Set<string>();

  /** The name of the check of `schema`, generated on first use; schemas checked alike share one function. */
  checkOf(schema: unknown, where: string): string {
    const known = this.names.get(schema);
    if (known) return known;
    const body = this.body(schema, where);
    let name = this.byBody.get(body);
    if (!name) {
      name = `check${this.byBody.size}`;
      this.byBody.set(body, name);
      this.functions.push(`function ${name}(value: unknown): unknown {\n${body}\n}`);
    }
    this.names.set(schema, name);
    return name;
  }

  private body(schema: unknown, where: string): string {
    const { def } = internalsOf(schema);
    const checks = (def.checks ?? []).map((check) => check._zod.def);
    if (checks.length > 0 && def.type !== "number")
      throw new Error(`${where}: checks on a ${def.type} are not supported`);
    switch (def.type) {
      case "number":
        return [
          'if (typeof value !== "number" || !Number.isFinite(value)) return INVALID;',
          ...checks.map((check) => `if (!(${numberCheck(check, where)})) return INVALID;`),
          "return value;",
        ].join("\n");
      case "string":
        if (def.format === undefined) return 'return typeof value === "string" ? value : INVALID;';
        if (!(def.pattern instanceof RegExp) || def.pattern.global || def.pattern.sticky) {
          throw new Error(`${where}: a string format without a plain pattern is not supported`);
        }
        return `return typeof value === "string" && ${def.pattern.toString()}.test(value) ? value : INVALID;`;
      case "unknown":
        return "return value;";
      case "enum": {
        const values = Object.values(def.entries as Record<string, unknown>);
        return `return ${JSON.stringify(values)}.includes(value as never) ? value : INVALID;`;
      }
      case "optional": {
        const inner = def.innerType;
        if (internalsOf(inner).optin === "defaulted") throw new Error(`${where}: an optional default is not supported`);
        return `return value === undefined ? undefined : ${this.checkOf(inner, where)}(value);`;
      }
      case "default": {
        const fallback = JSON.stringify(def.defaultValue);
        if (typeof def.defaultValue === "object" || fallback === undefined) {
          throw new Error(`${where}: only a string, number or boolean default is supported`);
        }
        return [
          `if (value === undefined) return ${fallback};`,
          `const output = ${this.checkOf(def.innerType, where)}(value);`,
          `return output === undefined ? ${fallback} : output;`,
        ].join("\n");
      }
      case "union":
        return [
          ...(def.options as unknown[]).map(
            (option, index) =>
              `const option${index} = ${this.checkOf(option, `${where} (option ${index})`)}(value);\nif (option${index} !== INVALID) return option${index};`,
          ),
          "return INVALID;",
        ].join("\n");
      case "pipe": {
        const left = `${this.checkOf(def.in, `${where} (in)`)}(value)`;
        return `const left = ${left};\nreturn left === INVALID ? INVALID : ${this.checkOf(def.out, `${where} (out)`)}(left);`;
      }
      case "transform": {
        const name = TRANSFORMS.get(def.transform);
        if (!name) throw new Error(`${where}: a transform that is not in TRANSFORMS (tools/validators/generate.ts)`);
        this.transforms.add(name);
        return `return ${name}(value);`;
      }
      case "array":
        return [
          "if (!Array.isArray(value)) return INVALID;",
          "const output = new Array(value.length);",
          "for (let index = 0; index < value.length; index++) {",
          `const item = ${this.checkOf(def.element, `${where}[]`)}(value[index]);`,
          "if (item === INVALID) return INVALID;",
          "output[index] = item;",
          "}",
          "return output;",
        ].join("\n");
      case "object":
        return this.object(def, where);
      default:
        throw new Error(`${where}: zod's ${def.type} is not supported`);
    }
  }

  /** An object as zod's `$ZodObject` reads it: each key of the shape by its schema (see `handlePropertyResult`). */
  private object(def: Internals["def"], where: string): string {
    const shape = def.shape as Record<string, unknown>;
    const keys = Object.keys(shape);
    if (Object.getOwnPropertySymbols(shape).length > 0 || keys.includes("__proto__")) {
      throw new Error(`${where}: symbol and __proto__ keys are not supported`);
    }
    const lines = ["if (!isObject(value)) return INVALID;", "const output: Record<string, unknown> = {};"];
    if (def.catchall !== undefined) {
      if (internalsOf(def.catchall).def.type !== "never")
        throw new Error(`${where}: only strict catchalls are supported`);
      lines.push(`for (const key in value) {\nif (!${JSON.stringify(keys)}.includes(key)) return INVALID;\n}`);
    }
    keys.forEach((key, index) => {
      const field = shape[key];
      const { optin, optout } = internalsOf(field);
      const k = JSON.stringify(key);
      const property = /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${k}]`;
      const check = `${this.checkOf(field, `${where}.${key}`)}(value${property})`;
      const r = `field${index}`;
      if (optout === "optional" && optin === "optional") {
        // Absent: nothing in the output. Present: its check, and the key kept even when the output is undefined.
        lines.push(`if (${k} in value) {`, `const ${r} = ${check};`, `if (${r} === INVALID) return INVALID;`);
        lines.push(`output${property} = ${r};`, "}");
      } else if (optout === "optional" && optin === "defaulted") {
        lines.push(`const ${r} = ${check};`, `if (${r} === INVALID) { if (${k} in value) return INVALID; }`);
        lines.push(`else if (${r} !== undefined || ${k} in value) output${property} = ${r};`);
      } else if (optin === undefined) {
        lines.push(`if (!(${k} in value)) return INVALID;`, `const ${r} = ${check};`);
        lines.push(`if (${r} === INVALID) return INVALID;`, `output${property} = ${r};`);
      } else {
        // Not optional out: a refused value refuses the object; an undefined output is kept when present or defaulted.
        lines.push(`const ${r} = ${check};`, `if (${r} === INVALID) return INVALID;`);
        const kept = optin === "defaulted" ? "" : `if (${r} !== undefined || ${k} in value) `;
        lines.push(`${kept}output${property} = ${r};`);
      }
    });
    lines.push("return output;");
    return lines.join("\n");
  }
}

/** The condition a number passes for one of zod's number checks. */
function numberCheck(check: Record<string, unknown>, where: string): string {
  if (check.when !== undefined) throw new Error(`${where}: conditional checks are not supported`);
  const value = check.value;
  switch (check.check) {
    case "number_format":
      if (check.format === "safeint") return "Number.isSafeInteger(value)";
      break;
    case "greater_than":
      if (typeof value === "number") return `value ${check.inclusive ? ">=" : ">"} ${value}`;
      break;
    case "less_than":
      if (typeof value === "number") return `value ${check.inclusive ? "<=" : "<"} ${value}`;
      break;
  }
  throw new Error(`${where}: zod's number check ${JSON.stringify(check.check)} is not supported`);
}

/** `QuotaUsedDataSchema`'s validator is `quotaUsedDataValidator`. */
const camel = (name: string) => `${name[0]?.toLowerCase()}${name.slice(1).replace(/Schema$/, "")}`;

/** `module` (from the repository root) as `folder` imports it. */
function importPath(folder: string, module: string): string {
  const relative = path.posix.relative(folder, module);
  return relative.startsWith(".") ? relative : `./${relative}`;
}

/** The source of `folder`'s validators.ts (before formatting), from its `sources`. */
function generateFolder(folder: string, sources: Source[]): string {
  const generator = new Generator();
  const declarations = sources.map(({ name, schema, module, keys }) => {
    const check = generator.checkOf(schema, name);
    const load = `() => (require(${JSON.stringify(module)}) as typeof import(${JSON.stringify(module)})).${name}`;
    const lines = [
      `/** \`${name}\` (${module}.ts), checked without zod where the input is valid. */`,
      `export const ${camel(name)}Validator = validator<typeof ${name}>(${check}, ${load});`,
    ];
    if (keys) {
      const shape = (schema as z.ZodObject).shape;
      lines.push(`/** The keys of \`${name}\`, in its order. */`);
      lines.push(`export const ${camel(name)}Keys = ${JSON.stringify(Object.keys(shape))} as const;`);
    }
    return lines.join("\n");
  });
  const typeImports = [...new Set(sources.map((source) => source.module))].map(
    (module) =>
      `import type { ${sources
        .filter((source) => source.module === module)
        .map((source) => source.name)
        .join(", ")} } from ${JSON.stringify(module)};`,
  );
  return [
    "// Generated by `npm run validators` (tools/validators/generate.ts) from the zod schemas: do not edit.",
    ...typeImports,
    `import { INVALID, isObject, validator } from ${JSON.stringify(importPath(folder, VALIDATION_MODULE))};`,
    ...(generator.transforms.size > 0
      ? [
          `import { ${[...generator.transforms].sort().join(", ")} } from ${JSON.stringify(importPath(folder, TRANSFORMS_MODULE))};`,
        ]
      : []),
    "",
    ...declarations,
    "",
    ...generator.functions,
    "",
  ].join("\n");
}

/** Each folder's generated checks: where they go, and their source (before formatting). */
export function generateValidators(): { file: string; source: string }[] {
  const folders = [...new Set(SOURCES.map((source) => source.folder))];
  return folders.map((folder) => ({
    file: validatorsFile(folder),
    source: generateFolder(
      folder,
      SOURCES.filter((source) => source.folder === folder),
    ),
  }));
}

if (require.main === module) {
  for (const { file, source } of generateValidators()) writeFileSync(file, source);
}
