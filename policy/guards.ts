/**
 * A `CapacityGuard` as a policy sees it (its type, its properties, its provider), on plain values: which it is, its
 * plan, its enforcement, its new allocation and its connection. Dynamic guards and plugin guards alike.
 */

import { allocatedOf, type FigureRow, POOL_FIGURES, setIn, USERS_FIGURE } from "../provider/capacity/figures";
import type { Allocation, Enforcement, NewAllocation, PlannedSpaceGB } from "../provider/capacity/plan";
import { PLAN_FIELDS } from "../provider/capacity/plan-fields";
import { CapacityPlanSchema, type CheckedPlan } from "../provider/capacity/plan-schema";
import { CONNECTION_KEYS } from "../provider/config/connection-settings";
import type { KooDriveConnectionArgs } from "../provider/config/settings";
import { isGuardType } from "../provider/guard/types";
import type { Values } from "../provider/process/protocol";

/** Read by a policy when a property is unknown during preview (CrossGuard's proxy throws on such a read). */
export const UNKNOWN = Symbol("unknown during preview");

/** A property of a resource as a policy gets it, or `UNKNOWN` while the engine does not know it yet. */
export function propertyOf(props: Values, key: string): unknown {
  try {
    const value = props[key];
    // A nested unknown throws only when read: read it all now.
    if (value !== null && typeof value === "object") JSON.stringify(value);
    return value;
  } catch {
    return UNKNOWN;
  }
}

/** A resource as both kinds of policy see it. */
export interface PolicyResourceView {
  type: string;
  name: string;
  urn: string;
  props: Values;
  provider?: { type: string; props: Values };
}

/** What a policy reads of a guard. */
export interface GuardView {
  name: string;
  urn: string;
  /** An unknown enforcement counts as mandatory, as the guard counts it. */
  enforcement: Enforcement;
  /** The plan's fields as given, `UNKNOWN` where not known yet. */
  fields: Values;
  /** The plan, checked; undefined while a field is unknown or when it does not parse (the guard's own check says why). */
  plan: CheckedPlan | undefined;
  /** What this run allocates anew, as the guard's check computed it against its last deployment; undefined if none. */
  newAllocation: NewAllocation | undefined;
  /** The guard's connection settings: its `connection` argument (dynamic) or its explicit provider's (plugin). */
  connection: KooDriveConnectionArgs;
}

const isRecord = (value: unknown): value is Values => value !== null && typeof value === "object";

/** The connection settings among `values`, the strings only (never a secret's value in a message). */
function connectionIn(values: unknown): KooDriveConnectionArgs {
  if (!isRecord(values)) return {};
  return Object.fromEntries(
    CONNECTION_KEYS.map((key) => [key, propertyOf(values, key)]).filter(([, value]) => typeof value === "string"),
  );
}

/** The guard a resource is, or undefined for any other resource. */
export function guardOf(resource: PolicyResourceView): GuardView | undefined {
  if (!isGuardType(resource.type)) return undefined;
  const fields = Object.fromEntries(
    PLAN_FIELDS.map((key) => [key, propertyOf(resource.props, key)]).filter(([, value]) => value !== undefined),
  );
  const known = Object.values(fields).every((value) => value !== UNKNOWN);
  const parsed = known ? CapacityPlanSchema.safeParse(fields) : undefined;
  const newAllocation = propertyOf(resource.props, "newAllocation");
  const connection = resource.type.startsWith("pulumi-nodejs:")
    ? connectionIn(propertyOf(resource.props, "connection"))
    : connectionIn(resource.provider?.props);
  return {
    name: resource.name,
    urn: resource.urn,
    enforcement: fields.enforcement === "advisory" ? "advisory" : "mandatory",
    fields,
    plan: parsed?.success ? parsed.data : undefined,
    newAllocation: isRecord(newAllocation) ? (newAllocation as unknown as NewAllocation) : undefined,
    connection,
  };
}

/**
 * What a guard had deployed before this run: its plan less what its check counts as new, per figure; undefined when
 * that is nothing (a new guard, or a check that computed no new allocation).
 */
export function deployedBefore(planned: Allocation, growth: NewAllocation | undefined): Allocation | undefined {
  if (!growth) return undefined;
  const before = (row: FigureRow) =>
    setIn(row, planned) ? allocatedOf(row, planned) - allocatedOf(row, growth) : undefined;
  const users = before(USERS_FIGURE);
  const pools =
    planned.spaceGB && (Object.fromEntries(POOL_FIGURES.map((row) => [row.planKey, before(row)])) as PlannedSpaceGB);
  const figures = [users, ...Object.values(pools ?? {})];
  if (figures.every((value) => !value)) return undefined;
  return { ...(users === undefined ? {} : { users }), ...(pools ? { spaceGB: pools } : {}) };
}
