/**
 * The engine's cancel (Ctrl-C, a CI job cancelled), seen from Pulumi's dynamic provider process.
 * That process's gRPC server answers the engine's `Cancel` call and does nothing else, while the
 * engine waits for every call in flight before it ends a cancelled run. So a read that hangs (a
 * silent proxy, a long deadline) would hold the run until its deadline. This module watches for the
 * `Cancel` call through Node's `http2.server.stream.start` diagnostics channel (present in the Node
 * 22 and 24 releases tested; where it is missing it never fires, and a read ends at its deadline) and
 * lets reads stop at once.
 */
import { subscribe } from "node:diagnostics_channel";
import { CancelledError } from "../client/errors";

const CANCEL_PATH = "/pulumirpc.ResourceProvider/Cancel";

let cancelled = false;
const listeners = new Set<() => void>();

subscribe("http2.server.stream.start", (message) => {
  const path = (message as { headers?: Record<string, unknown> } | undefined)?.headers?.[":path"];
  if (path !== CANCEL_PATH || cancelled) return;
  cancelled = true;
  for (const listener of listeners) listener();
  listeners.clear();
});

/**
 * `work`, unless the engine cancels the run first: then `stop` runs (to close the call's sockets) and
 * the result rejects with a `CancelledError`. A read started after the cancel is refused at once.
 */
export function unlessCancelled<T>(work: () => Promise<T>, stop: () => unknown): Promise<T> {
  if (cancelled) return Promise.reject(new CancelledError());
  let onCancel: (() => void) | undefined;
  const cancel = new Promise<never>((_resolve, reject) => {
    onCancel = () => {
      void Promise.resolve()
        .then(stop)
        .catch(() => undefined);
      reject(new CancelledError());
    };
    listeners.add(onCancel);
  });
  return Promise.race([work(), cancel]).finally(() => {
    if (onCancel) listeners.delete(onCancel);
  });
}
