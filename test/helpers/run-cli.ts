import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path, { resolve } from "node:path";

/** The compiled `koodrive-usage` entry point. */
export const CLI_PATH = resolve(__dirname, "../../cli/koodrive-usage.js");

/** What a CLI run produced. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node dist/cli/koodrive-usage.js ...args` as a child process, asynchronously (so that a server in
 * this process can answer it), with `env` as its whole environment besides PATH, in `cwd` when given.
 */
export function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  cwd?: string,
): Promise<CliRun> {
  return runExecutable(process.execPath, [CLI_PATH, ...args], env, cwd);
}

/**
 * Runs `file ...args` as `runCli` runs the CLI: `env` its whole environment besides PATH (this
 * process's PATH unless `env` sets one), in `cwd` when given; a release executable, say. Unless `env`
 * names one, the run has a cache folder of its own (`XDG_CACHE_HOME`), removed after it: the tenants'
 * histories of other tests stay out of its runway.
 */
export function runExecutable(
  file: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  cwd?: string,
): Promise<CliRun> {
  const cache = env.XDG_CACHE_HOME ? undefined : mkdtempSync(path.join(os.tmpdir(), "koodrive-cli-cache-"));
  const cacheHome = cache ? { XDG_CACHE_HOME: cache } : {};
  return new Promise((done) => {
    execFile(
      file,
      args,
      { env: { PATH: process.env.PATH ?? "", ...cacheHome, ...env }, cwd },
      (error, stdout, stderr) => {
        if (cache) rmSync(cache, { recursive: true, force: true });
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}
