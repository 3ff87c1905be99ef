/**
 * The Pulumi engine for the demo, the tests and the benchmarks: found or built by
 * scripts/pulumi.sh, run offline with a local backend and a passphrase.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";

import { REPO_ROOT } from "../tools/repo-root";

/** The repository root, for the harness and the tests as for the tools. */
export { REPO_ROOT };

let binDir: Promise<string> | undefined;

/**
 * The folder holding `pulumi` and its plugins; builds the pinned engine on first use (minutes, once per
 * machine), passing the build's progress through to stderr. Refused in the unit and postgres tiers
 * (`KOODRIVE_TEST_TIER`, set by `npm run test:unit` and `npm run test:postgres`), which start no engine.
 */
export function engineBinDir(): Promise<string> {
  const tier = process.env.KOODRIVE_TEST_TIER;
  if (tier === "unit" || tier === "postgres") {
    return Promise.reject(
      new Error(
        `KOODRIVE_TEST_TIER=${tier}: the ${tier} tier starts no engine; a test that needs it belongs in test/engine (npm run test:engine)`,
      ),
    );
  }
  binDir ??= ensureEngine(process.env, (line) => process.stderr.write(`${line}\n`));
  return binDir;
}

/**
 * Runs `scripts/pulumi.sh ensure` with `env` and resolves to the folder it prints. Each line of its
 * progress (build phases, the wait for another build's lock, the heartbeat while compiling) goes to
 * `progress` as it comes; a failure's message ends with the last of them.
 */
export function ensureEngine(env: NodeJS.ProcessEnv, progress: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [path.join(REPO_ROOT, "scripts/pulumi.sh"), "ensure"], {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let pending = "";
    let last = "";
    const onLine = (line: string) => {
      if (line.trim()) last = line;
      progress(line);
    };
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      const parts = (pending + chunk).split("\n");
      pending = parts.pop() ?? "";
      for (const line of parts) onLine(line);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (pending) onLine(pending);
      if (code === 0) resolve(stdout.trim().split("\n").pop() as string);
      else reject(new Error(`scripts/pulumi.sh ensure failed (${signal ?? `exit ${code}`}): ${last}`));
    });
  });
}

/**
 * The offline environment of one engine run: backend in `stateDir` (created if missing), no update
 * checks, no plugin downloads.
 */
export function offlineEnvironment(bin: string, stateDir: string, passphrase: string): Record<string, string> {
  mkdirSync(stateDir, { recursive: true });
  return {
    ...privatePulumiHome(bin),
    PATH: [bin, path.join(REPO_ROOT, "node_modules/@pulumi/pulumi"), ...userPath()].join(path.delimiter),
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    // The tests' stacks share the lock on this machine: not warned of as a container's (a test sets 1).
    KOODRIVE_CONTAINER: "0",
  };
}

/**
 * The caller's PATH without the `node_modules/.bin` folders npm puts first for its scripts: a user's
 * engine does not see this repository's own bins (such as `pulumi-resource-koodrive`).
 */
function userPath(): string[] {
  return (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => dir && !/node_modules[\\/]\.bin[\\/]?$/.test(dir));
}

/**
 * The built engine's own Pulumi home (scripts/pulumi.sh keeps it next to `bin`, with the built
 * `command` plugin), so its runs never touch the user's ~/.pulumi; undefined for an installed CLI,
 * which uses the user's.
 */
export function builtEngineHome(bin: string): string | undefined {
  const home = path.join(path.dirname(bin), "pulumi-home");
  return path.basename(bin) === "bin" && existsSync(home) ? home : undefined;
}

function privatePulumiHome(bin: string): Record<string, string> {
  const home = builtEngineHome(bin);
  return home ? { PULUMI_HOME: home } : {};
}

/**
 * The Automation API's handle on the CLI in `bin`. It wants `<root>/bin/pulumi`, so a CLI in a folder
 * named otherwise is reached through a `bin` link in a folder of this repository.
 */
export async function pulumiCommand(bin: string): Promise<PulumiCommand> {
  let root = path.dirname(bin);
  if (path.basename(bin) !== "bin") {
    root = path.join(REPO_ROOT, "node_modules/.cache/pulumi-koodrive-cli");
    mkdirSync(root, { recursive: true });
    rmSync(path.join(root, "bin"), { force: true });
    symlinkSync(bin, path.join(root, "bin"));
  }
  // PulumiCommand.get runs `pulumi version` with this process's environment, and Pulumi logs every
  // command into its home (`logs/`): for the built engine that must be its own, not ~/.pulumi.
  const home = builtEngineHome(bin);
  const previous = process.env.PULUMI_HOME;
  if (home) process.env.PULUMI_HOME = home;
  try {
    return await PulumiCommand.get({ root, skipVersionCheck: true });
  } finally {
    if (previous === undefined) delete process.env.PULUMI_HOME;
    else process.env.PULUMI_HOME = previous;
  }
}
