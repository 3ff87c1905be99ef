/**
 * The benchmarks' program stacks against koodrive-sim, and their Pulumi CLI runs measured as a user
 * runs them (the CLI, not the Automation API), CPU time of the whole process tree first (cpu-time.ts).
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { engineBinDir } from "../harness/engine";
import { createProgramStack, type ProgramStack, programWorkspaceRoot } from "../harness/program-stack";
import { variableOf } from "../provider/config/connection-settings";
import { DEMO_TOKEN, type Simulator } from "../sim";
import { type CpuSample, measureCpu } from "./cpu-time";
import { round } from "./stats";

const run = promisify(execFile);

/**
 * A stack of `program` (`files`: `index.js` makes a JavaScript program, `index.ts` a TypeScript one)
 * whose engine reaches `sim` with the demo token through the environment, `env` added.
 */
export async function simStack(
  sim: Simulator,
  name: string,
  files: Record<string, string>,
  env: Record<string, string> = {},
): Promise<ProgramStack> {
  return createProgramStack(name, {
    files,
    env: { [variableOf("endpoint")]: sim.url, [variableOf("accessToken")]: DEMO_TOKEN, ...env },
  });
}

/**
 * Runs `pulumi ARGS` on the stack as a user runs it (the CLI, not the Automation API), with the
 * stack's environment as it is now, measuring the CPU time of its whole process tree and its wall time.
 */
export async function measuredCli(stack: ProgramStack, args: string[]): Promise<CpuSample> {
  return measureCpu(path.join(await engineBinDir(), "pulumi"), [...args, "--non-interactive", "--stack", "test"], {
    cwd: stack.dir,
    env: { ...process.env, ...stack.stack.workspace.envVars },
  });
}

/** The machine, the Node running this, the engine and the programs' @pulumi/pulumi: what a table's heading names. */
export async function benchMachine() {
  const { stdout } = await run(path.join(await engineBinDir(), "pulumi"), ["version"]);
  const sdk = path.join(await programWorkspaceRoot(), "node_modules/@pulumi/pulumi/package.json");
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    pulumi: stdout.trim(),
    pulumiSdk: (JSON.parse(readFileSync(sdk, "utf8")) as { version: string }).version,
  };
}
