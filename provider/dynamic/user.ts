/**
 * `User` as a dynamic resource: its inputs to and from the front-end-neutral user (guard/user.ts).
 * `check` judges its seat with the deployment's other allocations to the tenant; `create` admits it
 * under the tenant's lock and adds it; `read` refreshes it; `update` changes it in place; a new
 * `userId` replaces it; `delete` refuses a user whose personal spaces store data unless `forceDestroy`.
 */
import type { KooDriveConnectionArgs } from "../config/settings";
import { connectionOf } from "../guard/reading";
import {
  checkUser,
  createUser,
  deleteUser,
  diffUser,
  readUser,
  type UserOutputs,
  type UserRequest,
  updateUser,
} from "../guard/user";
import type { LogSink } from "../process/engine-log";
import type { Values } from "../process/protocol";
import type { ProviderState } from "../process/provider-state";
import {
  additionChecked,
  type CheckResult,
  checkedConnection,
  type ResourceMethods,
  unknownSettings,
  withoutCredentials,
} from "./dynamic-resource";

/** The user's URN (`userUrn`, which the program computes: the provider is not told it). */
const urnOf = (inputs: Values): string => String(inputs.userUrn);

/** What the state records: the inputs without the credentials, and what KooDrive answered. */
const recorded = (inputs: Values, outputs: UserOutputs): Values => ({ ...withoutCredentials(inputs), ...outputs });

/** The provider methods of `User`, over the provider process's state; its lines go to `log`. */
export function userMethods(state: ProviderState, log: LogSink): ResourceMethods {
  /** The connection of each user checked in this run, credentials included: the state keeps none. */
  const connections = new Map<string, KooDriveConnectionArgs>();
  const connectionFor = (inputs: Values) => connections.get(urnOf(inputs)) ?? connectionOf(inputs);

  const request = (olds: Values, news: Values, connection: KooDriveConnectionArgs): UserRequest => ({
    urn: urnOf(news),
    name: String(news.userName ?? "this user"),
    args: news,
    // A user in the state (its old inputs) under the same id holds its seat; a new id (a replacement) takes one.
    seated: olds.kind === "User" && olds.userId === news.userId,
    connection,
    unknownSettings: unknownSettings(news.connection),
  });

  return {
    async check(olds, news): Promise<CheckResult> {
      const checked = checkedConnection(news);
      if ("failures" in checked) return { inputs: withoutCredentials(news), failures: checked.failures };
      const { connection } = checked;
      connections.set(urnOf(news), connection);
      return additionChecked(log, urnOf(news), news, await checkUser(state, request(olds, news, connection)));
    },
    async diff(_id, olds, news) {
      return diffUser(olds, news, ["connection"]);
    },
    async create(inputs) {
      const urn = urnOf(inputs);
      const outputs = await createUser(state, request({}, inputs, connectionFor(inputs)), (line, severity = "info") => {
        void log.write(urn, [{ severity, message: line }]);
      });
      return { id: outputs.userId, outs: recorded(inputs, outputs) };
    },
    async read(id, props) {
      const found = await readUser(state, connectionOf(props), String(props.userId ?? id));
      // An empty id tells the engine the user is gone (deleted outside Pulumi).
      if (!found) return { id: "", props: {} };
      const refreshed = { ...props, ...found };
      return { id, props: refreshed, inputs: refreshed };
    },
    async update(_id, _olds, news) {
      return { outs: recorded(news, await updateUser(state, connectionFor(news), news)) };
    },
    async delete(id, props) {
      await deleteUser(state, connectionOf(props), String(props.userId ?? id), props.forceDestroy === true);
    },
  };
}
