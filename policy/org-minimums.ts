/**
 * `koodrive-org-minimums`: every guard is mandatory (unless allowed advisory) and reserves at least the organisation's
 * minimums. A resource policy, judged before the guard is created or changed; at `remediate` it raises what is short
 * to the minimum instead, and the engine shows the change.
 */
import type { PolicyConfig } from "./config-schema";
import { type GuardView, UNKNOWN } from "./guards";

type Minimums = PolicyConfig<"koodrive-org-minimums">;

const RESERVES = ["minFreeSeats", "minFreeGB", "minRunwayDays"] as const;

/** What a guard falls short of: one sentence per setting, and the values that would meet the minimums. */
export function shortfalls(
  guard: GuardView,
  minimums: Minimums,
): { problems: string[]; raised: Record<string, unknown> } {
  const problems: string[] = [];
  const raised: Record<string, unknown> = {};
  if (guard.enforcement === "advisory" && !minimums.allowAdvisory) {
    problems.push(
      `enforcement is "advisory"; the organisation requires "mandatory" (or allowAdvisory in the policy config)`,
    );
    raised.enforcement = "mandatory";
  }
  for (const key of RESERVES) {
    const value = guard.fields[key];
    if (value === UNKNOWN || minimums[key] === 0) continue;
    if (typeof value !== "number" || value < minimums[key]) {
      problems.push(`${key} is ${value ?? "not set"}; the organisation's minimum is ${minimums[key]}`);
      raised[key] = minimums[key];
    }
  }
  return { problems, raised };
}
