/**
 * Credentials set in the stack config without `--secret`: the warning's wording (both front ends say
 * it), and how the provider plugin tells them from the stack's config file, since the engine hands a
 * provider its configuration with the secret marks taken off (`CheckConfig`).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { CONNECTION_KEYS, CONNECTION_SETTINGS, isSecretSetting } from "./connection-settings";

/** The config keys of the secret settings (`koodrive:accessToken`, `koodrive:appSecret`, `koodrive:lockUrl`). */
const CREDENTIAL_CONFIG_KEYS = CONNECTION_KEYS.filter(isSecretSetting).map((key) => CONNECTION_SETTINGS[key].config);

/**
 * The warning for credential `configKey` set in plain text in the stack config: where it can be read
 * (`readableIn`, e.g. "the stack's config file") and the command that fixes it.
 */
export function plaintextConfigWarning(configKey: string, readableIn: string): string {
  return `${configKey} is set in plain text in the stack config, so it is readable in ${readableIn}; set it as a secret: pulumi config set --secret ${configKey} <value>`;
}

/**
 * The credential config keys that `stackConfig` (a `Pulumi.<stack>.yaml`) holds as plain values: a
 * value on the key's own line. A secret is a `secure:` mapping on the lines below it.
 */
export function plaintextCredentialsIn(stackConfig: string): string[] {
  return CREDENTIAL_CONFIG_KEYS.filter((key) =>
    new RegExp(`^\\s+["']?${key.replace(":", "\\:")}["']?\\s*:[ \\t]*[^\\s#]`, "m").test(stackConfig),
  );
}

/**
 * The stack config file of the stack in `urn`, for a program in `projectDir`: `Pulumi.<stack>.yaml`
 * there, or in the project's `stackConfigDir`.
 */
export function stackConfigFile(urn: string, projectDir: string): string {
  const stack = urn.split("::")[0]?.replace(/^urn:pulumi:/, "") ?? "";
  let dir = projectDir;
  try {
    const configDir = /^stackConfigDir:\s*["']?([^"'\s#]+)/m.exec(
      readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"),
    );
    if (configDir?.[1]) dir = path.resolve(projectDir, configDir[1]);
  } catch {
    // No readable Pulumi.yaml here: the stack config file is in the default place.
  }
  return path.join(dir, `Pulumi.${stack}.yaml`);
}
