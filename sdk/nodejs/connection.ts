import * as pulumi from "@pulumi/pulumi";
import { CONNECTION_KEYS, SECRET_KEYS } from "../../provider/client/settings";

/**
 * Connection settings a data source or guard may override. Each falls back to the stack config
 * (`koodrive:<name>`), then to the `KOODRIVE_*` environment variable.
 */
export interface ConnectionArgs {
  /** `cn`, `intl`, or a base URL (HTTPS; plain HTTP only to loopback). Config `koodrive:endpoint`. */
  endpoint?: pulumi.Input<string>;
  /** Token authentication. Stored encrypted; better set as secret config `koodrive:accessToken`. */
  accessToken?: pulumi.Input<string>;
  /** App authentication: AppId. Config `koodrive:appId`. */
  appId?: pulumi.Input<string>;
  /** App authentication: AppSecret. Stored encrypted; better set as secret config `koodrive:appSecret`. */
  appSecret?: pulumi.Input<string>;
  /** App authentication: the user id the app acts as. Config `koodrive:userId`. */
  userId?: pulumi.Input<string>;
  /** Unit of `spaceUsed`: B, KB, MB or GB (default KB). Config `koodrive:usedSpaceUnit`. */
  usedSpaceUnit?: pulumi.Input<string>;
}

export { CONNECTION_KEYS };

/** The `connection` input of a dynamic resource: only the settings given, secrets marked secret. */
export function connectionInput(args: ConnectionArgs): pulumi.Input<Record<string, pulumi.Input<string>>> {
  const given = CONNECTION_KEYS.filter((key) => args[key] !== undefined).map((key) => {
    const value = args[key] as pulumi.Input<string>;
    return [key, SECRET_KEYS.has(key) ? pulumi.secret(value) : value] as const;
  });
  return Object.fromEntries(given);
}
