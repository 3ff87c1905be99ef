/** A tenant lock held by another process, which the test can kill however it likes. */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import type { TenantIdentity } from "../../provider/config/tenant";
import { LocalTenantLock } from "../../provider/tenant/local-lock";
import type { TenantLockHolder } from "../../provider/tenant/lock";

/**
 * Starts a process that takes `tenantKey` on this machine, in the lock scope `scope` (`undefined`: the
 * machine's), as `holder`, with `env` as its environment when given; resolves once it holds it.
 */
export async function holdInChild(
  scope: string | undefined,
  tenantKey: string,
  holder: TenantLockHolder,
  env?: NodeJS.ProcessEnv,
): Promise<ChildProcess> {
  const localLock = path.join(__dirname, "../../provider/tenant/local-lock");
  const child = spawn(
    process.execPath,
    [
      "-e",
      `const { LocalTenantLock } = require(${JSON.stringify(localLock)});
new LocalTenantLock(${scope === undefined ? "" : JSON.stringify(scope)}).tryAcquire(${JSON.stringify(tenantKey)}, ${JSON.stringify(holder)})
  .then((held) => { console.log(held); setInterval(() => {}, 1000); });`,
    ],
    { stdio: ["ignore", "pipe", "inherit"], ...(env ? { env } : {}) },
  );
  const said = await new Promise<string>((resolve) =>
    child.stdout?.once("data", (data: Buffer) => resolve(String(data))),
  );
  if (said.trim() !== "true") {
    child.kill("SIGKILL");
    throw new Error(`the child process did not take the tenant: it said ${said.trim()}`);
  }
  return child;
}

/**
 * A holder of stack `stack` on the machine ci-7, in this process, of deployment `deployment` (the
 * stack's by default), deploying since `since`.
 */
export const lockHolder = (
  stack: string,
  deployment = stack,
  since = "2026-12-02T10:42:07.000Z",
): TenantLockHolder => ({
  stack,
  host: "ci-7",
  pid: process.pid,
  since,
  deployment,
});

/** Kills `child` with SIGKILL and resolves once it has ended. */
export async function killOutright(child: ChildProcess): Promise<void> {
  const ended = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await ended;
}

/** A tenant of `key` (hex) at https://koodrive.example, keyed alike for figures, ledger and lock. */
export function testTenant(key: string): TenantIdentity {
  return {
    key,
    lockKeys: [key],
    figuresKey: key,
    label: "https://koodrive.example",
    endpoint: "https://koodrive.example",
  };
}

/**
 * Registers hooks in the calling `describe` that give each test a lock scope of its own (its own
 * machine, whatever other runs on this one hold) and close the locks it made; returns the scope and
 * a maker of locks in it.
 */
export function localLocks(): { scope(): string; lock(): LocalTenantLock } {
  let scope = "";
  const locks: LocalTenantLock[] = [];
  beforeEach(() => {
    scope = randomUUID();
  });
  afterEach(async () => {
    for (const made of locks.splice(0)) await made.close();
  });
  return {
    scope: () => scope,
    lock: () => {
      const made = new LocalTenantLock(scope);
      locks.push(made);
      return made;
    },
  };
}
