import * as pulumi from "@pulumi/pulumi";
import { isConnectionKey } from "../../provider/client/connection-settings";
import type {
  Allocation,
  GuardPlan,
  PlanEvaluation,
  RemainingAfterPlan,
  UtilisationWarning,
  Violation,
} from "../../provider/client/plan";
import type { GetServiceUsageResult } from "../../provider/client/usage";
import { PACKAGE_VERSION } from "../../provider/client/version";
import type { GuardStatus } from "../../provider/guard-plan";
import { type ConnectionArgs, connectionInput } from "./connection";
import { capacityGuardProvider } from "./dynamic-provider";

/** Each field of a plain type as a Pulumi Input, inside nested objects too; the fields keep their docs. */
type InputsOf<T> = {
  [K in keyof T]?: pulumi.Input<NonNullable<T[K]> extends object ? InputsOf<NonNullable<T[K]>> : NonNullable<T[K]>>;
};

/**
 * What a `CapacityGuard` checks: the plan (`GuardPlan`, every field optional; only the growth over the
 * plan the guard admitted at its last deployment is judged), and connection settings that override
 * the stack config.
 */
export interface CapacityGuardArgs extends ConnectionArgs, InputsOf<GuardPlan> {}

/**
 * Checks a planned allocation against the tenant's remaining seats and quota on every preview and
 * update. It judges what is new: the growth over the plan it admitted at its last create or update,
 * summed with the new allocations of the other guards on the same connection in the run. A mandatory
 * guard fails the run before anything that depends on it is created; make the resources that add
 * users or spaces depend on it (`dependsOn: [guard]`).
 */
export class CapacityGuard extends pulumi.dynamic.Resource {
  /** `fits`, `exceeds`, `pending` (plan or connection unknown until the update) or `unreadable` (figures could not be read). */
  declare readonly status: pulumi.Output<GuardStatus>;
  /** False when the plan exceeds capacity or the figures could not be read. */
  declare readonly fits: pulumi.Output<boolean>;
  /** Every figure the plan does not fit, with what is planned, what is left and by how much it is exceeded. */
  declare readonly violations: pulumi.Output<Violation[]>;
  /** Figures that fit but pass `warnAtPercent`. */
  declare readonly warnings: pulumi.Output<UtilisationWarning[]>;
  /** What is left of each figure after the plan (absent while pending). */
  declare readonly remainingAfterPlan: pulumi.Output<RemainingAfterPlan | undefined>;
  /** What this run allocates anew: the growth over the plan admitted before, per figure. */
  declare readonly newAllocation: pulumi.Output<PlanEvaluation["newAllocation"] | undefined>;
  /** The plan admitted by this deployment; the next run judges only growth beyond it. */
  declare readonly admittedPlan: pulumi.Output<Allocation | undefined>;
  /** The figures the plan was judged on (re-read by `pulumi refresh`). */
  declare readonly usage: pulumi.Output<GetServiceUsageResult | undefined>;
  /** One sentence on the verdict, or why there is none. */
  declare readonly message: pulumi.Output<string>;
  /** Said once, on the first run after an upgrade that changed how the guard counts. */
  declare readonly notice: pulumi.Output<string | undefined>;

  constructor(name: string, args: CapacityGuardArgs = {}, opts?: pulumi.CustomResourceOptions) {
    // The plan goes to the provider as given: it validates it and applies the defaults (plan-schema.ts).
    const plan = Object.fromEntries(Object.entries(args).filter(([key]) => !isConnectionKey(key)));
    super(
      capacityGuardProvider,
      name,
      {
        ...plan,
        kind: "CapacityGuard",
        providerVersion: PACKAGE_VERSION,
        guardName: name,
        connection: connectionInput(args),
        status: undefined,
        fits: undefined,
        violations: undefined,
        warnings: undefined,
        remainingAfterPlan: undefined,
        newAllocation: undefined,
        admittedPlan: undefined,
        notice: undefined,
        usage: undefined,
        message: undefined,
      },
      opts,
      "koodrive",
      "CapacityGuard",
    );
    pulumi
      .all([this.status, this.message, this.violations, this.warnings, args.enforcement])
      .apply(([status, message, violations, warnings, mode]) => {
        if (mode === "advisory" && (status === "exceeds" || status === "unreadable")) {
          const lines = status === "exceeds" ? violations.map((violation) => violation.message) : [message];
          for (const line of lines) pulumi.log.warn(`advisory capacity guard: ${line}`, this);
        }
        if (status === "pending") pulumi.log.info(message, this);
        for (const warning of warnings ?? []) pulumi.log.warn(warning.message, this);
      });
    // Apart from the verdict: an output the check leaves out is unknown during preview, and would hold it back.
    this.notice.apply((notice) => notice && pulumi.log.info(notice, this));
  }
}
