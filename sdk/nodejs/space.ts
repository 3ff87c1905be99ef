import * as pulumi from "@pulumi/pulumi";
import { PACKAGE_VERSION } from "../../provider/client/version";
import { isConnectionKey } from "../../provider/config/connection-settings";
import type { SpaceOutputs, SpaceTypeName } from "../../provider/guard/space";
import { SPACE_TYPES } from "../../provider/guard/types";
import { type ConnectionArgs, connectionInput } from "./connection";
import { koodriveProvider } from "./dynamic-provider";
import { refuseImport } from "./refuse-import";

/** A KooDrive space to add, and the connection settings that override the stack config. */
export interface SpaceArgs extends ConnectionArgs {
  /** The department's id (a department space) or the user's id (a personal space); a new owner replaces the space. */
  ownerId: pulumi.Input<string>;
  /** `department` (from the department pool) or `personal` (from the personal pool); a new type replaces the space. Group spaces are not supported: KooDrive's reference documents neither their change nor their deletion. */
  type: pulumi.Input<SpaceTypeName>;
  /** The space's size in whole GB, at least 1, allocated from its pool. Changed in place: a growth is judged and admitted, a shrink below the data it stores refused. @integer */
  capacityGB: pulumi.Input<number>;
  /** 0 normal, 1 disabled. Changed in place. @integer */
  status?: pulumi.Input<number>;
  /** Delete the space even when it stores data (KooDrive deletes the data with it). */
  forceDestroy?: pulumi.Input<boolean>;
}

/** The space's outputs (`SpaceOutputs`, declared once) as the class's Output properties, with their docs. */
type SpaceOutputFields = { readonly [K in keyof SpaceOutputs]-?: pulumi.Output<SpaceOutputs[K]> };

// The outputs of a `Space`, merged into the class below: each one's doc is in `SpaceOutputs`.
export interface Space extends SpaceOutputFields {}

/**
 * A KooDrive department or personal space: its `capacityGB` from its pool. Every preview and update
 * judges the space's new GB (all of them for a new space, its growth for a resized one) together with
 * every other allocation of the deployment to that pool (Spaces and `CapacityGuard`s), so a plan that
 * does not fit fails naming the pool, the plan and what is left. `pulumi up` holds the tenant for the
 * deployment and admits each new space (and each growth) against what was left of the pool when read
 * under the lock, minus what the deployment already admitted, before adding it. A new `ownerId` or
 * `type` replaces the space; `capacityGB` and `status` change in place, never below the data it
 * stores. Deleting a space that stores data fails unless `forceDestroy` is true.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the outputs are declared once, in SpaceOutputs
export class Space extends pulumi.dynamic.Resource {
  /**
   * @throws ProgramError when `opts.import` is given: a dynamic resource cannot be imported (Pulumi's
   * import reads it by its id alone, and the dynamic provider's code is in the state it does not have
   * yet); adopt spaces through the provider plugin's `koodrive:index:Space` (`pulumi import`).
   */
  constructor(name: string, args: SpaceArgs, opts?: pulumi.CustomResourceOptions) {
    refuseImport("Space", name, opts);
    const fields = Object.fromEntries(Object.entries(args).filter(([key]) => !isConnectionKey(key)));
    super(
      koodriveProvider,
      name,
      {
        // What KooDrive answers for a field the program leaves out is an output too.
        status: undefined,
        ...fields,
        kind: "Space",
        providerVersion: PACKAGE_VERSION,
        spaceName: name,
        // Its slot in the tenant's ledger: two spaces of one name under two parents are two spaces.
        spaceUrn: pulumi.createUrn(name, SPACE_TYPES.dynamic, opts?.parent),
        connection: connectionInput(args),
        containerId: undefined,
        spaceUsedGB: undefined,
        tenantId: undefined,
        createTime: undefined,
        updateTime: undefined,
      },
      opts,
      "koodrive",
      "Space",
    );
  }
}
