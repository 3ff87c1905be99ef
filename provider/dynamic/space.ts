/**
 * `Space` as a dynamic resource: its inputs to and from the front-end-neutral space (guard/space.ts).
 * `check` judges its GB with the deployment's other allocations of its pool; `create` admits them under
 * the tenant's lock and adds it; `read` refreshes it; `update` resizes it in place (a growth admitted
 * under the lock, a shrink below its data refused); a new `ownerId` or `type` replaces it; `delete`
 * refuses a space that stores data unless `forceDestroy`.
 */
import type { KooDriveConnectionArgs } from "../config/settings";
import { connectionOf } from "../guard/reading";
import {
  checkSpace,
  createSpace,
  deleteSpace,
  diffSpace,
  readSpace,
  type SpaceOutputs,
  type SpaceRequest,
  selectorOf,
  updateSpace,
} from "../guard/space";
import type { LogSink } from "../process/engine-log";
import type { Values } from "../process/protocol";
import type { ProviderState, Say } from "../process/provider-state";
import {
  additionChecked,
  type CheckResult,
  checkedConnection,
  type ResourceMethods,
  unknownSettings,
  withoutCredentials,
} from "./dynamic-resource";

/** The space's URN (`spaceUrn`, which the program computes: the provider is not told it). */
const urnOf = (inputs: Values): string => String(inputs.spaceUrn);

/** What the state records: the inputs without the credentials, and what KooDrive answered. */
const recorded = (inputs: Values, outputs: SpaceOutputs): Values => ({ ...withoutCredentials(inputs), ...outputs });

/** The GB a space in the state holds (its old inputs, same owner and type); undefined for a new one. */
function deployedGB(olds: Values, news: Values): number | undefined {
  const same = olds.kind === "Space" && olds.ownerId === news.ownerId && olds.type === news.type;
  return same && typeof olds.capacityGB === "number" ? olds.capacityGB : undefined;
}

/** The provider methods of `Space`, over the provider process's state; its lines go to `log`. */
export function spaceMethods(state: ProviderState, log: LogSink): ResourceMethods {
  /** The connection of each space checked in this run, credentials included: the state keeps none. */
  const connections = new Map<string, KooDriveConnectionArgs>();
  const connectionFor = (inputs: Values) => connections.get(urnOf(inputs)) ?? connectionOf(inputs);

  const request = (olds: Values, news: Values, connection: KooDriveConnectionArgs): SpaceRequest => {
    const deployed = deployedGB(olds, news);
    return {
      urn: urnOf(news),
      name: String(news.spaceName ?? "this space"),
      args: news,
      ...(deployed === undefined ? {} : { deployedGB: deployed }),
      connection,
      unknownSettings: unknownSettings(news.connection),
    };
  };
  const sayFor =
    (urn: string): Say =>
    (line, severity = "info") => {
      void log.write(urn, [{ severity, message: line }]);
    };

  return {
    async check(olds, news): Promise<CheckResult> {
      const checked = checkedConnection(news);
      if ("failures" in checked) return { inputs: withoutCredentials(news), failures: checked.failures };
      const { connection } = checked;
      connections.set(urnOf(news), connection);
      return additionChecked(log, urnOf(news), news, await checkSpace(state, request(olds, news, connection)));
    },
    async diff(_id, olds, news) {
      return diffSpace(olds, news, ["connection"]);
    },
    async create(inputs) {
      const outputs = await createSpace(state, request({}, inputs, connectionFor(inputs)), sayFor(urnOf(inputs)));
      return { id: outputs.containerId, outs: recorded(inputs, outputs) };
    },
    async read(id, props) {
      const found = await readSpace(state, connectionOf(props), String(props.containerId ?? id));
      // An empty id tells the engine the space is gone (deleted outside Pulumi).
      if (!found) return { id: "", props: {} };
      const refreshed = { ...props, ...found };
      return { id, props: refreshed, inputs: refreshed };
    },
    async update(id, olds, news) {
      const containerId = String(olds.containerId ?? id);
      const outputs = await updateSpace(
        state,
        request(olds, news, connectionFor(news)),
        containerId,
        sayFor(urnOf(news)),
      );
      return { outs: recorded(news, outputs) };
    },
    async delete(id, props) {
      await deleteSpace(state, connectionOf(props), selectorOf(props, id), props.forceDestroy === true);
    },
  };
}
