/**
 * What the provider plugin does, on plain values: the `koodrive` provider's configuration, the
 * `CapacityGuard` resource and the `getServiceUsage` function. The work itself is the dynamic
 * provider's (../runtime.ts): the same read cache, plan evaluation and messages.
 */

import { CONNECTION_KEYS } from "../client/settings";
import { unknownValue } from "../protocol";
import * as runtime from "../runtime";
import { isUnknown } from "./values";

/** The schema tokens this plugin serves. */
export const TOKENS = {
  capacityGuard: "koodrive:index:CapacityGuard",
  getServiceUsage: "koodrive:index:getServiceUsage",
} as const;

type Values = Record<string, unknown>;

/** One failed check or call: the property and why. */
export interface Failure {
  property: string;
  reason: string;
}

/** A log line for the engine to show against a resource. */
export interface LogLine {
  severity: "info" | "warning";
  message: string;
}

/** The resource's name: the last part of its URN. */
export function nameOfUrn(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** The `koodrive` provider of one plugin process (the engine starts one process per provider). */
export class KooDriveProvider {
  /** Connection settings the engine does not know yet (an explicit provider's computed input, in preview). */
  #unknownSettings: string[] = [];

  /**
   * `CheckConfig`: the provider's configuration, from `koodrive:*` stack config (default provider) or
   * an explicit provider's arguments. Only the connection settings are kept; each must be a string.
   */
  checkConfig(news: Values): { inputs: Values; failures: Failure[] } {
    const failures: Failure[] = [];
    for (const key of Object.keys(news)) {
      if (key === "version") continue;
      if (!(CONNECTION_KEYS as readonly string[]).includes(key)) {
        failures.push({
          property: key,
          reason: `unknown koodrive setting "${key}"; the settings are ${CONNECTION_KEYS.join(", ")}`,
        });
      } else if (typeof news[key] !== "string" && !isUnknown(news[key])) {
        failures.push({ property: key, reason: `koodrive:${key} must be a string` });
      }
    }
    return { inputs: news, failures };
  }

  /** `Configure`: the settings every read of this provider uses, before the `KOODRIVE_*` environment. */
  configure(config: Values): void {
    this.#unknownSettings = CONNECTION_KEYS.filter((key) => isUnknown(config[key]));
    runtime.configure({
      get: (key) => {
        const value = config[key.slice("koodrive:".length)];
        return typeof value === "string" && !isUnknown(value) ? value : undefined;
      },
    });
  }

  /** The connection as the runtime takes it: nothing to override, but unknown settings named. */
  #connection(): Values {
    return Object.fromEntries(this.#unknownSettings.map((key) => [key, unknownValue]));
  }

  /**
   * `Check` of a guard: judges the plan (known figures, or pending) and returns the plan with the
   * verdict, which the engine shows as outputs in preview. A mandatory guard's violations fail the run.
   */
  async check(
    urn: string,
    olds: Values,
    news: Values,
  ): Promise<{ inputs: Values; failures: Failure[]; log: LogLine[] }> {
    // Only the plan: a program gives nothing else, and the engine's olds carry the previous verdict.
    const plan = Object.fromEntries(Object.entries(news).filter(([key]) => runtime.PLAN_KEYS.includes(key)));
    const { outputs, failures } = await runtime.judgeGuard(olds, plan, this.#connection(), nameOfUrn(urn));
    return { inputs: { ...plan, ...outputs }, failures, log: guardLog(outputs, plan.enforcement) };
  }

  /** `Diff`: an update whenever the figures, plan or verdict differ from the state. */
  async diff(olds: Values, news: Values): Promise<{ changes: boolean }> {
    return runtime.diff("", olds, news);
  }

  /** `Create`: nothing exists in KooDrive; the state records the check's verdict. */
  async create(inputs: Values): Promise<{ id: string; outs: Values }> {
    return runtime.create(inputs);
  }

  /** `Update`: the state takes the new verdict and figures. */
  async update(news: Values): Promise<Values> {
    return (await runtime.update("", {}, news)).outs;
  }

  /**
   * `Read`, for `pulumi refresh` (re-reads the figures) and `pulumi import` (no state yet: the guard
   * is recorded with an empty plan, judged as a check of that plan would judge it, so the import
   * shows no difference; its plan is judged in full at its next update).
   */
  async read(urn: string, id: string, inputs: Values, state: Values): Promise<{ inputs: Values; outs: Values }> {
    if (Object.keys(state).length === 0) {
      const checked = await this.check(urn, {}, {});
      return { inputs: checked.inputs, outs: checked.inputs };
    }
    const { props } = await runtime.read(id, state);
    return { inputs, outs: props };
  }

  /** `Invoke` of `getServiceUsage`: the figures, read once per run; nothing is recorded. */
  async invoke(token: string): Promise<{ outputs: Values; failures: Failure[] }> {
    if (token !== TOKENS.getServiceUsage) {
      return { outputs: {}, failures: [{ property: "", reason: `unknown function ${token}` }] };
    }
    if (this.#unknownSettings.length > 0) {
      const reason = `the provider's ${this.#unknownSettings.join(", ")} ${this.#unknownSettings.length === 1 ? "is" : "are"} not known until the update`;
      return { outputs: {}, failures: [{ property: "", reason }] };
    }
    try {
      return { outputs: { ...(await runtime.readUsage({})) }, failures: [] };
    } catch (error) {
      return {
        outputs: {},
        failures: [{ property: "", reason: `cannot read KooDrive usage: ${runtime.readError(error)}` }],
      };
    }
  }
}

/** What the TypeScript guard logs in the program, said by the provider: advisory verdicts, pending, warnings. */
function guardLog(outputs: Values, enforcement: unknown): LogLine[] {
  const lines: LogLine[] = [];
  const violations = (outputs.violations ?? []) as { message: string }[];
  const warnings = (outputs.warnings ?? []) as { message: string }[];
  if (enforcement === "advisory" && (outputs.status === "exceeds" || outputs.status === "unreadable")) {
    const messages =
      outputs.status === "exceeds" ? violations.map((violation) => violation.message) : [String(outputs.message)];
    for (const message of messages) lines.push({ severity: "warning", message: `advisory capacity guard: ${message}` });
  }
  if (outputs.status === "pending") lines.push({ severity: "info", message: String(outputs.message) });
  for (const warning of warnings) lines.push({ severity: "warning", message: warning.message });
  if (typeof outputs.notice === "string") lines.push({ severity: "info", message: outputs.notice });
  return lines;
}
