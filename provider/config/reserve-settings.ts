/**
 * The provider's reserves, declared once: what every `User` and `Space` of a provider keeps free of
 * the tenant, and whether falling short fails or warns. Each setting's stack config key, environment
 * variable and doc; the plugin schema, the docs' table and both front ends' configuration read them
 * from this table. A `CapacityGuard` keeps its own arguments of the same names for its own plan.
 */
import { ConfigurationError } from "../client/errors";
import { parseWholeNumber, wholeNumberRange } from "../client/whole-number";

/** The enforcements a provider takes (the capacity model's `Enforcement`, held to it in guard/addition.ts). */
export const RESERVE_ENFORCEMENTS = ["mandatory", "advisory"] as const;

export const RESERVE_SETTINGS = {
  minFreeSeats: {
    variable: "KOODRIVE_MIN_FREE_SEATS",
    config: "koodrive:minFreeSeats",
    doc: "seats every `User` and `Space` of this provider must leave free in the tenant, a whole number; default 0",
  },
  minFreeGB: {
    variable: "KOODRIVE_MIN_FREE_GB",
    config: "koodrive:minFreeGB",
    doc: "quota, in GB, that every `User` and `Space` of this provider must leave free across the pools, a whole number; default 0",
  },
  minRunwayDays: {
    variable: "KOODRIVE_MIN_RUNWAY_DAYS",
    config: "koodrive:minRunwayDays",
    doc: "days each figure must last at its recent growth rate after what this provider's Users and Spaces add, a whole number; judged when the tenant's history is known (a warning says when it is not)",
  },
  enforcement: {
    variable: "KOODRIVE_ENFORCEMENT",
    config: "koodrive:enforcement",
    doc: "`mandatory` (the default): a `User` or `Space` that would break a reserve fails; `advisory`: it warns and goes on. What the tenant does not have is refused either way",
  },
} as const satisfies Record<string, { variable: string; config: string; doc: string }>;

/** The name of a reserve setting, as a provider argument and after `koodrive:` in the stack config. */
export type ReserveKey = keyof typeof RESERVE_SETTINGS;

/** Every reserve setting's name, in the table's order. */
export const RESERVE_KEYS = Object.keys(RESERVE_SETTINGS) as ReserveKey[];

/** True when `key` names a reserve setting. */
export function isReserveKey(key: string): key is ReserveKey {
  return Object.hasOwn(RESERVE_SETTINGS, key);
}

/**
 * What is wrong with the reserve settings among a provider's configuration (`settings`, values as the
 * engine gives them: text, or numbers from a typed provider argument), each against its key.
 */
export function reserveProblems(settings: Readonly<Record<string, unknown>>): { property: string; reason: string }[] {
  const values = Object.fromEntries(
    RESERVE_KEYS.filter((key) => typeof settings[key] === "string" || typeof settings[key] === "number").map((key) => [
      key,
      String(settings[key]),
    ]),
  );
  const wrongType = RESERVE_KEYS.filter((key) => settings[key] !== undefined && values[key] === undefined).map(
    (key) => ({ property: key, reason: `${RESERVE_SETTINGS[key].config} must be text or a number` }),
  );
  const problems = RESERVE_KEYS.flatMap((key) => {
    try {
      resolveReserves({ [key]: values[key] }, {});
      return [];
    } catch (error) {
      return [{ property: key, reason: (error as Error).message }];
    }
  });
  return [...wrongType, ...problems];
}

/** Reserve settings as one place (provider arguments, stack config) gives them: text, as config is. */
export type ReserveValues = { readonly [K in ReserveKey]?: string | undefined };

/** The reserves of a provider, checked. */
export interface ProviderReserves {
  minFreeSeats?: number;
  minFreeGB?: number;
  minRunwayDays?: number;
  enforcement: (typeof RESERVE_ENFORCEMENTS)[number];
}

/**
 * The reserves given in `values` (the provider's arguments or the stack config), else in their
 * environment variables; throws a `ConfigurationError` naming the setting when one is not valid.
 */
export function resolveReserves(
  values: ReserveValues,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ProviderReserves {
  const given = (key: ReserveKey) => {
    const own = values[key]?.trim();
    if (own) return { text: own, name: RESERVE_SETTINGS[key].config };
    const fromEnv = env[RESERVE_SETTINGS[key].variable]?.trim();
    return fromEnv ? { text: fromEnv, name: RESERVE_SETTINGS[key].variable } : undefined;
  };
  const reserves: ProviderReserves = { enforcement: "mandatory" };
  for (const key of ["minFreeSeats", "minFreeGB", "minRunwayDays"] as const) {
    const setting = given(key);
    if (!setting) continue;
    const value = parseWholeNumber(setting.text);
    if (value === undefined) {
      throw new ConfigurationError(`invalid ${setting.name}`, `"${setting.text}" is not ${wholeNumberRange()}`);
    }
    reserves[key] = value;
  }
  const enforcement = given("enforcement");
  if (enforcement) {
    const value = RESERVE_ENFORCEMENTS.find((name) => name === enforcement.text);
    if (!value) {
      throw new ConfigurationError(
        `invalid ${enforcement.name}`,
        `"${enforcement.text}" is not ${RESERVE_ENFORCEMENTS.join(" or ")}`,
      );
    }
    reserves.enforcement = value;
  }
  return reserves;
}
