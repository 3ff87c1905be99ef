/**
 * `npm run dist`: writes the tarballs of the provider plugin and of koodrive-usage, each a Node-free
 * executable per platform, into release/ (tools/release/executables.ts).
 *
 *   npm run dist                              every platform of RELEASE_PLATFORMS
 *   npm run dist -- --platform linux-amd64    only the platforms named (repeatable)
 *
 * It says what it builds as it goes (stderr), prints each tarball and writes release/SHA256SUMS.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildRelease, RELEASE_PLATFORMS, RELEASE_PROGRAMS } from "./executables";

/** The checksum file beside the tarballs: `sha256sum` format, the tarballs this run wrote. */
const SUMS_FILE = "SHA256SUMS";

function sha256Of(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** The platforms the arguments name (all of them without `--platform`). */
function platformsOf(args: string[]) {
  const names: string[] = [];
  for (let i = 0; i < args.length; i += 2) {
    const [flag, name] = [args[i], args[i + 1]];
    if (flag !== "--platform" || !name) {
      throw new Error(
        `unknown argument "${flag}"; use --platform NAME (NAME: ${RELEASE_PLATFORMS.map((p) => p.name).join(", ")})`,
      );
    }
    names.push(name);
  }
  return names.length === 0
    ? RELEASE_PLATFORMS
    : names.map((name) => {
        const platform = RELEASE_PLATFORMS.find((candidate) => candidate.name === name);
        if (!platform)
          throw new Error(
            `no platform "${name}"; the platforms are ${RELEASE_PLATFORMS.map((p) => p.name).join(", ")}`,
          );
        return platform;
      });
}

async function main(): Promise<void> {
  const platforms = platformsOf(process.argv.slice(2));
  const say = (line: string) => process.stderr.write(`npm run dist: ${line}\n`);
  say(
    `building ${RELEASE_PROGRAMS.map((p) => p.name).join(" and ")} for ${platforms.map((p) => p.name).join(", ")} into release/`,
  );
  const started = Date.now();
  const tarballs = [];
  for (const program of RELEASE_PROGRAMS)
    tarballs.push(...(await buildRelease(program, platforms, undefined, undefined, say)));
  for (const tarball of tarballs) {
    const size = `${(tarball.bytes / 1024 / 1024).toFixed(1)} MiB`;
    process.stdout.write(
      `${path.relative(process.cwd(), tarball.file)}  ${size}${tarball.cached ? "  (cached)" : ""}\n`,
    );
  }
  const sums = path.join(path.dirname(tarballs[0]?.file ?? "release/x"), SUMS_FILE);
  writeFileSync(sums, tarballs.map((t) => `${sha256Of(t.file)}  ${path.basename(t.file)}\n`).join(""));
  process.stdout.write(`${path.relative(process.cwd(), sums)}  (sha256sum -c ${SUMS_FILE} checks them)\n`);
  say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run dist: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
