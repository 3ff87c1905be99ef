package main

import (
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// recorder answers the program's invoke and registration like the engine would, and keeps what it saw.
type recorder struct {
	mu        sync.Mutex
	invokes   []string
	resources map[string]resource.PropertyMap // by type token
}

func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resources[args.TypeToken] = args.Inputs
	outputs := args.Inputs.Copy()
	outputs["status"] = resource.NewStringProperty("ok")
	outputs["message"] = resource.NewStringProperty("the plan fits")
	return args.Name + "-id", outputs, nil
}

func (r *recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.invokes = append(r.invokes, args.Token)
	return resource.PropertyMap{
		"remainingSeats": resource.NewNumberProperty(80),
		"userMaxCount":   resource.NewNumberProperty(100),
	}, nil
}

func TestProgramReadsUsageAndGuardsThePlanFromConfig(t *testing.T) {
	t.Setenv("PULUMI_CONFIG", `{"go-guardrail:plannedUsers":"25","go-guardrail:plannedDeptGB":"200"}`)
	mocks := &recorder{resources: map[string]resource.PropertyMap{}}

	if err := pulumi.RunErr(program, pulumi.WithMocks("go-guardrail", "dev", mocks)); err != nil {
		t.Fatalf("the program failed under mocks: %v", err)
	}

	if len(mocks.invokes) != 1 || mocks.invokes[0] != "koodrive:index:getServiceUsage" {
		t.Errorf("invokes = %v, want one koodrive:index:getServiceUsage", mocks.invokes)
	}
	guard, ok := mocks.resources["koodrive:index:CapacityGuard"]
	if !ok {
		t.Fatalf("no koodrive:index:CapacityGuard registered; registered: %v", mocks.resources)
	}
	if got := guard["plannedUsers"]; !got.IsNumber() || got.NumberValue() != 25 {
		t.Errorf("plannedUsers = %v, want 25 (the stack's config)", got)
	}
	dept := guard["plannedSpaceGB"]
	if !dept.IsObject() || dept.ObjectValue()["dept"].NumberValue() != 200 {
		t.Errorf("plannedSpaceGB = %v, want {dept: 200}", dept)
	}
	if got := guard["minFreeSeats"]; !got.IsNumber() || got.NumberValue() != 1 {
		t.Errorf("minFreeSeats = %v, want 1", got)
	}
}
