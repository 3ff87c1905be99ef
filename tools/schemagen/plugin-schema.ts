/**
 * Generates the `koodrive` package schema (provider/plugin/schema.json) from the project's own
 * declarations, so nothing is written twice: the provider configuration from `CONNECTION_SETTINGS`
 * (doc, environment variable, secret), the guard's arguments from `CapacityPlanSchema` (each field's
 * `.describe()`), the guard's outputs from `GuardOutputs` (provider/guard/outputs.ts), `User`'s arguments
 * from `UserArgs` (sdk/nodejs/user.ts) and its outputs from `UserOutputs` (provider/guard/user.ts), `Space`'s
 * likewise from `SpaceArgs` (sdk/nodejs/space.ts) and `SpaceOutputs` (provider/guard/space.ts), and the figures from
 * `GetServiceUsageResult` (quota-used.ts, usage.ts, runway.ts), whose doc comments are read with the TypeScript
 * compiler. A property without a description fails the generation.
 *
 *   npm run schema          writes provider/plugin/schema.json (then formats it)
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import type { z } from "zod";
import { CapacityPlanSchema } from "../../provider/capacity/plan-schema";
import { QuotaUsedDataSchema } from "../../provider/client/quota-used-schema";
import { PACKAGE_VERSION } from "../../provider/client/version";
import { CONNECTION_KEYS, CONNECTION_SETTINGS } from "../../provider/config/connection-settings";
import { RESERVE_KEYS, RESERVE_SETTINGS } from "../../provider/config/reserve-settings";
import { REPO_ROOT } from "../repo-root";

/** Where the generated schema is kept (committed, and loaded by the plugin). */
export const SCHEMA_FILE = path.join(REPO_ROOT, "provider/plugin/schema.json");

type Spec = Record<string, unknown>;
const TOKEN_PREFIX = "koodrive:index:";
/** The JSDoc tag that marks a `number` member of a TypeScript declaration as a whole number. */
const INTEGER_TAG = "integer";
/** The repository's module path: where the project lives, and the root of its Go module. */
const REPOSITORY_PATH = "github.com/koodrive/pulumi-koodrive";
/** The repository's web address. */
const REPOSITORY_URL = `https://${REPOSITORY_PATH}`;
/** The Go module the Go SDK is published as (sdk/go.mod plus the package folder). */
const GO_IMPORT_BASE_PATH = `${REPOSITORY_PATH}/sdk/go/koodrive`;
/**
 * Where the engine downloads the plugin's tarballs from (named as `npm run dist` names them,
 * `pulumi-resource-koodrive-v<version>-<os>-<arch>.tar.gz`): the repository's GitHub releases, or the
 * server `KOODRIVE_PLUGIN_DOWNLOAD_URL` names when the schema is generated for a release hosted elsewhere.
 */
export function pluginDownloadUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.KOODRIVE_PLUGIN_DOWNLOAD_URL || `github://api.${REPOSITORY_PATH}`;
}

/** A zod schema with its wrappers (optional, default, preprocess) taken off. */
function innermost(field: z.ZodType): z.ZodType & { def: { type: string }; isInt?: boolean } {
  let inner = field as z.ZodType & { def: { innerType?: z.ZodType; out?: z.ZodType; type: string } };
  while (inner.def.innerType || inner.def.out) inner = (inner.def.innerType ?? inner.def.out) as typeof inner;
  return inner;
}

/** The raw quotaUsed figures the API schema reads as whole numbers. */
const WHOLE_FIGURES = new Set(
  Object.entries(QuotaUsedDataSchema.shape)
    .filter(([, field]) => innermost(field as z.ZodType).isInt)
    .map(([name]) => name),
);

/** TypeScript's mapped utility types, which keep the members (and docs) of their argument. */
const MAPPED_TYPES = new Set(["Required", "Partial", "Readonly"]);

/** The schema, generated from the TypeScript sources. */
export function generateSchema(): Spec {
  const file = (name: string) => path.join(REPO_ROOT, name);
  const program = ts.createProgram([file("sdk/nodejs/index.ts")], {
    strict: true,
    skipLibCheck: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
  });
  const checker = program.getTypeChecker();
  const types: Record<string, Spec> = {};

  const source = (name: string) => program.getSourceFile(file(name)) as ts.SourceFile;
  const exported = (name: string, symbol: string): ts.Symbol => {
    const module = checker.getSymbolAtLocation(source(name)) as ts.Symbol;
    const found = checker.getExportsOfModule(module).find((candidate) => candidate.name === symbol);
    if (!found) throw new Error(`${name} exports no ${symbol}`);
    return found.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(found) : found;
  };
  const undocumented: string[] = [];
  /** A symbol's doc comment; only the project's own declarations may describe the schema. */
  const ownDoc = (symbol: ts.Symbol): string => {
    const file = symbol.declarations?.[0]?.getSourceFile().fileName ?? "";
    const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
    if (text && (!file.startsWith(REPO_ROOT) || file.includes("/node_modules/"))) {
      throw new Error(`${symbol.name}: the schema would take its description from ${file}, not from the project`);
    }
    return text;
  };
  const doc = (symbol: ts.Symbol, where = symbol.name): string => {
    const text = ownDoc(symbol);
    if (!text) undocumented.push(where);
    return text;
  };
  /** Input<T> and Output<T> are T to the schema; optional members lose their `undefined`. */
  const unwrap = (type: ts.Type): ts.Type => {
    const alias = type.aliasSymbol?.name;
    if ((alias === "Input" || alias === "Output") && type.aliasTypeArguments?.[0])
      return unwrap(type.aliasTypeArguments[0]);
    // Output<T> whose alias TypeScript dropped: OutputInstance<T> & Lifted<T>, or a union of those.
    const isInstance = (part: ts.Type) => part.getSymbol()?.name === "OutputInstance";
    const instance = isInstance(type) ? type : type.isIntersection() ? type.types.find(isInstance) : undefined;
    if (instance) return unwrap(checker.getTypeArguments(instance as ts.TypeReference)[0] as ts.Type);
    if (type.isUnion() && type.types.every((part) => part.isIntersection() || isInstance(part))) {
      const inner = new Set(type.types.map(unwrap));
      if (inner.size === 1) return [...inner][0] as ts.Type;
    }
    return type;
  };
  /** Promise<T> and Output<T> in an Input<T> union, whose alias TypeScript dropped. */
  const isWrapper = (part: ts.Type): boolean =>
    part.isIntersection()
      ? part.types.some(isWrapper)
      : ["Promise", "OutputInstance"].includes(part.getSymbol()?.name ?? "");
  const definedParts = (type: ts.Type): ts.Type[] =>
    type.isUnion()
      ? type.types.filter((part) => !(part.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) && !isWrapper(part))
      : [type];
  const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

  const typeSpec = (raw: ts.Type, context: string): Spec => {
    const parts = definedParts(unwrap(raw)).map(unwrap).flatMap(definedParts);
    if (parts.some((part) => part.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) {
      throw new Error(`${context}: the type does not resolve (${checker.typeToString(raw)})`);
    }
    if (parts.every((part) => part.flags & ts.TypeFlags.StringLike)) return { type: "string" };
    if (parts.every((part) => part.flags & ts.TypeFlags.BooleanLike)) return { type: "boolean" };
    if (parts.every((part) => part.flags & ts.TypeFlags.NumberLike)) return { type: "number" };
    if (parts.length !== 1) throw new Error(`${context}: no schema type for ${checker.typeToString(raw)}`);
    const [type] = parts as [ts.Type];
    if (checker.isArrayType(type)) {
      const [item] = checker.getTypeArguments(type as ts.TypeReference);
      return { type: "array", items: typeSpec(item as ts.Type, context) };
    }
    // A tuple of one element type ([low, high]) is an array of that type: the schema has no tuples.
    if (checker.isTupleType(type)) {
      const items = checker.getTypeArguments(type as ts.TypeReference).map((item) => typeSpec(item, context));
      if (new Set(items.map((item) => JSON.stringify(item))).size !== 1) {
        throw new Error(`${context}: no schema type for the mixed tuple ${checker.typeToString(raw)}`);
      }
      return { type: "array", items: items[0] as Spec };
    }
    // Required<T> and the like: named after their place, documented by T's members.
    const mapped =
      type.aliasSymbol && MAPPED_TYPES.has(type.aliasSymbol.name) ? type.aliasTypeArguments?.[0] : undefined;
    const symbolName = mapped ? undefined : (type.aliasSymbol?.name ?? type.getSymbol()?.name);
    const name = symbolName && !symbolName.startsWith("__") ? symbolName : pascal(context);
    const token = `${TOKEN_PREFIX}${name}`;
    if (!types[token]) {
      types[token] = { type: "object" }; // placed first, so a type that refers to itself ends here
      const members = checker.getPropertiesOfType(type);
      // Required<T> and the like are described by T, not by TypeScript's own library.
      const description = mapped ? (mapped.aliasSymbol ?? mapped.getSymbol()) : (type.aliasSymbol ?? type.getSymbol());
      const described = description ? ownDoc(description) : "";
      types[token] = {
        ...(described ? { description: described } : {}),
        type: "object",
        ...objectSpec(members, name, mapped),
      };
    }
    return { $ref: `#/types/${token}` };
  };

  const objectSpec = (members: ts.Symbol[], context: string, docsFrom?: ts.Type) => {
    const properties: Record<string, Spec> = {};
    const required: string[] = [];
    for (const member of members) {
      const type = checker.getTypeOfSymbol(member);
      const spec = typeSpec(type, `${context}${pascal(member.name)}`);
      const documented = docsFrom?.getProperty(member.name) ?? member;
      const whole =
        WHOLE_FIGURES.has(member.name) || documented.getJsDocTags(checker).some((tag) => tag.name === INTEGER_TAG);
      properties[member.name] = {
        ...(whole && spec.type === "number" ? { type: "integer" } : spec),
        description: doc(documented, `${context}.${member.name}`),
      };
      const unwrapped = unwrap(type);
      const optional =
        (member.flags & ts.SymbolFlags.Optional) !== 0 ||
        (unwrapped.isUnion() && unwrapped.types.some((part) => part.flags & ts.TypeFlags.Undefined));
      if (!optional) required.push(member.name);
    }
    return { properties, ...(required.length > 0 ? { required } : {}) };
  };

  /** A field of the plan schema (zod), with its `.describe()` text. */
  const zodSpec = (field: z.ZodType, context: string): Spec => {
    const inner = innermost(field);
    const description = field.description ?? inner.description;
    if (!description) undocumented.push(context);
    const described = { description: description ?? "" };
    if (inner.def.type === "number") return { type: inner.isInt ? "integer" : "number", ...described };
    if (inner.def.type === "enum" || inner.def.type === "string") return { type: "string", ...described };
    if (inner.def.type === "object") {
      const token = `${TOKEN_PREFIX}${context.split(".").map(pascal).join("")}`;
      types[token] = { type: "object", ...zodObjectSpec(inner as unknown as z.ZodObject, context) };
      return { $ref: `#/types/${token}`, ...described };
    }
    throw new Error(`${context}: no schema type for zod ${inner.def.type}`);
  };
  const zodObjectSpec = (schema: z.ZodObject, context: string) => ({
    properties: Object.fromEntries(
      Object.entries(schema.shape).map(([name, field]) => [name, zodSpec(field as z.ZodType, `${context}.${name}`)]),
    ),
  });

  // Provider configuration: the connection settings table.
  const config: Record<string, Spec> = {};
  const providerInputs: Record<string, Spec> = {};
  for (const key of CONNECTION_KEYS) {
    const { doc: text, variable, secret } = CONNECTION_SETTINGS[key];
    const spec = {
      type: "string",
      description: `${text.charAt(0).toUpperCase()}${text.slice(1)}${text.endsWith(".") ? "" : "."} Falls back to the environment variable \`${variable}\`.`,
      ...(secret ? { secret: true } : {}),
    };
    config[key] = spec;
    providerInputs[key] = { ...spec, defaultInfo: { environment: [variable] } };
  }
  // The reserves of the provider's Users and Spaces: text like the connection settings, as stack config is.
  for (const key of RESERVE_KEYS) {
    const { doc: text, variable } = RESERVE_SETTINGS[key];
    const spec = {
      type: "string",
      description: `${text.charAt(0).toUpperCase()}${text.slice(1)}. Falls back to the environment variable \`${variable}\`.`,
    };
    config[key] = spec;
    providerInputs[key] = { ...spec, defaultInfo: { environment: [variable] } };
  }

  // CapacityGuard: its arguments, then its outputs.
  const guardClass = exported("sdk/nodejs/capacity-guard.ts", "CapacityGuard");
  const guardOutputs = exported("provider/guard/outputs.ts", "GuardOutputs");
  const inputs = zodObjectSpec(CapacityPlanSchema, "CapacityGuard");
  const outputs = objectSpec(
    checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(guardOutputs)),
    "CapacityGuard",
  );

  // User: its arguments (the SDK's, but the connection, which is the provider's), then its outputs.
  const userClass = exported("sdk/nodejs/user.ts", "User");
  const userArgs = exported("sdk/nodejs/user.ts", "UserArgs");
  const userInputs = objectSpec(
    checker
      .getPropertiesOfType(checker.getDeclaredTypeOfSymbol(userArgs))
      .filter((member) => !(CONNECTION_KEYS as readonly string[]).includes(member.name) || member.name === "userId"),
    "User",
  );
  const userOutputs = objectSpec(
    checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(exported("provider/guard/user.ts", "UserOutputs"))),
    "User",
  );

  // Space: its arguments (the SDK's, but the connection, which is the provider's), then its outputs.
  const spaceClass = exported("sdk/nodejs/space.ts", "Space");
  const spaceInputs = objectSpec(
    checker
      .getPropertiesOfType(checker.getDeclaredTypeOfSymbol(exported("sdk/nodejs/space.ts", "SpaceArgs")))
      .filter((member) => !(CONNECTION_KEYS as readonly string[]).includes(member.name)),
    "Space",
  );
  const spaceOutputs = objectSpec(
    checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(exported("provider/guard/space.ts", "SpaceOutputs"))),
    "Space",
  );

  // getServiceUsage: the figures.
  const result = exported("provider/capacity/runway.ts", "GetServiceUsageResult");
  const figures = objectSpec(checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(result)), "ServiceUsage");

  if (undocumented.length > 0) {
    throw new Error(`every schema property needs a description; no doc comment on: ${undocumented.join(", ")}`);
  }
  return {
    name: "koodrive",
    displayName: "KooDrive",
    version: PACKAGE_VERSION,
    description:
      "Huawei Cloud KooDrive service usage at deploy time (getServiceUsage), CapacityGuard, which fails a deployment whose planned users or space exceed what the tenant has left, User, a KooDrive user that judges its own seat, and Space, a department or personal space that judges its GB.",
    keywords: ["pulumi", "koodrive", "huawei-cloud", "category/utility", "kind/native"],
    license: "Apache-2.0",
    publisher: "KooDrive Pulumi contributors",
    homepage: REPOSITORY_URL,
    repository: REPOSITORY_URL,
    logoUrl: `${REPOSITORY_URL}/raw/main/docs/logo.svg`,
    pluginDownloadURL: pluginDownloadUrl(),
    meta: { moduleFormat: "(.*)" },
    language: {
      python: {
        packageName: "pulumi_koodrive",
        pyproject: { enabled: true },
        requires: { pulumi: ">=3.200.0,<4.0.0" },
        respectSchemaVersion: true,
        readme:
          "The KooDrive Pulumi SDK for Python: `get_service_usage` reads the tenant's seats and space at deploy time, `CapacityGuard` fails a deployment whose plan exceeds them. It needs the `koodrive` provider plugin (`pulumi plugin install resource koodrive`).",
      },
      go: {
        importBasePath: GO_IMPORT_BASE_PATH,
        respectSchemaVersion: true,
        generateResourceContainerTypes: true,
      },
    },
    config: { variables: config },
    provider: {
      description:
        "The KooDrive connection: stack config `koodrive:*` for the default provider, or an explicit provider's arguments; each setting falls back to its `KOODRIVE_*` environment variable.",
      inputProperties: providerInputs,
    },
    resources: {
      [`${TOKEN_PREFIX}CapacityGuard`]: {
        description: `${doc(guardClass)} The connection is the provider's (stack config \`koodrive:*\` or an explicit provider).`,
        inputProperties: inputs.properties,
        properties: { ...inputs.properties, ...outputs.properties },
        required: outputs.required,
      },
      [`${TOKEN_PREFIX}User`]: {
        description: `${doc(userClass)} The connection is the provider's (stack config \`koodrive:*\` or an explicit provider).`,
        inputProperties: userInputs.properties,
        requiredInputs: userInputs.required,
        properties: { ...userInputs.properties, ...userOutputs.properties },
        required: userOutputs.required,
      },
      [`${TOKEN_PREFIX}Space`]: {
        description: `${doc(spaceClass)} The connection is the provider's (stack config \`koodrive:*\` or an explicit provider).`,
        inputProperties: spaceInputs.properties,
        requiredInputs: spaceInputs.required,
        properties: { ...spaceInputs.properties, ...spaceOutputs.properties },
        required: spaceOutputs.required,
      },
    },
    functions: {
      [`${TOKEN_PREFIX}getServiceUsage`]: {
        description: `${doc(exported("sdk/nodejs/service-usage.ts", "getServiceUsageOutput"))} Nothing is recorded in the state.`,
        outputs: { type: "object", ...figures },
      },
    },
    types,
  };
}

/** The schema file's text: the generated schema, formatted. */
export function schemaText(): string {
  return `${JSON.stringify(generateSchema(), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(SCHEMA_FILE, schemaText());
  process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}\n`);
}
