// Command go-guardrail is the yaml-guardrail stack in Go: it adds KooDrive users and a space that
// judge their own seats and GB, exports the tenant's figures, and fails `pulumi preview`/`up` when
// they and what other tools add (planned in config) do not fit.
package main

import (
	"github.com/koodrive/pulumi-koodrive/sdk/go/koodrive"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// users are the users this stack adds (resource name, KooDrive user id): each judges its own seat with
// the rest of the deployment, so a change that adds more users than there are free seats fails its preview.
var users = []struct{ name, userID string }{
	{"alice", "100000000000000201"},
	{"bob", "100000000000000202"},
}

// program declares the users and the guard for what other tools add (a SCIM sync, a batch import),
// planned in the stack's config, and reads the figures (on every preview and update, recorded nowhere
// in the state).
func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	usage := koodrive.LookupServiceUsageOutput(ctx)
	added := make([]*koodrive.User, 0, len(users))
	for _, user := range users {
		resource, err := koodrive.NewUser(ctx, user.name, &koodrive.UserArgs{
			UserId: pulumi.String(user.userID),
			DeptId: pulumi.String("1"),
			Role:   pulumi.Int(1),
		})
		if err != nil {
			return err
		}
		added = append(added, resource)
	}
	// The sales department's space: it judges its GB against the department pool with the rest.
	sales, err := koodrive.NewSpace(ctx, "sales", &koodrive.SpaceArgs{
		OwnerId:    pulumi.String("1"), // the department's id
		Type:       pulumi.String("department"),
		CapacityGB: pulumi.Int(100),
	})
	if err != nil {
		return err
	}
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
	ctx.Export("aliceStatus", added[0].Status)
	ctx.Export("salesContainerId", sales.ContainerId)
	ctx.Export("guardStatus", guard.Status)
	ctx.Export("guardMessage", guard.Message)
	return nil
}

func main() {
	pulumi.Run(program)
}
