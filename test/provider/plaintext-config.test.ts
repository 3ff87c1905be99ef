import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { plaintextCredentialsIn, stackConfigFile } from "../../provider/config/plaintext-config";

describe("plain-text credentials in a stack config file", () => {
  it("finds credentials given as plain values, and not secure ones or other settings", () => {
    const config = `config:
  koodrive:endpoint: https://example.invalid
  koodrive:accessToken: tok-plain
  "koodrive:appSecret":
    secure: AAABAKmQ
  koodrive:appId: app
`;
    assert.deepEqual(plaintextCredentialsIn(config), ["koodrive:accessToken"]);
    assert.deepEqual(plaintextCredentialsIn(config.replace("tok-plain", "\n    secure: AAABAD")), []);
    assert.deepEqual(plaintextCredentialsIn(`config:\n  'koodrive:appSecret': "s"\n`), ["koodrive:appSecret"]);
  });

  it("is Pulumi.<stack>.yaml in the project folder, or in its stackConfigDir", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "koodrive-stack-config-"));
    try {
      const urn = "urn:pulumi:dev::proj::pulumi:providers:koodrive::default_0_1_0";
      assert.equal(stackConfigFile(urn, dir), path.join(dir, "Pulumi.dev.yaml"));
      mkdirSync(path.join(dir, "config"));
      writeFileSync(path.join(dir, "Pulumi.yaml"), "name: proj\nruntime: yaml\nstackConfigDir: config\n");
      assert.equal(stackConfigFile(urn, dir), path.join(dir, "config", "Pulumi.dev.yaml"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
