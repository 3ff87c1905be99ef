import { KooDriveClient } from "../provider/client/client";
import { isKooDriveError } from "../provider/client/errors";
import { evaluatePlan } from "../provider/client/plan";
import { ENVIRONMENT_VARIABLES } from "../provider/client/settings";
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

const CREDENTIAL_VARIABLES = [
  ENVIRONMENT_VARIABLES.accessToken,
  ENVIRONMENT_VARIABLES.appId,
  ENVIRONMENT_VARIABLES.appSecret,
  ENVIRONMENT_VARIABLES.userId,
];

const isSet = (value: string | undefined): boolean => value !== undefined && value.trim() !== "";

/** The CLI's own wording for what is missing; the SDK validates everything else. */
function checkConfiguration(options: CliOptions, env: Environment): void {
  if (!isSet(options.endpoint) && !isSet(env[ENVIRONMENT_VARIABLES.endpoint])) {
    throw new InvocationError(
      `no endpoint: pass --endpoint cn, intl or a base URL, or set ${ENVIRONMENT_VARIABLES.endpoint}`,
    );
  }
  if (!CREDENTIAL_VARIABLES.some((name) => isSet(env[name]))) {
    throw new InvocationError(
      `no credentials: set ${ENVIRONMENT_VARIABLES.accessToken}, or ${ENVIRONMENT_VARIABLES.appId}, ${ENVIRONMENT_VARIABLES.appSecret} and ${ENVIRONMENT_VARIABLES.userId}, in the environment`,
    );
  }
}

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
  const message = error instanceof Error ? error.message : String(error);
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
    checkConfiguration(options, env);
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
