import { type ParseArgsConfig, parseArgs } from "node:util";
import type { CapacityPlan } from "../provider/client/plan";
import { ENVIRONMENT_VARIABLES, MAX_DELAY_MS, MAX_RETRIES } from "../provider/client/settings";

/** A mistake in the flags or the configuration (exit 2); the message says what is wrong and what to do. */
export class InvocationError extends Error {
  override readonly name = "InvocationError";
}

/** What the flags ask for. */
export interface CliOptions {
  help: boolean;
  json: boolean;
  endpoint?: string;
  timeoutMs?: number;
  retries?: number;
  usedSpaceUnit?: string;
  /** Present when any plan flag was given. */
  plan?: CapacityPlan;
}

/** The flags `koodrive-usage` accepts, as `node:util` parseArgs options. */
export const FLAGS = {
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
  endpoint: { type: "string" },
  "timeout-ms": { type: "string" },
  retries: { type: "string" },
  "used-space-unit": { type: "string" },
  "plan-users": { type: "string" },
  "plan-dept-gb": { type: "string" },
  "plan-personal-gb": { type: "string" },
  "plan-group-gb": { type: "string" },
  "min-free-seats": { type: "string" },
  "min-free-gb": { type: "string" },
  "warn-at-percent": { type: "string" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

type Values = ReturnType<typeof parseArgs<{ options: typeof FLAGS; strict: true }>>["values"];
type NumericFlag = Exclude<keyof typeof FLAGS, "help" | "json" | "endpoint" | "used-space-unit">;

/** Flags that look like credentials, and the environment variable to use instead. */
const CREDENTIAL_FLAGS: readonly (readonly [RegExp, string])[] = [
  [/secret|passw/i, ENVIRONMENT_VARIABLES.appSecret],
  [/app-?id/i, ENVIRONMENT_VARIABLES.appId],
  [/user-?id/i, ENVIRONMENT_VARIABLES.userId],
  [/token|bearer|auth|key|credential/i, ENVIRONMENT_VARIABLES.accessToken],
];

/** Refuses credential-looking flags before anything else, without ever repeating their value. */
function refuseCredentialFlags(argv: readonly string[]): void {
  const end = argv.indexOf("--");
  for (const arg of end === -1 ? argv : argv.slice(0, end)) {
    const name = /^--?([^=]+)/.exec(arg)?.[1];
    const variable = name && CREDENTIAL_FLAGS.find(([pattern]) => pattern.test(name))?.[1];
    if (variable) {
      throw new InvocationError(
        `--${name} is not accepted: credentials on the command line leak into shell history and process lists; set ${variable} in the environment instead`,
      );
    }
  }
}

function parseFlags(argv: readonly string[]): Values {
  try {
    return parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const code = (error as { code?: string }).code;
    // Positional arguments are not echoed: a pasted token would end up on the terminal.
    const what =
      code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL"
        ? "unexpected argument: this command takes flags only"
        : (error as Error).message.trim().replace(/\.$/, "");
    throw new InvocationError(`${what}; see koodrive-usage --help`);
  }
}

/** A whole number ≥ `min` (and ≤ `max`), written as plain digits. */
function wholeNumber(values: Values, flag: NumericFlag, min: number, max = Number.MAX_SAFE_INTEGER) {
  const text = values[flag];
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`;
    throw new InvocationError(`--${flag} must be ${range}, got "${text}"`);
  }
  return value;
}

function planOf(values: Values): CapacityPlan | undefined {
  const plan: CapacityPlan = {
    users: wholeNumber(values, "plan-users", 0),
    spaceGB: {
      dept: wholeNumber(values, "plan-dept-gb", 0),
      personal: wholeNumber(values, "plan-personal-gb", 0),
      group: wholeNumber(values, "plan-group-gb", 0),
    },
    minFreeSeats: wholeNumber(values, "min-free-seats", 0),
    minFreeGB: wholeNumber(values, "min-free-gb", 0),
    warnAtPercent: wholeNumber(values, "warn-at-percent", 0, 100),
  };
  const given = Object.keys(values).some((flag) => /^(plan|min|warn)-/.test(flag));
  return given ? plan : undefined;
}

/** Reads the command line; throws `InvocationError` for anything it cannot accept. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  refuseCredentialFlags(argv);
  const values = parseFlags(argv);
  return {
    help: values.help ?? false,
    json: values.json ?? false,
    endpoint: values.endpoint,
    timeoutMs: wholeNumber(values, "timeout-ms", 1, MAX_DELAY_MS),
    retries: wholeNumber(values, "retries", 0, MAX_RETRIES),
    usedSpaceUnit: values["used-space-unit"],
    plan: planOf(values),
  };
}
