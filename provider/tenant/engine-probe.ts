/**
 * Whether a deployment's engine still runs: its gRPC address on this machine still takes a
 * connection. A provider process watches its own engine this way, and a waiter asks it of a holder
 * whose provider process ended without releasing the tenant.
 */
import net from "node:net";

/** How long a probe waits for the engine to take the connection. */
const PROBE_MS = 1_000;

/** Host and port of an engine address (`127.0.0.1:PORT`, `[::1]:PORT`); undefined when it has no port. */
function hostAndPort(address: string): { host: string; port: number } | undefined {
  const colon = address.lastIndexOf(":");
  const port = Number(address.slice(colon + 1));
  if (colon === -1 || !Number.isInteger(port) || port <= 0) return undefined;
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, "") || "127.0.0.1", port };
}

/** Resolves true when the engine at `address` takes a connection within a second, false when it refuses or is silent. */
export function engineAnswers(address: string): Promise<boolean> {
  const target = hostAndPort(address);
  if (!target) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = net.connect(target);
    const done = (answers: boolean) => {
      socket.destroy();
      resolve(answers);
    };
    socket.setTimeout(PROBE_MS, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
