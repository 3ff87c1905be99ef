import { resolveEndpoint } from "./endpoint";
import { ConfigurationError } from "./errors";
import { Secret } from "./secret";
import { parseUsedSpaceUnit, type UsedSpaceUnit } from "./units";

/** Where KooDrive is and who is calling: the settings a data source or guard can override. */
export interface KooDriveConnectionArgs {
  /** `cn`, `intl`, or a base URL (HTTPS; plain HTTP only to loopback). Env: `KOODRIVE_ENDPOINT`. */
  endpoint?: string;
  /** Token authentication: the Authorization token; `Bearer ` is added when missing. Env: `KOODRIVE_ACCESS_TOKEN`. */
  accessToken?: string;
  /** App authentication: the AppId. Env: `KOODRIVE_APP_ID`. */
  appId?: string;
  /** App authentication: the AppSecret that signs requests. Env: `KOODRIVE_APP_SECRET`. */
  appSecret?: string;
  /** App authentication: the user id the app acts as (X-User-Id). Env: `KOODRIVE_USER_ID`. */
  userId?: string;
  /** Unit of `spaceUsed`: B, KB, MB or GB (default KB, an assumption). Env: `KOODRIVE_USED_SPACE_UNIT`. */
  usedSpaceUnit?: string;
}

/** Everything a `KooDriveClient` can be told. */
export interface KooDriveClientOptions extends KooDriveConnectionArgs {
  /** Time limit of one attempt, in ms (default 10,000). */
  timeoutMs?: number;
  /** Retries after the first attempt on network errors, timeouts, 5xx and 429 (default 2). */
  retries?: number;
  /** No attempt or wait goes past this many ms after the call started (default 33,000). */
  deadlineMs?: number;
  /** First backoff delay in ms, doubled each retry, with full jitter (default 500). */
  retryBaseDelayMs?: number;
  /** PEM CA certificate(s) to trust, for private deployments (added to Node's default CAs). */
  caCert?: string;
  /** Where environment fallbacks come from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** How requests are authenticated. */
export type Credentials =
  | { mode: "token"; token: Secret }
  | { mode: "app"; appId: string; appSecret: Secret; userId: string };

/** Settings after defaults, environment fallbacks and validation. */
export interface ResolvedSettings {
  endpoint: URL;
  credentials: Credentials;
  usedSpaceUnit: UsedSpaceUnit;
  timeoutMs: number;
  retries: number;
  deadlineMs: number;
  retryBaseDelayMs: number;
  caCert?: string;
}

/** The environment variable behind each connection setting. */
export const ENVIRONMENT_VARIABLES = {
  endpoint: "KOODRIVE_ENDPOINT",
  accessToken: "KOODRIVE_ACCESS_TOKEN",
  appId: "KOODRIVE_APP_ID",
  appSecret: "KOODRIVE_APP_SECRET",
  userId: "KOODRIVE_USER_ID",
  usedSpaceUnit: "KOODRIVE_USED_SPACE_UNIT",
} as const satisfies Record<keyof KooDriveConnectionArgs, string>;

const DEFAULTS = { timeoutMs: 10_000, retries: 2, deadlineMs: 33_000, retryBaseDelayMs: 500 };

type CredentialKey = "accessToken" | "appId" | "appSecret" | "userId";
const CREDENTIAL_KEYS: readonly CredentialKey[] = ["accessToken", "appId", "appSecret", "userId"];
const APP_KEYS = ["appId", "appSecret", "userId"] as const;

const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== "";

/**
 * Credentials come as one group from the first source that names any of them (arguments, then
 * environment), so a token in the environment never mixes with an app given as arguments.
 */
function resolveCredentials(
  options: KooDriveConnectionArgs,
  env: Readonly<Record<string, string | undefined>>,
): Credentials {
  const fromEnv = Object.fromEntries(CREDENTIAL_KEYS.map((key) => [key, env[ENVIRONMENT_VARIABLES[key]]]));
  const sources = [
    { values: options as Partial<Record<CredentialKey, string>>, name: (key: CredentialKey) => key },
    {
      values: fromEnv as Partial<Record<CredentialKey, string>>,
      name: (key: CredentialKey) => ENVIRONMENT_VARIABLES[key],
    },
  ];
  const source = sources.find(({ values }) => CREDENTIAL_KEYS.some((key) => present(values[key])));
  if (!source) {
    throw new ConfigurationError(
      "no KooDrive credentials",
      `set ${ENVIRONMENT_VARIABLES.accessToken} (token authentication) or ${APP_KEYS.map((k) => ENVIRONMENT_VARIABLES[k]).join(", ")} (app authentication), or pass them as arguments`,
    );
  }
  const { values, name } = source;
  const appKeysGiven = APP_KEYS.filter((key) => present(values[key]));
  if (present(values.accessToken)) {
    if (appKeysGiven.length > 0) {
      throw new ConfigurationError(
        "conflicting KooDrive credentials",
        `${name("accessToken")} is set together with ${appKeysGiven.map(name).join(", ")}; use either token or app authentication`,
      );
    }
    return { mode: "token", token: new Secret(values.accessToken.trim()) };
  }
  const missing = APP_KEYS.filter((key) => !present(values[key]));
  if (missing.length > 0) {
    throw new ConfigurationError(
      "incomplete app credentials",
      `${appKeysGiven.map(name).join(", ")} ${appKeysGiven.length === 1 ? "is" : "are"} set but ${missing.map(name).join(", ")} ${missing.length === 1 ? "is" : "are"} missing`,
    );
  }
  const userId = (values.userId as string).trim();
  if (!/^\d+$/.test(userId)) {
    throw new ConfigurationError(`invalid ${name("userId")}`, `"${userId}" is not a decimal user id`);
  }
  return {
    mode: "app",
    appId: (values.appId as string).trim(),
    appSecret: new Secret(values.appSecret as string),
    userId,
  };
}

function positiveInteger(value: number | undefined, name: string, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new ConfigurationError(`invalid ${name}`, `${value} is not a whole number ${allowZero ? "≥ 0" : "≥ 1"}`);
  }
  return value;
}

/** Applies environment fallbacks and defaults, and validates everything; throws `ConfigurationError`. */
export function resolveSettings(options: KooDriveClientOptions = {}): ResolvedSettings {
  const env = options.env ?? process.env;
  const endpoint = present(options.endpoint) ? options.endpoint : env[ENVIRONMENT_VARIABLES.endpoint];
  if (!present(endpoint)) {
    throw new ConfigurationError(
      "no KooDrive endpoint",
      `set ${ENVIRONMENT_VARIABLES.endpoint} (or the endpoint argument) to cn, intl or a base URL`,
    );
  }
  const settings: ResolvedSettings = {
    endpoint: resolveEndpoint(endpoint, present(options.endpoint) ? "endpoint" : ENVIRONMENT_VARIABLES.endpoint),
    credentials: resolveCredentials(options, env),
    usedSpaceUnit: present(options.usedSpaceUnit)
      ? parseUsedSpaceUnit(options.usedSpaceUnit)
      : parseUsedSpaceUnit(env[ENVIRONMENT_VARIABLES.usedSpaceUnit], ENVIRONMENT_VARIABLES.usedSpaceUnit),
    timeoutMs: positiveInteger(options.timeoutMs, "timeoutMs", DEFAULTS.timeoutMs),
    retries: positiveInteger(options.retries, "retries", DEFAULTS.retries, true),
    deadlineMs: positiveInteger(options.deadlineMs, "deadlineMs", DEFAULTS.deadlineMs),
    retryBaseDelayMs: positiveInteger(options.retryBaseDelayMs, "retryBaseDelayMs", DEFAULTS.retryBaseDelayMs, true),
  };
  if (present(options.caCert)) settings.caCert = options.caCert;
  return settings;
}
