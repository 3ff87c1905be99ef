import { rmSync } from "node:fs";
import { createSharedWorkspace } from "../harness/program-stack";

/**
 * Mocha's global fixtures, run once per test run in mocha's own process (also with `--parallel`,
 * where the workers inherit the environment they set): the engine tests' one program workspace.
 */
let workspace: string | undefined;

export function mochaGlobalSetup(): void {
  workspace = createSharedWorkspace();
}

export function mochaGlobalTeardown(): void {
  if (workspace) rmSync(workspace, { recursive: true, force: true });
}
