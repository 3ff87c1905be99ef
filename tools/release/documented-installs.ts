/**
 * The install commands users read: every line of a `sh` block in README.md, docs/ and the examples'
 * READMEs that installs something (`npm install`, `pip install`, `go get`, `go mod edit`,
 * `pulumi plugin install`, a `curl` download of a release asset), and the install steps
 * (`run: npm install`, `run: curl …`) of the example workflows.
 *
 * Each is either rehearsed (`REHEARSED`: `npm run release:rehearse` runs it, verbatim, against the
 * release published to registries on loopback; a download from `RELEASE_DOWNLOADS` with that URL
 * served on loopback) or installs a clone's own build (`FROM_A_CLONE`: the
 * route before a release, which the engine and SDK tests run). test/release/documented-installs.test.ts
 * fails on a documented command in neither list, so a doc that changes is a rehearsal that changes.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../repo-root";

/** One documented install command: the file that prints it and the command, comment dropped. */
export interface DocumentedCommand {
  file: string;
  command: string;
}

const INSTALLS = /\b(npm install|pip install|go get|go mod edit|pulumi plugin install|curl)\b/;

/** Where the docs download a release's assets from: the GitHub release of the version's tag. */
export const RELEASE_DOWNLOADS = "https://github.com/koodrive/pulumi-koodrive/releases/download";

/** The Markdown files users read: README.md, docs/*.md and every README.md under examples/. */
function userDocs(): string[] {
  const examples = (dir: string): string[] =>
    readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const file = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === "node_modules" ? [] : examples(file);
      return entry.name === "README.md" ? [file] : [];
    });
  const docs = readdirSync(path.join(REPO_ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`);
  return ["README.md", ...docs, ...examples("examples")].sort();
}

/** The install lines of a Markdown text's `sh` blocks, comments dropped, continuation lines joined. */
export function installLinesOf(markdown: string): string[] {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap(([, block = ""]) =>
    block
      .replace(/\\\n\s*/g, "")
      .split("\n")
      .map((line) => line.replace(/(^|\s+)#.*$/, "").trim())
      .filter((line) => INSTALLS.test(line)),
  );
}

/** The example workflows' `run: npm install` and `run: curl …` steps, each with its working directory when it has one. */
export function workflowInstallSteps(yaml: string): string[] {
  return [...yaml.matchAll(/run: ((?:npm install|curl )[^\n]*)(?:\n\s+working-directory: (\S+))?/g)].map(
    ([, run, dir]) => (dir ? `cd ${dir} && ${run}` : (run as string)),
  );
}

/** Every documented install command, in file order. */
export function documentedInstalls(): DocumentedCommand[] {
  const fromDocs = userDocs().flatMap((file) =>
    installLinesOf(readFileSync(path.join(REPO_ROOT, file), "utf8")).map((command) => ({ file, command })),
  );
  const workflows = ["examples/ci-guardrail/koodrive-guardrail.yml", "examples/yaml-guardrail/koodrive-guardrail.yml"];
  const fromWorkflows = workflows.flatMap((file) =>
    workflowInstallSteps(readFileSync(path.join(REPO_ROOT, file), "utf8")).map((command) => ({ file, command })),
  );
  return [...fromDocs, ...fromWorkflows];
}

/** The routes the rehearsal runs, each a fresh folder outside the clone. */
export type RehearsalRoute =
  | "typescript"
  | "ci-workflow"
  | "policy-pack"
  | "python"
  | "python-example"
  | "go"
  | "koodrive-usage";

/**
 * The documented commands `npm run release:rehearse` runs verbatim, by route (a command may be printed
 * in several files; it is run once per route that lists it).
 */
export const REHEARSED: Readonly<Record<RehearsalRoute, readonly string[]>> = {
  typescript: ["npm install pulumi-koodrive @pulumi/pulumi", "npm install @pulumi/command"],
  "ci-workflow": ["npm install"],
  "policy-pack": ["cd policy-pack && npm install && cd -", "cd policy-pack && npm install"],
  python: ["venv/bin/pip install pulumi_koodrive", "pip install pulumi_koodrive"],
  "python-example": ["venv/bin/pip install -r requirements.txt"],
  "koodrive-usage": [`curl -fsSL ${RELEASE_DOWNLOADS}/v0.1.0/koodrive-usage-v0.1.0-linux-amd64.tar.gz | tar -xz`],
  go: [
    "go mod edit -dropreplace=github.com/koodrive/pulumi-koodrive/sdk -droprequire=github.com/koodrive/pulumi-koodrive/sdk",
    "go get github.com/koodrive/pulumi-koodrive/sdk@v0.1.0",
    "go get github.com/koodrive/pulumi-koodrive/sdk",
  ],
};

/**
 * The documented commands that install what a clone builds (the route before a release, or for a
 * change not released yet), with what runs that route; the rehearsal installs from registries only.
 */
export const FROM_A_CLONE: Readonly<Record<string, string>> = {
  "npm install ../pulumi-koodrive/pulumi-koodrive-0.1.0.tgz @pulumi/pulumi":
    "the packed tarball, as test/package/consumer-types installs it",
  "pulumi plugin install resource koodrive 0.1.0 --file release/pulumi-resource-koodrive-v0.1.0-linux-amd64.tar.gz":
    "test/engine/plugin-binary.test.ts",
  "pulumi plugin install resource koodrive 0.1.0 --file ../../release/pulumi-resource-koodrive-v0.1.0-linux-amd64.tar.gz":
    "test/engine/plugin-binary.test.ts",
  "venv/bin/pip install build": "scripts/test-sdks.sh (npm run test:sdks)",
  "venv/bin/pip install dist-python/pulumi_koodrive-0.1.0-py3-none-any.whl": "scripts/test-sdks.sh",
  "venv/bin/pip install dist-python/pulumi_koodrive-0.1.0-py3-none-any.whl -r requirements.txt": "scripts/test-sdks.sh",
  "go mod edit -require=github.com/koodrive/pulumi-koodrive/sdk@v0.0.0 -replace=github.com/koodrive/pulumi-koodrive/sdk=../pulumi-koodrive/sdk":
    "examples/go-guardrail's go.mod, which scripts/test-sdks.sh builds",
};
