/**
 * `CapacityGuard` as a dynamic resource: its inputs to and from the guard's front-end-neutral check
 * (guard/check.ts). `check` judges on every preview and update; `create` and `update` (the update pass
 * only) judge again holding the tenant's lock; `diff` compares only the plan and the connection, so a
 * guard whose plan did not change shows no change when the tenant's figures move.
 */
import { randomUUID } from "node:crypto";
import { PLAN_FIELDS } from "../capacity/plan-fields";
import type { KooDriveConnectionArgs } from "../config/settings";
import { checkGuard, deployGuard, type GuardRequest, type GuardResult } from "../guard/check";
import { connectionOf, refreshRead } from "../guard/reading";
import { DRY_RUN_INPUT } from "../guard/types";
import type { LogSink } from "../process/engine-log";
import { stableText, type Values } from "../process/protocol";
import type { ProviderState } from "../process/provider-state";
import {
  type CheckResult,
  checkedConnection,
  type ResourceMethods,
  unknownSettings,
  withoutCredentials,
} from "./dynamic-resource";

/** What `diff` compares: a change of anything else (figures, verdict) is no reason to update. */
const DIFFED = [...PLAN_FIELDS, "connection"] as const;

/** The guard's URN (`guardUrn`, which the program computes: the provider is not told it). */
const urnOf = (inputs: Values): string => String(inputs.guardUrn);

/** The inputs and result as the state records them; the credentials stay out. */
const recorded = (inputs: Values, result: GuardResult): Values => ({
  ...withoutCredentials(inputs),
  ...result.plan,
  ...result.outputs,
});

/** The provider methods of `CapacityGuard`, over the provider process's state; its lines go to `log`. */
export function capacityGuardMethods(state: ProviderState, log: LogSink): ResourceMethods {
  /**
   * The connection of each guard checked in this run, credentials included: the state keeps none, so
   * `create` and `update`, which the engine calls with the checked inputs, take it from here.
   */
  const connections = new Map<string, KooDriveConnectionArgs>();
  /**
   * The guards checked in this run whose program runs an update, by URN (`dryRun` not true): their
   * `diff` takes the tenant. One not checked in this process (`pulumi refresh`) takes nothing.
   */
  const updates = new Set<string>();

  const request = (inputs: Values, recordedState: Values, connection: KooDriveConnectionArgs): GuardRequest => ({
    urn: urnOf(inputs),
    name: String(inputs.guardName ?? "this guard"),
    args: inputs,
    recorded: recordedState.kind === "CapacityGuard" ? recordedState : {},
    connection,
    unknownSettings: unknownSettings(inputs.connection),
  });

  /** Holds the tenant and judges under the lock; `show`: says the verdict's lines (`check` said them already when `diff` calls). */
  const deploy = async (olds: Values, news: Values, show = true): Promise<Values> => {
    const urn = urnOf(news);
    const result = await deployGuard(
      state,
      request(news, olds, connections.get(urn) ?? connectionOf(news)),
      (line, severity = "info") => void log.write(urn, [{ severity, message: line }]),
    );
    if (show) await log.write(urn, result.log);
    return recorded(news, result);
  };

  return {
    async check(olds, given): Promise<CheckResult> {
      const { [DRY_RUN_INPUT]: dryRun, ...news } = given;
      if (dryRun === true) updates.delete(urnOf(news));
      else updates.add(urnOf(news));
      const checked = checkedConnection(news);
      if ("failures" in checked) return { inputs: withoutCredentials(news), failures: checked.failures };
      const { connection } = checked;
      connections.set(urnOf(news), connection);
      const result = await checkGuard(state, request(news, olds, connection));
      await log.write(urnOf(news), result.log);
      return {
        inputs: recorded(news, result),
        failures: result.failures,
      };
    },
    async diff(_id, olds, news) {
      const changes = stableText(olds, DIFFED) !== stableText(news, DIFFED);
      // A change is judged under the lock at `update`; no change, here (the update pass only).
      if (!changes && updates.has(urnOf(news))) await deploy(olds, news, false);
      return { changes };
    },
    async create(inputs) {
      return { id: randomUUID(), outs: await deploy({}, inputs) };
    },
    read: refreshRead(state),
    async update(_id, olds, news) {
      return { outs: await deploy(olds, news) };
    },
  };
}
