import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../harness/engine";

/** A file of the repository, as text. */
function read(file: string): string {
  return readFileSync(path.join(REPO_ROOT, file), "utf8");
}

const VERSION = (JSON.parse(read("package.json")) as { version: string }).version;

describe("the version, taken from package.json", () => {
  it("is what the SDKs and the YAML example's plugin options carry (RELEASING.md: gen-sdk, then the docs)", () => {
    for (const file of ["sdk/go/koodrive/pulumi-plugin.json", "sdk/python/pulumi_koodrive/pulumi-plugin.json"])
      assert.equal((JSON.parse(read(file)) as { version: string }).version, VERSION, file);
    assert.match(read("sdk/python/pyproject.toml"), new RegExp(`^\\s*version = "${VERSION}"$`, "m"));
    const yaml = read("examples/yaml-guardrail/Pulumi.yaml");
    const versions = [...yaml.matchAll(/^\s+version: (\S+)$/gm)].map(([, version]) => version);
    const options = yaml.match(/^\s+options:$/gm) ?? [];
    assert.ok(options.length >= 2, "the function call and the resources name the plugin's version");
    assert.deepEqual(
      versions,
      options.map(() => VERSION),
      "the function call's and every resource's options",
    );
  });

  it("is the release the YAML example's workflow downloads koodrive-usage from", () => {
    const workflow = read("examples/yaml-guardrail/koodrive-guardrail.yml");
    const downloads = [...workflow.matchAll(/releases\/download\/v(\S+)\/koodrive-usage-v(\S+)-linux-amd64\.tar\.gz/g)];
    assert.equal(downloads.length, 2, "a download of koodrive-usage in the preview job and in the drift check");
    for (const download of downloads) assert.deepEqual(download.slice(1), [VERSION, VERSION]);
  });

  it("names the repository in package.json as the schema does, which npm's provenance checks", () => {
    const pkg = JSON.parse(read("package.json")) as { repository: { url: string }; homepage: string };
    const schema = JSON.parse(read("provider/plugin/schema.json")) as { repository: string };
    assert.equal(pkg.repository.url, `git+${schema.repository}.git`);
    assert.equal(pkg.homepage, schema.repository);
  });
});
