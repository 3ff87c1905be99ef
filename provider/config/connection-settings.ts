/**
 * The connection settings, declared once: each setting's argument name, environment variable, stack
 * config key, whether it is a secret, which credential group it belongs to, and its doc. The client's
 * environment lookup and credential grouping, the program's secret marking, the provider's stripping of
 * credentials from what it records, the CLI's messages, the docs' table (docs/installation-configuration.md) and the plugin schema are
 * all derived from this table.
 */
export const CONNECTION_SETTINGS = {
  endpoint: {
    variable: "KOODRIVE_ENDPOINT",
    config: "koodrive:endpoint",
    secret: false,
    credentials: undefined,
    doc: "`cn` (CN North-Beijing4, `https://cn.myhuaweicloud-koodrive.com`), `intl` (AP-Singapore, `https://intl.myhuaweicloud-koodrive.com`), or a base URL (private deployments, proxies; a path prefix is kept). HTTPS is required; plain `http://` only to loopback addresses.",
  },
  accessToken: {
    variable: "KOODRIVE_ACCESS_TOKEN",
    config: "koodrive:accessToken",
    secret: true,
    credentials: "token",
    doc: "token authentication: sent as `Authorization: Bearer <token>` (`Bearer ` added only when missing). A token expires after 20 idle minutes.",
  },
  appId: {
    variable: "KOODRIVE_APP_ID",
    config: "koodrive:appId",
    secret: false,
    credentials: "app",
    doc: "app authentication, with the two below",
  },
  appSecret: {
    variable: "KOODRIVE_APP_SECRET",
    config: "koodrive:appSecret",
    secret: true,
    credentials: "app",
    doc: "signs each request (HMAC-SHA256)",
  },
  userId: {
    variable: "KOODRIVE_USER_ID",
    config: "koodrive:userId",
    secret: false,
    credentials: "app",
    doc: "the decimal user id the app acts as (`X-User-Id`)",
  },
  usedSpaceUnit: {
    variable: "KOODRIVE_USED_SPACE_UNIT",
    config: "koodrive:usedSpaceUnit",
    secret: false,
    credentials: undefined,
    doc: "unit of `spaceUsed`: `B`, `KB`, `MB`, `GB`; default `KB` (see [Units](#units))",
  },
  tenant: {
    variable: "KOODRIVE_TENANT",
    config: "koodrive:tenant",
    secret: false,
    credentials: undefined,
    doc: "a name for the tenant in messages, checked against KooDrive's tenant id: two connections under one name that reach two tenants fail the run. Guards with the same name are judged together and take the same lock (under the name, then the id), whatever their credential can read; it never picks the figures (see [Several stacks, one tenant](_index.md#several-stacks-one-tenant))",
  },
  lockUrl: {
    variable: "KOODRIVE_LOCK_URL",
    config: "koodrive:lockUrl",
    secret: true,
    credentials: undefined,
    doc: "a PostgreSQL connection URL (`postgres://user:password@host:5432/db`) where a lease serializes deployments to the tenant across machines (see [The lock server](#the-lock-server)); default: a lock on this machine",
  },
  lockTimeout: {
    variable: "KOODRIVE_LOCK_TIMEOUT",
    config: "koodrive:lockTimeout",
    secret: false,
    credentials: undefined,
    doc: "how long `pulumi up` waits for another deployment to the tenant, in seconds; default 600",
  },
  lockLease: {
    variable: "KOODRIVE_LOCK_LEASE",
    config: "koodrive:lockLease",
    secret: false,
    credentials: undefined,
    doc: "with `lockUrl`, the term of the tenant's lease, in seconds, 3 to 3600; default 60. The holder renews it every third of the term; a deployment cut off from the lock server for a whole term loses the tenant, and a holder that ends without releasing it (killed) keeps the next deployment waiting up to one term",
  },
} as const satisfies Record<string, ConnectionSetting>;

/** One row of `CONNECTION_SETTINGS`. */
export interface ConnectionSetting {
  /** The environment variable the setting falls back to last. */
  variable: string;
  /** The stack config key (`koodrive` namespace) the setting falls back to first. */
  config: string;
  /** Secrets are marked secret in the state, never recorded by the provider, and never printed. */
  secret: boolean;
  /** The credential group the setting belongs to: a group comes whole from one place. */
  credentials: "token" | "app" | undefined;
  /** What the setting means (Markdown), for the docs' table and the plugin schema. */
  doc: string;
}

/** The name of a connection setting, as an argument and after `koodrive:` in the stack config. */
export type ConnectionKey = keyof typeof CONNECTION_SETTINGS;

/** Every connection setting's name, in the table's order. */
export const CONNECTION_KEYS = Object.keys(CONNECTION_SETTINGS) as ConnectionKey[];

/** True when `key` names a connection setting rather than, say, a plan field. */
export function isConnectionKey(key: string): key is ConnectionKey {
  return Object.hasOwn(CONNECTION_SETTINGS, key);
}

/** The settings of a credential group, in the table's order. */
export function credentialKeys(group?: "token" | "app"): ConnectionKey[] {
  return CONNECTION_KEYS.filter((key) => {
    const credentials: ConnectionSetting["credentials"] = CONNECTION_SETTINGS[key].credentials;
    return group === undefined ? credentials !== undefined : credentials === group;
  });
}

/** True for the settings that are secrets (a token, an app secret). */
export function isSecretSetting(key: ConnectionKey): boolean {
  return CONNECTION_SETTINGS[key].secret;
}

/** The environment variable of `key`. */
export function variableOf(key: ConnectionKey): string {
  return CONNECTION_SETTINGS[key].variable;
}

/** Connection settings by name, as one place (arguments, stack config, environment) gives them. */
export type ConnectionValues = { readonly [K in ConnectionKey]?: string | undefined };

/** True when a setting is given: blank counts as not given. */
export function isGiven(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== "";
}

/**
 * Which place each setting is taken from, given places in order of precedence: the first that gives
 * it, except that the credentials come as a group from the first place that gives any of them, so a
 * token in one place never mixes with an app in another. The index of its place, per setting given.
 */
export function settingPlaces(places: readonly ConnectionValues[]): Partial<Record<ConnectionKey, number>> {
  const credentialPlace = places.findIndex((values) => credentialKeys().some((key) => isGiven(values[key])));
  const chosen: Partial<Record<ConnectionKey, number>> = {};
  for (const key of CONNECTION_KEYS) {
    const place = CONNECTION_SETTINGS[key].credentials
      ? credentialPlace
      : places.findIndex((values) => isGiven(values[key]));
    if (place !== -1 && isGiven(places[place]?.[key])) chosen[key] = place;
  }
  return chosen;
}
