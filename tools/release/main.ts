/**
 * `npm run dist`: writes the provider plugin's tarballs into release/ (tools/release/plugin-release.ts).
 *
 *   npm run dist                              every platform of RELEASE_PLATFORMS
 *   npm run dist -- --platform linux-amd64    only the platforms named (repeatable)
 */
import path from "node:path";
import { buildPluginRelease, RELEASE_PLATFORMS } from "./plugin-release";

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
  for (const tarball of await buildPluginRelease(platformsOf(process.argv.slice(2)))) {
    const size = `${(tarball.bytes / 1024 / 1024).toFixed(1)} MiB`;
    process.stdout.write(
      `${path.relative(process.cwd(), tarball.file)}  ${size}${tarball.cached ? "  (cached)" : ""}\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run dist: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
