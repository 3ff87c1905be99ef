import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../../harness/engine";

/** Lints `files` (path -> source) in a throwaway folder with the repository's biome.json; its exit code and output. */
function lintFixture(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "koodrive-layers-"));
  try {
    const config = JSON.parse(readFileSync(path.join(REPO_ROOT, "biome.json"), "utf8")) as Record<string, unknown>;
    delete config.$schema; // points into node_modules, which the fixture has not
    writeFileSync(path.join(dir, "biome.json"), JSON.stringify(config));
    for (const [file, source] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), source);
    }
    const biome = path.join(REPO_ROOT, "node_modules/.bin/biome");
    const run = spawnSync(biome, ["lint", "--max-diagnostics=none", "."], { cwd: dir, encoding: "utf8" });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The files the linter flagged with `rule` (e.g. `lint/style/noRestrictedImports`), sorted. */
function flagged(output: string, rule: string): string[] {
  const files = [...output.matchAll(/^(\S+\.ts):\d+:\d+ (lint\/\S+)/gm)]
    .filter((match) => match[2] === rule)
    .map((match) => match[1] ?? "");
  return [...new Set(files)].sort();
}

const exported = (name: string) => `/** ${name}. */\nexport const ${name} = 1;\n`;

describe("the layers' lint rules (biome.json, part of npm run lint)", () => {
  it("fail on an import cycle, type-only imports included, naming noImportCycles", () => {
    const { status, output } = lintFixture({
      "provider/capacity/a.ts": `import type { B } from "./b";\n/** A. */\nexport type A = B | 1;\n`,
      "provider/capacity/b.ts": `import type { A } from "./a";\n/** B. */\nexport type B = A | 2;\n`,
      "provider/capacity/c.ts": `import type { A } from "./a";\n/** C. */\nexport type C = A | 3;\n`,
    });
    assert.notEqual(status, 0, output);
    assert.deepEqual(flagged(output, "lint/suspicious/noImportCycles"), [
      "provider/capacity/a.ts",
      "provider/capacity/b.ts",
    ]);
  });

  it("fail on an import against the direction, naming noRestrictedImports, and pass the imports the direction allows", () => {
    const { status, output } = lintFixture({
      "provider/client/quota.ts": exported("quota"),
      "provider/client/usage.ts": `import { usage } from "../capacity/usage";\n/** Derived. */\nexport const derived = usage;\n`,
      "provider/config/settings.ts": `import { quota } from "../client/quota";\n/** Settings. */\nexport const settings = quota;\n`,
      "provider/capacity/plan.ts": `import { settings } from "../config/settings";\n/** Plan. */\nexport const plan = settings;\n`,
      "provider/capacity/usage.ts": `import { quota } from "../client/quota";\n/** Usage. */\nexport const usage = quota;\n`,
      "provider/capacity/disk.ts": `import { readFileSync } from "node:fs";\n/** Disk. */\nexport const disk = readFileSync;\n`,
      "provider/process/state.ts": `import { judge } from "../guard/judge";\n/** State. */\nexport const state = judge;\n`,
      "provider/guard/judge.ts": `import { usage } from "../capacity/usage";\n/** Judge. */\nexport const judge = usage;\n`,
      "provider/dynamic/resource.ts": exported("resource"),
      "provider/plugin/provider.ts": `import { resource } from "../dynamic/resource";\n/** Provider. */\nexport const provider = resource;\n`,
      "policy/pack.ts": `import { resource } from "../provider/dynamic/resource";\n/** Pack. */\nexport const pack = resource;\n`,
      "harness/engine.ts": exported("REPO_ROOT"),
      "tools/generate.ts": `import { REPO_ROOT } from "../harness/engine";\n/** Generate. */\nexport const generate = REPO_ROOT;\n`,
    });
    assert.notEqual(status, 0, output);
    assert.deepEqual(flagged(output, "lint/style/noRestrictedImports"), [
      "policy/pack.ts",
      "provider/capacity/disk.ts",
      "provider/capacity/plan.ts",
      "provider/client/usage.ts",
      "provider/plugin/provider.ts",
      "provider/process/state.ts",
      "tools/generate.ts",
    ]);
  });

  it("name every folder under provider/ in CONTRIBUTING.md's layout table, and no folder that is not there", () => {
    const text = readFileSync(path.join(REPO_ROOT, "CONTRIBUTING.md"), "utf8");
    const section = text.slice(text.indexOf("Where things are"), text.indexOf("\n## The Pulumi engine"));
    const rows = [...section.matchAll(/^\| `(provider\/[^`]*)` \|/gm)].map(([, folder]) => folder).sort();
    const folders = readdirSync(path.join(REPO_ROOT, "provider"), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `provider/${entry.name}/`)
      .sort();
    assert.deepEqual(rows, folders);
  });
});
