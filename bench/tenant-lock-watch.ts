/**
 * Counts how often a tenant's lock on this machine is taken while something runs, from outside the
 * processes that take it. The lock is a local socket that its holder listens on (provider/tenant/
 * local-lock.ts) until its process ends; each take is a new listening socket, with an inode of its
 * own, in the kernel's table of Unix sockets (/proc/net/unix, Linux), which this reads every 50 ms.
 * A lock is held for the rest of its provider process's life (seconds at least), so no take is missed.
 */
import { readFile } from "node:fs/promises";
import { resolveSettings } from "../provider/config/settings";
import { credentialIdentity, identifiedTenant } from "../provider/config/tenant";
import { socketPath } from "../provider/tenant/local-lock";

const POLL_MS = 50;
/** A listening socket's flags in /proc/net/unix (__SO_ACCEPTCON). */
const LISTENING = "00010000";

/** The lock keys (`TenantIdentity.lockKeys`) of the tenant that `endpoint` with `accessToken` reaches, whose `tenantId` is known. */
export function tenantLockKeys(endpoint: string, accessToken: string, tenantId: string): string[] {
  return identifiedTenant(credentialIdentity(resolveSettings({ endpoint, accessToken })), tenantId).lockKeys;
}

/** The inodes of the sockets listening at `names` (abstract names shown with `@` for the leading NUL). */
async function listening(names: ReadonlySet<string>): Promise<string[]> {
  const table = await readFile("/proc/net/unix", "utf8");
  const found: string[] = [];
  for (const line of table.split("\n").slice(1)) {
    // Num RefCount Protocol Flags Type St Inode Path
    const fields = line.trim().split(/\s+/);
    const [flags, inode, where] = [fields[3], fields[6], fields[7]];
    if (flags === LISTENING && inode && where && names.has(where)) found.push(inode);
  }
  return found;
}

/**
 * Runs `work` while watching the locks of `keys`; its result and how many times any of them was
 * taken meanwhile (each key taken once counts once: a tenant with a `tenant` name has two keys).
 */
export async function countLockTakes<T>(keys: readonly string[], work: () => Promise<T>): Promise<[T, number]> {
  if (process.platform !== "linux")
    throw new Error(`counting lock takes needs Linux (/proc/net/unix); this is ${process.platform}`);
  const names = new Set(keys.map((key) => socketPath(key).replace(/^\0/, "@")));
  const before = new Set(await listening(names));
  const seen = new Set<string>();
  let watching = true;
  const watch = (async () => {
    while (watching) {
      for (const inode of await listening(names)) if (!before.has(inode)) seen.add(inode);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();
  let result: T;
  try {
    result = await work();
  } finally {
    watching = false;
    await watch;
  }
  return [result, seen.size];
}
