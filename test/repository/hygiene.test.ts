import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../harness/engine";

/** Runs git in the repository and returns its output. */
function git(args: string[], input?: string): string {
  return execFileSync("git", args, { cwd: REPO_ROOT, encoding: "utf8", input, maxBuffer: 64 * 1024 * 1024 });
}

/** The tracked files, as git lists them. */
function trackedFiles(): string[] {
  return git(["ls-files", "-z"]).split("\0").filter(Boolean);
}

/** The largest tracked file this repository accepts: anything bigger is a build output or data to fetch. */
const MAX_TRACKED_BYTES = 1024 * 1024;

/**
 * Files whose size or content is not ours to choose: lock files, and what a generator writes (the SDKs
 * under sdk/, which .gitattributes marks `linguist-generated`).
 */
function exempt(files: string[]): Set<string> {
  const generated = git(["check-attr", "-z", "--stdin", "linguist-generated"], files.join("\0"))
    .split("\0")
    .reduce<string[][]>((triples, field, index) => {
      if (index % 3 === 0) triples.push([]);
      triples[triples.length - 1]?.push(field);
      return triples;
    }, [])
    .filter(([, , value]) => value === "set" || value === "true")
    .map(([file = ""]) => file);
  const lockFiles = files.filter((file) => /(^|\/)(package-lock\.json|go\.sum)$/.test(file));
  return new Set([...generated, ...lockFiles]);
}

/** Each tracked file's size in the index (what a commit records), by path. */
function indexSizes(): Map<string, number> {
  const entries = git(["ls-files", "-s", "-z"])
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const [meta = "", file = ""] = line.split("\t");
      return { object: meta.split(" ")[1] ?? "", file };
    });
  const sizes = git(["cat-file", "--batch-check=%(objectsize)"], `${entries.map((entry) => entry.object).join("\n")}\n`)
    .trim()
    .split("\n");
  return new Map(entries.map((entry, index) => [entry.file, Number(sizes[index])]));
}

/** The tracked files git's own heuristic takes for binary (a NUL byte in the content), by their index content. */
function binaryFiles(): string[] {
  return git(["ls-files", "--eol", "-z"])
    .split("\0")
    .filter(Boolean)
    .filter((line) => line.startsWith("i/-text"))
    .map((line) => line.slice(line.indexOf("\t") + 1));
}

describe("the repository", () => {
  it("has no test or harness source that names an absolute temporary path (tests use fs.mkdtemp under os.tmpdir())", () => {
    const sources = trackedFiles().filter((file) => /^(test|harness|bench)\/.*\.ts$/.test(file));
    assert.ok(sources.length > 50, `found only ${sources.length} test sources`);
    const offenders = sources.filter((file) =>
      /["'`]\/(tmp|var\/tmp)\//.test(readFileSync(path.join(REPO_ROOT, file), "utf8")),
    );
    assert.deepEqual(offenders, []);
  });

  it("tracks no binary file (build outputs are git-ignored, never committed)", () => {
    const skip = exempt(trackedFiles());
    assert.deepEqual(
      binaryFiles().filter((file) => !skip.has(file)),
      [],
    );
  });

  it("ignores the build outputs, dist/ (npm run build) and release/ (npm run dist), and no source", () => {
    const outputs = ["dist/provider/plugin/main.js", "release/pulumi-resource-koodrive-v0.1.0-linux-amd64.tar.gz"];
    const sources = ["tools/release/executables.ts", "harness/engine.ts"];
    // check-ignore prints the paths that are ignored, of those it is given.
    assert.deepEqual(
      git(["check-ignore", "--no-index", ...outputs, ...sources])
        .trim()
        .split("\n"),
      outputs,
    );
  });

  it(`tracks no file over ${MAX_TRACKED_BYTES / 1024 / 1024} MB, lock files and generated SDK sources aside`, () => {
    const sizes = indexSizes();
    assert.ok(sizes.size > 100, `found only ${sizes.size} tracked files`);
    const skip = exempt([...sizes.keys()]);
    const large = [...sizes]
      .filter(([file, size]) => size > MAX_TRACKED_BYTES && !skip.has(file))
      .map(([file, size]) => `${file} (${size} bytes)`);
    assert.deepEqual(large, []);
  });

  it("exempts from those checks only lock files and what .gitattributes marks generated", () => {
    const skip = exempt(trackedFiles());
    assert.ok(skip.has("package-lock.json"));
    assert.ok(skip.has("sdk/go/koodrive/pulumiTypes.go"));
    assert.ok(!skip.has("README.md"));
    assert.ok(!skip.has("provider/plugin/schema.json"));
  });
});
