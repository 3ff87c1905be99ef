/**
 * What one run of the `pulumi` CLI checked of its tenants' Users and Spaces, across its phases.
 * `pulumi up` runs a preview and then the update, each with provider processes (and so a ledger) of
 * its own. The preview checks the whole plan at once; the update checks only as far ahead as its
 * parallel steps let it (4 per core by default) while its first creates wait for the tenant. Kept
 * here by the preview, the plan lets the update's first create judge all of it, so a deployment that
 * no longer fits fails before it adds anyone.
 *
 * One JSON-lines file per run in the cache folder, named after the CLI process (its pid and start
 * time, read from /proc): every process of the run finds it, and no other run does. A line is one
 * `write` of a few hundred bytes in append mode, so concurrent writers do not interleave; a line that
 * does not parse is skipped. Where there is no /proc (macOS, Windows) a run keeps no plan, and the
 * update judges what it has checked. Files of runs whose CLI ended are removed by the next run.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { cacheFolder } from "../config/cache-folder";
import type { LedgerEntry } from "./ledger";

/** A line of the file: an entry and its tenant's keys. */
interface PlannedEntry {
  keys: string[];
  entry: LedgerEntry;
}

/** The process's parent and start time (clock ticks since boot) from `/proc/PID/stat`, if readable. */
function statOf(pid: number): { ppid: number; started: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The fields after the command name, which is in parentheses and may hold spaces: state, ppid, ….
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), started: fields[19] ?? "" };
  } catch {
    return undefined;
  }
}

/** The command name of a process, if readable. */
function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** `PID-STARTTIME` of the nearest `pulumi` process above this one: the run it serves, if any. */
export function runOf(pid: number = process.pid): string | undefined {
  for (let at = statOf(pid)?.ppid; at !== undefined && at > 1; at = statOf(at)?.ppid) {
    if (commandOf(at) !== "pulumi") continue;
    const started = statOf(at)?.started;
    return started ? `${at}-${started}` : undefined;
  }
  return undefined;
}

/** True when the run named `run` (`PID-STARTTIME`) still runs. */
function runs(run: string): boolean {
  const [pid, started] = run.split("-");
  return statOf(Number(pid))?.started === started;
}

/** The Users and Spaces one run of the CLI checked, kept across its preview and its update. */
export class RunPlan {
  readonly #file: string;
  #swept = false;
  readonly #read = new Map<string, LedgerEntry[]>();

  /** The plan of the run this process serves, or undefined when it tells no run (see the module's comment). */
  static ofThisRun(folder: string = path.join(cacheFolder(), "runs")): RunPlan | undefined {
    const run = runOf();
    return run ? new RunPlan(folder, run) : undefined;
  }

  /** `folder`: where runs keep their plans; `run`: `PID-STARTTIME` of the run's CLI. */
  constructor(
    readonly folder: string,
    readonly run: string,
  ) {
    this.#file = path.join(folder, `${run}.jsonl`);
  }

  /** Records a User or Space checked under its tenant's `keys`; a later line of its URN replaces it. */
  record(keys: readonly string[], entry: LedgerEntry): void {
    if (!this.#swept) this.#sweep();
    appendFileSync(this.#file, `${JSON.stringify({ keys: [...keys], entry } satisfies PlannedEntry)}\n`);
  }

  /**
   * The entries recorded of the tenant whose keys are `keys` (any one shared), the last per URN. Read
   * once per tenant: every create judges them, and what the file gains later is the update's own
   * checks, which its ledger holds already.
   */
  entries(keys: readonly string[]): LedgerEntry[] {
    const tenant = keys.join("\n");
    let read = this.#read.get(tenant);
    if (!read) {
      read = this.#readEntries(keys);
      this.#read.set(tenant, read);
    }
    return read;
  }

  #readEntries(keys: readonly string[]): LedgerEntry[] {
    let text: string;
    try {
      text = readFileSync(this.#file, "utf8");
    } catch {
      return [];
    }
    const tenant = new Set(keys);
    const byUrn = new Map<string, LedgerEntry>();
    for (const line of text.split("\n")) {
      let planned: PlannedEntry | null;
      try {
        planned = JSON.parse(line) as PlannedEntry;
      } catch {
        continue;
      }
      if (planned?.keys?.some((key) => tenant.has(key)) && planned.entry?.urn)
        byUrn.set(planned.entry.urn, planned.entry);
    }
    return [...byUrn.values()];
  }

  /** Makes the folder, and removes the plans of runs that ended. */
  #sweep(): void {
    this.#swept = true;
    mkdirSync(this.folder, { recursive: true });
    for (const name of readdirSync(this.folder)) {
      const run = name.replace(/\.jsonl$/, "");
      if (run !== name && run !== this.run && !runs(run)) rmSync(path.join(this.folder, name), { force: true });
    }
  }
}
