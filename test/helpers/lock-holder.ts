/** A tenant lock held by another process, which the test can kill however it likes. */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import type { TenantLockHolder } from "../../provider/tenant/lock";

/** Starts a process that takes `tenantKey` on this machine as `holder`, and resolves once it holds it. */
export async function holdInChild(folder: string, tenantKey: string, holder: TenantLockHolder): Promise<ChildProcess> {
  const localLock = path.join(__dirname, "../../provider/tenant/local-lock");
  const child = spawn(
    process.execPath,
    [
      "-e",
      `const { LocalTenantLock } = require(${JSON.stringify(localLock)});
new LocalTenantLock(${JSON.stringify(folder)}).tryAcquire(${JSON.stringify(tenantKey)}, ${JSON.stringify(holder)})
  .then((held) => { console.log(held); setInterval(() => {}, 1000); });`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
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

/** Kills `child` with SIGKILL and resolves once it has ended. */
export async function killOutright(child: ChildProcess): Promise<void> {
  const ended = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await ended;
}
