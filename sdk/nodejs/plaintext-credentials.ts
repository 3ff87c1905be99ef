/**
 * Warnings for credentials that are not kept secret. Only the program can tell: Pulumi's dynamic
 * provider host strips the secret mark from the config it hands the provider (`configure`), so the
 * provider sees a `--plaintext` token exactly as a `--secret` one.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  CONNECTION_KEYS,
  CONNECTION_SETTINGS,
  type ConnectionKey,
  isSecretSetting,
} from "../../provider/config/connection-settings";
import { plaintextConfigWarning } from "../../provider/config/plaintext-config";

const CREDENTIALS = CONNECTION_KEYS.filter(isSecretSetting);
const warned = new Set<string>();

function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  void pulumi.log.warn(message);
}

/** True or false when the SDK says whether config `key` is secret; undefined when this SDK cannot say. */
function configIsSecret(key: string): boolean | undefined {
  const isConfigSecret = (pulumi.runtime as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
  return typeof isConfigSecret === "function" ? isConfigSecret(key) : undefined;
}

/**
 * Warns (once per setting and run) when a credential is set in the stack config without `--secret`,
 * or given as an argument that is not secret (a literal, or a plain config value): both are readable
 * where they came from, and plain config also in the state. The warning names the setting and the fix.
 */
export function warnOfPlaintextCredentials(args: { [K in ConnectionKey]?: pulumi.Input<string> }): void {
  for (const key of CREDENTIALS) {
    const configKey = CONNECTION_SETTINGS[key].config;
    const fix = `pulumi config set --secret ${configKey} <value>`;
    const given = args[key];
    if (given === undefined) {
      const value = pulumi.runtime.allConfig()[configKey];
      if (value !== undefined && configIsSecret(configKey) === false) {
        warnOnce(configKey, plaintextConfigWarning(configKey, "the stack's config file and state"));
      }
    } else if (!pulumi.Output.isInstance(given)) {
      warnOnce(
        key,
        `the ${key} argument is a plain value, readable in the program's source; this package stores it encrypted, but keep it out of the code: ${fix}, or pass config.requireSecret("${key}")`,
      );
    } else {
      void pulumi.isSecret(given as pulumi.Output<string>).then((secret) => {
        if (!secret) {
          warnOnce(
            key,
            `the ${key} argument is not a secret Output (plain config?), so it is readable where it came from; this package stores it encrypted, but mark it secret: ${fix}, or pass config.requireSecret("${key}")`,
          );
        }
      });
    }
  }
}
