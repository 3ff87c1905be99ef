/** Waiting for a tenant: bounded, and saying who holds it while it waits. */
import { TenantLockTimeout } from "../client/errors";
import type { TenantIdentity } from "../config/tenant";
import type { TenantLockBackend, TenantLockHolder } from "./lock";

/** How long `pulumi up` waits for another deployment to the tenant by default. */
export const DEFAULT_LOCK_TIMEOUT_SECONDS = 600;
/** How often a waiting guard says who holds the tenant. */
const SAY_EVERY_MS = 30_000;
const POLL_MS = 500;

/** "stack dept-b on ci-7 (pid 4242), deploying to this tenant since 10:42:07 UTC". */
export function describeHolder(holder: TenantLockHolder): string {
  const since = new Date(holder.since);
  const time = Number.isNaN(since.getTime()) ? holder.since : `${since.toISOString().slice(11, 19)} UTC`;
  return `stack ${holder.stack} on ${holder.host} (pid ${holder.pid}) has been deploying to this tenant since ${time}`;
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
  /** Time, for tests. */
  now?: () => number;
}

/**
 * Holds the tenant's lock for this deployment: at once when it is free or held by this deployment
 * (another of its provider processes); else waits, saying every 30 s who holds it, and fails closed
 * after `timeoutMs` naming the holder.
 */
export async function holdTenant(
  backend: TenantLockBackend,
  tenant: TenantIdentity,
  options: HoldOptions,
): Promise<void> {
  const now = options.now ?? Date.now;
  const started = now();
  let said = Number.NEGATIVE_INFINITY;
  for (;;) {
    if (await backend.tryAcquire(tenant.key, options.holder)) return;
    const holder = await backend.holderOf(tenant.key);
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
    if (holder && now() - said >= SAY_EVERY_MS) {
      said = now();
      options.say(`waiting for the KooDrive tenant ${tenant.label}: ${describeHolder(holder)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
