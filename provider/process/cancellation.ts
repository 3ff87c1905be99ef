/**
 * The engine's cancel of a run (Ctrl-C, a cancelled CI job), as a provider process receives it. The
 * engine sends its `Cancel` call and waits for every call in flight before it ends a cancelled run,
 * so a read or a wait for the tenant must stop at once rather than at its deadline. Each front end
 * wires its engine's end to `RunCancellation.cancel`: the plugin serves `Cancel` (plugin/server.ts),
 * the dynamic provider hears its host's answer (dynamic/engine-cancel.ts). Nothing here listens on
 * its own: a process that wires nothing is never cancelled.
 */
import { CancelledError } from "../client/errors";

/** One provider process's cancel: set once, for good, by the engine's `Cancel`. */
export class RunCancellation {
  readonly #controller = new AbortController();

  /** Aborted at the cancel: what reads and waits listen to. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True once the engine cancelled the run. */
  get cancelled(): boolean {
    return this.#controller.signal.aborted;
  }

  /** The engine cancelled the run: every read and wait of this process stops, and none starts. */
  cancel(): void {
    this.#controller.abort();
  }

  /**
   * `work`, unless the engine cancels the run first: then `stop` runs (to close the call's sockets)
   * and the result rejects with a `CancelledError`. Work started after the cancel is refused at once.
   */
  unlessCancelled<T>(work: () => Promise<T>, stop: () => unknown): Promise<T> {
    const signal = this.#controller.signal;
    if (signal.aborted) return Promise.reject(new CancelledError());
    let onAbort: () => void = () => undefined;
    const cancelled = new Promise<never>((_resolve, reject) => {
      onAbort = () => {
        void Promise.resolve()
          .then(stop)
          .catch(() => undefined);
        reject(new CancelledError());
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
    return Promise.race([work(), cancelled]).finally(() => signal.removeEventListener("abort", onAbort));
  }
}
