/**
 * The error model stays true: every error the package throws is a `KooDriveError` with a stable code
 * (provider/client/errors.ts). This reads the package's sources with TypeScript's parser and fails on
 * a built-in error made (`new Error(`, `TypeError(`…), one of Pulumi's own error classes made, a class
 * extending a built-in error, or a thrown string: anywhere but in the errors module.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { REPO_ROOT } from "../../harness/engine";

/** The folders of what the package publishes. */
const PACKAGE_FOLDERS = ["provider", "sdk/nodejs", "policy", "cli", "sim"];
/** The one module that may extend `Error`. */
const ERRORS_MODULE = "provider/client/errors.ts";
/** JavaScript's own errors, which the package must not make. */
const BUILT_IN_ERRORS = new Set([
  "Error",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "ReferenceError",
  "EvalError",
  "URIError",
  "AggregateError",
]);
/** `@pulumi/pulumi`'s errors, which the package must not make either (its classes stand in for them). */
const PULUMI_ERRORS = new Set(["RunError", "ResourceError", "InputPropertiesError", "InputPropertyError"]);

/** The TypeScript files under `folder` (relative to the repository), declarations aside. */
function sourcesUnder(folder: string): string[] {
  return readdirSync(path.join(REPO_ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts"))
    .map((entry) => path.relative(REPO_ROOT, path.join(entry.parentPath, entry.name)));
}

/** What `@pulumi/pulumi` is called in a file: its namespace (or default) imports, and its names imported one by one. */
function pulumiNames(source: ts.SourceFile): { namespaces: Set<string>; named: Set<string> } {
  const namespaces = new Set<string>();
  const named = new Set<string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (!/^@pulumi\/pulumi(\/errors)?$/.test(statement.moduleSpecifier.text)) continue;
    const clause = statement.importClause;
    if (clause?.name) namespaces.add(clause.name.text);
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) namespaces.add(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) named.add(element.name.text);
  }
  return { namespaces, named };
}

/** The foreign error `expression` names, if any: a built-in one, or one of `@pulumi/pulumi`'s by its names in the file. */
function foreignName(expression: ts.Expression, pulumi: ReturnType<typeof pulumiNames>): string | undefined {
  if (ts.isIdentifier(expression)) {
    const name = expression.text;
    return BUILT_IN_ERRORS.has(name) || (PULUMI_ERRORS.has(name) && pulumi.named.has(name)) ? name : undefined;
  }
  if (ts.isPropertyAccessExpression(expression) && ts.isIdentifier(expression.expression)) {
    const name = expression.name.text;
    return PULUMI_ERRORS.has(name) && pulumi.namespaces.has(expression.expression.text) ? name : undefined;
  }
  return undefined;
}

/** Each place in `text` (the source of `file`) that makes or throws an error outside the error model, as "file:line: what". */
function foreignErrors(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const pulumi = pulumiNames(source);
  const found: string[] = [];
  const say = (node: ts.Node, what: string) =>
    found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${what}`);
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
      const name = foreignName(node.expression, pulumi);
      if (name) say(node, `${ts.isNewExpression(node) ? "new " : ""}${name}(…)`);
    }
    if (ts.isHeritageClause(node) && node.token === ts.SyntaxKind.ExtendsKeyword) {
      for (const type of node.types) {
        const name = foreignName(type.expression, pulumi);
        if (name) say(node, `extends ${name}`);
      }
    }
    if (
      ts.isThrowStatement(node) &&
      (ts.isStringLiteralLike(node.expression) || ts.isTemplateExpression(node.expression))
    ) {
      say(node, "throws a string");
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("the error model", () => {
  it("finds no error made or thrown outside provider/client/errors.ts in the package's sources", () => {
    const files = PACKAGE_FOLDERS.flatMap(sourcesUnder).filter((file) => file !== ERRORS_MODULE);
    assert.ok(files.length > 50, `read ${files.length} files`);
    const found = files.flatMap((file) => foreignErrors(file, readFileSync(path.join(REPO_ROOT, file), "utf8")));
    assert.deepEqual(found, [], "make these errors classes in provider/client/errors.ts");
  });

  it("catches each way of going around it", () => {
    const sample = [
      'import * as pulumi from "@pulumi/pulumi";',
      'import { ResourceError } from "@pulumi/pulumi";',
      'throw new Error("x");',
      'const e = TypeError("y");',
      'throw new pulumi.RunError("z");',
      "class Mine extends Error {}",
      'throw "plain";',
      "throw `template`;",
      'throw new KooDriveError("ERR_KOODRIVE_INTERNAL", "fine", "");',
      "// new Error( in a comment is no error",
      'const text = "new Error(";',
      'throw new ResourceError("r", undefined);',
      "const details = new errorsProto.InputPropertiesError();",
    ].join("\n");
    assert.deepEqual(foreignErrors("sample.ts", sample), [
      "sample.ts:3: new Error(…)",
      "sample.ts:4: TypeError(…)",
      "sample.ts:5: new RunError(…)",
      "sample.ts:6: extends Error",
      "sample.ts:7: throws a string",
      "sample.ts:8: throws a string",
      "sample.ts:12: new ResourceError(…)",
    ]);
  });
});
