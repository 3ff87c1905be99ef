/**
 * The Pulumi engine for the demo, the tests and the benchmarks: found or built by
 * scripts/pulumi.sh, run offline with a local backend and a passphrase.
 */
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { PulumiCommand } from "@pulumi/pulumi/automation";

const run = promisify(execFile);

/** The repository root (this file is compiled to dist/harness/). */
export const REPO_ROOT = path.resolve(__dirname, "../..");

let binDir: Promise<string> | undefined;

/** The folder holding `pulumi` and its plugins; builds the pinned engine on first use (minutes, once per machine). */
export function engineBinDir(): Promise<string> {
  binDir ??= run("bash", [path.join(REPO_ROOT, "scripts/pulumi.sh"), "ensure"], {
    cwd: REPO_ROOT,
    maxBuffer: 64 * 1024 * 1024,
  }).then(({ stdout }) => stdout.trim().split("\n").pop() as string);
  return binDir;
}

/**
 * The offline environment of one engine run: backend in `stateDir` (created if missing), no update
 * checks, no plugin downloads.
 */
export function offlineEnvironment(bin: string, stateDir: string, passphrase: string): Record<string, string> {
  mkdirSync(stateDir, { recursive: true });
  return {
    PATH: [bin, path.join(REPO_ROOT, "node_modules/@pulumi/pulumi"), process.env.PATH].join(path.delimiter),
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
  };
}

/** The Automation API's handle on the CLI in `bin`. */
export function pulumiCommand(bin: string): Promise<PulumiCommand> {
  return PulumiCommand.get({ root: path.dirname(bin), skipVersionCheck: true });
}
