import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { GetServiceUsageResult } from "../../provider/capacity/runway";
import { ProgramError } from "../../provider/client/errors";
import { PACKAGE_VERSION } from "../../provider/client/version";
import { CONNECTION_KEYS, isSecretSetting } from "../../provider/config/connection-settings";
import type { KooDriveConnectionArgs } from "../../provider/config/settings";
import { type ConnectionArgs, connectionInput } from "./connection";
import { koodriveProvider } from "./dynamic-provider";

/**
 * Arguments of `getServiceUsage`: connection overrides (`endpoint`, `accessToken`, `appId`,
 * `appSecret`, `userId`, `usedSpaceUnit`), each falling back to `koodrive:*` config, then to its
 * environment variable. Credentials given here are kept encrypted in the state.
 */
export interface GetServiceUsageArgs extends KooDriveConnectionArgs {}

/** Arguments of `getServiceUsageOutput`: the same, as Inputs. */
export interface GetServiceUsageOutputArgs extends ConnectionArgs {}

/** Options of `getServiceUsage` / `getServiceUsageOutput`. */
export interface GetServiceUsageOptions {
  /** Parent of the `ServiceUsage` resource that records the figures in the state. */
  parent?: pulumi.Resource;
  /**
   * Name of that `ServiceUsage` resource. By default it is named from the connection settings that are
   * not secret, so calls that differ only in their credentials, or in settings computed from other
   * resources, need distinct names.
   */
  name?: string;
}

/**
 * Records the tenant's figures in the stack's state; created by `getServiceUsage`. Every preview
 * and update reads the figures again, and shows an update of this resource when they changed.
 */
export class ServiceUsage extends pulumi.dynamic.Resource {
  /** The figures read at deploy time. */
  declare readonly usage: pulumi.Output<GetServiceUsageResult>;

  constructor(name: string, args: GetServiceUsageOutputArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      koodriveProvider,
      name,
      { kind: "ServiceUsage", providerVersion: PACKAGE_VERSION, connection: connectionInput(args), usage: undefined },
      opts,
      "koodrive",
      "ServiceUsage",
    );
  }
}

const BASE_NAME = "koodrive-service-usage";

/** The records made so far in this program, per parent: by name, each with the arguments it was made for. */
const recorded = new Map<pulumi.Resource | undefined, Map<string, { key: string | undefined; record: ServiceUsage }>>();

/** `name-<hash>` of the settings that tell connections apart and are not secret; a computed one by its key only. */
function nameFor(args: GetServiceUsageOutputArgs, parent: pulumi.Resource | undefined): string {
  const settings = CONNECTION_KEYS.filter((key) => args[key] !== undefined && !isSecretSetting(key)).map((key) => {
    const value = args[key];
    return [key, typeof value === "string" ? value : "(computed)"];
  });
  const hash = createHash("sha256")
    .update(JSON.stringify([parent ? pulumi.resourceName(parent) : null, settings]))
    .digest("hex");
  return `${BASE_NAME}-${hash.slice(0, 8)}`;
}

/**
 * One `ServiceUsage` resource per distinct set of plain arguments (and parent) in a program, named
 * from its settings, so reordering calls changes nothing.
 */
function serviceUsageFor(args: GetServiceUsageOutputArgs, opts: GetServiceUsageOptions): ServiceUsage {
  const plain = Object.values(args).every((value) => value === undefined || typeof value === "string");
  const given = Object.entries(args).filter(([, value]) => value !== undefined);
  const key = plain ? JSON.stringify(given.sort()) : undefined;
  const byName = recorded.get(opts.parent) ?? new Map();
  recorded.set(opts.parent, byName);
  const name = opts.name ?? nameFor(args, opts.parent);
  const existing = byName.get(name);
  if (existing && key !== undefined && existing.key === key) return existing.record;
  if (existing) {
    throw new ProgramError(
      `getServiceUsage: two calls would record their figures as "${name}"`,
      `their connection settings differ only in credentials or in values computed from other resources; give each call a distinct name, e.g. getServiceUsageOutput(args, { name: "koodrive-usage-tenant-b" })`,
    );
  }
  const record = new ServiceUsage(name, args, opts.parent ? { parent: opts.parent } : {});
  byName.set(name, { key, record });
  return record;
}

/**
 * The tenant's KooDrive service usage, read at deploy time (on every preview and update, known
 * during preview): the 17 figures of `quotaUsed` and the derived ones. However many calls and
 * guards a program makes, one request per run reaches KooDrive.
 */
export function getServiceUsageOutput(
  args: GetServiceUsageOutputArgs = {},
  opts: GetServiceUsageOptions = {},
): pulumi.Output<GetServiceUsageResult> {
  return serviceUsageFor(args, opts).usage;
}

/** `getServiceUsageOutput` as a Promise, for plain arguments. */
export function getServiceUsage(
  args: GetServiceUsageArgs = {},
  opts: GetServiceUsageOptions = {},
): Promise<GetServiceUsageResult> {
  const usage = getServiceUsageOutput(args, opts);
  return new Promise((resolve) => usage.apply(resolve));
}
