import * as pulumi from "@pulumi/pulumi";
import type { GuardPlan } from "../../provider/capacity/plan";
import { PACKAGE_VERSION } from "../../provider/client/version";
import { isConnectionKey } from "../../provider/config/connection-settings";
import { GUARD_OUTPUT_KEYS, type GuardOutputs } from "../../provider/guard/outputs";
import { DRY_RUN_INPUT, GUARD_TYPES } from "../../provider/guard/types";
import { type ConnectionArgs, connectionInput } from "./connection";
import { koodriveProvider } from "./dynamic-provider";

/** Each field of a plain type as a Pulumi Input, inside nested objects too; the fields keep their docs. */
type InputsOf<T> = {
  [K in keyof T]?: pulumi.Input<NonNullable<T[K]> extends object ? InputsOf<NonNullable<T[K]>> : NonNullable<T[K]>>;
};

/** The guard's outputs (`GuardOutputs`, declared once) as the class's Output properties, with their docs. */
type GuardOutputFields = { readonly [K in keyof GuardOutputs]-?: pulumi.Output<GuardOutputs[K]> };

/**
 * What a `CapacityGuard` checks: the plan (`GuardPlan`, every field optional; only the growth over the
 * plan the guard admitted at its last deployment is judged), and connection settings that override
 * the stack config.
 */
export interface CapacityGuardArgs extends ConnectionArgs, InputsOf<GuardPlan> {}

const TYPE = GUARD_TYPES.dynamic;

// The outputs of a `CapacityGuard`, merged into the class below: each one's doc is in `GuardOutputs`.
export interface CapacityGuard extends GuardOutputFields {}

/**
 * Checks a planned allocation against the tenant's remaining seats and quota on every preview and
 * update. It judges what is new: the growth over the plan it admitted at its last create or update,
 * summed with the new allocations of the other guards of the same tenant in the deployment. In
 * `pulumi up` it holds the tenant for the deployment, so that deployments of other stacks to the
 * tenant wait for it. A mandatory guard fails the run before anything that depends on it is created;
 * make the resources that add users or spaces depend on it (`dependsOn: [guard]`).
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the outputs are declared once, in GuardOutputs
export class CapacityGuard extends pulumi.dynamic.Resource {
  constructor(name: string, args: CapacityGuardArgs = {}, opts?: pulumi.CustomResourceOptions) {
    // The plan goes to the provider as given: it validates it and applies the defaults (plan-schema.ts).
    const plan = Object.fromEntries(Object.entries(args).filter(([key]) => !isConnectionKey(key)));
    super(
      koodriveProvider,
      name,
      {
        ...plan,
        kind: "CapacityGuard",
        providerVersion: PACKAGE_VERSION,
        guardName: name,
        // Its slot in the tenant's ledger: two guards of one name under two parents are two guards.
        guardUrn: pulumi.createUrn(name, TYPE, opts?.parent),
        connection: connectionInput(args),
        // In an update, a guard whose plan did not change takes the tenant at `diff`; in a preview it never waits.
        [DRY_RUN_INPUT]: pulumi.runtime.isDryRun(),
        ...Object.fromEntries(GUARD_OUTPUT_KEYS.map((key) => [key, undefined])),
      },
      opts,
      "koodrive",
      "CapacityGuard",
    );
  }
}
