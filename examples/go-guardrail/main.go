// Command go-guardrail is the yaml-guardrail stack in Go: it exports the tenant's KooDrive figures
// and fails `pulumi preview`/`up` when the allocation planned in config does not fit.
package main

import (
	"github.com/koodrive/pulumi-koodrive/sdk/go/koodrive"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// program reads the figures (on every preview and update, recorded nowhere in the state) and
// declares the guard for the plan in the stack's config.
func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	usage := koodrive.LookupServiceUsageOutput(ctx)
	guard, err := koodrive.NewCapacityGuard(ctx, "capacity", &koodrive.CapacityGuardArgs{
		PlannedUsers: pulumi.Int(cfg.GetInt("plannedUsers")),
		PlannedSpaceGB: koodrive.CapacityGuardPlannedSpaceGBArgs{
			Dept: pulumi.Int(cfg.GetInt("plannedDeptGB")),
		},
		MinFreeSeats: pulumi.Int(1),
	})
	if err != nil {
		return err
	}
	ctx.Export("remainingSeats", usage.RemainingSeats())
	ctx.Export("userMaxCount", usage.UserMaxCount())
	ctx.Export("remainingDeptQuotaGB", usage.RemainingDeptQuotaGB())
	ctx.Export("guardStatus", guard.Status)
	ctx.Export("guardMessage", guard.Message)
	return nil
}

func main() {
	pulumi.Run(program)
}
