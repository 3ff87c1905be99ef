/**
 * `koodrive-plans-fit`: the pack reads the tenant itself and judges every guard of the stack as a mandatory guard
 * with at least the configured reserves, together with the stack's other guards of the tenant: the guard core's
 * verdict in the guard's own session (judgeSession: its client, settings resolution and ledger). So a stack whose author made its
 * guard advisory, or dropped its reserves, is still stopped, before the guard is created or changed.
 */
import { allocationOf } from "../provider/capacity/plan";
import { TenantMismatchError } from "../provider/client/errors";
import { judgeSession } from "../provider/guard/check";
import type { PolicyConfig } from "./config-schema";
import { deployedBefore, type GuardView } from "./guards";
import { packState } from "./tenant";

type PlansFitConfig = PolicyConfig<"koodrive-plans-fit">;

/** The problems the tenant's figures find with `guard` and the guards judged before it in this run; none when it fits. */
export async function planProblems(guard: GuardView, config: PlansFitConfig): Promise<string[]> {
  const { plan } = guard;
  if (!plan) return []; // unknown until the update, or refused by the guard's own check
  const judged = {
    ...plan,
    enforcement: "mandatory" as const,
    minFreeSeats: Math.max(plan.minFreeSeats ?? 0, config.minFreeSeats),
    minFreeGB: Math.max(plan.minFreeGB ?? 0, config.minFreeGB),
  };
  const session = {
    plan: judged,
    enforcement: "mandatory" as const,
    admitted: deployedBefore(allocationOf(plan), guard.newAllocation),
    name: guard.name,
    urn: guard.urn,
    connection: guard.connection,
  };
  try {
    const verdict = await judgeSession(packState(config.connection), session);
    return verdict.failures.map((failure) => failure.reason);
  } catch (error) {
    // One tenant name over two tenants: a violation naming both endpoints, as guard-required reports it.
    if (error instanceof TenantMismatchError) return [error.message];
    throw error;
  }
}
