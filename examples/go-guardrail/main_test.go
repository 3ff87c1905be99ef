package main

import (
	"sync"
	"testing"

	"github.com/koodrive/pulumi-koodrive/sdk/go/koodrive"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	userType  = "koodrive:index:User"
	spaceType = "koodrive:index:Space"
	guardType = "koodrive:index:CapacityGuard"
)

// recorder answers invokes and registrations like the engine would, and keeps what it saw.
type recorder struct {
	mu        sync.Mutex
	invokes   []string
	resources map[string]resource.PropertyMap // by type token and name: "koodrive:index:User::alice"
}

func newRecorder() *recorder { return &recorder{resources: map[string]resource.PropertyMap{}} }

func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resources[args.TypeToken+"::"+args.Name] = args.Inputs
	outputs := args.Inputs.Copy()
	id := args.Name + "-id"
	switch args.TypeToken {
	case userType: // what KooDrive answers: its id is the user's, enabled
		outputs["status"] = resource.NewNumberProperty(0)
		outputs["deptName"] = resource.NewStringProperty("Sales")
		id = args.Inputs["userId"].StringValue()
	case spaceType: // what KooDrive answers: its container id, normal, nothing stored yet
		id = "container-7"
		outputs["containerId"] = resource.NewStringProperty(id)
		outputs["status"] = resource.NewNumberProperty(0)
		outputs["spaceUsedGB"] = resource.NewNumberProperty(0)
	case guardType:
		outputs["status"] = resource.NewStringProperty("fits")
		outputs["message"] = resource.NewStringProperty("the plan fits")
	}
	return id, outputs, nil
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

// number is a registered input's number, or -1 when it is not one.
func number(inputs resource.PropertyMap, key resource.PropertyKey) float64 {
	if value := inputs[key]; value.IsNumber() {
		return value.NumberValue()
	}
	return -1
}

func TestUserRegistersWithSchemaNamesAndTakesKooDrivesAnswer(t *testing.T) {
	mocks := newRecorder()
	var status, deptName, id string
	var answered sync.WaitGroup
	answered.Add(1)
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		user, err := koodrive.NewUser(ctx, "carol", &koodrive.UserArgs{
			UserId:       pulumi.String("100000000000000301"),
			DeptId:       pulumi.String("7"),
			Role:         pulumi.Int(0),
			Status:       pulumi.Int(1),
			ForceDestroy: pulumi.Bool(true),
		})
		if err != nil {
			return err
		}
		pulumi.All(user.ID(), user.Status, user.DeptName).ApplyT(func(all []any) error {
			id = string(all[0].(pulumi.ID))
			status = map[int]string{0: "enabled", 1: "disabled"}[all[1].(int)]
			if name, ok := all[2].(*string); ok && name != nil {
				deptName = *name
			}
			answered.Done()
			return nil
		})
		return nil
	}, pulumi.WithMocks("go-guardrail", "dev", mocks))
	if err != nil {
		t.Fatalf("the program failed under mocks: %v", err)
	}
	answered.Wait()

	inputs, ok := mocks.resources[userType+"::carol"]
	if !ok {
		t.Fatalf("no %s registered; registered: %v", userType, mocks.resources)
	}
	if got := inputs["userId"]; !got.IsString() || got.StringValue() != "100000000000000301" {
		t.Errorf("userId = %v, want the given id", got)
	}
	if got := inputs["deptId"]; !got.IsString() || got.StringValue() != "7" {
		t.Errorf("deptId = %v, want \"7\" (a string, as the schema types it)", got)
	}
	if number(inputs, "role") != 0 || number(inputs, "status") != 1 {
		t.Errorf("role, status = %v, %v; want 0, 1", inputs["role"], inputs["status"])
	}
	if got := inputs["forceDestroy"]; !got.IsBool() || !got.BoolValue() {
		t.Errorf("forceDestroy = %v, want true", got)
	}
	if id != "100000000000000301" || status != "enabled" || deptName != "Sales" {
		t.Errorf("id, status, deptName = %q, %q, %q; want KooDrive's answer", id, status, deptName)
	}
}

func TestSpaceRegistersWithSchemaNamesAndTakesKooDrivesAnswer(t *testing.T) {
	mocks := newRecorder()
	var id, containerID string
	var answered sync.WaitGroup
	answered.Add(1)
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		space, err := koodrive.NewSpace(ctx, "sales", &koodrive.SpaceArgs{
			OwnerId:      pulumi.String("1001"),
			Type:         pulumi.String("department"),
			CapacityGB:   pulumi.Int(200),
			ForceDestroy: pulumi.Bool(true),
		})
		if err != nil {
			return err
		}
		pulumi.All(space.ID(), space.ContainerId).ApplyT(func(all []any) error {
			id, containerID = string(all[0].(pulumi.ID)), all[1].(string)
			answered.Done()
			return nil
		})
		return nil
	}, pulumi.WithMocks("go-guardrail", "dev", mocks))
	if err != nil {
		t.Fatalf("the program failed under mocks: %v", err)
	}
	answered.Wait()

	inputs, ok := mocks.resources[spaceType+"::sales"]
	if !ok {
		t.Fatalf("no %s registered; registered: %v", spaceType, mocks.resources)
	}
	if got := inputs["ownerId"]; !got.IsString() || got.StringValue() != "1001" {
		t.Errorf("ownerId = %v, want \"1001\"", got)
	}
	if got := inputs["type"]; !got.IsString() || got.StringValue() != "department" {
		t.Errorf("type = %v, want department", got)
	}
	if number(inputs, "capacityGB") != 200 {
		t.Errorf("capacityGB = %v, want 200", inputs["capacityGB"])
	}
	if got := inputs["forceDestroy"]; !got.IsBool() || !got.BoolValue() {
		t.Errorf("forceDestroy = %v, want true", got)
	}
	if id != "container-7" || containerID != "container-7" {
		t.Errorf("id, containerId = %q, %q; want KooDrive's container id", id, containerID)
	}
}

func TestProgramAddsItsUsersAndSpaceAndGuardsWhatOtherToolsAdd(t *testing.T) {
	t.Setenv("PULUMI_CONFIG", `{"go-guardrail:plannedUsers":"25","go-guardrail:plannedDeptGB":"200"}`)
	mocks := newRecorder()

	if err := pulumi.RunErr(program, pulumi.WithMocks("go-guardrail", "dev", mocks)); err != nil {
		t.Fatalf("the program failed under mocks: %v", err)
	}

	if len(mocks.invokes) != 1 || mocks.invokes[0] != "koodrive:index:getServiceUsage" {
		t.Errorf("invokes = %v, want one koodrive:index:getServiceUsage", mocks.invokes)
	}
	for name, userID := range map[string]string{"alice": "100000000000000201", "bob": "100000000000000202"} {
		user, ok := mocks.resources[userType+"::"+name]
		if !ok {
			t.Fatalf("no %s %s registered; registered: %v", userType, name, mocks.resources)
		}
		if got := user["userId"]; !got.IsString() || got.StringValue() != userID {
			t.Errorf("%s: userId = %v, want %s", name, got, userID)
		}
		if number(user, "role") != 1 {
			t.Errorf("%s: role = %v, want 1", name, user["role"])
		}
	}
	sales, ok := mocks.resources[spaceType+"::sales"]
	if !ok {
		t.Fatalf("no %s sales registered; registered: %v", spaceType, mocks.resources)
	}
	if got := sales["type"]; !got.IsString() || got.StringValue() != "department" || number(sales, "capacityGB") != 100 {
		t.Errorf("sales = %v, want a department space of 100 GB", sales)
	}
	guard, ok := mocks.resources[guardType+"::capacity"]
	if !ok {
		t.Fatalf("no %s registered; registered: %v", guardType, mocks.resources)
	}
	if number(guard, "plannedUsers") != 25 {
		t.Errorf("plannedUsers = %v, want 25 (the stack's config)", guard["plannedUsers"])
	}
	dept := guard["plannedSpaceGB"]
	if !dept.IsObject() || number(dept.ObjectValue(), "dept") != 200 {
		t.Errorf("plannedSpaceGB = %v, want {dept: 200}", dept)
	}
	if number(guard, "minFreeSeats") != 1 {
		t.Errorf("minFreeSeats = %v, want 1", guard["minFreeSeats"])
	}
}
