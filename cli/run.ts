import { KooDriveClient } from "../provider/client/client";
import { credentialKeys, variableOf } from "../provider/client/connection-settings";
import { ConfigurationError, isKooDriveError } from "../provider/client/errors";
import { evaluatePlan } from "../provider/client/plan";
import { type CliOptions, InvocationError, parseCliArgs } from "./args";
import { EXIT_CODES } from "./exit-codes";
import { HELP_TEXT } from "./help";
import { formatPlanOutcome, planDiagnostics } from "./plan-output";
import { formatUsageSummary } from "./summary";

/** Where the CLI writes; each call is one line or block, without the trailing newline. */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

type Environment = Readonly<Record<string, string | undefined>>;

/** What the CLI says when nothing at all was given for the endpoint or the credentials: the flag or variables to set. */
const MISSING: Record<"endpoint" | "credentials", string> = {
  endpoint: `no endpoint: pass --endpoint cn, intl or a base URL, or set ${variableOf("endpoint")}`,
  credentials: `no credentials: set ${credentialKeys("token").map(variableOf).join(", ")}, or ${credentialKeys("app")
    .map(variableOf)
    .join(", ")
    .replace(/, ([^,]*)$/, " and $1")}, in the environment`,
};

/** Reads the usage, prints it as asked, and judges the plan; returns the exit code. */
async function report(client: KooDriveClient, options: CliOptions, out: CliOutput): Promise<number> {
  const usage = await client.getServiceUsage();
  const evaluation = options.plan && evaluatePlan(usage, options.plan);
  if (options.json) {
    out.stdout(JSON.stringify(evaluation ? { ...usage, plan: evaluation } : usage, null, 2));
  } else {
    out.stdout(formatUsageSummary(usage, client.endpoint));
    if (evaluation) out.stdout(`\n${formatPlanOutcome(evaluation)}`);
  }
  if (evaluation) for (const line of planDiagnostics(evaluation)) out.stderr(line);
  return evaluation && !evaluation.fits ? EXIT_CODES.planExceeded : EXIT_CODES.ok;
}

function failure(error: unknown, out: CliOutput): number {
  const missing = error instanceof ConfigurationError ? error.missing : undefined;
  const message = missing ? MISSING[missing] : error instanceof Error ? error.message : String(error);
  out.stderr(`koodrive-usage: ${message.replace(/\s*\n\s*/g, " ")}`);
  const invocation =
    error instanceof InvocationError || (isKooDriveError(error) && error.code === "ERR_KOODRIVE_CONFIGURATION");
  return invocation ? EXIT_CODES.badInvocation : EXIT_CODES.usageUnreadable;
}

/** The whole `koodrive-usage` command: flags and environment in, output and exit code out. */
export async function run(argv: readonly string[], env: Environment, out: CliOutput): Promise<number> {
  let client: KooDriveClient | undefined;
  try {
    const options = parseCliArgs(argv);
    if (options.help) {
      out.stdout(HELP_TEXT.trimEnd());
      return EXIT_CODES.ok;
    }
    client = new KooDriveClient({
      endpoint: options.endpoint,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      usedSpaceUnit: options.usedSpaceUnit,
      env,
    });
    return await report(client, options, out);
  } catch (error) {
    return failure(error, out);
  } finally {
    await client?.close();
  }
}
