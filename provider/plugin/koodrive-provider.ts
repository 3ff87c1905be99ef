/**
 * What the provider plugin does, on plain values: the `koodrive` provider's configuration, the
 * `CapacityGuard` resource and the `getServiceUsage` function. The work itself is the dynamic
 * provider's (../runtime.ts): the same read cache, plan evaluation and messages.
 */

import { CONNECTION_KEYS } from "../client/connection-settings";
import { PLAN_FIELDS } from "../client/plan-schema";
import { unknownValue } from "../protocol";
import type { ResourceMethods } from "../resource-inputs";
import { readFigures } from "../resource-inputs";
import { createRuntime } from "../runtime";
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
  /** The dynamic provider's runtime, with a state of this process's own: config, read cache, guard ledger. */
  readonly #runtime = createRuntime();
  readonly #guard: ResourceMethods = this.#runtime.capacityGuard;
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
    this.#runtime.configure({
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
    // The dynamic guard's check, on its inputs: the plan, the guard's name and the provider's connection.
    const plan = Object.fromEntries(Object.entries(news).filter(([key]) => (PLAN_FIELDS as string[]).includes(key)));
    const asDynamic = (values: Values) => ({ ...values, kind: "CapacityGuard" });
    const result = await this.#guard.check(Object.keys(olds).length > 0 ? asDynamic(olds) : {}, {
      ...asDynamic(plan),
      guardName: nameOfUrn(urn),
      connection: this.#connection(),
    });
    const { kind: _kind, guardName: _name, connection: _connection, ...inputs } = result.inputs;
    return { inputs, failures: [...(result.failures ?? [])], log: guardLog(inputs, plan.enforcement) };
  }

  /** `Diff`: an update whenever the figures, plan or verdict differ from the state. */
  async diff(olds: Values, news: Values): Promise<{ changes: boolean }> {
    return this.#guard.diff("", olds, news);
  }

  /** `Create`: nothing exists in KooDrive; the state records the check's verdict. */
  async create(inputs: Values): Promise<{ id: string; outs: Values }> {
    return this.#guard.create(inputs);
  }

  /** `Update`: the state takes the new verdict and figures. */
  async update(news: Values): Promise<Values> {
    return (await this.#guard.update("", {}, news)).outs;
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
    const { props } = await this.#guard.read(id, state);
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
    const figures = await readFigures(this.#runtime.state, {});
    if (figures.read === "done") return { outputs: { ...figures.usage }, failures: [] };
    const reason = figures.read === "failed" ? figures.error : `${figures.unknown.join(", ")} not known yet`;
    return { outputs: {}, failures: [{ property: "", reason: `cannot read KooDrive usage: ${reason}` }] };
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
