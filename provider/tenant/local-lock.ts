/**
 * The tenant lock on this machine (the default): a local socket whose name is the lock. Only one
 * process can listen on a name; the kernel frees it when that process ends, however it ends, so no
 * lock outlives its holder and nothing needs cleaning by hand. Whoever connects reads the holder.
 *
 * The name is scoped to the project's cache folder (`XDG_CACHE_HOME`, else `~/.cache`), like a lock
 * file there: on Linux an abstract socket, on Windows a named pipe, elsewhere a socket file in that
 * folder (a stale file, left by a crash, is removed by the next process that finds nobody listening).
 */
import { createHash } from "node:crypto";
import { mkdirSync, unlinkSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import type { TenantLeaseLost } from "../client/errors";
import { cacheFolder } from "../config/cache-folder";
import type { TenantLockBackend, TenantLockHolder, UncleanEnd } from "./lock";

/** The local socket named `name` under the cache folder `folder`. */
export function socketPath(folder: string, name: string): string {
  const scope = createHash("sha256").update(folder).digest("hex").slice(0, 16);
  if (process.platform === "linux") return `\0pulumi-koodrive/${scope}/${name}`;
  if (process.platform === "win32") return `\\\\?\\pipe\\pulumi-koodrive-${scope}-${name}`;
  mkdirSync(path.join(folder, "locks"), { recursive: true });
  return path.join(folder, "locks", `${name.slice(0, 40)}.sock`);
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

/** The lock of each tenant on this machine: a local socket per tenant whose listener is the holder. */
export class LocalTenantLock implements TenantLockBackend {
  readonly #folder: string;
  readonly #held = new Map<string, { server: net.Server; holder: TenantLockHolder }>();

  constructor(folder: string = cacheFolder()) {
    this.#folder = folder;
  }

  async tryAcquire(tenantKey: string, holder: TenantLockHolder): Promise<boolean> {
    if (this.#held.has(tenantKey)) return true;
    const server = await listenExclusively(socketPath(this.#folder, tenantKey), (socket) =>
      answerLines(socket, () => holder),
    );
    if (!server) return false;
    server.unref(); // the lock does not keep the process alive: it ends with the process
    this.#held.set(tenantKey, { server, holder });
    return true;
  }

  async holderOf(tenantKey: string): Promise<TenantLockHolder | undefined> {
    const own = this.#held.get(tenantKey);
    if (own) return own.holder;
    return askLocal<TenantLockHolder>(socketPath(this.#folder, tenantKey), { holder: true });
  }

  /**
   * Always resolves: a lock on this machine is never lost while its process lives, and a process
   * sharing it with the holder of its own deployment (which `holdTenant` lets through) holds nothing
   * itself but ends with that deployment too.
   */
  async assertHeld(_tenantKey: string, _forMs: number): Promise<void> {}

  /** Never called: the kernel frees a local lock only when its process ends. */
  onLost(_listener: (tenantKey: string, error: TenantLeaseLost) => void): void {}

  /** Never: a lock on this machine ends with its holder, who leaves nothing to take over. */
  uncleanEnd(_tenantKey: string): UncleanEnd | undefined {
    return undefined;
  }

  async close(): Promise<void> {
    const servers = [...this.#held.values()].map(({ server }) => server);
    this.#held.clear();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
