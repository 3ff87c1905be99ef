/**
 * `koodrive-plans-fit`: the pack reads the tenant itself and judges every guard of the stack as a mandatory guard
 * with at least the configured reserves, together with the stack's other guards of the tenant: the guard core's
 * verdict (judgeGuard), on the guard's own client, settings resolution and ledger. So a stack whose author made its
 * guard advisory, or dropped its reserves, is still stopped, before the guard is created or changed.
 */
import { allocationOf, newAllocation } from "../provider/capacity/plan";
import { judgeGuard } from "../provider/guard/judge";
import { readError } from "../provider/guard/reading";
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
  const state = packState(config.connection);
  const deployed = deployedBefore(allocationOf(plan), guard.newAllocation);
  const base = { plan: judged, enforcement: "mandatory" as const, admitted: deployed, name: guard.name };
  let reading: Awaited<ReturnType<typeof state.readUsage>>;
  try {
    reading = await state.readUsage(guard.connection);
  } catch (error) {
    const verdict = judgeGuard({ ...base, others: [], figures: { read: "failed", error: readError(error) } });
    return verdict.failures.map((failure) => failure.reason);
  }
  const others = await state.shareLedger(reading.tenant, {
    urn: guard.urn,
    name: guard.name,
    allocation: newAllocation(allocationOf(plan), deployed),
  });
  const verdict = judgeGuard({
    ...base,
    others,
    figures: { read: "done", usage: reading.usage, takenAt: reading.takenAt },
  });
  return verdict.failures.map((failure) => failure.reason);
}
