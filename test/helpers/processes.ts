import { readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";

/** The live processes whose working directory is `dir` (Linux /proc): a Pulumi run's CLI, hosts and providers. */
export function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) === dir) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

/** The command line of a process, or "" when it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
  } catch {
    return "";
  }
}

/**
 * The package's provider processes of the program in `dir`: the dynamic provider's `node … dynamic-provider`
 * and its shell (whose working directory is the program's folder, by its real path).
 */
export function providerProcesses(dir: string): number[] {
  return processesIn(realpathSync(dir)).filter((pid) =>
    /dynamic-provider|pulumi-resource-pulumi-nodejs/.test(commandLine(pid)),
  );
}

/** Resolves once `predicate` holds, polling every 100 ms; rejects naming `what` after `timeoutMs`. */
export async function until(what: string, predicate: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
