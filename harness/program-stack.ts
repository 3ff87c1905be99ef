/**
 * Pulumi programs for the tests and benchmarks, run under the real engine with pulumi-koodrive
 * installed from `npm pack` into the programs' node_modules, as a user installs it.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { engineBinDir, offlineEnvironment, pulumiCommand, REPO_ROOT } from "./engine";
import { madeOnce, OWNER_MARKER, ownedByDeadProcess } from "./made-once";

const run = promisify(execFile);
const DEV_DEPENDENCIES = (require(path.join(REPO_ROOT, "package.json")) as { devDependencies: Record<string, string> })
  .devDependencies;
/**
 * What a program needs beside pulumi-koodrive, at the versions this repository develops against;
 * KOODRIVE_PULUMI_SDK sets the @pulumi/pulumi version (the test leg's, see scripts/test.sh).
 */
const PROGRAM_DEPENDENCIES = [
  "@pulumi/pulumi",
  "@pulumi/command",
  "@pulumi/policy",
  "typescript",
  "ts-node",
  "@types/node",
].map(
  (name) =>
    `${name}@${name === "@pulumi/pulumi" ? (process.env.KOODRIVE_PULUMI_SDK ?? DEV_DEPENDENCIES[name]) : DEV_DEPENDENCIES[name]}`,
);

/** The passphrase of the program stacks' secrets provider. */
const PROGRAM_PASSPHRASE = "pulumi-koodrive-program-passphrase";

let workspace: Promise<{ root: string; binDir: string }> | undefined;

/**
 * The folder of a test run's one program workspace, shared by every process of the run (mocha's
 * parallel workers): set by the run's global setup (`createSharedWorkspace`), prepared by the first
 * process that needs it.
 */
const SHARED_WORKSPACE_ENV = "KOODRIVE_PROGRAM_WORKSPACE";

async function prepareWorkspace(): Promise<{ root: string; binDir: string }> {
  const binDir = await engineBinDir();
  const shared = process.env[SHARED_WORKSPACE_ENV];
  if (shared) {
    await madeOnce(path.join(shared, ".installed"), () => installPrograms(shared));
    return { root: shared, binDir };
  }
  const root = createWorkspaceFolder();
  await installPrograms(root);
  return { root, binDir };
}

/** A fresh workspace folder under the temp folder, marked as this process's and removed on Ctrl-C/SIGTERM. */
function createWorkspaceFolder(): string {
  removeStaleWorkspaces();
  const root = mkdtempSync(path.join(tmpdir(), WORKSPACE_PREFIX));
  writeFileSync(path.join(root, OWNER_MARKER), String(process.pid));
  removeOnSignal(root);
  return root;
}

/** Installs the packed pulumi-koodrive and the program dependencies into `root`. */
async function installPrograms(root: string): Promise<void> {
  // The test scripts built dist/ already; the legs of a run pack at once, so prepack's rebuild would
  // rewrite dist/ under the other leg's running tests. npm's errors go to stderr, in the error.
  const { stdout: packed } = await run(
    "npm",
    ["pack", "--ignore-scripts", "--loglevel=error", "--pack-destination", root],
    { cwd: REPO_ROOT },
  );
  const tarball = path.join(root, packed.trim().split("\n").pop() as string);
  writeFileSync(path.join(root, "package.json"), JSON.stringify({ name: "koodrive-programs", private: true }));
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball, ...PROGRAM_DEPENDENCIES], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * Creates the empty program workspace a test run's processes share (mocha's global setup calls it
 * before any worker starts, and workers inherit the environment it sets); returns its folder.
 */
export function createSharedWorkspace(): string {
  const root = createWorkspaceFolder();
  process.env[SHARED_WORKSPACE_ENV] = root;
  return root;
}

const WORKSPACE_PREFIX = "koodrive-programs-";
/** A workspace without an owner marker (made by an earlier version) is stale when older than this (ms). */
const UNMARKED_STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Removes workspaces left under the temp folder by earlier runs that were killed: those whose owner
 * process is gone, and unmarked ones older than a day. Returns the folders removed.
 */
export function removeStaleWorkspaces(now = Date.now()): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(WORKSPACE_PREFIX)) continue;
    const dir = path.join(tmpdir(), name);
    try {
      const info = lstatSync(dir);
      if (!info.isDirectory() || info.uid !== process.getuid?.()) continue;
      if (!ownedByDeadProcess(dir) && now - info.mtimeMs < UNMARKED_STALE_AFTER_MS) continue;
    } catch {
      continue;
    }
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

/** On SIGINT/SIGTERM, removes `root`, then dies of the same signal as it would have. */
function removeOnSignal(root: string): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      rmSync(root, { recursive: true, force: true });
      process.kill(process.pid, signal);
    });
  }
}

/** A Pulumi program written to a folder of the shared program workspace. */
export interface ProgramSpec {
  /**
   * Source files by path in the program's folder (`src/index.js` makes `src/`); `index.ts` makes it a
   * TypeScript program, `index.js` a JavaScript one; a `Pulumi.yaml` replaces the default one.
   */
  files: Record<string, string>;
  /** Stack config, e.g. `{ "koodrive:endpoint": { value: url } }`. */
  config?: Record<string, { value: string; secret?: boolean }>;
  /** Extra environment of the engine (and so of the provider process). */
  env?: Record<string, string>;
  /** A backend folder to share with other stacks (StackReference); a fresh one by default. */
  stateDir?: string;
  /**
   * Puts the workspace's `node_modules/.bin` first on the engine's PATH, where installing the package
   * puts `pulumi-resource-koodrive`: the engine then finds the provider plugin as a user's would.
   */
  pluginOnPath?: boolean;
}

/** A stack of a program, and where its state lives. */
export interface ProgramStack {
  stack: Stack;
  dir: string;
  stateDir: string;
  /** The raw files of the state backend, concatenated, for searching. */
  readState(): string;
  /** `pulumi stack export` as a user runs it (secrets stay encrypted, unlike the Automation API's exportStack). */
  exportState(): Promise<string>;
  /** Runs `pulumi ARGS` in the program's folder with the stack's environment (name the stack: `--stack test`). */
  cli(args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** Starts `pulumi ARGS` as `cli` does, as a process the caller can watch and signal. */
  start(args: string[]): ChildProcess;
  remove(): Promise<void>;
}

/** The folder whose node_modules hold the packed pulumi-koodrive and the program dependencies. */
export async function programWorkspaceRoot(): Promise<string> {
  workspace ??= prepareWorkspace();
  return (await workspace).root;
}

/** Deletes the program workspace (its node_modules and every program folder), if one was made. */
export async function removeProgramWorkspace(): Promise<void> {
  if (!workspace) return;
  const { root } = await workspace;
  workspace = undefined;
  rmSync(root, { recursive: true, force: true });
}

/**
 * Writes a policy pack (`files` by name, `PulumiPolicy.yaml` among them) into a folder of the program workspace,
 * whose node_modules hold `@pulumi/policy`, `@pulumi/pulumi` and the packed pulumi-koodrive, as `npm install` in
 * the pack's folder would; returns the folder, for `policyPackArgs`.
 */
export async function createPolicyPack(name: string, files: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(path.join(await programWorkspaceRoot(), `${name}-`));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return dir;
}

/**
 * The arguments that run a policy pack in `pulumi preview` or `pulumi up`, as the docs' "Organisation policy"
 * section writes them: `--policy-pack DIR`, and `--policy-pack-config FILE` when given.
 */
export function policyPackArgs(pack: string, configFile?: string): string[] {
  return ["--policy-pack", pack, ...(configFile ? ["--policy-pack-config", configFile] : [])];
}

/** Source files of an example under examples/, by name. */
export function exampleFiles(example: string, names: string[]): Record<string, string> {
  return Object.fromEntries(
    names.map((name) => [name, readFileSync(path.join(REPO_ROOT, "examples", example, name), "utf8")]),
  );
}

/** Creates a stack for `program` in a fresh folder and backend; the engine is found or built once per run. */
export async function createProgramStack(name: string, program: ProgramSpec): Promise<ProgramStack> {
  workspace ??= prepareWorkspace();
  const { root, binDir } = await workspace;
  const dir = mkdtempSync(path.join(root, `${name}-`));
  const stateDir = program.stateDir ?? path.join(dir, ".state");
  writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\n`);
  for (const [file, text] of Object.entries(program.files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  const envVars = { ...offlineEnvironment(binDir, stateDir, PROGRAM_PASSPHRASE), ...program.env };
  if (program.pluginOnPath) envVars.PATH = [path.join(root, "node_modules/.bin"), envVars.PATH].join(path.delimiter);
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "test", workDir: dir },
    { envVars, pulumiCommand: await pulumiCommand(binDir) },
  );
  if (program.config) await stack.setAllConfig(program.config);
  const options = { cwd: dir, env: { ...process.env, ...envVars } };
  const cli = (args: string[]) => run(path.join(binDir, "pulumi"), args, { ...options, maxBuffer: 64 * 1024 * 1024 });
  return {
    stack,
    dir,
    stateDir,
    readState: () => readTree(stateDir),
    exportState: async () => (await cli(["stack", "export", "--stack", "test"])).stdout,
    cli,
    start: (args) => spawn(path.join(binDir, "pulumi"), args, options),
    remove: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function readTree(dir: string): string {
  return readdirSync(dir)
    .map((entry) => path.join(dir, entry))
    .map((file) => (statSync(file).isDirectory() ? readTree(file) : readFileSync(file, "utf8")))
    .join("\n");
}
