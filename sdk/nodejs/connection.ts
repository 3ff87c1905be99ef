import * as pulumi from "@pulumi/pulumi";
import { CONNECTION_KEYS, type ConnectionKey, isSecretSetting } from "../../provider/config/connection-settings";
import { warnOfPlaintextCredentials } from "./plaintext-credentials";

/**
 * Connection settings a data source or guard may override (`endpoint`, `accessToken`, `appId`,
 * `appSecret`, `userId`, `usedSpaceUnit`; see `CONNECTION_SETTINGS` for each). Each falls back to the
 * stack config (`koodrive:<name>`), then to its environment variable. Secrets given here are marked
 * secret, so the state keeps them encrypted; better set them as secret config.
 */
export type ConnectionArgs = { [K in ConnectionKey]?: pulumi.Input<string> };

/**
 * The `connection` input of a dynamic resource: only the settings given, secrets marked secret. Warns
 * when a credential is not kept secret (see plaintext-credentials.ts).
 */
export function connectionInput(args: ConnectionArgs): pulumi.Input<Record<string, pulumi.Input<string>>> {
  warnOfPlaintextCredentials(args);
  const given = CONNECTION_KEYS.filter((key) => args[key] !== undefined).map((key) => {
    const value = args[key] as pulumi.Input<string>;
    return [key, isSecretSetting(key) ? pulumi.secret(value) : value] as const;
  });
  return Object.fromEntries(given);
}
