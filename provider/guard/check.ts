/**
 * A guard in the provider process, for every front end: parses its arguments at the edge, reads the
 * tenant's figures, records its share in the tenant's ledger, and asks the guard core (judge.ts) for
 * the verdict. `deployGuard` does the same holding the tenant's lock, with a fresh read, when the
 * engine creates, updates or (unchanged) diffs the guard: in the update pass only, before anything
 * depending on the guard.
 * Once this deployment has lost the tenant's lease, every guard of the tenant fails with `TenantLeaseLost`.
 */
import { withDefaultSpaces } from "../capacity/admission";
import { type Allocation, allocationOf, type Enforcement, newAllocation } from "../capacity/plan";
import { PLAN_FIELDS } from "../capacity/plan-fields";
import type { CheckedPlan } from "../capacity/plan-schema";
import { allocationValidator, capacityPlanValidator } from "../capacity/validators";
import { CancelledError, type Failure, GuardRefusal, TenantMismatchError } from "../client/errors";
import { describeIssue } from "../client/zod-issues";
import type { KooDriveConnectionArgs } from "../config/settings";
import type { TenantIdentity } from "../config/tenant";
import type { Values } from "../process/protocol";
import type { ProviderState, Say, TenantReading } from "../process/provider-state";
import { type GuardCase, type GuardJudgement, judgeGuard } from "./judge";
import { containsUnknown, readError, recordReading } from "./reading";

/** A guard as a front end hands it over, on plain values. */
export interface GuardRequest {
  /** The guard's URN: its slot in the tenant's ledger, and its stack for the lock's holder. */
  urn: string;
  /** Its name in messages. */
  name: string;
  /** Its arguments (the plan's fields), as the engine gives them; unknown values in preview. */
  args: Values;
  /** What it recorded at its last create or update; empty for a new guard. */
  recorded: Values;
  /** Its connection settings; `unknown` names those not known until the update. */
  connection: KooDriveConnectionArgs;
  unknownSettings: string[];
}

/** The guard's verdict, with what to record: the plan as checked (defaults applied) and the outputs. */
export interface GuardResult extends Omit<GuardJudgement, "outputs"> {
  /** The plan's fields as checked, with defaults (`enforcement`); the arguments as given when they did not parse. */
  plan: Values;
  /** Absent when the arguments did not parse (the failures say why). */
  outputs?: GuardJudgement["outputs"];
}

/**
 * The plan admitted at the guard's last create or update, `admittedPlan` in its state. Undefined for a
 * new guard, and for a state that holds no valid one: then the whole plan counts as new (fail closed).
 */
function admittedOf(recorded: Values): Allocation | undefined {
  return allocationValidator.outputOf(recorded.admittedPlan);
}

type Parsed =
  | { ok: true; plan: CheckedPlan | undefined; enforcement: Enforcement; values: Values }
  | { ok: false; failures: Failure[]; values: Values };

/** The plan's fields of the arguments, checked by the plan's schema; undefined while any is unknown. */
function parsePlan(args: Values): Parsed {
  const values = Object.fromEntries(
    PLAN_FIELDS.filter((key) => args[key] !== undefined).map((key) => [key, args[key]]),
  );
  // An enforcement still unknown in preview counts as mandatory (fail closed).
  const enforcement: Enforcement = args.enforcement === "advisory" ? "advisory" : "mandatory";
  if (PLAN_FIELDS.some((key) => containsUnknown(args[key]))) return { ok: true, plan: undefined, enforcement, values };
  const parsed = capacityPlanValidator.safeParse(values);
  if (!parsed.success) {
    const failures = parsed.error.issues.map((issue) => ({
      property: String(issue.path[0] ?? "plannedUsers"),
      reason: describeIssue(issue),
    }));
    return { ok: false, failures, values };
  }
  return { ok: true, plan: parsed.data, enforcement: parsed.data.enforcement, values: { ...values, ...parsed.data } };
}

/** A guard to judge on its tenant's figures: its parsed plan, and where and as whom it shares the tenant. */
export interface GuardSession extends Omit<GuardCase, "figures" | "others"> {
  /** The guard's URN: its slot in the tenant's ledger. */
  urn: string;
  connection: KooDriveConnectionArgs;
  /** What the guard recorded: a `history` an older state holds joins the tenant's history. */
  recorded?: Values;
}

/**
 * The one guard session every front end runs (the provider's check and deployment, the policy pack):
 * reads the tenant's figures (into the tenant's history, which the runway is forecast from), shares
 * the plan's new allocation in the tenant's ledger for this deployment, and judges with the other guards' shares.
 */
export async function judgeSession(
  state: ProviderState,
  session: GuardSession,
): Promise<GuardJudgement & { tenant?: TenantIdentity }> {
  const { urn, connection, recorded, ...guard } = session;
  let reading: TenantReading;
  try {
    reading = await state.readUsage(connection);
  } catch (error) {
    // Two tenants under one name fail the run, whatever the guard's enforcement.
    if (error instanceof TenantMismatchError) throw error;
    return judgeGuard({ ...guard, others: [], figures: { read: "failed", error: readError(error) } });
  }
  const unread = state.tenantWarning(reading.tenant, reading.unread);
  const { usage, warning } = await recordReading(state, connection, recorded ?? {}, reading);
  const size = reading.subscription?.personalSpaceSize ?? 0;
  const { label, others } = guard.plan
    ? await state.shareLedger(reading.tenant, {
        urn,
        name: guard.name,
        allocation: withDefaultSpaces(newAllocation(allocationOf(guard.plan), guard.admitted), size),
      })
    : { label: guard.name, others: [] };
  // In an update whose lease of the tenant was lost, or is ending, nothing more is judged under it.
  await state.assertHolding(reading.tenant);
  const figures = { read: "done" as const, usage, takenAt: reading.takenAt };
  const subscription = reading.subscription ? { subscription: reading.subscription } : {};
  const judgement = judgeGuard({ ...guard, name: label, others, figures, ...subscription });
  const said = [unread, warning].flatMap((message) => (message ? [{ severity: "warning" as const, message }] : []));
  return { ...judgement, log: [...said, ...judgement.log], tenant: reading.tenant };
}

/** Parses the arguments, then judges: pending while a setting is unknown, else in a {@link judgeSession}. */
async function judge(state: ProviderState, request: GuardRequest): Promise<GuardResult & { tenant?: TenantIdentity }> {
  const parsed = parsePlan(request.args);
  if (!parsed.ok) return { plan: parsed.values, failures: parsed.failures, log: [] };
  const { plan, enforcement } = parsed;
  const base = { plan, enforcement, admitted: admittedOf(request.recorded), name: request.name };
  if (request.unknownSettings.length > 0) {
    return {
      plan: parsed.values,
      ...judgeGuard({ ...base, others: [], figures: { read: "pending", unknown: request.unknownSettings } }),
    };
  }
  const session = { ...base, urn: request.urn, connection: request.connection, recorded: request.recorded };
  return { plan: parsed.values, ...(await judgeSession(state, session)) };
}

/** `check`: the guard's verdict on the run's figures, without waiting for anything. */
export async function checkGuard(state: ProviderState, request: GuardRequest): Promise<GuardResult> {
  const result = await judge(state, request);
  if (!result.tenant || !result.outputs) return result;
  const other = await state.otherDeployment(request.connection, result.tenant);
  return other ? { ...result, log: [other, ...result.log] } : result;
}

/**
 * `create` / `update`, and `diff` of a guard whose plan did not change (the update pass only): holds
 * the tenant for this deployment, waiting for another deployment to it if need be, reads the figures
 * afresh (once per tenant) and judges again; a mandatory guard whose plan no longer fits fails here,
 * before anything that depends on it runs. An unchanged guard allocates nothing new, yet what depends
 * on it may still add (a retry of a deployment that failed half-way): so it holds the tenant too.
 */
export async function deployGuard(state: ProviderState, request: GuardRequest, say: Say): Promise<GuardResult> {
  const tenant = request.unknownSettings.length === 0 ? await state.tenantOf(request.connection) : undefined;
  // Settings that do not resolve leave nothing to hold: the judgement says what is wrong with them.
  if (tenant) await state.holdTenant(request.connection, tenant, request.urn, say);
  const result = await judge(state, request);
  // A read stopped by the engine's cancel is a cancel, not a plan that does not fit.
  if (result.failures.length > 0 && state.cancellation.cancelled) throw new CancelledError();
  if (result.failures.length > 0) throw new GuardRefusal(result.failures);
  return result;
}
