import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../harness/engine";
import { policyPackArgs } from "../../harness/program-stack";

/** The `sh` blocks of the docs' "Organisation policy" section, line by line, comments dropped. */
function organisationPolicyCommands(): string[] {
  const text = readFileSync(path.join(REPO_ROOT, "docs/_index.md"), "utf8");
  const section = text.slice(text.indexOf("\n## Organisation policy\n"), text.indexOf("\n## Failure messages"));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap(([, block = ""]) =>
    block
      .trim()
      .split("\n")
      .map((line) => line.replace(/\s+#.*$/, "")),
  );
}

describe("the docs' Organisation policy section", () => {
  it("runs the pack with the arguments the engine test passes (harness policyPackArgs)", () => {
    const args = policyPackArgs("../policy-pack", "../policy-pack/policy-config.json").join(" ");
    assert.deepEqual(organisationPolicyCommands(), [
      `pulumi preview ${args}`,
      `pulumi preview --diff ${args}`,
      `pulumi up --yes ${args}`,
    ]);
  });
});
