import * as pulumi from "@pulumi/pulumi";
import type { KooDriveConnectionArgs } from "../../provider/client/settings";
import type { GetServiceUsageResult } from "../../provider/client/usage";
import { PACKAGE_VERSION } from "../../provider/client/version";
import { type ConnectionArgs, connectionInput } from "./connection";
import { serviceUsageProvider } from "./dynamic-provider";

/**
 * Arguments of `getServiceUsage`: connection overrides (`endpoint`, `accessToken`, `appId`,
 * `appSecret`, `userId`, `usedSpaceUnit`), each falling back to `koodrive:*` config, then
 * their environment variable. Credentials given here are kept encrypted in the state.
 */
export interface GetServiceUsageArgs extends KooDriveConnectionArgs {}

/** Arguments of `getServiceUsageOutput`: the same, as Inputs. */
export interface GetServiceUsageOutputArgs extends ConnectionArgs {}

/** Options of `getServiceUsage` / `getServiceUsageOutput`. */
export interface GetServiceUsageOptions {
  /** Parent of the `ServiceUsage` resource that records the figures in the state. */
  parent?: pulumi.Resource;
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
      serviceUsageProvider,
      name,
      { kind: "ServiceUsage", providerVersion: PACKAGE_VERSION, connection: connectionInput(args), usage: undefined },
      opts,
      "koodrive",
      "ServiceUsage",
    );
  }
}

const recorded = new Map<string, ServiceUsage>();

/** One `ServiceUsage` resource per distinct set of plain arguments in a program. */
function serviceUsageFor(args: GetServiceUsageOutputArgs, opts: GetServiceUsageOptions): ServiceUsage {
  const plain = Object.values(args).every((value) => value === undefined || typeof value === "string");
  const key = plain && !opts.parent ? JSON.stringify(Object.entries(args).sort()) : undefined;
  const existing = key === undefined ? undefined : recorded.get(key);
  if (existing) return existing;
  const name = recorded.size === 0 ? "koodrive-service-usage" : `koodrive-service-usage-${recorded.size + 1}`;
  const resource = new ServiceUsage(name, args, opts.parent ? { parent: opts.parent } : {});
  recorded.set(key ?? name, resource);
  return resource;
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
