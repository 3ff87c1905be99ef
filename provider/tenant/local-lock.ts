/**
 * The tenant lock on this machine (the default): a local socket whose name is the lock. Only one
 * process can listen on a name; the kernel frees it when that process ends, however it ends, so no
 * lock outlives its holder and nothing needs cleaning by hand. Whoever connects reads the holder.
 *
 * The name is the machine's, whatever the cache folder, `XDG_CACHE_HOME` or `HOME` of the process: on
 * Linux an abstract socket (one per network namespace: a container with a network of its own is
 * another machine to it), on Windows a named pipe, elsewhere a socket file in `/tmp/pulumi-koodrive`
 * (a stale file, left by a crash, is removed by the next process that finds nobody listening).
 */
import { createHash } from "node:crypto";
import { mkdirSync, unlinkSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { TenantLeaseLost } from "../client/errors";
import { engineAnswers } from "./engine-probe";
import type { TenantLockBackend, TenantLockHolder, UncleanEnd } from "./lock";

/**
 * The scope of this machine's local sockets: none, unless `KOODRIVE_TEST_MACHINE` names another
 * machine (tests that stand for several machines on one; unit tests keep to a scope of their own).
 */
export function machineScope(env: NodeJS.ProcessEnv = process.env): string {
  return env.KOODRIVE_TEST_MACHINE ?? "";
}

/** The local socket named `name` on this machine, in `scope` (see {@link machineScope}). */
export function socketPath(name: string, scope: string = machineScope()): string {
  const scoped = scope ? `${createHash("sha256").update(scope).digest("hex").slice(0, 16)}-${name}` : name;
  if (process.platform === "linux") return `\0pulumi-koodrive/${scoped}`;
  if (process.platform === "win32") return `\\\\?\\pipe\\pulumi-koodrive-${scoped}`;
  const folder = path.join("/tmp", "pulumi-koodrive");
  mkdirSync(folder, { recursive: true });
  return path.join(folder, `${scoped.slice(0, 40)}.sock`);
}

/** Listens on `where`: the server, or undefined when another process listens there. */
export async function listenExclusively(
  where: string,
  onConnection: (socket: net.Socket) => void,
): Promise<net.Server | undefined> {
  const attempt = () =>
    new Promise<net.Server | undefined>((resolve, reject) => {
      const server = net.createServer(onConnection);
      server.once("error", (error: NodeJS.ErrnoException) =>
        error.code === "EADDRINUSE" ? resolve(undefined) : reject(error),
      );
      server.listen({ path: where, exclusive: true }, () => resolve(server));
    });
  const server = await attempt();
  if (server || where.startsWith("\0") || where.startsWith("\\\\")) return server;
  // A socket file: in use, or left by a process that ended without removing it.
  if (await answers(where)) return undefined;
  try {
    unlinkSync(where);
  } catch {
    // another process removed it first
  }
  return attempt();
}

/** True when a process listens on `where`. */
function answers(where: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ path: where });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Answers each JSON line a peer sends on `socket` with `answer`'s JSON line. */
export function answerLines(socket: net.Socket, answer: (request: unknown) => unknown): void {
  let text = "";
  socket.setEncoding("utf8");
  socket.on("error", () => socket.destroy());
  socket.on("data", (chunk: string) => {
    text += chunk;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n")) {
      const line = text.slice(0, end);
      text = text.slice(end + 1);
      let request: unknown;
      try {
        request = JSON.parse(line);
      } catch {
        socket.destroy();
        return;
      }
      socket.write(`${JSON.stringify(answer(request))}\n`);
    }
  });
}

/** Connects to `where`, sends `request` (a JSON line) and resolves the first JSON line answered; undefined when nobody listens. */
export function askLocal<T>(where: string, request: unknown): Promise<T | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ path: where });
    let text = "";
    const done = (value: T | undefined) => {
      socket.destroy();
      resolve(value);
    };
    socket.setEncoding("utf8");
    socket.setTimeout(5_000, () => done(undefined));
    socket.once("connect", () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on("data", (chunk: string) => {
      text += chunk;
      const end = text.indexOf("\n");
      if (end === -1) return;
      try {
        done(JSON.parse(text.slice(0, end)) as T);
      } catch {
        done(undefined);
      }
    });
    socket.once("error", () => done(undefined));
    socket.once("end", () => done(undefined));
  });
}

/** How long a waiter that took the tenant waits to hear how the holder it watched ended. */
const WATCH_END_MS = 1_000;

/** A holder this process watches while it waits: the connection ends with `released` when it lets go cleanly. */
interface Watch {
  holder: TenantLockHolder;
  socket: net.Socket;
  /** When the holder let go without saying so (its process ended): an unclean end. */
  droppedAt?: string;
  /** Resolves when the connection has ended, cleanly or not. */
  ended: Promise<void>;
}

/** Opens a watch on the holder listening at `where`: undefined when nobody listens or it does not answer. */
function watchHolder(where: string): Promise<Watch | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ path: where });
    let text = "";
    let watch: Watch | undefined;
    let released = false;
    let ended: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => {
      ended = resolve;
    });
    socket.setEncoding("utf8");
    socket.setTimeout(5_000, () => {
      if (!watch) socket.destroy();
    });
    socket.once("connect", () => socket.write(`${JSON.stringify({ holder: true, watch: true })}\n`));
    socket.on("data", (chunk: string) => {
      text += chunk;
      for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n")) {
        const line = text.slice(0, end);
        text = text.slice(end + 1);
        let message: { stack?: unknown; released?: unknown };
        try {
          message = JSON.parse(line);
        } catch {
          socket.destroy();
          return;
        }
        if (message.released === true) released = true;
        else if (!watch && typeof message.stack === "string") {
          watch = { holder: message as TenantLockHolder, socket, ended: closed };
          socket.setTimeout(0);
          socket.unref(); // a watch does not keep the waiter's process alive
          resolve(watch);
        }
      }
    });
    socket.once("close", () => {
      if (!watch) resolve(undefined);
      else if (!released) watch.droppedAt = new Date().toISOString();
      ended();
    });
    socket.once("error", () => socket.destroy());
  });
}

/**
 * The lock of each tenant on this machine: a local socket per tenant whose listener is the holder.
 *
 * A waiter keeps a connection to the holder it waits for; a holder that lets go cleanly says
 * `released` on it first. When the connection ends without it, the holder's process ended (killed):
 * the waiter that then takes the tenant says the holder ended uncleanly, and while that holder's
 * engine still runs (only its provider process was killed; the engine's other work goes on) it does
 * not go on, holding the socket so that nobody else does either, until that engine has ended.
 */
export class LocalTenantLock implements TenantLockBackend {
  readonly #scope: string;
  readonly #held = new Map<string, { server: net.Server; holder: TenantLockHolder; watchers: Set<net.Socket> }>();
  readonly #watches = new Map<string, Watch>();
  /** Tenants this process holds the socket of while the engine of a holder that ended uncleanly still runs. */
  readonly #orphans = new Map<string, UncleanEnd>();
  readonly #unclean = new Map<string, UncleanEnd>();

  /** `scope`: this machine's (the default), or one of a test's own. */
  constructor(scope: string = machineScope()) {
    this.#scope = scope;
  }

  async tryAcquire(tenantKey: string, holder: TenantLockHolder): Promise<boolean> {
    if (this.#held.has(tenantKey)) return this.#orphanGone(tenantKey);
    const watchers = new Set<net.Socket>();
    const server = await listenExclusively(socketPath(tenantKey, this.#scope), (socket) =>
      answerLines(socket, (request) => {
        if ((request as { watch?: unknown })?.watch === true) {
          socket.unref(); // nor does a waiter's watch keep the holder's process alive
          watchers.add(socket);
          socket.once("close", () => watchers.delete(socket));
        }
        // Held for a killed provider's deployment, which its other processes may still share.
        const orphan = this.#orphans.get(tenantKey);
        return orphan ? { ...orphan.holder, orphaned: true } : holder;
      }),
    );
    if (!server) return false;
    server.unref(); // the lock does not keep the process alive: it ends with the process
    this.#held.set(tenantKey, { server, holder, watchers });
    this.#unclean.delete(tenantKey);
    const watch = this.#watches.get(tenantKey);
    this.#watches.delete(tenantKey);
    // The holder is gone, and its end reaches the watch at the latest moments from now: wait to hear how it ended.
    if (watch) await Promise.race([watch.ended, new Promise((resolve) => setTimeout(resolve, WATCH_END_MS).unref())]);
    watch?.socket.destroy();
    if (!watch?.droppedAt || watch.holder.deployment === holder.deployment) return true;
    this.#orphans.set(tenantKey, { holder: watch.holder, expiredAt: watch.droppedAt, kind: "process" });
    return this.#orphanGone(tenantKey);
  }

  /** True unless the tenant waits for the engine of a holder that ended uncleanly, which still runs. */
  async #orphanGone(tenantKey: string): Promise<boolean> {
    const orphan = this.#orphans.get(tenantKey);
    if (!orphan) return true;
    const { engine, host } = orphan.holder;
    if (engine && host === os.hostname() && (await engineAnswers(engine))) return false;
    this.#orphans.delete(tenantKey);
    this.#unclean.set(tenantKey, orphan);
    return true;
  }

  async holderOf(tenantKey: string): Promise<TenantLockHolder | undefined> {
    const orphan = this.#orphans.get(tenantKey);
    if (orphan) return { ...orphan.holder, orphaned: true };
    const own = this.#held.get(tenantKey);
    if (own) return own.holder;
    const watched = this.#watches.get(tenantKey);
    if (watched && !watched.droppedAt && !watched.socket.destroyed) return watched.holder;
    const watch = await watchHolder(socketPath(tenantKey, this.#scope));
    // Nobody listens: a holder that ended uncleanly stays watched, for the tryAcquire that follows.
    if (!watch) return watched?.droppedAt ? watched.holder : undefined;
    watched?.socket.destroy();
    this.#watches.set(tenantKey, watch);
    return watch.holder;
  }

  /**
   * Always resolves: a lock on this machine is never lost while its process lives, and a process
   * sharing it with the holder of its own deployment (which `holdTenant` lets through) holds nothing
   * itself but ends with that deployment too.
   */
  async assertHeld(_tenantKey: string, _forMs: number): Promise<void> {}

  /** Never called: the kernel frees a local lock only when its process ends. */
  onLost(_listener: (tenantKey: string, error: TenantLeaseLost) => void): void {}

  uncleanEnd(tenantKey: string): UncleanEnd | undefined {
    return this.#unclean.get(tenantKey);
  }

  /** Releases every tenant, telling the waiters watching it that it was released cleanly. */
  async close(): Promise<void> {
    const held = [...this.#held.values()];
    this.#held.clear();
    this.#orphans.clear();
    for (const watch of this.#watches.values()) watch.socket.destroy();
    this.#watches.clear();
    await Promise.all(
      held.map(
        ({ server, watchers }) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            for (const socket of watchers) socket.end(`${JSON.stringify({ released: true })}\n`);
          }),
      ),
    );
  }
}
