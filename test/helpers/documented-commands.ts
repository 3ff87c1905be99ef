/**
 * The `command:local:Command` and `command:remote:Command` resources the README, the docs and the examples declare,
 * read from their text (TypeScript and JavaScript, Python, Go, YAML; in Markdown code blocks too), with their command
 * texts as written: so a policy test holds to every Command a user may copy, a new example included.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../harness/engine";

/** A Command as a file declares it. */
export interface DocumentedCommand {
  /** `file:line` of its declaration. */
  where: string;
  /** `command:local:Command` or `command:remote:Command`. */
  type: string;
  /** Its `create` and `update` command texts as written (a template's `${…}` kept); undefined when not a literal. */
  props: { create?: string; update?: string };
}

const SOURCES = [".md", ".ts", ".js", ".py", ".go", ".yaml", ".yml"];

/** The files the README, docs/ and examples/ hold, node_modules aside. */
function documentedFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === "node_modules" ? [] : walk(relative);
      return SOURCES.includes(path.extname(entry.name)) ? [relative] : [];
    });
  return ["README.md", ...walk("docs"), ...walk("examples")];
}

/** The end (exclusive) of the string literal opening at `start` (`"`, `'` or a template), escapes skipped. */
function literalEnd(text: string, start: number): number {
  const quote = text[start];
  let at = start + 1;
  while (at < text.length && text[at] !== quote) at += text[at] === "\\" ? 2 : 1;
  return at + 1;
}

/** The text between the parenthesis opening at `open` and the one that closes it, string literals skipped. */
function parenthesised(text: string, open: number): string {
  let depth = 0;
  for (let at = open; at < text.length; at++) {
    const char = text[at] as string;
    if (`"'\``.includes(char)) at = literalEnd(text, at) - 1;
    else if (char === "(") depth++;
    else if (char === ")" && --depth === 0) return text.slice(open + 1, at);
  }
  return text.slice(open + 1);
}

/** The string literal at the start of `text` (spaces skipped), without its quotes; undefined when there is none. */
function literalAt(text: string): string | undefined {
  const start = text.search(/\S/);
  if (start < 0 || !`"'\``.includes(text[start] as string)) return undefined;
  return text.slice(start + 1, literalEnd(text, start) - 1);
}

const lineOf = (text: string, index: number) => text.slice(0, index).split("\n").length;

/**
 * Commands in code: `new command.local.Command(` (TypeScript, JavaScript), `command.local.Command(` / `local.Command(`
 * (Python), `local.NewCommand(` (Go), and their remote twins; the texts are the literals after `create`/`update` (`:`
 * or `=`; Python's f-strings, Go's `Create: pulumi.String(` too).
 */
function codeCommands(file: string, text: string): DocumentedCommand[] {
  return [...text.matchAll(/\b(local|remote)\.(?:New)?Command\s*\(/g)].map((match) => {
    const args = parenthesised(text, (match.index ?? 0) + match[0].length - 1);
    const props: DocumentedCommand["props"] = {};
    for (const key of ["create", "update"] as const) {
      const given = new RegExp(
        String.raw`\b${key}\s*[:=]\s*(?:pulumi\.(?:String|Sprintf)\(|[fr]{1,2}(?=["']))?`,
        "i",
      ).exec(args);
      if (given) props[key] = literalAt(args.slice(given.index + given[0].length));
    }
    return { where: `${file}:${lineOf(text, match.index ?? 0)}`, type: `command:${match[1]}:Command`, props };
  });
}

/** Commands in YAML: `type: command:local:Command` and the `create`/`update` lines of its block (plain or quoted). */
function yamlCommands(file: string, text: string): DocumentedCommand[] {
  const lines = text.split("\n");
  return lines.flatMap((line, index) => {
    const type = /^(\s*)type:\s*command:(local|remote):Command\s*$/.exec(line);
    if (!type) return [];
    const indent = type[1]?.length ?? 0;
    const block: string[] = [];
    for (const next of lines.slice(index + 1)) {
      if (next.trim() !== "" && next.search(/\S/) < indent) break;
      block.push(next);
    }
    const props: DocumentedCommand["props"] = {};
    for (const key of ["create", "update"] as const) {
      const value = block.map((next) => new RegExp(`^\\s*${key}:\\s*(.*)$`).exec(next)?.[1]).find((found) => found);
      if (value !== undefined) props[key] = literalAt(value) ?? value;
    }
    return [{ where: `${file}:${index + 1}`, type: `command:${type[2]}:Command`, props }];
  });
}

/** Every Command the README, docs/ and examples/ declare. */
export function documentedCommands(): DocumentedCommand[] {
  return documentedFiles().flatMap((file) => {
    const text = readFileSync(path.join(REPO_ROOT, file), "utf8");
    return [...codeCommands(file, text), ...yamlCommands(file, text)];
  });
}
