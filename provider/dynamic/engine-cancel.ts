/**
 * The engine's `Cancel`, as the dynamic provider process sees it. Pulumi's dynamic provider host
 * (`@pulumi/pulumi/cmd/dynamic-provider`) serves the gRPC protocol and answers `Cancel` itself,
 * without telling the provider's code. The one place that call shows is Node's
 * `http2.server.stream.start` diagnostics channel (Node 22 and 24, the releases tested; where it is
 * missing it never fires, and a read or a wait ends at its own deadline), so this adapter watches
 * it for the `Cancel` path. runtime.ts wires it to the process's cancellation, once.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";

/** The gRPC path of the engine's `Cancel` call to a resource provider. */
export const CANCEL_PATH = "/pulumirpc.ResourceProvider/Cancel";
const CHANNEL = "http2.server.stream.start";

/**
 * Calls `onCancel` the first time an HTTP/2 server of this process receives the engine's `Cancel`
 * call; returns a function that stops watching.
 */
export function onEngineCancel(onCancel: () => void): () => void {
  const watch = (message: unknown) => {
    const path = (message as { headers?: Record<string, unknown> } | undefined)?.headers?.[":path"];
    if (path !== CANCEL_PATH) return;
    stop();
    onCancel();
  };
  const stop = () => unsubscribe(CHANNEL, watch);
  subscribe(CHANNEL, watch);
  return stop;
}
