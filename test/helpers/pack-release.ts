import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../harness/engine";
import { madeOnce } from "../../harness/made-once";
import { cacheFolder } from "../../provider/config/cache-folder";

const run = promisify(execFile);

/** The last commit of 0.1.0, whose guards recorded no admitted plan. */
export const RELEASE_0_1_0 = "166bc69";
/** The last commit that named `ServiceUsage` records by call order and served every resource with one provider. */
export const CALL_ORDER_NAMES = "6936691";

/**
 * pulumi-koodrive built and packed as it was at `commit`; returns the tarball. A commit's package never
 * changes, so it is built once per machine into `packs/<commit>` of the project's cache folder, and the
 * test processes and legs that want it at the same time wait for the one that builds it.
 */
export async function packAt(commit: string): Promise<string> {
  const dir = path.join(cacheFolder(), "packs", commit);
  const tarball = path.join(dir, "pulumi-koodrive.tgz");
  mkdirSync(dir, { recursive: true });
  await madeOnce(path.join(dir, "packed"), async () => {
    const scratch = mkdtempSync(path.join(tmpdir(), "koodrive-release-"));
    try {
      copyFileSync(await buildAndPack(commit, scratch), tarball);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
  return tarball;
}

/** Builds and packs pulumi-koodrive as it was at `commit`, in `dir`; returns the tarball. */
async function buildAndPack(commit: string, dir: string): Promise<string> {
  const { stdout: archive } = await run("git", ["archive", "--format=tar", commit], {
    cwd: REPO_ROOT,
    encoding: "buffer",
    maxBuffer: 256 * 1024 * 1024,
  });
  const tar = path.join(dir, "source.tar");
  writeFileSync(tar, archive);
  await run("tar", ["-xf", tar, "-C", dir]);
  const options = { cwd: dir, maxBuffer: 64 * 1024 * 1024 };
  await run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], options);
  await run("npm", ["run", "build"], options);
  const { stdout } = await run("npm", ["pack", "--silent", "--ignore-scripts"], options);
  return path.join(dir, stdout.trim().split("\n").pop() as string);
}

/**
 * Installs `tarball` into the program folder's own node_modules, where it shadows the current package
 * of the shared workspace; returns the function that removes it again.
 */
export async function installInto(programDir: string, tarball: string): Promise<() => void> {
  const installed = path.join(programDir, "node_modules", "pulumi-koodrive");
  mkdirSync(installed, { recursive: true });
  await run("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"]);
  return () => rmSync(installed, { recursive: true, force: true });
}
