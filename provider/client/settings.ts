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
  /** No attempt or wait goes past this many ms after the call started (default (retries + 1) × timeoutMs + 3,000: 33,000). */
  deadlineMs?: number;
  /** First backoff delay in ms, doubled each retry, with full jitter (default 500). */
  retryBaseDelayMs?: number;
  /** PEM CA certificate(s) to trust, for private deployments (added to Node's default CAs). */
  caCert?: string;
  /** Where environment fallbacks (KOODRIVE_*, HTTP_PROXY, HTTPS_PROXY, NO_PROXY) come from (default `process.env`). */
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

/** The names of the connection settings, as in `ConnectionArgs` and the `koodrive` config namespace. */
export const CONNECTION_KEYS = ["endpoint", "accessToken", "appId", "appSecret", "userId", "usedSpaceUnit"] as const;

/** The connection settings that are credentials: kept secret wherever they are recorded. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(["accessToken", "appSecret"]);

/** The environment variable behind each connection setting. */
export const ENVIRONMENT_VARIABLES = {
  endpoint: "KOODRIVE_ENDPOINT",
  accessToken: "KOODRIVE_ACCESS_TOKEN",
  appId: "KOODRIVE_APP_ID",
  appSecret: "KOODRIVE_APP_SECRET",
  userId: "KOODRIVE_USER_ID",
  usedSpaceUnit: "KOODRIVE_USED_SPACE_UNIT",
} as const satisfies Record<keyof KooDriveConnectionArgs, string>;

const DEFAULTS = { timeoutMs: 10_000, retries: 2, retryBaseDelayMs: 500 };
/** Room for the backoff waits between attempts, within the default deadline. */
const BACKOFF_ALLOWANCE_MS = 3_000;

type CredentialKey = "accessToken" | "appId" | "appSecret" | "userId";
const CREDENTIAL_KEYS: readonly CredentialKey[] = ["accessToken", "appId", "appSecret", "userId"];
const APP_KEYS = ["appId", "appSecret", "userId"] as const;

/** One place settings come from (arguments, stack config, environment), and how it names each key in errors. */
export interface SettingsSource {
  values: Partial<Record<keyof KooDriveConnectionArgs, string | undefined>>;
  name(key: keyof KooDriveConnectionArgs): string;
}

/** Arguments given in code, named as the argument. */
export function argumentSource(values: KooDriveConnectionArgs): SettingsSource {
  return { values, name: (key) => key };
}

/** The KOODRIVE_* environment variables. */
export function environmentSource(env: Readonly<Record<string, string | undefined>>): SettingsSource {
  const keys = Object.keys(ENVIRONMENT_VARIABLES) as (keyof KooDriveConnectionArgs)[];
  return {
    values: Object.fromEntries(keys.map((key) => [key, env[ENVIRONMENT_VARIABLES[key]]])),
    name: (key) => ENVIRONMENT_VARIABLES[key],
  };
}

const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== "";

/** The first source that sets `key`, with its value. */
function firstSetting(sources: readonly SettingsSource[], key: keyof KooDriveConnectionArgs) {
  for (const source of sources) {
    const value = source.values[key];
    if (present(value)) return { value, name: source.name(key) };
  }
  return undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Refuses a credential with control characters (CR, LF…): it could split headers; never repeats the value. */
function checkCredential(value: string, name: string): string {
  if (CONTROL.test(value)) {
    throw new ConfigurationError(
      `invalid ${name}`,
      "it contains a control character (a line break, tab or similar, often from copying); set it again without one",
    );
  }
  return value;
}

/**
 * Credentials come as one group from the first source that names any of them, so a token in the
 * environment never mixes with an app given as arguments.
 */
function resolveCredentials(sources: readonly SettingsSource[]): Credentials {
  const source = sources.find(({ values }) => CREDENTIAL_KEYS.some((key) => present(values[key])));
  if (!source) {
    throw new ConfigurationError(
      "no KooDrive credentials",
      `set ${ENVIRONMENT_VARIABLES.accessToken} (token authentication) or ${APP_KEYS.map((k) => ENVIRONMENT_VARIABLES[k]).join(", ")} (app authentication), or give them in config or arguments`,
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
    return { mode: "token", token: new Secret(checkCredential(values.accessToken.trim(), name("accessToken"))) };
  }
  const missing = APP_KEYS.filter((key) => !present(values[key]));
  if (missing.length > 0) {
    const verb = (keys: readonly unknown[]) => (keys.length === 1 ? "is" : "are");
    throw new ConfigurationError(
      "incomplete app credentials",
      `${appKeysGiven.map(name).join(", ")} ${verb(appKeysGiven)} set but ${missing.map(name).join(", ")} ${verb(missing)} missing`,
    );
  }
  const userId = (values.userId as string).trim();
  if (!/^\d+$/.test(userId)) {
    throw new ConfigurationError(`invalid ${name("userId")}`, `"${userId}" is not a decimal user id`);
  }
  return {
    mode: "app",
    appId: checkCredential((values.appId as string).trim(), name("appId")),
    appSecret: new Secret(checkCredential(values.appSecret as string, name("appSecret"))),
    userId,
  };
}

/** The longest delay a Node timer holds (about 24.8 days); longer ones fire at once. */
export const MAX_DELAY_MS = 2_147_483_647;
/** More retries than this would be a loop, not a retry policy. */
export const MAX_RETRIES = 100;

function wholeNumber(value: number | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigurationError(`invalid ${name}`, `${value} is not a whole number from ${min} to ${max}`);
  }
  return value;
}

/**
 * Applies fallbacks and defaults, and validates everything; throws `ConfigurationError`.
 * Each connection setting comes from the options, else the first of `fallbacks` that sets it,
 * else the environment.
 */
export function resolveSettings(
  options: KooDriveClientOptions = {},
  fallbacks: readonly SettingsSource[] = [],
): ResolvedSettings {
  const sources = [argumentSource(options), ...fallbacks, environmentSource(options.env ?? process.env)];
  const endpoint = firstSetting(sources, "endpoint");
  if (!endpoint) {
    throw new ConfigurationError(
      "no KooDrive endpoint",
      `set ${ENVIRONMENT_VARIABLES.endpoint} (or the endpoint setting) to cn, intl or a base URL`,
    );
  }
  const unit = firstSetting(sources, "usedSpaceUnit");
  const timeoutMs = wholeNumber(options.timeoutMs, "timeoutMs", DEFAULTS.timeoutMs, 1, MAX_DELAY_MS);
  const retries = wholeNumber(options.retries, "retries", DEFAULTS.retries, 0, MAX_RETRIES);
  const defaultDeadline = Math.min((retries + 1) * timeoutMs + BACKOFF_ALLOWANCE_MS, MAX_DELAY_MS);
  const settings: ResolvedSettings = {
    endpoint: resolveEndpoint(endpoint.value, endpoint.name),
    credentials: resolveCredentials(sources),
    usedSpaceUnit: parseUsedSpaceUnit(unit?.value, unit?.name),
    timeoutMs,
    retries,
    deadlineMs: wholeNumber(options.deadlineMs, "deadlineMs", defaultDeadline, 1, MAX_DELAY_MS),
    retryBaseDelayMs: wholeNumber(
      options.retryBaseDelayMs,
      "retryBaseDelayMs",
      DEFAULTS.retryBaseDelayMs,
      0,
      MAX_DELAY_MS,
    ),
  };
  if (present(options.caCert)) settings.caCert = options.caCert;
  return settings;
}
