/**
 * Work made once for every process that needs it at the same time: mocha's parallel workers, the
 * test legs, the runs of one machine. A folder made with `mkdir` (atomic) is the lock.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** The file in a folder naming the process that owns it. */
export const OWNER_MARKER = ".owner-pid";

/**
 * Runs `make` unless the file `done` exists, and then creates it; while another process makes it, waits
 * for that one to finish. When the maker fails or was killed, the next process to look makes it again.
 */
export async function madeOnce(done: string, make: () => Promise<void>): Promise<void> {
  const lock = `${done}.lock`;
  while (!existsSync(done)) {
    try {
      mkdirSync(lock);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (ownedByDeadProcess(lock)) rmSync(lock, { recursive: true, force: true });
      else await sleep(200);
      continue;
    }
    try {
      writeFileSync(path.join(lock, OWNER_MARKER), String(process.pid));
      if (!existsSync(done)) {
        await make();
        writeFileSync(done, "");
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** True when `dir` has an owner marker naming a process that no longer runs. */
export function ownedByDeadProcess(dir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(dir, OWNER_MARKER), "utf8"));
  } catch {
    return false; // unmarked, or still being set up
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
