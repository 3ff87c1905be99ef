/**
 * `koodrive-guard-required`: every resource that adds users or space depends, directly or through other resources,
 * on a mandatory `CapacityGuard` of the same tenant. A stack policy, since only the stack's view carries the
 * dependencies: it judges after every step was planned (a preview fails before any change; an `up` without a
 * preview fails only after its steps ran).
 */
import { TenantMismatchError } from "../provider/client/errors";
import type { TenantIdentity } from "../provider/config/tenant";
import { isSelfAdmittingType } from "../provider/guard/types";
import type { ResourceMatcher } from "./config-schema";
import { guardOf, type PolicyResourceView, propertyOf } from "./guards";
import { packState } from "./tenant";

/** The inputs of `command:local:Command` and `command:remote:Command` that hold a command text that can add. */
const COMMAND_INPUTS = ["create", "update"] as const;

/** A resource of the stack with what the stack policy sees of its dependencies. */
export interface StackResourceView extends PolicyResourceView {
  dependencies: StackResourceView[];
  propertyDependencies: Record<string, StackResourceView[]>;
  parent?: StackResourceView;
}

/** The command texts of a `Command` (its `create` and `update` inputs), those known and given as strings. */
function commandTexts(resource: PolicyResourceView): string[] {
  return COMMAND_INPUTS.map((key) => propertyOf(resource.props, key)).filter((text) => typeof text === "string");
}

/**
 * True when `resource` matches `matcher`: every field given matches. A `command` pattern matches when one of the
 * resource's command texts does; a text unknown during preview matches nothing (the `up` judges it known).
 */
export function matches(matcher: ResourceMatcher, resource: PolicyResourceView): boolean {
  const { command } = matcher;
  return (
    (matcher.type === undefined || matcher.type === resource.type) &&
    (matcher.name === undefined || new RegExp(matcher.name).test(resource.name)) &&
    (matcher.urn === undefined || new RegExp(matcher.urn).test(resource.urn)) &&
    (command === undefined || commandTexts(resource).some((text) => new RegExp(command).test(text)))
  );
}

/**
 * True when the policy asks `resource` for a guard: it matches one of `addsUsers`, and it is not a `User` or a
 * `Space`, which judge their own seat or GB and are admitted under the tenant's lock (admitted by construction).
 */
export function needsGuard(addsUsers: ResourceMatcher[], resource: PolicyResourceView): boolean {
  return !isSelfAdmittingType(resource.type) && addsUsers.some((matcher) => matches(matcher, resource));
}

/** Every resource `resource` depends on, directly or transitively (`dependsOn`, inputs from other resources). */
function dependenciesOf(resource: StackResourceView): StackResourceView[] {
  const seen = new Map<string, StackResourceView>();
  const pending = [resource];
  while (pending.length > 0) {
    const next = pending.pop() as StackResourceView;
    for (const dependency of [...next.dependencies, ...Object.values(next.propertyDependencies).flat()]) {
      if (seen.has(dependency.urn) || dependency.urn === resource.urn) continue;
      seen.set(dependency.urn, dependency);
      pending.push(dependency);
    }
  }
  return [...seen.values()];
}

/**
 * Why `resource` is not guarded as the policy requires, or undefined when it is. The tenant a guard must check is the
 * stack's (its `koodrive:*` config, else the environment), told by the guard's own rule (tenant.ts: KooDrive's tenant
 * id, read once per credential; the credential while it cannot be read); a guard whose tenant does not resolve counts
 * as the stack's.
 */
export async function unguardedReason(
  resource: StackResourceView,
  options: { allowAdvisory: boolean },
): Promise<string | undefined> {
  const guards = dependenciesOf(resource).flatMap((dependency) => {
    const guard = guardOf(dependency);
    return guard ? [guard] : [];
  });
  const state = packState(undefined);
  const name = `${resource.type} resource '${resource.name}'`;
  let tenant: TenantIdentity | undefined;
  let theirs: (TenantIdentity | undefined)[];
  try {
    tenant = await state.tenantOf({});
    theirs = await Promise.all(guards.map((guard) => state.tenantOf(guard.connection)));
  } catch (error) {
    // One tenant name over two tenants: said against the resource, naming both endpoints.
    if (error instanceof TenantMismatchError) return `${name} adds KooDrive users or space, but ${error.message}`;
    throw error;
  }
  const sameTenant = guards.filter((_guard, index) => {
    const their = theirs[index];
    return !tenant || !their || their.key === tenant.key;
  });
  const accepted = sameTenant.filter((guard) => guard.enforcement === "mandatory" || options.allowAdvisory);
  if (accepted.length > 0) return undefined;
  if (sameTenant.length > 0) {
    const names = sameTenant.map((guard) => `'${guard.name}'`).join(", ");
    return `${name} adds KooDrive users or space and depends only on advisory guards (${names}); make the guard mandatory (enforcement: "mandatory", the default), or set allowAdvisory in the policy config`;
  }
  if (guards.length > 0) {
    return `${name} adds KooDrive users or space but its guards check another tenant than the stack's koodrive:* config names; guard it with a CapacityGuard on ${tenant?.label ?? "that tenant"}`;
  }
  return `${name} adds KooDrive users or space without a CapacityGuard: create a mandatory CapacityGuard with the plan and make this resource depend on it (dependsOn: [guard])`;
}
