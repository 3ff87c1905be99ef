/**
 * What the provider plugin does, on plain values: the `koodrive` provider's configuration, the
 * `CapacityGuard`, `User` and `Space` resources and the `getServiceUsage` function. The guard is the
 * same guard as the dynamic one (../guard/check.ts), the user the same user (../guard/user.ts) and the
 * space the same space (../guard/space.ts): the same reads, ledger, lock, verdicts and messages.
 */

import { readFileSync } from "node:fs";
import { PLAN_FIELDS } from "../capacity/plan-fields";
import type { Failure } from "../client/errors";
import { CONNECTION_KEYS, type ConnectionKey } from "../config/connection-settings";
import { plaintextConfigWarning, plaintextCredentialsIn, stackConfigFile } from "../config/plaintext-config";
import { isReserveKey, RESERVE_KEYS, reserveProblems } from "../config/reserve-settings";
import { connectionValuesValidator } from "../config/validators";
import type { AdditionVerdict } from "../guard/addition";
import { checkGuard, deployGuard, type GuardRequest, type GuardResult } from "../guard/check";
import { readError, recordReading, refreshRead } from "../guard/reading";
import {
  checkSpace,
  createSpace,
  deleteSpace,
  diffSpace,
  readSpace,
  SPACE_UPDATABLE,
  type SpaceOutputs,
  type SpaceRequest,
  selectorOf,
  updateSpace,
} from "../guard/space";
import { GUARD_TYPES, SPACE_TYPES, USER_TYPES } from "../guard/types";
import {
  checkUser,
  createUser,
  deleteUser,
  diffUser,
  readUser,
  USER_UPDATABLE,
  type UserOutputs,
  type UserRequest,
  updateUser,
} from "../guard/user";
import { engineMayDeploy } from "../process/engine-command";
import type { LogLine } from "../process/engine-log";
import { stableText, type Values } from "../process/protocol";
import { ProviderState, type ProviderStateOptions, type Say } from "../process/provider-state";
import { isUnknown } from "./values";

/** The schema tokens this plugin serves. */
export const TOKENS = {
  capacityGuard: GUARD_TYPES.plugin,
  user: USER_TYPES.plugin,
  space: SPACE_TYPES.plugin,
  getServiceUsage: "koodrive:index:getServiceUsage",
} as const;

/**
 * What a resource's check or deployment answers: the values to record, the failures, the lines to
 * show, and (a created `User` or `Space`) its id.
 */
export interface GuardAnswer {
  inputs: Values;
  failures: Failure[];
  log: LogLine[];
  id?: string;
}

/** The resource type of `urn` (the last of its type chain). */
const typeOfUrn = (urn: string): string | undefined => (urn.split("::")[2] ?? "").split("$").at(-1);

/**
 * The inputs a `Read` of a user or space answers, of its `keys`. On `pulumi import` (no state yet),
 * all that KooDrive holds: the import's check finds the user seated or the space's GB deployed (it
 * takes none), and the code to copy declares it as it is. On refresh, the inputs the program gave
 * take what KooDrive holds now: the next update shows the drift and undoes it.
 */
function readInputs(keys: readonly string[], found: UserOutputs | SpaceOutputs, inputs: Values, state: Values): Values {
  const held: Values = { ...found };
  const importing = Object.keys(state).length === 0;
  const given = keys.filter((key) => (importing ? held[key] : inputs[key]) !== undefined);
  return { ...inputs, ...Object.fromEntries(given.map((key) => [key, held[key]])) };
}

/** True when `urn` is a `User`'s. */
function isUser(urn: string): boolean {
  return typeOfUrn(urn) === TOKENS.user;
}

/** True when `urn` is a `Space`'s. */
function isSpace(urn: string): boolean {
  return typeOfUrn(urn) === TOKENS.space;
}

/** The resource's name: the last part of its URN. */
export function nameOfUrn(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** The plan's fields and the guard's result, as the state records them. */
function recorded(args: Values, result: GuardResult): Values {
  const plan = Object.fromEntries(PLAN_FIELDS.filter((key) => args[key] !== undefined).map((key) => [key, args[key]]));
  return { ...plan, ...result.plan, ...result.outputs };
}

/** The check result of a User or Space: its inputs, failures, and warnings as log lines. */
function additionResult(
  news: Values,
  verdict: AdditionVerdict,
): { inputs: Values; failures: Failure[]; log: LogLine[] } {
  const log = verdict.warnings.map((message): LogLine => ({ severity: "warning", message }));
  return { inputs: news, failures: verdict.failures, log };
}

/** The `koodrive` provider of one plugin process (the engine starts one process per provider). */
export class KooDriveProvider {
  /** Config, read cache, the deployment's ledger and the tenant locks this process holds. */
  readonly state: ProviderState;
  /** Connection settings the engine does not know yet (an explicit provider's computed input, in preview). */
  #unknownSettings: ConnectionKey[] = [];
  /** True once the stack config was looked at for plain-text credentials (once per run). */
  #configLookedAt = false;
  /** Whether the engine may deploy (not `pulumi preview`, `refresh`, `destroy`), once asked: its command line does not change. */
  #deploys: boolean | undefined;

  /** Tells whether the engine may deploy (engine-command.ts; tests pass their own). */
  readonly #mayDeploy: () => boolean;

  /**
   * `engineAddress`: the engine's address the plugin was started with, which tells the deployment;
   * `mayDeploy`: whether the engine may deploy, not `pulumi preview`, `refresh` or `destroy`
   * (default: its command line tells).
   */
  constructor(engineAddress?: string, options: ProviderStateOptions & { mayDeploy?: () => boolean } = {}) {
    const { mayDeploy = engineMayDeploy, ...stateOptions } = options;
    this.state = new ProviderState(engineAddress, stateOptions);
    this.#mayDeploy = mayDeploy;
  }

  /**
   * `CheckConfig`: the provider's configuration, from `koodrive:*` stack config (default provider) or
   * an explicit provider's arguments. Only the connection settings are kept; each must be a string.
   * A setting unknown in preview is said as a warning: the engine does not check the guards of a
   * provider it cannot configure, so they are checked only in the update. For the default provider
   * (`urn`), a credential set in the stack config without `--secret` is warned of, once per run.
   */
  checkConfig(news: Values, urn = ""): { inputs: Values; failures: Failure[]; log: LogLine[] } {
    // Unknown in preview counts as a string: it is one once the engine knows it.
    const { version: _version, ...settings } = news;
    const reserveFailures = reserveProblems(
      Object.fromEntries(Object.entries(settings).filter(([, value]) => !isUnknown(value))),
    );
    const given = Object.fromEntries(
      Object.entries(settings)
        .filter(([key]) => !isReserveKey(key))
        .map(([key, value]) => [key, isUnknown(value) ? "" : value]),
    );
    const parsed = connectionValuesValidator.safeParse(given);
    const failures: Failure[] = (parsed.error?.issues ?? []).flatMap((issue) =>
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => ({
            property: key,
            reason: `unknown koodrive setting "${key}"; the settings are ${[...CONNECTION_KEYS, ...RESERVE_KEYS].join(", ")}`,
          }))
        : [{ property: String(issue.path[0]), reason: `koodrive:${String(issue.path[0])} ${issue.message}` }],
    );
    failures.push(...reserveFailures);
    const unknown = CONNECTION_KEYS.filter((key) => isUnknown(news[key]));
    const log: LogLine[] =
      unknown.length > 0
        ? [
            {
              severity: "warning",
              message: `capacity guards pending: this provider's ${unknown.join(", ")} ${unknown.length === 1 ? "is" : "are"} computed from another resource, so its guards are not checked in this preview; the check runs in the update`,
            },
          ]
        : [];
    return { inputs: news, failures, log: [...log, ...this.#plaintextCredentialWarnings(urn)] };
  }

  /**
   * Warnings for credentials the stack's config file holds in plain text, when `urn` is the default
   * provider's (the one configured from the stack config) and no warning was given yet. The engine
   * takes the secret marks off the configuration it checks, so the file is what tells.
   */
  #plaintextCredentialWarnings(urn: string): LogLine[] {
    if (this.#configLookedAt || !nameOfUrn(urn).startsWith("default")) return [];
    this.#configLookedAt = true;
    let config: string;
    try {
      // The engine starts the plugin in the program's folder.
      config = readFileSync(stackConfigFile(urn, process.cwd()), "utf8");
    } catch {
      return []; // no config file there: nothing set in it
    }
    return plaintextCredentialsIn(config).map((key) => ({
      severity: "warning",
      message: plaintextConfigWarning(key, "the stack's config file"),
    }));
  }

  /** `Configure`: the settings every read of this provider uses, before the `KOODRIVE_*` environment. */
  configure(config: Values): void {
    this.#unknownSettings = CONNECTION_KEYS.filter((key) => isUnknown(config[key]));
    const known = CONNECTION_KEYS.filter((key) => typeof config[key] === "string" && !isUnknown(config[key]));
    this.state.configure(
      Object.fromEntries(known.map((key) => [key, config[key] as string])),
      Object.fromEntries(
        RESERVE_KEYS.filter((key) => config[key] !== undefined && !isUnknown(config[key])).map((key) => [
          key,
          String(config[key]),
        ]),
      ),
    );
  }

  #request(urn: string, olds: Values, news: Values): GuardRequest {
    return {
      urn,
      name: nameOfUrn(urn),
      args: news,
      recorded: olds,
      connection: {},
      unknownSettings: this.#unknownSettings,
    };
  }

  /** A `User` as the user core takes it: the connection is the provider's. */
  #userRequest(urn: string, olds: Values, news: Values): UserRequest {
    return {
      urn,
      name: nameOfUrn(urn),
      args: news,
      // A user in the state (its old inputs) under the same id holds its seat; a new id takes one.
      seated: olds.userId !== undefined && olds.userId === news.userId,
      connection: {},
      unknownSettings: this.#unknownSettings,
    };
  }

  /** A `Space` as the space core takes it: the connection is the provider's. */
  #spaceRequest(urn: string, olds: Values, news: Values): SpaceRequest {
    // A space in the state (its old inputs) of the same owner and type holds its GB; a new one takes them all.
    const same = olds.ownerId === news.ownerId && olds.type === news.type && typeof olds.capacityGB === "number";
    return {
      urn,
      name: nameOfUrn(urn),
      args: news,
      ...(same ? { deployedGB: olds.capacityGB as number } : {}),
      connection: {},
      unknownSettings: this.#unknownSettings,
    };
  }

  /**
   * `Check` of a guard: judges the plan (known figures, or pending) and returns the plan with the
   * verdict, which the engine shows as outputs in preview. A mandatory guard's violations fail the run.
   */
  async check(urn: string, olds: Values, news: Values): Promise<GuardAnswer> {
    if (isUser(urn)) {
      return additionResult(news, await checkUser(this.state, this.#userRequest(urn, olds, news)));
    }
    if (isSpace(urn)) {
      return additionResult(news, await checkSpace(this.state, this.#spaceRequest(urn, olds, news)));
    }
    const result = await checkGuard(this.state, this.#request(urn, olds, news));
    return {
      inputs: recorded(news, result),
      failures: result.failures,
      log: result.log,
    };
  }

  /**
   * `Diff`: an update only when the plan changed (not when the tenant's figures moved). In an update
   * (any engine command but `pulumi preview`, `refresh`, `destroy`: engine-command.ts), a guard whose plan did not change
   * takes the tenant here all the same, and is judged again on figures read under the lock: what
   * depends on it may still add (a retry of a deployment that failed half-way).
   */
  async diff(urn: string, olds: Values, news: Values, say: Say): Promise<{ changes: boolean; replaces?: string[] }> {
    if (isUser(urn)) return diffUser(olds, news);
    if (isSpace(urn)) return diffSpace(olds, news);
    const changes = stableText(olds, PLAN_FIELDS) !== stableText(news, PLAN_FIELDS);
    this.#deploys ??= this.#mayDeploy();
    if (!changes && this.#deploys) await deployGuard(this.state, this.#request(urn, olds, news), say);
    return { changes };
  }

  /**
   * `Create` and `Update` (the update pass only): judged again holding the tenant's lock, with fresh
   * figures; a plan that no longer fits fails here, before anything that depends on the guard.
   */
  async deploy(urn: string, olds: Values, news: Values, say: Say): Promise<GuardAnswer> {
    if (isUser(urn)) {
      const created = Object.keys(olds).length === 0;
      const outputs = created
        ? await createUser(this.state, this.#userRequest(urn, olds, news), say)
        : await updateUser(this.state, {}, news);
      return { inputs: { ...news, ...outputs }, failures: [], log: [], ...(created ? { id: outputs.userId } : {}) };
    }
    if (isSpace(urn)) {
      const created = Object.keys(olds).length === 0;
      const request = this.#spaceRequest(urn, olds, news);
      const outputs = created
        ? await createSpace(this.state, request, say)
        : await updateSpace(this.state, request, String(olds.containerId), say);
      return {
        inputs: { ...news, ...outputs },
        failures: [],
        log: [],
        ...(created ? { id: outputs.containerId } : {}),
      };
    }
    const result = await deployGuard(this.state, this.#request(urn, olds, news), say);
    return { inputs: recorded(news, result), failures: [], log: result.log };
  }

  /**
   * `Read`, for `pulumi refresh` (re-reads the figures, the user or the space) and `pulumi import` (no
   * state yet: a user or space is recorded as KooDrive holds it, deployed; the guard with an empty plan,
   * judged as a check of that plan would judge it; its plan is judged in full at its next update).
   */
  async read(
    urn: string,
    id: string,
    inputs: Values,
    state: Values,
  ): Promise<{ id?: string; inputs: Values; outs: Values }> {
    if (isUser(urn)) {
      const found = await readUser(this.state, {}, String(state.userId ?? id));
      // No id tells the engine the user is gone (deleted outside Pulumi).
      if (!found) return { id: "", inputs: {}, outs: {} };
      return { inputs: readInputs(["userId", ...USER_UPDATABLE], found, inputs, state), outs: { ...state, ...found } };
    }
    if (isSpace(urn)) {
      const found = await readSpace(this.state, {}, String(state.containerId ?? id));
      // No id tells the engine the space is gone (deleted outside Pulumi).
      if (!found) return { id: "", inputs: {}, outs: {} };
      return {
        inputs: readInputs(["ownerId", "type", ...SPACE_UPDATABLE], found, inputs, state),
        outs: { ...state, ...found },
      };
    }
    if (Object.keys(state).length === 0) {
      const checked = await this.check(urn, {}, {});
      const plan = Object.fromEntries(
        PLAN_FIELDS.filter((key) => key in checked.inputs).map((key) => [key, checked.inputs[key]]),
      );
      return { inputs: plan, outs: checked.inputs };
    }
    // The refreshed reading goes into the inputs too, so the next check's history has it.
    const { props, inputs: refreshed } = await refreshRead(this.state)(id, state);
    return { inputs: refreshed ?? inputs, outs: props };
  }

  /**
   * `Delete`: a `User` or a `Space` is deleted in KooDrive (refused while it, or the user's personal
   * spaces, store data, unless `forceDestroy`); a guard has nothing there.
   */
  async delete(urn: string, id: string, state: Values): Promise<void> {
    if (isUser(urn)) await deleteUser(this.state, {}, String(state.userId ?? id), state.forceDestroy === true);
    if (isSpace(urn)) await deleteSpace(this.state, {}, selectorOf(state, id), state.forceDestroy === true);
  }

  /** `Invoke` of `getServiceUsage`: the figures, read once per run, and the runway from the tenant's history (which the reading joins); nothing in the state. */
  async invoke(token: string): Promise<{ outputs: Values; failures: Failure[] }> {
    if (token !== TOKENS.getServiceUsage) {
      return { outputs: {}, failures: [{ property: "", reason: `unknown function ${token}` }] };
    }
    if (this.#unknownSettings.length > 0) {
      const reason = `the provider's ${this.#unknownSettings.join(", ")} ${this.#unknownSettings.length === 1 ? "is" : "are"} not known until the update`;
      return { outputs: {}, failures: [{ property: "", reason }] };
    }
    try {
      const { usage } = await recordReading(this.state, {}, {}, await this.state.readUsage({}));
      return { outputs: { ...usage }, failures: [] };
    } catch (error) {
      return { outputs: {}, failures: [{ property: "", reason: `cannot read KooDrive usage: ${readError(error)}` }] };
    }
  }
}
