import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../harness/engine";

/** The docs of an interface's properties in a built declaration file, by property name (JSDoc tags left out). */
export function declarationDocs(file: string, name: string): Record<string, string> {
  const text = readFileSync(path.join(REPO_ROOT, "dist", file), "utf8");
  const body = new RegExp(`interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(text)?.[1] ?? "";
  return Object.fromEntries(
    [...body.matchAll(/\/\*\*\s*([\s\S]*?)\s*\*\/\s*(\w+)\??:/g)].map(([, doc = "", key = ""]) => [
      key,
      doc
        .replace(/\n\s*\*\s?/g, " ")
        .replace(/\s*@\w+.*$/s, "")
        .trim(),
    ]),
  );
}
