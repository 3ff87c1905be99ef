import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../harness/engine";

/** The Markdown files git tracks, the generated SDKs' aside. */
function markdownFiles(): string[] {
  return execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "*.md"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  })
    .split("\0")
    .filter((file) => file && !file.startsWith("sdk/") && existsSync(path.join(REPO_ROOT, file)));
}

/** Markdown without its fenced code blocks, where a `[x](y)` is code, not a link. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, "");
}

/** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, heading = ""] of prose(readFileSync(file, "utf8")).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

/** Every relative link of a Markdown file: `[text](target)` that names no scheme. */
function relativeLinks(file: string): string[] {
  const text = prose(readFileSync(path.join(REPO_ROOT, file), "utf8")).replace(/`[^`\n]*`/g, "``");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map(([, target = ""]) => target)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe("the docs' links", () => {
  const files = markdownFiles();

  it("include the user docs, the contributor guide and the examples' READMEs", () => {
    for (const file of ["README.md", "CONTRIBUTING.md", "docs/_index.md", "docs/installation-configuration.md"]) {
      assert.ok(files.includes(file), `${file} is missing`);
    }
    assert.ok(files.some((file) => file.startsWith("examples/")));
  });

  it("reach a file that exists and, with an anchor, a heading in it", () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const target of relativeLinks(file)) {
        const [where = "", anchor] = target.split("#");
        const resolved = where
          ? path.resolve(path.dirname(path.join(REPO_ROOT, file)), where)
          : path.join(REPO_ROOT, file);
        if (!existsSync(resolved)) {
          broken.push(`${file}: ${target} (no such file)`);
        } else if (anchor !== undefined && (statSync(resolved).isDirectory() || !anchors(resolved).has(anchor))) {
          broken.push(`${file}: ${target} (no such heading)`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });

  it("keep the anchors the provider's messages and schema point readers to (the connection table's Units)", () => {
    assert.ok(anchors(path.join(REPO_ROOT, "docs/installation-configuration.md")).has("units"));
  });
});

describe("the README's first stacks", () => {
  /** The fenced code blocks of a file's text from `heading` to the next heading of its level. */
  function codeBlocks(file: string, heading: string): string[] {
    const text = readFileSync(path.join(REPO_ROOT, file), "utf8");
    const start = text.indexOf(`\n${heading}\n`);
    assert.notEqual(start, -1, `${file} has the heading ${heading}`);
    const level = heading.split(" ")[0] ?? "##";
    const rest = text.slice(start + heading.length + 2);
    const end = rest.search(new RegExp(`^${level} `, "m"));
    return [...(end === -1 ? rest : rest.slice(0, end)).matchAll(/^```(\w+)\n[\s\S]*?^```$/gm)].map(([block]) => block);
  }

  it("are the programs of the registry page's Example, in each of its four languages", () => {
    const readme = codeBlocks("README.md", "## A first stack").filter((block) => !/^```(sh|text)\n/.test(block));
    const registry = codeBlocks("docs/_index.md", "## Example");
    assert.deepEqual(
      readme.map((block) => block.split("\n")[0]),
      ["```ts", "```yaml", "```python", "```go"],
    );
    assert.deepEqual(
      readme,
      registry.filter((block) => !/^```(sh|text)\n/.test(block)),
    );
  });
});
