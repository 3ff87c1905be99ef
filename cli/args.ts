import { type ParseArgsConfig, parseArgs } from "node:util";
import { POOL_FIGURES, type PoolKey } from "../provider/capacity/figures";
import type { GuardPlan, PlannedSpaceGB } from "../provider/capacity/plan";
import { CapacityPlanSchema, type CheckedPlan } from "../provider/capacity/plan-schema";
import { InvocationError } from "../provider/client/errors";
import { parseWholeNumber, wholeNumberProblem, wholeNumberRange } from "../provider/client/whole-number";
import { describeIssues } from "../provider/client/zod-issues";
import { variableOf } from "../provider/config/connection-settings";
import { MAX_DELAY_MS, MAX_RETRIES } from "../provider/config/settings";

/** What the flags ask for. */
export interface CliOptions {
  help: boolean;
  json: boolean;
  endpoint?: string;
  timeoutMs?: number;
  retries?: number;
  usedSpaceUnit?: string;
  /** `--history FILE`: the JSON-lines file the reading is appended to and the runway forecast from. */
  history?: string;
  /** `--record DIR`: the folder each answer KooDrive gives is written to, credentials redacted. */
  record?: string;
  /** Present when any plan flag was given. */
  plan?: CheckedPlan;
}

/** What `koodrive-usage report` is asked to write. */
export interface ReportTargets {
  /** `--html FILE`: the self-contained page. */
  html?: string;
  /** `--markdown`: the Markdown report on stdout (and appended to `$GITHUB_STEP_SUMMARY` when set). */
  markdown: boolean;
}

/** What the flags of `koodrive-usage report` ask for: the command's, `--history` required, and the targets. */
export interface ReportOptions extends Omit<CliOptions, "json" | "history"> {
  history: string;
  report: ReportTargets;
}

/** A field of the plan (CapacityPlanSchema) that a flag sets, and the largest value the flag takes. */
type PlanFlag =
  | { field: Exclude<keyof GuardPlan, "plannedSpaceGB" | "enforcement">; max?: number }
  | { field: "plannedSpaceGB"; pool: keyof PlannedSpaceGB };

/** A flag per pool of the table: `--plan-<pool>-gb`. */
const POOL_FLAGS = Object.fromEntries(
  POOL_FIGURES.map((row) => [`plan-${row.planKey}-gb`, { field: "plannedSpaceGB", pool: row.planKey }]),
) as { [Pool in PoolKey as `plan-${Pool}-gb`]: { field: "plannedSpaceGB"; pool: Pool } };

/** The plan flags: the command line's names for the plan's fields (every one but `enforcement`). */
const PLAN_FLAGS = {
  "plan-users": { field: "plannedUsers" },
  ...POOL_FLAGS,
  "min-free-seats": { field: "minFreeSeats" },
  "min-free-gb": { field: "minFreeGB" },
  "warn-at-percent": { field: "warnAtPercent", max: 100 },
  "min-runway-days": { field: "minRunwayDays" },
} as const satisfies Record<string, PlanFlag>;

// Compile-time check: every field of the plan but its enforcement has a flag.
const everyFieldHasAFlag: Exclude<
  keyof GuardPlan,
  "enforcement"
> extends (typeof PLAN_FLAGS)[keyof typeof PLAN_FLAGS]["field"]
  ? true
  : never = true;
void everyFieldHasAFlag;

/** The flags `koodrive-usage` accepts, as `node:util` parseArgs options. */
export const FLAGS = {
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
  endpoint: { type: "string" },
  "timeout-ms": { type: "string" },
  retries: { type: "string" },
  "used-space-unit": { type: "string" },
  history: { type: "string" },
  record: { type: "string" },
  ...(Object.fromEntries(Object.keys(PLAN_FLAGS).map((flag) => [flag, { type: "string" }])) as {
    [Flag in keyof typeof PLAN_FLAGS]: { type: "string" };
  }),
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

/** The flags `koodrive-usage report` accepts: the command's but `--json`, and where the report goes. */
export const REPORT_FLAGS = {
  ...(Object.fromEntries(Object.entries(FLAGS).filter(([flag]) => flag !== "json")) as Omit<typeof FLAGS, "json">),
  html: { type: "string" },
  markdown: { type: "boolean" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

/** The values of either command's flags (a flag the command does not take is undefined). */
type Values = Partial<
  ReturnType<typeof parseArgs<{ options: typeof FLAGS & typeof REPORT_FLAGS; strict: true }>>["values"]
>;
type NumericFlag = Exclude<keyof typeof FLAGS, "help" | "json" | "endpoint" | "used-space-unit" | "history" | "record">;

/** Flags that look like credentials, and the environment variable to use instead. */
const CREDENTIAL_FLAGS: readonly (readonly [RegExp, string])[] = [
  [/secret|passw/i, variableOf("appSecret")],
  [/app-?id/i, variableOf("appId")],
  [/user-?id/i, variableOf("userId")],
  [/token|bearer|auth|key|credential/i, variableOf("accessToken")],
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

function parseFlags(argv: readonly string[], options: typeof FLAGS | typeof REPORT_FLAGS): Values {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Values;
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

/** A whole number from `min` to `max`, written as plain digits. */
function wholeNumber(values: Values, flag: NumericFlag, min: number, max = Number.MAX_SAFE_INTEGER) {
  const text = values[flag];
  if (text === undefined) return undefined;
  const value = parseWholeNumber(text, min, max);
  if (value === undefined) {
    const problem =
      (/^\d+$/.test(text) && wholeNumberProblem(Number(text), min, max)) || `must be ${wholeNumberRange(min, max)}`;
    throw new InvocationError(`--${flag} ${problem}, got "${text}"`);
  }
  return value;
}

/** The plan the plan flags describe, checked by the plan's schema; undefined when no plan flag was given. */
function planOf(values: Values): CheckedPlan | undefined {
  const flags = Object.entries(PLAN_FLAGS) as [keyof typeof PLAN_FLAGS, PlanFlag][];
  if (!flags.some(([flag]) => values[flag] !== undefined)) return undefined;
  const plan: Record<string, unknown> = { plannedSpaceGB: {} };
  for (const [flag, target] of flags) {
    const value = wholeNumber(values, flag, 0, "max" in target ? target.max : undefined);
    if ("pool" in target) (plan.plannedSpaceGB as PlannedSpaceGB)[target.pool] = value;
    else plan[target.field] = value;
  }
  const parsed = CapacityPlanSchema.safeParse(plan);
  if (!parsed.success) throw new InvocationError(`${describeIssues(parsed.error)}; see koodrive-usage --help`);
  return parsed.data;
}

/** The options both commands share, from their parsed flags. */
function optionsOf(values: Values): CliOptions {
  const plan = planOf(values);
  if (plan?.minRunwayDays !== undefined && values.history === undefined) {
    throw new InvocationError(
      "--min-runway-days needs --history FILE: the runway is forecast from the readings kept in that file",
    );
  }
  return {
    help: values.help ?? false,
    json: values.json ?? false,
    endpoint: values.endpoint,
    timeoutMs: wholeNumber(values, "timeout-ms", 1, MAX_DELAY_MS),
    retries: wholeNumber(values, "retries", 0, MAX_RETRIES),
    usedSpaceUnit: values["used-space-unit"],
    history: values.history,
    record: values.record,
    plan,
  };
}

/** Reads the command line; throws `InvocationError` for anything it cannot accept. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  refuseCredentialFlags(argv);
  return optionsOf(parseFlags(argv, FLAGS));
}

/** Reads the command line of `koodrive-usage report` (after the word `report`); throws `InvocationError` for anything it cannot accept. */
export function parseReportArgs(argv: readonly string[]): ReportOptions | { help: true } {
  refuseCredentialFlags(argv);
  const values = parseFlags(argv, REPORT_FLAGS);
  const { json: _json, history, ...options } = optionsOf(values);
  if (options.help) return { help: true };
  if (history === undefined) {
    throw new InvocationError(
      "report needs --history FILE: it draws the readings kept in that file and the runway forecast from them",
    );
  }
  if (values.html === undefined && !values.markdown) {
    throw new InvocationError("report needs --html PAGE, --markdown or both: say what to write");
  }
  return { ...options, history, report: { html: values.html, markdown: values.markdown ?? false } };
}
