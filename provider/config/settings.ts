import { resolveEndpoint } from "../client/endpoint";
import { ConfigurationError } from "../client/errors";
import type { ClientOptions, Credentials } from "../client/options";
import { proxyFor } from "../client/proxy";
import { Secret } from "../client/secret";
import { parseUsedSpaceUnit, type UsedSpaceUnit } from "../client/units";
import { inWholeRange, parseWholeNumber, wholeNumberRange } from "../client/whole-number";
import {
  CONNECTION_KEYS,
  type ConnectionKey,
  type ConnectionValues,
  credentialKeys,
  isGiven,
  settingPlaces,
  variableOf,
} from "./connection-settings";

/**
 * Where KooDrive is and who is calling: the settings a data source or guard can override, one per
 * row of `CONNECTION_SETTINGS` (which holds each one's doc, variable and config key).
 */
export type KooDriveConnectionArgs = { [K in ConnectionKey]?: string };

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
  /** Where environment fallbacks (the settings' variables, HTTP_PROXY, HTTPS_PROXY, NO_PROXY) come from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** How errors name a setting given here (default: its key), e.g. `koodrive:appId` for one read from the stack config. */
  settingNames?: Partial<Record<ConnectionKey, string>>;
}

/** Settings after defaults, environment fallbacks and validation: the client's options, and what the caller needs besides. */
export interface ResolvedSettings extends ClientOptions {
  /** The unit KooDrive's `spaceUsed` is read in, for deriving the usage (provider/capacity/usage.ts). */
  usedSpaceUnit: UsedSpaceUnit;
  /** The `tenant` setting: a name that overrides the tenant's identity (tenant.ts). */
  tenant?: string;
}

const DEFAULTS = { timeoutMs: 10_000, retries: 2, retryBaseDelayMs: 500 };
/** Room for the backoff waits between attempts, within the default deadline. */
const BACKOFF_ALLOWANCE_MS = 3_000;

const APP_KEYS = credentialKeys("app");

/** Where a setting came from, named as that place names it (an option's key, a variable). */
interface Setting {
  value: string;
  name: string;
}

/** The settings given, by name, and how the place the credentials come from names a setting. */
interface GatheredSettings {
  given: Partial<Record<ConnectionKey, Setting>>;
  credentialName(key: ConnectionKey): string;
}

/** Every setting given, taken from the options, else from its environment variable (`settingPlaces`). */
function gatherSettings(options: KooDriveClientOptions): GatheredSettings {
  const env = options.env ?? process.env;
  const fromEnv = Object.fromEntries(CONNECTION_KEYS.map((key) => [key, env[variableOf(key)]]));
  const places = [
    { values: options as ConnectionValues, name: (key: ConnectionKey) => options.settingNames?.[key] ?? key },
    { values: fromEnv as ConnectionValues, name: variableOf },
  ];
  const chosen = settingPlaces(places.map((place) => place.values));
  const given: Partial<Record<ConnectionKey, Setting>> = {};
  for (const [key, index] of Object.entries(chosen) as [ConnectionKey, number][]) {
    const place = places[index];
    const value = place?.values[key];
    if (place && value !== undefined) given[key] = { value, name: place.name(key) };
  }
  const credentialPlace = places[chosen.accessToken ?? chosen.appId ?? chosen.appSecret ?? chosen.userId ?? 0];
  return { given, credentialName: (key) => (credentialPlace ?? places[0]).name(key) };
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

/** Token or app credentials, from the settings given (which come as a group from one place). */
function resolveCredentials({ given, credentialName }: GatheredSettings): Credentials {
  const { accessToken, appId, appSecret, userId } = given;
  if (!accessToken && !appId && !appSecret && !userId) {
    throw new ConfigurationError(
      "no KooDrive credentials",
      `set ${variableOf("accessToken")} (token authentication) or ${APP_KEYS.map(variableOf).join(", ")} (app authentication), or give them in config or arguments`,
      "credentials",
    );
  }
  const appGiven = APP_KEYS.flatMap((key) => given[key]?.name ?? []);
  if (accessToken) {
    if (appGiven.length > 0) {
      throw new ConfigurationError(
        "conflicting KooDrive credentials",
        `${accessToken.name} is set together with ${appGiven.join(", ")}; use either token or app authentication`,
      );
    }
    return { mode: "token", token: new Secret(checkCredential(accessToken.value.trim(), accessToken.name)) };
  }
  if (!appId || !appSecret || !userId) {
    const missing = APP_KEYS.filter((key) => !given[key]).map(credentialName);
    const verb = (keys: readonly unknown[]) => (keys.length === 1 ? "is" : "are");
    throw new ConfigurationError(
      "incomplete app credentials",
      `${appGiven.join(", ")} ${verb(appGiven)} set but ${missing.join(", ")} ${verb(missing)} missing`,
    );
  }
  const id = userId.value.trim();
  if (!/^\d+$/.test(id)) {
    throw new ConfigurationError(`invalid ${userId.name}`, `"${id}" is not a decimal user id`);
  }
  return {
    mode: "app",
    appId: checkCredential(appId.value.trim(), appId.name),
    appSecret: new Secret(checkCredential(appSecret.value, appSecret.name)),
    userId: id,
  };
}

/** The longest delay a Node timer holds (about 24.8 days); longer ones fire at once. */
export const MAX_DELAY_MS = 2_147_483_647;
/** More retries than this would be a loop, not a retry policy. */
export const MAX_RETRIES = 100;

function wholeNumber(value: number | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const checked = inWholeRange(value, min, max);
  if (checked === undefined) {
    throw new ConfigurationError(`invalid ${name}`, `${value} is not ${wholeNumberRange(min, max)}`);
  }
  return checked;
}

/** The lease term of the `lockLease` setting, in seconds: its default, and the shortest and longest it takes. */
export const LOCK_LEASE_SECONDS = { default: 60, min: 3, max: 3600 } as const;

/** Where deployments to a tenant are serialized: the `lockUrl` setting (PostgreSQL), how long to wait, and the lease term. */
export interface LockSettings {
  /** The PostgreSQL URL and how errors name its setting; undefined for the lock on this machine. */
  url?: { value: string; name: string };
  /** The term of a lease at the lock server, in ms (`lockLease`). */
  leaseMs: number;
  /** How long `pulumi up` waits for another deployment to the tenant, in ms. */
  timeoutMs: number;
  /** How the timeout is named (the setting to raise). */
  timeoutName: string;
}

/** The lock settings given in the options, else in their environment variables. */
export function resolveLockSettings(options: KooDriveClientOptions, defaultTimeoutSeconds: number): LockSettings {
  const { lockUrl, lockTimeout, lockLease } = gatherSettings(options).given;
  const { min, max } = LOCK_LEASE_SECONDS;
  const lease = lockLease ? parseWholeNumber(lockLease.value.trim(), min, max) : LOCK_LEASE_SECONDS.default;
  if (lease === undefined) {
    throw new ConfigurationError(
      `invalid ${lockLease?.name}`,
      `"${lockLease?.value}" is not ${wholeNumberRange(min, max)} (seconds)`,
    );
  }
  const seconds = lockTimeout
    ? parseWholeNumber(lockTimeout.value.trim(), 1, Math.floor(MAX_DELAY_MS / 1000))
    : defaultTimeoutSeconds;
  if (seconds === undefined) {
    throw new ConfigurationError(
      `invalid ${lockTimeout?.name}`,
      `"${lockTimeout?.value}" is not ${wholeNumberRange(1, Math.floor(MAX_DELAY_MS / 1000))} (seconds)`,
    );
  }
  return {
    ...(lockUrl ? { url: { value: lockUrl.value.trim(), name: lockUrl.name } } : {}),
    timeoutMs: seconds * 1000,
    leaseMs: lease * 1000,
    timeoutName: lockTimeout?.name ?? `koodrive:lockTimeout (or ${variableOf("lockTimeout")})`,
  };
}

/**
 * Applies defaults and validates everything; throws `ConfigurationError`. Each connection setting
 * comes from the options, else from its environment variable; credentials come as a group from the
 * first of the two that names any.
 */
export function resolveSettings(options: KooDriveClientOptions = {}): ResolvedSettings {
  const gathered = gatherSettings(options);
  const { endpoint, usedSpaceUnit: unit } = gathered.given;
  if (!endpoint) {
    throw new ConfigurationError(
      "no KooDrive endpoint",
      `set ${variableOf("endpoint")} (or the endpoint setting) to cn, intl or a base URL`,
      "endpoint",
    );
  }
  const timeoutMs = wholeNumber(options.timeoutMs, "timeoutMs", DEFAULTS.timeoutMs, 1, MAX_DELAY_MS);
  const retries = wholeNumber(options.retries, "retries", DEFAULTS.retries, 0, MAX_RETRIES);
  const defaultDeadline = Math.min((retries + 1) * timeoutMs + BACKOFF_ALLOWANCE_MS, MAX_DELAY_MS);
  const resolvedEndpoint = resolveEndpoint(endpoint.value, endpoint.name);
  // Plain HTTP is accepted only to loopback, which proxyFor never proxies: credentials never cross a proxy in clear.
  const proxy = proxyFor(resolvedEndpoint, options.env ?? process.env);
  const settings: ResolvedSettings = {
    endpoint: resolvedEndpoint,
    credentials: resolveCredentials(gathered),
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
  if (proxy) settings.proxy = proxy;
  if (isGiven(options.caCert)) settings.caCert = options.caCert;
  if (gathered.given.tenant) settings.tenant = gathered.given.tenant.value.trim();
  return settings;
}
