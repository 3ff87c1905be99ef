import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SimulatorInputError } from "../provider/client/errors";
import type { QuotaUsedData } from "../provider/client/quota-used";
import { Credentials } from "./auth";
import { SimulatorClock } from "./clock";
import { type SimulatorCore, StoredRequestSchema } from "./control";
import { Directory, type SimSpace, type SimUser } from "./directory";
import type { EndpointName } from "./endpoints";
import { type Fault, FaultQueue, FaultRequestSchema } from "./faults";
import { parseFixture, type SimulatorFixture } from "./fixture";
import { type RequestLogEntry, RequestRecorder } from "./recorder";
import { createRequestHandler } from "./server";
import { type SubscriptionPatch, SubscriptionPatchSchema, Tenant, type UsagePatch, UsagePatchSchema } from "./state";
import { parseOrThrow } from "./validation";

export { FixtureError, SimulatorInputError } from "../provider/client/errors";
export type { QuotaUsedData } from "../provider/client/quota-used";
export { DEMO_APP, DEMO_TOKEN, type KnownApp, MAX_CLOCK_SKEW_MS } from "./auth";
export { CONTROL_PREFIX } from "./control";
export { KB_PER_GB, type SimSpace, type SimUser, type SpaceType } from "./directory";
export { ENDPOINT_NAMES, type EndpointName } from "./endpoints";
export { type Fault, type FaultKind, FaultSchema } from "./faults";
export { loadFixture, parseFixture, type SimulatorFixture, SimulatorFixtureSchema } from "./fixture";
export type { AuthMode, RequestCounts, RequestLogEntry } from "./recorder";
export { type Replay, startReplay } from "./replay";
export { ERROR_CODES } from "./replies";
export type { SubscriptionPatch, UsagePatch } from "./state";

/** How to start a simulator. */
export interface SimulatorOptions {
  /** Address to bind; loopback (127.0.0.1) unless told otherwise. */
  host?: string;
  /** Port to bind; 0 (the default) picks a free one. */
  port?: number;
  /** Tenant figures and credentials; without credentials, the demo ones are accepted. */
  fixture?: SimulatorFixture;
  /** The time the simulator's clock starts from (the machine's by default); `setClock` moves it. */
  now?: () => Date;
}

/** A running simulator. */
export interface Simulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** Stops listening and destroys every open connection, hanging ones included. */
  close(): Promise<void>;
  /** The tenant's current figures. */
  usage(): QuotaUsedData;
  /** Overwrites some of the tenant's figures (validated; throws naming a bad key). */
  setUsage(patch: UsagePatch): void;
  /** The subscription as `GET /koodrive/ose/v1/service` answers it (`tenantId`, `status`, …). */
  subscription(): Record<string, unknown>;
  /** Overwrites some of the subscription's settings, as `PUT /__sim/service` does (validated). */
  setSubscription(patch: SubscriptionPatch): void;
  /** The users added through the API (not the ones `setUsage` counts in), oldest first, as `GET /__sim/users` shows them. */
  users(): SimUser[];
  /** The spaces created through the API, oldest first, as `GET /__sim/spaces` shows them. */
  spaces(): SimSpace[];
  /**
   * Sets the data a space stores, in quotaUsed's `spaceUsed` unit (KB), as `PUT /__sim/stored` does; the
   * pool's and the tenant's stored figures move by the difference. Throws naming an unknown container.
   */
  setStored(containerId: string, spaceUsed: number): SimSpace;
  /** Requests to `endpoint`, or to any non-control path when omitted. */
  requestCount(endpoint?: EndpointName): number;
  /** The request log, oldest first. */
  requestLog(): RequestLogEntry[];
  /** Clears the request log and counters. */
  resetLog(): void;
  /** Makes the next `count` requests of `endpoint` fail with `fault` (validated; throws naming a bad key). */
  queueFault(endpoint: EndpointName, fault: Fault, count?: number): void;
  /** Drops every queued fault. */
  clearFaults(): void;
  /** The simulator's clock: its `Date` header and the X-Date check read it. */
  now(): Date;
  /** Moves the clock to show `time` now (as `PUT /__sim/clock` does); it runs on from there. */
  setClock(time: Date): void;
}

/** Starts a KooDrive simulator on loopback. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const fixture = parseFixture(options.fixture ?? {}, "(the fixture option)");
  const tenant = new Tenant(fixture.usage, fixture.subscription);
  const clock = new SimulatorClock(options.now ?? (() => new Date()));
  const core: SimulatorCore = {
    tenant,
    directory: new Directory(tenant, () => clock.now()),
    recorder: new RequestRecorder(),
    faults: new FaultQueue(),
    clock,
  };
  const handler = createRequestHandler(core, new Credentials(fixture));
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { address, family, port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${family === "IPv6" ? `[${address}]` : address}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
    usage: () => core.tenant.usage(),
    setUsage: (patch) => core.tenant.merge(parseOrThrow(UsagePatchSchema, patch, "invalid usage")),
    subscription: () => core.tenant.subscription(),
    setSubscription: (patch) =>
      core.tenant.mergeSubscription(parseOrThrow(SubscriptionPatchSchema, patch, "invalid subscription")),
    users: () => core.directory.users(),
    spaces: () => core.directory.spaces(),
    setStored(containerId, spaceUsed) {
      const stored = parseOrThrow(StoredRequestSchema, { containerId, spaceUsed }, "invalid stored data");
      const result = core.directory.setStored(stored.containerId, stored.spaceUsed);
      if ("refused" in result) throw new SimulatorInputError(`containerId: no space ${containerId}`);
      return result;
    },
    requestCount: (endpoint) => core.recorder.count(endpoint),
    requestLog: () => core.recorder.entries(),
    resetLog: () => core.recorder.reset(),
    queueFault(endpoint, fault, count = 1) {
      const queued = parseOrThrow(FaultRequestSchema, { endpoint, fault, count }, "invalid fault");
      core.faults.add(queued.endpoint, queued.fault, queued.count);
    },
    clearFaults: () => core.faults.clear(),
    now: () => core.clock.now(),
    setClock: (time) => core.clock.set(time),
  };
}
