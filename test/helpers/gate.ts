/**
 * A gate a Pulumi program's Command waits at, opened by the test: a FIFO the Command reads (`cat`
 * blocks until a writer opens it and ends when the writer closes it). The test knows the Command has
 * reached the gate when it can open the FIFO for writing without blocking, and opens the gate by
 * closing it: no sleep decides the order of events.
 */
import { execFileSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** One FIFO gate in a folder of its own. */
export class Gate {
  readonly #folder = mkdtempSync(path.join(os.tmpdir(), "koodrive-gate-"));
  readonly path = path.join(this.#folder, "gate.fifo");
  #writer: number | undefined;

  constructor() {
    execFileSync("mkfifo", [this.path]);
  }

  /** The shell command a Command runs to wait at the gate. */
  get command(): string {
    return `cat ${JSON.stringify(this.path)} > /dev/null`;
  }

  /** Resolves once a Command waits at the gate (it holds the FIFO open for reading); rejects after `timeoutMs`. */
  async reached(timeoutMs = 300_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.#writer === undefined) {
      try {
        this.#writer = openSync(this.path, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENXIO") throw error;
        if (Date.now() > until) throw new Error(`nothing reached the gate ${this.path} in ${timeoutMs / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** Lets the waiting Command go on (after `reached`). */
  open(): void {
    if (this.#writer !== undefined) closeSync(this.#writer);
    this.#writer = undefined;
  }

  /** Opens the gate if need be and removes its folder. */
  remove(): void {
    this.open();
    rmSync(this.#folder, { recursive: true, force: true });
  }
}
