/**
 * The public surface of each package entry, as API Extractor reports it from the built `.d.ts`: one
 * committed `api/<entry>.api.md` per entry of `package.json`'s `exports` (ENTRIES). A change of what an
 * entry exports, or of an exported signature, changes its report, so it shows in review.
 *
 *   npm run api              builds, then writes every report (after a change of the public surface)
 *   npm run api -- --check   builds, then fails, naming each entry, when a committed report is not what
 *                            the build gives (or is missing, or names no entry); writes nothing
 *
 * The run needs the build in dist/ (`npm run api` builds first); test/package/api-report.test.ts runs
 * the check in the unit tier.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  Extractor,
  ExtractorConfig,
  ExtractorLogLevel,
  type ExtractorMessage,
  type IConfigFile,
} from "@microsoft/api-extractor";
import { REPO_ROOT } from "../repo-root";

/** A package entry: its report's name (api/<name>.api.md), its import path and its built declarations. */
export interface ApiEntry {
  name: string;
  /** What a program imports. */
  specifier: string;
  /** The entry's declarations in the build, from the repository root. */
  declarations: string;
}

/** Every entry of `package.json`'s `exports` (its `./package.json` aside), in its order, with its report's name. */
export const ENTRIES: readonly ApiEntry[] = [
  { name: "pulumi-koodrive", specifier: "pulumi-koodrive", declarations: "dist/sdk/nodejs/index.d.ts" },
  {
    name: "provider-runtime",
    specifier: "pulumi-koodrive/provider-runtime",
    declarations: "dist/provider/dynamic/runtime.d.ts",
  },
  { name: "client", specifier: "pulumi-koodrive/client", declarations: "dist/sdk/nodejs/client.d.ts" },
  { name: "policy", specifier: "pulumi-koodrive/policy", declarations: "dist/policy/index.d.ts" },
  { name: "sim", specifier: "pulumi-koodrive/sim", declarations: "dist/sim/index.d.ts" },
];

/** The folder of the committed reports. */
export const API_FOLDER = path.join(REPO_ROOT, "api");

const reportFile = (entry: ApiEntry): string => `${entry.name}.api.md`;

/**
 * The settings of one entry's run: a report only (no rollup, no doc model). The package's doc comments
 * are not TSDoc (`@integer`), so TSDoc's messages are off; a signature that names a type the entry
 * does not export (`ae-forgotten-export`) is written into the report, where review sees it.
 */
function configOf(entry: ApiEntry, folder: string): IConfigFile {
  return {
    projectFolder: REPO_ROOT,
    mainEntryPointFilePath: path.join(REPO_ROOT, entry.declarations),
    compiler: {
      overrideTsconfig: {
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2022"],
          module: "nodenext",
          moduleResolution: "nodenext",
          types: ["node"],
          strict: true,
          skipLibCheck: true,
        },
        files: [path.join(REPO_ROOT, entry.declarations)],
      },
    },
    apiReport: {
      enabled: true,
      reportFileName: reportFile(entry),
      reportFolder: folder,
      reportTempFolder: folder,
      includeForgottenExports: true,
    },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    newlineKind: "lf",
    messages: {
      compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Error } },
      extractorMessageReporting: {
        default: { logLevel: ExtractorLogLevel.Warning, addToApiReportFile: true },
        "ae-missing-release-tag": { logLevel: ExtractorLogLevel.None, addToApiReportFile: false },
        "ae-forgotten-export": { logLevel: ExtractorLogLevel.None, addToApiReportFile: true },
      },
      tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
    },
  };
}

/** The report the build gives for `entry`; throws naming the entry when API Extractor reports an error. */
export function reportOf(entry: ApiEntry): string {
  const folder = mkdtempSync(path.join(tmpdir(), "koodrive-api-"));
  try {
    const config = ExtractorConfig.prepare({
      configObject: configOf(entry, folder),
      configObjectFullPath: undefined,
      packageJsonFullPath: path.join(REPO_ROOT, "package.json"),
    });
    const problems: string[] = [];
    const result = Extractor.invoke(config, {
      localBuild: true,
      messageCallback: (message: ExtractorMessage) => {
        if (message.logLevel === ExtractorLogLevel.Error || message.logLevel === ExtractorLogLevel.Warning) {
          problems.push(message.formatMessageWithLocation(REPO_ROOT));
        }
        message.handled = true;
      },
    });
    if (!result.succeeded || problems.length > 0) {
      throw new Error(`API Extractor on ${entry.specifier} (${entry.declarations}):\n${problems.join("\n")}`);
    }
    return readFileSync(path.join(folder, reportFile(entry)), "utf8");
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * What is wrong with the reports in `folder` (the committed ones by default) for `entries`, one line
 * per entry or file, naming it; none when they are what the build gives.
 */
export function staleReports(folder = API_FOLDER, entries: readonly ApiEntry[] = ENTRIES): string[] {
  const problems: string[] = [];
  const shown = (name: string): string => path.relative(REPO_ROOT, path.join(folder, name));
  for (const entry of entries) {
    const file = path.join(folder, reportFile(entry));
    let committed: string | undefined;
    try {
      committed = readFileSync(file, "utf8");
    } catch {
      committed = undefined;
    }
    if (committed === undefined)
      problems.push(`${shown(reportFile(entry))} is missing: ${entry.specifier} has no report`);
    else if (committed !== reportOf(entry)) {
      problems.push(`${shown(reportFile(entry))} is out of date: the public surface of ${entry.specifier} changed`);
    }
  }
  const known = new Set(entries.map(reportFile));
  for (const name of existsSync(folder) ? readdirSync(folder) : []) {
    if (!known.has(name)) problems.push(`${shown(name)} is the report of no entry: remove it`);
  }
  return problems;
}

function main(args: string[]): void {
  const unknown = args.filter((arg) => arg !== "--check");
  if (unknown.length > 0) {
    process.stderr.write(`report: unknown argument ${unknown.join(" ")}; usage: npm run api [-- --check]\n`);
    process.exitCode = 2;
    return;
  }
  if (args.includes("--check")) {
    const problems = staleReports();
    if (problems.length > 0) {
      process.stderr.write(
        `${problems.join("\n")}\nRun \`npm run api\` and commit api/ with the change (CONTRIBUTING.md, "The public API").\n`,
      );
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`api/: the ${ENTRIES.length} reports are up to date\n`);
    return;
  }
  mkdirSync(API_FOLDER, { recursive: true });
  for (const entry of ENTRIES) {
    writeFileSync(path.join(API_FOLDER, reportFile(entry)), reportOf(entry));
    process.stdout.write(`wrote api/${reportFile(entry)} (${entry.specifier})\n`);
  }
}

if (require.main === module) main(process.argv.slice(2));
