/** The outcome of a Pulumi run under the Automation API, failed or not, what it said, and what the simulator was left with. */
import assert from "node:assert/strict";
import type { Simulator } from "../../sim";

/** The outcome of a run: its output, and whether it succeeded. */
export async function outcome(
  run: Promise<{ stdout: string; stderr: string }>,
): Promise<{ ok: boolean; text: string }> {
  try {
    const result = await run;
    return { ok: true, text: [result.stdout, result.stderr].join("\n") };
  } catch (error) {
    return { ok: false, text: String((error as Error).message) };
  }
}

/** Resolves when a run's output so far first matches `pattern`: for `onOutput`. */
export function watchFor(pattern: RegExp): { seen: Promise<void>; onOutput: (text: string) => void } {
  let said: () => void = () => undefined;
  const seen = new Promise<void>((resolve) => {
    said = resolve;
  });
  let text = "";
  return {
    seen,
    onOutput: (chunk) => {
      text += chunk;
      if (pattern.test(text)) said();
    },
  };
}

/** The simulator's figures at the end of a test: `users` users, and no user creation refused (nothing over-admitted). */
export function assertFigures(sim: Simulator, users: number): void {
  assert.equal(sim.usage().userCount, users);
  assert.ok(sim.usage().userCount <= sim.usage().userMaxCount, "nothing over-admitted");
  const refused = sim.requestLog().filter((entry) => entry.path.endsWith("/users") && entry.status >= 400);
  assert.deepEqual(refused, [], "no user creation was refused");
}
