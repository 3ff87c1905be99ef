/**
 * A KooDrive department or personal space as a resource that judges itself, for every front end: its
 * GB from its pool (department → department pool, personal → personal pool), judged at `check` with
 * every allocation of the deployment to its tenant, and admitted at `create` and at an `update` that
 * grows it (the growth only), as an addition to its tenant (addition.ts); then added, read, changed
 * and deleted through the client. Group spaces are refused: KooDrive's reference documents their creation
 * but neither their change nor their deletion (provider/client/spaces.ts).
 */

import { POOL_FIGURES, type SpaceKind } from "../capacity/figures";
import type { KooDriveHttpClient } from "../client/client";
import {
  ConfigurationError,
  type Failure,
  GuardRefusal,
  isKooDriveError,
  KooDriveError,
  NotFoundError,
  StoresDataError,
} from "../client/errors";
import { checkSpaceFields, type SpaceInfo, type SpaceSelector, type SpaceType } from "../client/spaces";
import { toGB, type UsedSpaceUnit } from "../client/units";
import type { KooDriveConnectionArgs, ResolvedSettings } from "../config/settings";
import { stableText, type Values } from "../process/protocol";
import type { ProviderState, Say } from "../process/provider-state";
import { type AdditionRequest, type AdditionVerdict, admitAddition, judgeAddition } from "./addition";
import { containsUnknown, readError } from "./reading";

/**
 * The types a `Space` takes, each with its number in KooDrive's API (0 department, 1 personal); the
 * pool's table (capacity/figures.ts) names each type's pool. Group spaces are not served: their
 * lifecycle is not in KooDrive's reference.
 */
const SERVED = { department: 0, personal: 1 } as const satisfies Partial<Record<SpaceKind, SpaceType>>;

/** A space's type as a `Space` names it: `department` or `personal`. */
export type SpaceTypeName = keyof typeof SERVED;

/** The types a `Space` takes, in words. */
export const SPACE_TYPE_NAMES = Object.keys(SERVED) as SpaceTypeName[];

/** The pool of a space's type (its row of the figures' table), when it has one. */
function poolRow(type: unknown): (typeof POOL_FIGURES)[number] | undefined {
  return POOL_FIGURES.find((row) => row.spaceType === type);
}

/** The pool a served type's GB come from. */
const poolOf = (type: SpaceTypeName) => poolRow(type) as (typeof POOL_FIGURES)[number];

/** The arguments of a space, as checked. */
export interface SpaceArgs {
  ownerId: string;
  type: SpaceTypeName;
  capacityGB: number;
  status?: number;
  forceDestroy?: boolean;
}

/** What a `Space` records and shows: what KooDrive answers of it. */
export interface SpaceOutputs {
  /** The space's id in KooDrive (its container id): the resource's id. */
  containerId: string;
  /** The department's id (a department space) or the user's id (a personal space). */
  ownerId: string;
  /** `department` or `personal`. */
  type: string;
  /** The space's size, in GB, allocated from its pool. @integer */
  capacityGB: number;
  /** The data the space stores, in GB (KooDrive reports it in the tenant's used-space unit, KB by default). */
  spaceUsedGB: number;
  /** 0 normal, 1 disabled. @integer */
  status: number;
  /** The tenant's id, when KooDrive reports it. */
  tenantId?: string;
  /** When the space was created, as KooDrive writes it. */
  createTime?: string;
  /** When the space last changed, as KooDrive writes it. */
  updateTime?: string;
}

/** The fields a `Space` may change in place; a new `ownerId` or `type` replaces it. */
export const SPACE_UPDATABLE = ["capacityGB", "status"] as const;

/**
 * `diff`: a change of `ownerId` or `type` replaces the space; of `capacityGB`, `forceDestroy`, of `also`
 * (a front end's own inputs, such as the connection) or of a `status` the program gives, updates it
 * in place.
 */
export function diffSpace(
  olds: Values,
  news: Values,
  also: readonly string[] = [],
): { changes: boolean; replaces?: string[] } {
  const keys = [
    "ownerId",
    "type",
    "capacityGB",
    "forceDestroy",
    ...also,
    ...(news.status === undefined ? [] : ["status"]),
  ];
  const changes = stableText(olds, keys) !== stableText(news, keys);
  const replaces = (["ownerId", "type"] as const).filter((key) => olds[key] !== news[key]);
  return { changes, ...(replaces.length > 0 ? { replaces } : {}) };
}

/** A space to judge or deploy, as a front end hands it over. */
export interface SpaceRequest {
  /** Its URN: its slot in the tenant's ledger, and its stack for the lock's holder. */
  urn: string;
  /** Its name in messages. */
  name: string;
  args: Values;
  /**
   * The GB it holds already (deployed before, same owner and type: its last inputs, which a refresh
   * sets to what KooDrive holds); undefined for a new space, which takes all its GB.
   */
  deployedGB?: number;
  connection: KooDriveConnectionArgs;
  /** The connection settings not known until the update. */
  unknownSettings: string[];
}

/** The failure of a type whose pool has spaces a `Space` cannot serve (`group`): what it cannot do, and what to do instead. */
export function unservedType(type: string): string {
  return (
    `type "${type}" is not supported: KooDrive's API reference documents creating a ${type} space but neither ` +
    `changing nor deleting one, so a Space could not manage its lifecycle; give type ${SPACE_TYPE_NAMES.join(" or ")} ` +
    `(plan ${type} spaces made elsewhere with a CapacityGuard's plannedSpaceGB.${poolRow(type)?.planKey})`
  );
}

/** The checked arguments, or the failures naming each wrong one; undefined arguments stay out. */
export function parseSpaceArgs(args: Values): { ok: true; space: SpaceArgs } | { ok: false; failures: Failure[] } {
  const failures: Failure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  const { ownerId, type, capacityGB, status, forceDestroy } = args;
  if (typeof ownerId !== "string") {
    fail(
      "ownerId",
      ownerId === undefined
        ? "ownerId is required: the department's id (a department space) or the user's id (a personal space)"
        : `ownerId must be a string, not ${JSON.stringify(ownerId)}`,
    );
  }
  if (!SPACE_TYPE_NAMES.includes(type as SpaceTypeName)) {
    const unserved = typeof type === "string" && poolRow(type) !== undefined;
    fail(
      "type",
      unserved ? unservedType(type) : `type must be ${SPACE_TYPE_NAMES.join(" or ")}, not ${JSON.stringify(type)}`,
    );
  }
  if (!(Number.isSafeInteger(capacityGB) && (capacityGB as number) >= 1)) {
    fail("capacityGB", `capacityGB must be a whole number of GB, at least 1, not ${JSON.stringify(capacityGB)}`);
  }
  if (status !== undefined && status !== 0 && status !== 1) {
    fail("status", `status must be 0 (normal) or 1 (disabled), not ${JSON.stringify(status)}`);
  }
  if (forceDestroy !== undefined && typeof forceDestroy !== "boolean") {
    fail("forceDestroy", `forceDestroy must be true or false, not ${JSON.stringify(forceDestroy)}`);
  }
  if (failures.length > 0) return { ok: false, failures };
  const space: SpaceArgs = {
    ownerId: ownerId as string,
    type: type as SpaceTypeName,
    capacityGB: capacityGB as number,
    ...(status === undefined ? {} : { status: status as number }),
    ...(forceDestroy === true ? { forceDestroy } : {}),
  };
  try {
    checkSpaceFields({ ownerId: space.ownerId }, "space");
  } catch (error) {
    return { ok: false, failures: [{ property: "ownerId", reason: (error as KooDriveError).detail ?? "" }] };
  }
  return { ok: true, space };
}

/** A space's type in words: `department` or `personal` (a number the API gives no other space a `Space` reads). */
function typeName(type: number): string {
  return SPACE_TYPE_NAMES.find((name) => SERVED[name] === type) ?? `type ${type}`;
}

/** The outputs of a space as KooDrive answers it; its stored data in GB, from the tenant's used-space unit. */
export function spaceOutputs(space: SpaceInfo, unit: UsedSpaceUnit): SpaceOutputs {
  return {
    containerId: space.containerId,
    ownerId: space.ownerId,
    type: typeName(space.type),
    capacityGB: space.capacity,
    spaceUsedGB: Number(toGB(space.spaceUsed, unit).toFixed(6)),
    status: space.status,
    ...(space.tenantId === undefined ? {} : { tenantId: space.tenantId }),
    ...(space.createTime === undefined ? {} : { createTime: space.createTime }),
    ...(space.updateTime === undefined ? {} : { updateTime: space.updateTime }),
  };
}

/** `dept-space (the department space of 1001)`: a space in messages. */
const described = (name: string, space: SpaceArgs) => `${name} (the ${space.type} space of ${space.ownerId})`;

/** A space as an addition to its tenant: its new GB (all of them when new, its growth when deployed) from its pool. */
function additionOf(request: SpaceRequest, space: SpaceArgs, gb: number): AdditionRequest {
  return {
    urn: request.urn,
    name: described(request.name, space),
    kind: "Space",
    property: "capacityGB",
    adds: gb > 0 ? { spaceGB: { [poolOf(space.type).planKey]: gb } } : {},
    // One slot per size: admitted again (a retried create), a size costs nothing more; each growth costs its own GB.
    slot: `${request.urn}\n${space.capacityGB} GB`,
    connection: request.connection,
  };
}

/**
 * `check`: a space's new GB (all of them when new, its growth when deployed), shared in its tenant's
 * ledger as an allocation of its pool and judged with the deployment's other allocations to the
 * tenant under the provider's reserves (addition.ts). The failure names the pool, the plan and what
 * is left; a space whose settings or arguments are still unknown is not judged.
 */
export async function checkSpace(state: ProviderState, request: SpaceRequest): Promise<AdditionVerdict> {
  const parsed = parseSpaceArgs(request.args);
  if (!parsed.ok) return { failures: parsed.failures, warnings: [] };
  const unknown = ["ownerId", "type", "capacityGB"].some((key) => containsUnknown(request.args[key]));
  if (request.unknownSettings.length > 0 || unknown) return { failures: [], warnings: [] };
  const { space } = parsed;
  const growth = Math.max(0, space.capacityGB - (request.deployedGB ?? 0));
  return judgeAddition(state, additionOf(request, space, growth));
}

/**
 * `create`: admits the space's GB under the tenant's lock (addition.ts), then adds it while the lease
 * will outlive the call. After an add whose outcome is unclear, the owner's spaces are read
 * back before anything else (the client's `createSpace`).
 */
export async function createSpace(state: ProviderState, request: SpaceRequest, say: Say): Promise<SpaceOutputs> {
  const parsed = parseSpaceArgs(request.args);
  if (!parsed.ok) throw new GuardRefusal(parsed.failures);
  const { space } = parsed;
  const tenant = await admitAddition(state, additionOf(request, space, space.capacityGB), say);
  const api = SERVED[space.type];
  return state.fencedAdd(request.connection, tenant, async (client, settings) => {
    let added = (await client.createSpace({ ownerId: space.ownerId, type: api, capacity: space.capacityGB })).record;
    if (space.status !== undefined && space.status !== added.status) {
      const selector = { ownerId: space.ownerId, type: api, containerId: added.containerId };
      added = await client.updateSpace(selector, { status: space.status });
    }
    return spaceOutputs(added, settings.usedSpaceUnit);
  });
}

/** `read` (refresh): the space as KooDrive holds it now; undefined when it is gone (deleted by hand). */
export async function readSpace(
  state: ProviderState,
  connection: KooDriveConnectionArgs,
  containerId: string,
): Promise<SpaceOutputs | undefined> {
  try {
    return await state.withClient(connection, async (client, settings) => {
      const space = await client.readSpace(containerId);
      return space && spaceOutputs(space, settings.usedSpaceUnit);
    });
  } catch (error) {
    const code = isKooDriveError(error) ? error.code : "ERR_KOODRIVE_INTERNAL";
    throw new KooDriveError(code, `cannot refresh the KooDrive space ${containerId}`, readError(error), {
      cause: error,
    });
  }
}

/** `3145728 KB (3 GB)`: stored data in the tenant's unit, and in GB. */
function storedText(spaceUsed: number, unit: UsedSpaceUnit): string {
  return `${spaceUsed} ${unit} (${Number(toGB(spaceUsed, unit).toFixed(3))} GB)`;
}

/**
 * `update`: changes the space's size or status in place. A shrink below what the space stores is
 * refused, naming both figures; a growth (only the growth) is admitted under the tenant's lock as a
 * create is; a shrink gives its GB back to the pool.
 */
export async function updateSpace(
  state: ProviderState,
  request: SpaceRequest,
  containerId: string,
  say: Say,
): Promise<SpaceOutputs> {
  const parsed = parseSpaceArgs(request.args);
  if (!parsed.ok) throw new GuardRefusal(parsed.failures);
  const { space } = parsed;
  const api = SERVED[space.type];
  const { current, unit } = await state.withClient(request.connection, async (client, settings) => ({
    current: await client.readSpace(containerId),
    unit: settings.usedSpaceUnit,
  }));
  if (!current) {
    throw new NotFoundError(
      `the KooDrive space ${containerId} of ${space.ownerId} is gone`,
      "it was deleted outside Pulumi: run `pulumi refresh`, then `pulumi up` creates it again",
    );
  }
  if (space.capacityGB < current.capacity && space.capacityGB < toGB(current.spaceUsed, unit)) {
    throw new StoresDataError(
      `${described(request.name, space)} was not shrunk to ${space.capacityGB} GB: it stores ${storedText(current.spaceUsed, unit)}`,
      "KooDrive does not shrink a space below the data it stores: give a capacityGB of at least what it stores, or move the data first",
    );
  }
  const growth = space.capacityGB - current.capacity;
  const tenant = growth > 0 ? await admitAddition(state, additionOf(request, space, growth), say) : undefined;
  const change = {
    ...(space.capacityGB === current.capacity ? {} : { capacity: space.capacityGB }),
    ...(space.status === undefined || space.status === current.status ? {} : { status: space.status }),
  };
  if (Object.keys(change).length === 0) return spaceOutputs(current, unit);
  const call = <T>(work: (client: KooDriveHttpClient, settings: ResolvedSettings) => Promise<T>) =>
    tenant ? state.fencedAdd(request.connection, tenant, work) : state.withClient(request.connection, work);
  return call(async (client, settings) =>
    spaceOutputs(
      await client.updateSpace({ ownerId: space.ownerId, type: api, containerId }, change),
      settings.usedSpaceUnit,
    ),
  );
}

/** Which space a recorded `Space` is: its owner, type and container id, from its state. */
export function selectorOf(recorded: Values, id: string): SpaceSelector {
  const type = SERVED[recorded.type as SpaceTypeName];
  if (type === undefined) {
    throw new ConfigurationError(
      `the state holds a Space of type ${JSON.stringify(recorded.type)}`,
      `a Space is of type ${SPACE_TYPE_NAMES.join(" or ")}; nothing was sent`,
    );
  }
  return { ownerId: String(recorded.ownerId), type, containerId: String(recorded.containerId ?? id) };
}

/**
 * `delete`: refuses a space that stores data unless `forceDestroy`, naming how much; else deletes it,
 * its data with it (a space already gone is deleted).
 */
export async function deleteSpace(
  state: ProviderState,
  connection: KooDriveConnectionArgs,
  selector: SpaceSelector,
  forceDestroy: boolean,
): Promise<void> {
  await state.withClient(connection, async (client, settings) => {
    const containerId = selector.containerId ?? "";
    const current = await client.readSpace(containerId);
    if (!current) return;
    if (!forceDestroy && current.spaceUsed > 0) {
      throw new StoresDataError(
        `the KooDrive ${typeName(current.type)} space ${containerId} of ${current.ownerId} was not deleted: it stores ${storedText(current.spaceUsed, settings.usedSpaceUnit)}`,
        "KooDrive deletes a space's data with it: set forceDestroy: true on the Space to delete it all the same, or move the data first",
      );
    }
    await client.deleteSpace(selector);
  });
}
