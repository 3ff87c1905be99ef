/**
 * `pulumi-koodrive/policy`: the CrossGuard policies that make every stack adding KooDrive users go through a guard
 * with the organisation's minimums. A policy pack takes them as they are:
 *
 * ```js
 * const { PolicyPack } = require("@pulumi/policy");
 * const { koodrivePolicies } = require("pulumi-koodrive/policy");
 * new PolicyPack("koodrive", { policies: koodrivePolicies() });
 * ```
 *
 * Each policy's config (`--policy-pack-config`) is checked: an unknown key or a wrong type fails the run, naming it.
 */
import type { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { configJsonSchema, parsePolicyConfig } from "./config-schema";
import { needsGuard, type StackResourceView, unguardedReason } from "./guard-required";
import { guardOf, type PolicyResourceView } from "./guards";
import { shortfalls } from "./org-minimums";
import { planProblems } from "./plans-fit";
import { governedOf, governedPlanProblems, governedShortfalls } from "./reserves";

/** The names of the pack's policies, as `--policy-pack-config` keys them. */
export const POLICY_NAMES = {
  guardRequired: "koodrive-guard-required",
  orgMinimums: "koodrive-org-minimums",
  plansFit: "koodrive-plans-fit",
} as const;

/**
 * Every resource that adds users or space depends on a mandatory guard of the tenant (a stack policy); `User` and
 * `Space` resources judge themselves and need none.
 */
export const guardRequired: StackValidationPolicy = {
  name: POLICY_NAMES.guardRequired,
  description:
    "Every resource that adds KooDrive users or space (by default a Command calling the users or space API) depends, directly or transitively, on a mandatory CapacityGuard of the same tenant; User and Space resources judge themselves and need none.",
  enforcementLevel: "mandatory",
  configSchema: configJsonSchema(POLICY_NAMES.guardRequired),
  validateStack: async (args, reportViolation) => {
    const config = parsePolicyConfig(POLICY_NAMES.guardRequired, args.getConfig());
    for (const resource of args.resources as unknown as StackResourceView[]) {
      if (!needsGuard(config.addsUsers, resource)) continue;
      const reason = await unguardedReason(resource, { allowAdvisory: config.allowAdvisory });
      if (reason) reportViolation(reason, resource.urn);
    }
  },
};

/**
 * Every guard, and the provider of every User and Space, is mandatory and reserves at least the organisation's
 * minimums; `remediate` raises a guard's (a provider's settings are the stack's to raise).
 */
export const orgMinimums: ResourceValidationPolicy = {
  name: POLICY_NAMES.orgMinimums,
  description:
    "Every CapacityGuard, and the provider settings of every User and Space, is mandatory (unless allowed advisory) and its minFreeSeats, minFreeGB and minRunwayDays are at least the organisation's minimums.",
  enforcementLevel: "mandatory",
  configSchema: configJsonSchema(POLICY_NAMES.orgMinimums),
  validateResource: (args, reportViolation) => {
    const minimums = parsePolicyConfig(POLICY_NAMES.orgMinimums, args.getConfig());
    const resource = args as PolicyResourceView;
    const guard = guardOf(resource);
    if (guard) {
      const { problems } = shortfalls(guard, minimums);
      if (problems.length > 0) reportViolation(`CapacityGuard '${guard.name}': ${problems.join("; ")}`);
      return;
    }
    const governed = governedOf(resource);
    const problems = governed ? governedShortfalls(governed, minimums) : [];
    if (governed && problems.length > 0) reportViolation(`${governed.label}: ${problems.join("; ")}`);
  },
  remediateResource: (args) => {
    const minimums = parsePolicyConfig(POLICY_NAMES.orgMinimums, args.getConfig());
    const guard = guardOf(args as PolicyResourceView);
    if (!guard) return undefined;
    const { raised } = shortfalls(guard, minimums);
    return Object.keys(raised).length > 0 ? { ...args.props, ...raised } : undefined;
  },
};

/**
 * The pack reads the tenant and judges every guard as mandatory, with the stack's other guards of the tenant; every
 * User and Space is judged by its own check, under a provider that must keep at least the pack's reserves.
 */
export const plansFit: ResourceValidationPolicy = {
  name: POLICY_NAMES.plansFit,
  description:
    "The stack's guards' new allocations, together, fit the tenant's figures as the pack reads them, whatever the guards' enforcement; the provider of every User and Space keeps at least the pack's reserves, mandatory.",
  enforcementLevel: "mandatory",
  configSchema: configJsonSchema(POLICY_NAMES.plansFit),
  validateResource: async (args, reportViolation) => {
    const config = parsePolicyConfig(POLICY_NAMES.plansFit, args.getConfig());
    const resource = args as PolicyResourceView;
    const guard = guardOf(resource);
    if (guard) {
      const problems = await planProblems(guard, config);
      if (problems.length > 0) reportViolation(`CapacityGuard '${guard.name}': ${problems.join("; ")}`);
      return;
    }
    const governed = governedOf(resource);
    const problems = governed ? governedPlanProblems(governed, config) : [];
    if (governed && problems.length > 0) reportViolation(`${governed.label}: ${problems.join("; ")}`);
  },
};

/** The pack's policies, for `new PolicyPack(name, { policies: koodrivePolicies() })`. */
export function koodrivePolicies(): Policies {
  return [guardRequired, orgMinimums, plansFit];
}
