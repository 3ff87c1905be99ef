/** Waiting for a tenant: bounded, and saying who holds it while it waits. */
import { CancelledError, TenantLockTimeout } from "../client/errors";
import type { TenantIdentity } from "../config/tenant";
import type { TenantLockBackend, TenantLockHolder } from "./lock";

/** How long `pulumi up` waits for another deployment to the tenant by default. */
export const DEFAULT_LOCK_TIMEOUT_SECONDS = 600;
/** How often a waiting guard says who holds the tenant. */
const SAY_EVERY_MS = 30_000;
const POLL_MS = 500;

/** "10:42:07 UTC": when the holder took the tenant. */
function sinceText(holder: TenantLockHolder): string {
  const since = new Date(holder.since);
  return Number.isNaN(since.getTime()) ? holder.since : `${since.toISOString().slice(11, 19)} UTC`;
}

/**
 * "stack dept-b on ci-7 (pid 4242) has been deploying to this tenant since 10:42:07 UTC", or for a
 * holder whose provider process was killed while its engine runs on, that it waits for that engine.
 */
export function describeHolder(holder: TenantLockHolder): string {
  const who = `stack ${holder.stack} on ${holder.host} (pid ${holder.pid})`;
  if (holder.orphaned) {
    return `${who}, deploying to this tenant since ${sinceText(holder)}, ended without releasing it while its engine still runs the deployment; waiting for that deployment to end`;
  }
  return `${who} has been deploying to this tenant since ${sinceText(holder)}`;
}

export interface HoldOptions {
  holder: TenantLockHolder;
  timeoutMs: number;
  /** How the timeout is set, for the message. */
  timeoutSetting: string;
  /** Other tenants this deployment holds already, by label (named when it times out: a possible deadlock). */
  holding: string[];
  /** Says a line to the user (the engine shows it against the guard). */
  say(line: string): void;
  /** The run's cancel: the wait stops at once with a `CancelledError` naming the holder. */
  signal?: AbortSignal;
  /** Time, for tests. */
  now?: () => number;
}

/** The engine's cancel (Ctrl-C, a cancelled job) stopped the wait for `tenant`: nothing the guard guards was deployed. */
function cancelledWaiting(tenant: TenantIdentity, holder: TenantLockHolder | undefined): CancelledError {
  const held = holder
    ? `stack ${holder.stack} on ${holder.host} (pid ${holder.pid}, deploying since ${sinceText(holder)})`
    : "another deployment";
  return new CancelledError(
    `cancelled while waiting for the KooDrive tenant ${tenant.label} held by ${held}`,
    "nothing this guard guards was deployed; run again when you want to",
  );
}

/** `work`, or a rejection with `error()` as soon as `signal` aborts (at once when it has). */
function unlessAborted<T>(signal: AbortSignal, work: () => Promise<T>, error: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(error());
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(error());
    signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([work(), aborted]).finally(() => signal.removeEventListener("abort", onAbort));
}

/**
 * Holds the tenant's lock for this deployment: at once when it is free or held by this deployment
 * (another of its provider processes); else waits, saying who holds it (again every 30 s, and at once
 * when that changes), and fails closed
 * after `timeoutMs` naming the holder.
 */
export async function holdTenant(
  backend: TenantLockBackend,
  tenant: TenantIdentity,
  options: HoldOptions,
): Promise<void> {
  const now = options.now ?? Date.now;
  const started = now();
  const signal = options.signal ?? new AbortController().signal;
  let said = Number.NEGATIVE_INFINITY;
  let lastLine = "";
  let holder: TenantLockHolder | undefined;
  /** One step of the wait, unless the run is cancelled first. */
  const step = <T>(work: () => Promise<T>) => unlessAborted(signal, work, () => cancelledWaiting(tenant, holder));
  for (;;) {
    if (await step(() => backend.tryAcquire(tenant.key, options.holder))) return;
    holder = await step(() => backend.holderOf(tenant.key));
    if (holder?.deployment === options.holder.deployment) return;
    const waited = now() - started;
    if (waited >= options.timeoutMs) {
      const holding =
        options.holding.length > 0
          ? `; this deployment holds ${options.holding.join(", ")}, which may be what it waits for`
          : "";
      throw new TenantLockTimeout(
        `gave up waiting for the KooDrive tenant ${tenant.label} after ${Math.round(waited / 1000)} s`,
        `${holder ? describeHolder(holder) : "another deployment holds it"}${holding}. Run again when it has finished, or raise ${options.timeoutSetting}`,
      );
    }
    if (holder) {
      const line = `waiting for the KooDrive tenant ${tenant.label}: ${describeHolder(holder)}`;
      if (line !== lastLine || now() - said >= SAY_EVERY_MS) {
        said = now();
        lastLine = line;
        options.say(line);
      }
    }
    await step(() => new Promise((resolve) => setTimeout(resolve, POLL_MS)));
  }
}
