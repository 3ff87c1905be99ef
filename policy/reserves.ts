/**
 * The provider settings that govern a `User` or a `Space` (`minFreeSeats`, `minFreeGB`, `minRunwayDays`,
 * `enforcement`), as a policy sees them, and what they fall short of. Users and Spaces judge themselves under their
 * provider's reserves, so the pack judges those reserves where they apply: a provider made advisory or stripped of
 * its reserves is caught at each User and Space it governs, as a weakened guard is.
 *
 * Each setting comes from where the resource's provider takes it: a dynamic resource's `connection` argument, then the
 * stack's `koodrive:*` config; a plugin resource's provider (an explicit provider's arguments, or the default
 * provider's, which are the stack's config); then the `KOODRIVE_*` environment of the `pulumi` command.
 */
import { parseWholeNumber } from "../provider/client/whole-number";
import { RESERVE_KEYS, RESERVE_SETTINGS, type ReserveKey } from "../provider/config/reserve-settings";
import { isSelfAdmittingType } from "../provider/guard/types";
import type { Values } from "../provider/process/protocol";
import { type PolicyResourceView, propertyOf, UNKNOWN } from "./guards";
import { stackConfig } from "./tenant";

/** One setting as given: its text, or `UNKNOWN` until the update, and where it came from (for messages). */
interface GivenSetting {
  value: string | typeof UNKNOWN;
  from: string;
}

/** A `User` or a `Space` with the settings that govern it. */
export interface GovernedView {
  /** `User 'alice'`, `Space 'team'`: the resource in messages. */
  label: string;
  /** The settings given, by key; a setting given nowhere is absent (its default: 0, "mandatory"). */
  settings: Partial<Record<ReserveKey, GivenSetting>>;
}

const isRecord = (value: unknown): value is Values => value !== null && typeof value === "object";

/**
 * The reserve settings among `values` (text or numbers, as the engine gives them), each with where it came from;
 * every one unknown when `values` itself is.
 */
function settingsIn(values: unknown, from: string): Partial<Record<ReserveKey, GivenSetting>> {
  if (values === UNKNOWN) return Object.fromEntries(RESERVE_KEYS.map((key) => [key, { value: UNKNOWN, from }]));
  if (!isRecord(values)) return {};
  const given: Partial<Record<ReserveKey, GivenSetting>> = {};
  for (const key of RESERVE_KEYS) {
    const value = propertyOf(values, key);
    if (value === UNKNOWN) given[key] = { value, from };
    else if ((typeof value === "string" && value.trim() !== "") || typeof value === "number") {
      given[key] = { value: String(value).trim(), from };
    }
  }
  return given;
}

/**
 * A property read without reading inside it (as `propertyOf` does): each setting is then read on its own, and one
 * unknown during preview (a value from another resource) leaves the others known.
 */
function shallowProperty(props: Values, key: string): unknown {
  try {
    return props[key];
  } catch {
    return UNKNOWN;
  }
}

/** The `User` or `Space` a resource is, with the settings that govern it; undefined for any other resource. */
export function governedOf(
  resource: PolicyResourceView,
  env: NodeJS.ProcessEnv = process.env,
): GovernedView | undefined {
  if (!isSelfAdmittingType(resource.type)) return undefined;
  const kind = resource.type.slice(resource.type.lastIndexOf(":") + 1);
  const dynamic = resource.type.startsWith("pulumi-nodejs:");
  const own = dynamic
    ? settingsIn(shallowProperty(resource.props, "connection"), "its connection")
    : settingsIn(resource.provider?.props, "its provider");
  const config = stackConfig(env);
  const settings: Partial<Record<ReserveKey, GivenSetting>> = {};
  for (const key of RESERVE_KEYS) {
    const { config: configKey, variable } = RESERVE_SETTINGS[key];
    const setting =
      own[key] ??
      (dynamic ? settingsIn({ [key]: config[configKey] }, configKey)[key] : undefined) ??
      settingsIn({ [key]: env[variable] }, variable)[key];
    if (setting) settings[key] = setting;
  }
  return { label: `${kind} '${resource.name}'`, settings };
}

/** A setting in a message: `minFreeSeats is 2 (its provider)`, `minFreeGB is not set`. */
function shown(view: GovernedView, key: ReserveKey): string {
  const setting = view.settings[key];
  if (!setting) return `${key} is not set`;
  const value = parseWholeNumber(setting.value as string) ?? JSON.stringify(setting.value);
  return `${key} is ${value} (${setting.from})`;
}

/** The reserve `key` as the resource's own check applies it: 0 when not set, or when the provider is advisory. */
function reserveOf(view: GovernedView, key: Exclude<ReserveKey, "enforcement">, asWritten: boolean): number {
  const setting = view.settings[key];
  if (!setting || setting.value === UNKNOWN) return 0;
  if (!asWritten && advisory(view)) return 0;
  return parseWholeNumber(setting.value) ?? 0;
}

/** True when the resource's provider is advisory (its reserves only warn). */
function advisory(view: GovernedView): boolean {
  return view.settings.enforcement?.value === "advisory";
}

/** True when one of the settings is unknown until the update: the resource's own check judges it then. */
function unknownIn(view: GovernedView, keys: readonly ReserveKey[]): boolean {
  return keys.some((key) => view.settings[key]?.value === UNKNOWN);
}

/**
 * What the settings governing a User or a Space fall short of the organisation's minimums (`koodrive-org-minimums`):
 * an advisory provider (unless `allowAdvisory`), a reserve below its minimum (not set counts as 0).
 */
export function governedShortfalls(
  view: GovernedView,
  minimums: { minFreeSeats: number; minFreeGB: number; minRunwayDays: number; allowAdvisory: boolean },
): string[] {
  const problems: string[] = [];
  if (advisory(view) && !minimums.allowAdvisory) {
    problems.push(
      `enforcement is "advisory" (${view.settings.enforcement?.from}); the organisation requires "mandatory" (or allowAdvisory in the policy config)`,
    );
  }
  for (const key of ["minFreeSeats", "minFreeGB", "minRunwayDays"] as const) {
    if (minimums[key] === 0 || unknownIn(view, [key])) continue;
    if (reserveOf(view, key, true) < minimums[key]) {
      problems.push(`${shown(view, key)}; the organisation's minimum is ${minimums[key]}`);
    }
  }
  return problems;
}

/**
 * What keeps a User or a Space from keeping the reserves `koodrive-plans-fit` requires (`minFreeSeats`, `minFreeGB`):
 * each is judged, with the deployment's every other allocation to the tenant, by its own check under its provider's
 * reserves, which the pack cannot recount (it does not see which are deployed already). So its provider must apply at
 * least those reserves: mandatory, and each at least the pack's.
 */
export function governedPlanProblems(
  view: GovernedView,
  config: { minFreeSeats: number; minFreeGB: number },
): string[] {
  const problems: string[] = [];
  for (const key of ["minFreeSeats", "minFreeGB"] as const) {
    if (config[key] === 0 || unknownIn(view, [key, "enforcement"])) continue;
    if (reserveOf(view, key, false) >= config[key]) continue;
    const why = advisory(view)
      ? `${shown(view, key)} but enforcement is "advisory" (${view.settings.enforcement?.from}), so it only warns`
      : shown(view, key);
    problems.push(`${why}; the pack keeps ${key} ${config[key]} free after the deployment's allocations`);
  }
  return problems;
}
