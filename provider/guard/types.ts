/**
 * The resource types a `CapacityGuard` is registered under, declared once: the dynamic resource's (the Node.js
 * SDK's class) and the provider plugin's schema token. The policy pack recognises a guard by either.
 */
export const GUARD_TYPES = {
  /** `new CapacityGuard(...)` from the Node.js package: a dynamic resource of module `koodrive`. */
  dynamic: "pulumi-nodejs:dynamic/koodrive:CapacityGuard",
  /** `koodrive:index:CapacityGuard` of the provider plugin (YAML, Python, Go, or the schema token from JavaScript). */
  plugin: "koodrive:index:CapacityGuard",
} as const;

/** The resource types a `User` is registered under: the Node.js SDK's dynamic resource and the plugin's token. */
export const USER_TYPES = {
  /** `new User(...)` from the Node.js package: a dynamic resource of module `koodrive`. */
  dynamic: "pulumi-nodejs:dynamic/koodrive:User",
  /** `koodrive:index:User` of the provider plugin (YAML, Python, Go, or the schema token from JavaScript). */
  plugin: "koodrive:index:User",
} as const;

/** The resource types a `Space` is registered under: the Node.js SDK's dynamic resource and the plugin's token. */
export const SPACE_TYPES = {
  /** `new Space(...)` from the Node.js package: a dynamic resource of module `koodrive`. */
  dynamic: "pulumi-nodejs:dynamic/koodrive:Space",
  /** `koodrive:index:Space` of the provider plugin (YAML, Python, Go, or the schema token from JavaScript). */
  plugin: "koodrive:index:Space",
} as const;

/**
 * True when `type` is a `User`'s or a `Space`'s, dynamic or plugin: a resource that judges its own seat or GB at
 * `check` and is admitted under the tenant's lock before it is added, so no guard need stand before it.
 */
export function isSelfAdmittingType(type: string): boolean {
  return [USER_TYPES, SPACE_TYPES].some((types) => type === types.dynamic || type === types.plugin);
}

/** True when `type` is a guard's resource type, dynamic or plugin. */
export function isGuardType(type: string): boolean {
  return type === GUARD_TYPES.dynamic || type === GUARD_TYPES.plugin;
}

/**
 * The dynamic guard's input that says whether its program runs a preview (`pulumi.runtime.isDryRun()`,
 * set by the `CapacityGuard` class): the engine does not tell `diff`, which takes the tenant in an
 * update only. The provider notes it at `check` and never records it.
 */
export const DRY_RUN_INPUT = "dryRun";
