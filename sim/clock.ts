import { z } from "zod";

/** The body of `PUT /__sim/clock`: the time the simulator's clock should show now. */
export const ClockRequestSchema = z
  .object({ time: z.iso.datetime({ offset: true, error: "must be an ISO 8601 time, e.g. 2026-11-01T00:00:00Z" }) })
  .strict();

/**
 * The simulator's clock: its `Date` header and the X-Date check read it. Setting it moves it to a
 * given time, from where it runs on, so tests can step through days without waiting.
 */
export class SimulatorClock {
  readonly #base: () => Date;
  #offsetMs = 0;

  constructor(base: () => Date) {
    this.#base = base;
  }

  /** The simulated time now. */
  now(): Date {
    return new Date(this.#base().getTime() + this.#offsetMs);
  }

  /** Makes the clock show `time` now. */
  set(time: Date): void {
    this.#offsetMs = time.getTime() - this.#base().getTime();
  }

  /** Back to the real (or injected) time. */
  reset(): void {
    this.#offsetMs = 0;
  }
}
