/**
 * Waiting for a tenant: bounded, saying who holds it while it waits, and never in a circle. Two
 * deployments that take two tenants in opposite order would each wait for the other until the
 * timeout; so a deployment that holds a tenant already gives way at once instead of waiting for one
 * held by an older deployment (wait-die: the older waits, the younger ends).
 */
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

/** What a deployment waits with. */
export interface HoldOptions {
  /** This deployment as the lock records it; `since` is when it first took a tenant (its age, for wait-die). */
  holder: TenantLockHolder;
  timeoutMs: number;
  /** How the timeout is set, for the message. */
  timeoutSetting: string;
  /**
   * The other tenants this deployment holds now, by label: asked at every step, since guards of other
   * tenants (in this process or another of the deployment) may take theirs meanwhile. Holding one, it
   * gives way to an older holder at once.
   */
  holding(): Promise<string[]>;
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

/** True when `holder` began deploying before `self` (`since`; the deployment's hash breaks a tie): the older waits, the younger gives way. */
function olderThan(holder: TenantLockHolder, self: TenantLockHolder): boolean {
  const [theirs, ours] = [Date.parse(holder.since), Date.parse(self.since)];
  if (theirs !== ours && !Number.isNaN(theirs) && !Number.isNaN(ours)) return theirs < ours;
  return holder.deployment < self.deployment;
}

/** The wait-die refusal: this deployment holds `holding` and would wait for `tenant`, held by the older `holder`. */
function givesWay(tenant: TenantIdentity, holder: TenantLockHolder, holding: string[]): TenantLockTimeout {
  return new TenantLockTimeout(
    `gave up at once on the KooDrive tenant ${tenant.label}`,
    `${describeHolder(holder)}, longer than this deployment, which holds ${holding.join(", ")}: each may be ` +
      "waiting for the other's tenant (two stacks taking tenants in opposite order), so the later one gives way " +
      "instead of both waiting until the timeout. Run again when it has finished; stacks whose guards take " +
      "their tenants in one order never meet like this",
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
 * when that changes), and fails closed after `timeoutMs` naming the holder. Holding another tenant,
 * it fails at once instead of waiting for an older deployment (wait-die): that one may be waiting for
 * what this one holds.
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
    const held = await step(() => options.holding());
    if (holder && held.length > 0 && olderThan(holder, options.holder)) throw givesWay(tenant, holder, held);
    const waited = now() - started;
    if (waited >= options.timeoutMs) {
      const holding =
        held.length > 0 ? `; this deployment holds ${held.join(", ")}, which may be what it waits for` : "";
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
