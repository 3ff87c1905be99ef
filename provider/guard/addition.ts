/**
 * A resource that adds to its tenant, for every front end: a `User` (one seat) or a `Space` (its GB
 * from its pool). `judgeAddition` (check) judges what it adds with every allocation of the deployment
 * to the tenant, under the provider's reserves. `admitAddition` (create, or a Space's growth) holds the
 * tenant, waits a moment for the deployment's checks to settle, judges the deployment's whole
 * remaining plan against the figures read once under the lock, then admits what this resource adds in
 * the ledger, atomically across the deployment's processes. The add itself goes through
 * `ProviderState.fencedAdd`, made only while the lease will outlive it.
 */
import { setTimeout as delay } from "node:timers/promises";
import {
  amountsOf,
  countsDefaultSpaces,
  defaultSpaceNote,
  roomOf,
  sumAllocations,
  withDefaultSpaces,
} from "../capacity/admission";
import { amount, figureOf, newAmount } from "../capacity/figures";
import { type Allocation, type Enforcement, evaluatePlan, listShares, type Violation } from "../capacity/plan";
import type { Usage } from "../capacity/usage";
import { ConfigurationError, type Failure, GuardRefusal, TenantMismatchError } from "../client/errors";
import type { SameType } from "../client/same-type";
import type { ProviderReserves, RESERVE_ENFORCEMENTS } from "../config/reserve-settings";
import type { KooDriveConnectionArgs } from "../config/settings";
import type { TenantIdentity } from "../config/tenant";
import type { ProviderState, Say, TenantReading } from "../process/provider-state";
import { readError } from "./reading";

// Compile-time check: a provider's enforcements are the capacity model's.
const enforcementsMatch: SameType<(typeof RESERVE_ENFORCEMENTS)[number], Enforcement> = true;
void enforcementsMatch;

/** How long the deployment's checks must have been quiet before its first create judges the whole plan, in ms. */
export const SETTLE_QUIET_MS = 1_000;
/** The longest the first create of a tenant waits for the deployment's checks to settle, in ms. */
export const SETTLE_MAX_MS = 5_000;

/** A resource that adds to its tenant, as a front end hands it over. */
export interface AdditionRequest {
  /** Its URN: its slot in the tenant's ledger, and its stack for the lock's holder. */
  urn: string;
  /** Its name in messages. */
  name: string;
  kind: "User" | "Space";
  /** The argument a refusal is reported against (`userId`, `capacityGB`). */
  property: string;
  /** What it adds anew: nothing for a user that holds its seat already, a Space's growth on update. */
  adds: Allocation;
  /** What it is admitted under, when not its URN (ledger.ts `Admission.slot`). */
  slot?: string;
  connection: KooDriveConnectionArgs;
}

/** What judging an addition found: failures against its property, and warnings to show. */
export interface AdditionVerdict {
  failures: Failure[];
  warnings: string[];
}

/** True when an allocation adds anything. */
const addsAnything = (allocation: Allocation) => Object.keys(sumAllocations([allocation])).length > 0;

/** The reserves a verdict is judged under, or the failure naming a wrong setting. */
function reservesOf(state: ProviderState, property: string): ProviderReserves | Failure {
  try {
    return state.reserves();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    return { property, reason: `${error.message} (a reserve of this provider's Users and Spaces)` };
  }
}

/** ", keeping 5 seats free": what a violation keeps free, if anything. */
function keeping(violation: Violation): string {
  return violation.reserve > 0 ? `, keeping ${amount(figureOf(violation.figure).unit, violation.reserve)} free` : "";
}

/** True when a violation is the tenant's capacity itself, not only a reserve: KooDrive would refuse it. */
const beyondCapacity = (violation: Violation) => violation.new > violation.remaining;

/** The refusal of an addition to a frozen tenant (its subscription's status 1), if it is frozen. */
export function frozenRefusal(reading: TenantReading, what: string, property: string): Failure | undefined {
  if (reading.subscription?.status !== 1) return undefined;
  return {
    property,
    reason:
      `the KooDrive tenant ${reading.tenant.label} is frozen (its subscription's status is 1: its resources and data are kept, ` +
      `but the service cannot be used), so ${what} cannot be added: renew or unfreeze the subscription, then run again`,
  };
}

/** What an addition costs the tenant of `reading`: with the default personal space of each new user. */
const costOf = (adds: Allocation, reading: TenantReading) =>
  withDefaultSpaces(adds, reading.subscription?.personalSpaceSize ?? 0);

/** The note a violation of a pool gets when new users take default personal spaces from it. */
function spaceNote(violation: Violation, cost: Allocation, reading: TenantReading): string {
  return countsDefaultSpaces(violation.figure) && (cost.users ?? 0) > 0
    ? defaultSpaceNote(reading.subscription?.personalSpaceSize ?? 0)
    : "";
}

/** The runway warning, once per provider process: Users and Spaces do not forecast. */
const runwayWarned = new WeakSet<ProviderState>();

/**
 * `check`: records what the resource adds in its tenant's ledger and judges it with every other
 * allocation of the deployment to that tenant (Users, Spaces and guards), under the provider's
 * reserves. What the tenant does not have always fails; a reserve broken fails unless the provider's
 * enforcement is advisory, which warns.
 */
export async function judgeAddition(state: ProviderState, request: AdditionRequest): Promise<AdditionVerdict> {
  const { property } = request;
  const reserves = reservesOf(state, property);
  if ("reason" in reserves) return { failures: [reserves], warnings: [] };
  let reading: TenantReading;
  try {
    reading = await state.readUsage(request.connection);
  } catch (error) {
    if (error instanceof TenantMismatchError) throw error;
    return { failures: [{ property, reason: `cannot judge ${request.name}: ${readError(error)}` }], warnings: [] };
  }
  const frozen = addsAnything(request.adds) && frozenRefusal(reading, request.name, property);
  if (frozen) return { failures: [frozen], warnings: [] };
  const cost = costOf(request.adds, reading);
  const { label, others } = await state.shareLedger(reading.tenant, {
    urn: request.urn,
    name: request.name,
    allocation: cost,
    kind: request.kind,
  });
  await state.assertHolding(reading.tenant);
  const warnings: string[] = [];
  if (reserves.minRunwayDays !== undefined && !runwayWarned.has(state)) {
    runwayWarned.add(state);
    warnings.push(
      `koodrive:minRunwayDays (${reserves.minRunwayDays}) is not judged for Users and Spaces: their creates judge seats and space, not the tenant's growth; a CapacityGuard with minRunwayDays judges the runway from the tenant's history`,
    );
  }
  if (!addsAnything(request.adds)) return { failures: [], warnings };
  const verdict = evaluatePlan(reading.usage, {
    plannedUsers: cost.users,
    plannedSpaceGB: cost.spaceGB,
    minFreeSeats: reserves.minFreeSeats,
    minFreeGB: reserves.minFreeGB,
    name: label,
    others,
    reservesAs: "settings",
  });
  const failures: Failure[] = [];
  for (const violation of verdict.violations) {
    const { unit, label: figure } = figureOf(violation.figure);
    const shares = violation.shares ?? [{ name: label, new: violation.new }];
    const reason =
      `${figure}: this deployment adds ${newAmount(unit, violation.new)} to the KooDrive tenant ${reading.tenant.label} ` +
      `(${listShares(shares, unit)})${keeping(violation)}, ${amount(unit, violation.remaining)} left; ` +
      `exceeds by ${amount(unit, violation.exceededBy)}${spaceNote(violation, cost, reading)}: ${violation.remedy}`;
    if (reserves.enforcement === "advisory" && !beyondCapacity(violation)) {
      warnings.push(`advisory reserve (koodrive:enforcement): ${reason}`);
    } else {
      failures.push({ property, reason });
    }
  }
  return { failures, warnings };
}

/** The tenant of a connection; a connection that does not resolve fails naming what is wrong. */
export async function tenantOf(state: ProviderState, connection: KooDriveConnectionArgs): Promise<TenantIdentity> {
  const tenant = await state.tenantOf(connection);
  if (tenant) return tenant;
  // The read says what is wrong with the settings.
  return (await state.readUsage(connection)).tenant;
}

/** The tenants whose first create waited for the deployment's checks, per provider process. */
const settledTenants = new WeakMap<ProviderState, Set<string>>();

/**
 * Waits, at the first create of a tenant in this process, until no check has been recorded in the
 * deployment's ledger for `SETTLE_QUIET_MS` (at most `SETTLE_MAX_MS`), so that the whole plan is in
 * the ledger when it is judged. Stopped by the engine's cancel.
 */
async function settle(state: ProviderState, tenant: TenantIdentity): Promise<void> {
  const settled = settledTenants.get(state) ?? new Set<string>();
  settledTenants.set(state, settled);
  if (settled.has(tenant.key)) return;
  const started = Date.now();
  for (;;) {
    const { quietForMs } = await state.pendingPlan(tenant);
    const waited = Date.now() - started;
    if (quietForMs >= SETTLE_QUIET_MS || waited >= SETTLE_MAX_MS) break;
    const pause = Math.min(SETTLE_QUIET_MS - quietForMs, SETTLE_MAX_MS - waited);
    await state.cancellation.unlessCancelled(
      () => delay(pause, undefined, { signal: state.cancellation.signal }),
      () => undefined,
    );
  }
  settled.add(tenant.key);
}

/** "3 Users and 1 Space": the count of what is still to add. */
function countOf(count: { User: number; Space: number }): string {
  const parts = (["User", "Space"] as const)
    .filter((kind) => count[kind] > 0)
    .map((kind) => `${count[kind]} ${kind}${count[kind] === 1 ? "" : "s"}`);
  return parts.join(" and ") || "nothing";
}

/**
 * The refusals of the deployment's whole remaining plan (`pending`, beside what it `admitted`) in the
 * figures read under the lock: what does not fit fails before anything more is added.
 */
function wholePlanRefusals(
  request: AdditionRequest,
  tenant: TenantIdentity,
  usage: Usage,
  reserves: ProviderReserves,
  plan: Awaited<ReturnType<ProviderState["pendingPlan"]>>,
): Failure[] {
  const mandatory = reserves.enforcement === "mandatory";
  const verdict = evaluatePlan(usage, {
    plannedUsers: plan.pending.users,
    plannedSpaceGB: plan.pending.spaceGB,
    ...(mandatory ? { minFreeSeats: reserves.minFreeSeats, minFreeGB: reserves.minFreeGB } : {}),
    name: "its remaining plan",
    others: addsAnything(plan.admitted) ? [{ name: "added already", allocation: plan.admitted }] : [],
    reservesAs: "settings",
  });
  return verdict.violations
    .filter((violation) => mandatory || beyondCapacity(violation))
    .map((violation) => {
      const { unit, label } = figureOf(violation.figure);
      const done = amountsOf(plan.admitted)[violation.figure];
      const already = done > 0 ? `, beside ${amount(unit, done)} it added already` : "";
      return {
        property: request.property,
        reason:
          `${label}: the rest of this deployment's plan (${countOf(plan.count)}) needs ${newAmount(unit, violation.new - done)} ` +
          `of the KooDrive tenant ${tenant.label}${already}${keeping(violation)}; ${amount(unit, violation.remaining)} ` +
          `were left when it took the tenant; exceeds by ${amount(unit, violation.exceededBy)}: ${violation.remedy}; ` +
          `${request.name} was not added, nor is anything more of the plan`,
      };
    });
}

/**
 * `create` (or a Space's growth): holds the tenant, waiting for another deployment if need be; judges
 * the deployment's whole remaining plan against the figures read under the lock (once per run: never
 * re-read per create), then admits what this resource adds beside what the deployment admitted
 * before. Throws a `GuardRefusal` naming the figure when it does not fit: nothing was added. Returns
 * the tenant, for the fenced add that follows.
 */
export async function admitAddition(state: ProviderState, request: AdditionRequest, say: Say): Promise<TenantIdentity> {
  const reserves = reservesOf(state, request.property);
  if ("reason" in reserves) throw new GuardRefusal([reserves]);
  const held = await tenantOf(state, request.connection);
  await state.holdTenant(request.connection, held, request.urn, say);
  await settle(state, held);
  const reading = await state.readUsage(request.connection);
  const { usage, tenant } = reading;
  await state.assertHolding(tenant);
  const frozen = frozenRefusal(reading, request.name, request.property);
  if (frozen) throw new GuardRefusal([frozen]);
  const adds = costOf(request.adds, reading);
  const refusals = wholePlanRefusals(request, tenant, usage, reserves, await state.pendingPlan(tenant));
  if (refusals.length > 0) throw new GuardRefusal(refusals);
  const room = roomOf(usage, reserves.enforcement === "mandatory" ? reserves : {});
  const admitted = await state.admit(tenant, {
    urn: request.urn,
    ...(request.slot === undefined ? {} : { slot: request.slot }),
    name: request.name,
    kind: request.kind,
    adds,
    room,
  });
  if (!admitted.admitted && admitted.short) {
    const row = figureOf(admitted.short);
    const before = amountsOf(admitted.before)[admitted.short];
    throw new GuardRefusal([
      {
        property: request.property,
        reason:
          `${row.label}: ${request.name} needs ${newAmount(row.unit, amountsOf(adds)[admitted.short])} of the KooDrive tenant ${tenant.label}; ` +
          `${amount(row.unit, room[admitted.short])} could be added when this deployment took the tenant, and it added ${amount(row.unit, before)} since; ` +
          `${request.name} was not added`,
      },
    ]);
  }
  return tenant;
}
