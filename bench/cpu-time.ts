/**
 * CPU time of a command's whole process tree, for the benchmarks: the command runs under
 * tools/cputime (a child subreaper, built here with Go once per bench process), which reaps every
 * descendant, orphans included, and reports the user + system time the kernel counted for them.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../harness/engine";

const run = promisify(execFile);

/** One measured run of a command. */
export interface CpuSample {
  /** Wall time from start to the last process reaped. */
  wallMs: number;
  /** User + system time of the command and every descendant. */
  cpuMs: number;
  /** The part of cpuMs only the subreaper saw: descendants whose parent did not wait for them. */
  orphanCpuMs: number;
  /** How many such descendants there were. */
  orphans: number;
}

interface HelperReport {
  userMs: number;
  systemMs: number;
  orphanCpuMs: number;
  orphans: number;
}

let helper: Promise<{ binary: string; scratch: string }> | undefined;
/** Numbers the measured runs, so that runs measured at once write reports of their own. */
let runs = 0;

/** Builds tools/cputime into a scratch folder (seconds with a warm Go build cache). */
async function buildHelper(): Promise<{ binary: string; scratch: string }> {
  if (process.platform !== "linux") {
    throw new Error(`the CPU-time benchmarks need Linux (a child subreaper); this is ${process.platform}`);
  }
  const scratch = mkdtempSync(path.join(tmpdir(), "koodrive-cputime-"));
  const binary = path.join(scratch, "cputime");
  try {
    await run("go", ["build", "-o", binary, "."], { cwd: path.join(REPO_ROOT, "tools/cputime") });
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "go is not on PATH" : String(error);
    throw new Error(`cannot build tools/cputime, which the benchmarks measure CPU time with (${reason}): install Go`);
  }
  return { binary, scratch };
}

/**
 * Runs `file ARGS` in `cwd` with `env` under the CPU-time helper; rejects, with the command's output,
 * when it fails. Several may run at once.
 */
export async function measureCpu(
  file: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<CpuSample> {
  helper ??= buildHelper();
  const { binary, scratch } = await helper;
  runs += 1;
  const report = path.join(scratch, `report-${runs}.json`);
  const start = performance.now();
  await run(binary, [report, file, ...args], { ...options, maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - start;
  const r = JSON.parse(readFileSync(report, "utf8")) as HelperReport;
  return { wallMs, cpuMs: r.userMs + r.systemMs, orphanCpuMs: r.orphanCpuMs, orphans: r.orphans };
}

/** Deletes the helper's scratch folder, if one was made. */
export async function removeCpuHelper(): Promise<void> {
  if (!helper) return;
  const { scratch } = await helper;
  helper = undefined;
  rmSync(scratch, { recursive: true, force: true });
}
