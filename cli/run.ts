import path from "node:path";
import { ConfigurationError, InvocationError, isKooDriveError } from "../provider/client/errors";
import { cacheFolder } from "../provider/config/cache-folder";
import { credentialKeys, variableOf } from "../provider/config/connection-settings";
import { machineHistory, type RunHistory } from "../provider/tenant/history";
import { KooDriveClient } from "../sdk/nodejs/client";
import { type CliOptions, parseCliArgs, parseReportArgs } from "./args";
import { runDb } from "./db";
import { EXIT_CODES } from "./exit-codes";
import { HELP_TEXT } from "./help";
import { type CliOutput, exitCodeOf, observe, oneLine } from "./observe";
import { formatPlanOutcome, planDiagnostics } from "./plan-output";
import { type Recording, startRecording } from "./record";
import { writeReport } from "./report";
import { formatRunway, formatUsageSummary } from "./summary";

type Environment = Readonly<Record<string, string | undefined>>;

/** What the CLI says when nothing at all was given for the endpoint or the credentials: the flag or variables to set. */
const MISSING: Record<"endpoint" | "credentials", string> = {
  endpoint: `no endpoint: pass --endpoint cn, intl or a base URL, or set ${variableOf("endpoint")}`,
  credentials: `no credentials: set ${credentialKeys("token").map(variableOf).join(", ")}, or ${credentialKeys("app")
    .map(variableOf)
    .join(", ")
    .replace(/, ([^,]*)$/, " and $1")}, in the environment`,
};

/** Prints the usage as asked (readable, or `--json`), and the plan's diagnostics; returns the exit code. */
async function printUsage(
  client: KooDriveClient,
  options: CliOptions,
  out: CliOutput,
  machine: RunHistory,
): Promise<number> {
  const { usage, history, evaluation } = await observe(client, options, out, machine);
  if (options.json) {
    out.stdout(JSON.stringify(evaluation ? { ...usage, plan: evaluation } : usage, null, 2));
  } else {
    out.stdout(formatUsageSummary(usage, client.endpoint));
    if (usage.runway) out.stdout(`\n${formatRunway(usage.runway, history)}`);
    if (evaluation) out.stdout(`\n${formatPlanOutcome(evaluation)}`);
  }
  if (evaluation) for (const line of planDiagnostics(evaluation)) out.stderr(line);
  return exitCodeOf(evaluation);
}

function failure(error: unknown, out: CliOutput): number {
  const missing = error instanceof ConfigurationError ? error.missing : undefined;
  const message = missing ? MISSING[missing] : error instanceof Error ? error.message : String(error);
  out.stderr(`koodrive-usage: ${oneLine(message)}`);
  const invocation =
    error instanceof InvocationError || (isKooDriveError(error) && error.code === "ERR_KOODRIVE_CONFIGURATION");
  return invocation ? EXIT_CODES.badInvocation : EXIT_CODES.usageUnreadable;
}

/** The whole `koodrive-usage` command (and its `db` and `report` commands): flags and environment in, output and exit code out. */
export async function run(argv: readonly string[], env: Environment, out: CliOutput): Promise<number> {
  let client: KooDriveClient | undefined;
  let recording: Recording | undefined;
  try {
    if (argv[0] === "db") return await runDb(argv.slice(1), env, out);
    const options = argv[0] === "report" ? parseReportArgs(argv.slice(1)) : parseCliArgs(argv);
    if (options.help) {
      out.stdout(HELP_TEXT.trimEnd());
      return EXIT_CODES.ok;
    }
    recording = options.record === undefined ? undefined : await startRecording(options.record);
    client = new KooDriveClient(
      {
        endpoint: options.endpoint,
        timeoutMs: options.timeoutMs,
        retries: options.retries,
        usedSpaceUnit: options.usedSpaceUnit,
        env,
      },
      recording?.observe,
    );
    const machine = machineHistory(path.join(cacheFolder(env), "history"), env);
    return "report" in options
      ? await writeReport(client, options, env, out, machine)
      : await printUsage(client, options, out, machine);
  } catch (error) {
    return failure(error, out);
  } finally {
    await client?.close();
    if (recording) await saveRecording(recording, out);
  }
}

/** Writes what was recorded, the answers of a failed read included: those are what a bug report needs. */
async function saveRecording(recording: Recording, out: CliOutput): Promise<void> {
  const { dir } = recording;
  try {
    const files = await recording.save();
    out.stderr(`recorded ${files.length} answer${files.length === 1 ? "" : "s"} in ${dir}: ${files.join(", ")}`);
  } catch (error) {
    out.stderr(`warning: the recording could not be written to ${dir} (${oneLine((error as Error).message)})`);
  }
}
