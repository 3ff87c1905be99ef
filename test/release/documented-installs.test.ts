import assert from "node:assert/strict";
import {
  documentedInstalls,
  FROM_A_CLONE,
  installLinesOf,
  REHEARSED,
  workflowInstallSteps,
} from "../../tools/release/documented-installs";

describe("the documented install commands (npm run release:rehearse runs them)", () => {
  const documented = documentedInstalls();
  const rehearsed = new Set(Object.values(REHEARSED).flat());

  it("are found in README, docs, the examples' READMEs and the example workflows", () => {
    const files = new Set(documented.map(({ file }) => file));
    for (const file of [
      "README.md",
      "docs/installation-configuration.md",
      "examples/policy-pack/README.md",
      "examples/python-guardrail/README.md",
      "examples/go-guardrail/README.md",
      "examples/ci-guardrail/koodrive-guardrail.yml",
      "examples/yaml-guardrail/koodrive-guardrail.yml",
    ])
      assert.ok(files.has(file), `no install command found in ${file}`);
  });

  it("are each rehearsed, or install a clone's own build", () => {
    const neither = documented
      .filter(({ command }) => !rehearsed.has(command) && !(command in FROM_A_CLONE))
      .map(({ file, command }) => `${file}: ${command}`);
    assert.deepEqual(neither, [], "add the command to REHEARSED (tools/release/documented-installs.ts) and run it");
  });

  it("are what the rehearsal runs: no rehearsed or clone command that no doc prints", () => {
    const printed = new Set(documented.map(({ command }) => command));
    assert.deepEqual(
      [...rehearsed, ...Object.keys(FROM_A_CLONE)].filter((command) => !printed.has(command)),
      [],
    );
  });

  it("take a line of a sh block, its comment dropped and a continued line joined; and a workflow's install step", () => {
    const markdown = [
      "```sh",
      "npm install pulumi-koodrive @pulumi/pulumi   # the package",
      "pulumi stack init dev",
      "go mod edit -require=x@v0.0.0 \\",
      "  -replace=x=../x",
      "curl -fsSL https://example.test/x.tar.gz | tar -xz   # a release asset",
      "```",
      "`npm install` in prose is not a command",
    ].join("\n");
    assert.deepEqual(installLinesOf(markdown), [
      "npm install pulumi-koodrive @pulumi/pulumi",
      "go mod edit -require=x@v0.0.0 -replace=x=../x",
      "curl -fsSL https://example.test/x.tar.gz | tar -xz",
    ]);
    const yaml = [
      "      - run: npm install",
      "      - name: pack",
      "        run: npm install",
      "        working-directory: policy-pack",
      "      - run: curl -fsSL https://example.test/x.tar.gz | tar -xz",
      "      - run: ./x --help",
      "",
    ].join("\n");
    assert.deepEqual(workflowInstallSteps(yaml), [
      "npm install",
      "cd policy-pack && npm install",
      "curl -fsSL https://example.test/x.tar.gz | tar -xz",
    ]);
  });
});
