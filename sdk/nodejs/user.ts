import * as pulumi from "@pulumi/pulumi";
import { PACKAGE_VERSION } from "../../provider/client/version";
import { isConnectionKey } from "../../provider/config/connection-settings";
import { USER_TYPES } from "../../provider/guard/types";
import type { UserOutputs } from "../../provider/guard/user";
import { type ConnectionArgs, connectionInput } from "./connection";
import { koodriveProvider } from "./dynamic-provider";
import { refuseImport } from "./refuse-import";

/**
 * A KooDrive user to add, and the connection settings that override the stack config, but for the
 * app authentication's `userId`, which here is the user's: with app credentials, give it as
 * `koodrive:userId` or `KOODRIVE_USER_ID`.
 */
export interface UserArgs extends Omit<ConnectionArgs, "userId"> {
  /** The KooDrive user id to add (not empty, no "/"); a new id replaces the user. */
  userId: pulumi.Input<string>;
  /** The department's id (decimal digits); KooDrive's default when left out. Changed in place. */
  deptId?: pulumi.Input<string>;
  /** 0 department admin, 1 common user, 2 system admin, 5 member with management permissions. Changed in place. @integer */
  role?: pulumi.Input<number>;
  /** 0 enabled, 1 disabled. Changed in place. @integer */
  status?: pulumi.Input<number>;
  /** Delete the user even when its personal spaces store data (KooDrive deletes the data with it). */
  forceDestroy?: pulumi.Input<boolean>;
}

/** The user's outputs (`UserOutputs`, declared once) as the class's Output properties, with their docs. */
type UserOutputFields = { readonly [K in keyof UserOutputs]-?: pulumi.Output<UserOutputs[K]> };

// The outputs of a `User`, merged into the class below: each one's doc is in `UserOutputs`.
export interface User extends UserOutputFields {}

/**
 * A KooDrive user: one seat of the tenant. Every preview and update judges its seat together with
 * every other allocation of the deployment to the tenant (Users and `CapacityGuard`s), so a plan of
 * more new users than free seats fails naming the seats and the count. `pulumi up` holds the tenant
 * for the deployment and admits each new user against the free seats read under the lock, minus what
 * the deployment already admitted, before adding it: the tenant is never over-admitted. A new
 * `userId` replaces the user; `deptId`, `role` and `status` change in place. Deleting a user whose
 * personal spaces store data fails unless `forceDestroy` is true.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the outputs are declared once, in UserOutputs
export class User extends pulumi.dynamic.Resource {
  /**
   * @throws ProgramError when `opts.import` is given: a dynamic resource cannot be imported (Pulumi's
   * import reads it by its id alone, and the dynamic provider's code is in the state it does not have
   * yet); adopt users through the provider plugin's `koodrive:index:User` (`pulumi import`).
   */
  constructor(name: string, args: UserArgs, opts?: pulumi.CustomResourceOptions) {
    refuseImport("User", name, opts);
    const { userId, ...rest } = args;
    const fields = { userId, ...Object.fromEntries(Object.entries(rest).filter(([key]) => !isConnectionKey(key))) };
    super(
      koodriveProvider,
      name,
      {
        // What KooDrive answers for a field the program leaves out is an output too.
        deptId: undefined,
        role: undefined,
        status: undefined,
        ...fields,
        kind: "User",
        providerVersion: PACKAGE_VERSION,
        userName: name,
        // Its slot in the tenant's ledger: two users of one name under two parents are two users.
        userUrn: pulumi.createUrn(name, USER_TYPES.dynamic, opts?.parent),
        connection: connectionInput(rest),
        deptName: undefined,
        orgId: undefined,
        displayName: undefined,
      },
      opts,
      "koodrive",
      "User",
    );
  }
}
