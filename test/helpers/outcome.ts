/** The outcome of a Pulumi run under the Automation API, failed or not, what it said, and what the simulator was left with. */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
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

/**
 * Starts a run (`start`, with the Automation API's options) and, once it says it waits for the KooDrive
 * tenant, sends its CLI SIGINT (the Automation API's abort). Resolves with its outcome and how long it
 * took to end after the signal: bounded, a run still going 30 s after it resolves as ok, saying so
 * (without the cancel wired, the wait would last until the holder went on).
 */
export async function interruptWhileWaiting(
  start: (options: {
    signal: AbortSignal;
    onOutput: (text: string) => void;
  }) => Promise<{ stdout: string; stderr: string }>,
): Promise<{ ok: boolean; text: string; tookMs: number }> {
  const abort = new AbortController();
  const waiting = watchFor(/waiting for the KooDrive tenant/);
  const run = outcome(start({ signal: abort.signal, onOutput: waiting.onOutput }));
  await Promise.race([
    waiting.seen,
    run.then((ended) => {
      throw new Error(`the run ended before it waited for the tenant: ${ended.text}`);
    }),
  ]);
  const signalled = Date.now();
  abort.abort();
  const stillRunning = { ok: true, text: "still running 30 s after SIGINT" };
  const ended = await Promise.race([run, sleep(30_000).then(() => stillRunning)]);
  return { ...ended, tookMs: Date.now() - signalled };
}

/** The simulator's figures at the end of a test: `users` users, and no user creation refused (nothing over-admitted). */
export function assertFigures(sim: Simulator, users: number): void {
  assert.equal(sim.usage().userCount, users);
  assert.ok(sim.usage().userCount <= sim.usage().userMaxCount, "nothing over-admitted");
  const refused = sim.requestLog().filter((entry) => entry.path.endsWith("/users") && entry.status >= 400);
  assert.deepEqual(refused, [], "no user creation was refused");
}
