import { execFile } from "node:child_process";
import { resolve } from "node:path";

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
 * process's PATH unless `env` sets one), in `cwd` when given; a release executable, say.
 */
export function runExecutable(
  file: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  cwd?: string,
): Promise<CliRun> {
  return new Promise((done) => {
    execFile(file, args, { env: { PATH: process.env.PATH ?? "", ...env }, cwd }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}
