"""The generated Python SDK under Pulumi's mocks (pulumi.runtime.set_mocks): each function and resource
reaches its schema token with the schema's argument names, and the python-guardrail program declares
its users and wires its config into the guard. The wheel of sdk/python must be installed
(scripts/test-sdks.sh does it)."""

import sys
from pathlib import Path
from typing import Any

import pulumi
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "python-guardrail"
PROJECT = "python-guardrail"
FIGURES = {"remainingSeats": 80, "userMaxCount": 100, "remainingDeptQuotaGB": 6102}
USER = "koodrive:index:User"
SPACE = "koodrive:index:Space"
GUARD = "koodrive:index:CapacityGuard"


class Recorder(pulumi.runtime.Mocks):
    """Answers like the engine would, and keeps every invoke token and registration it saw."""

    def __init__(self) -> None:
        self.invokes: list[str] = []
        self.resources: dict[str, dict[str, Any]] = {}  # by "type::name"

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        self.invokes.append(args.token)
        return dict(FIGURES)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resources[f"{args.typ}::{args.name}"] = dict(args.inputs)
        if args.typ == USER:  # what KooDrive answers: the user's id, enabled, its department's name
            return args.inputs["userId"], {**args.inputs, "status": 0, "deptName": "Sales"}
        if args.typ == SPACE:  # what KooDrive answers: its container id, normal, nothing stored yet
            return "container-7", {**args.inputs, "containerId": "container-7", "status": 0, "spaceUsedGB": 0}
        return f"{args.name}-id", {**args.inputs, "status": "fits", "message": "the plan fits"}


@pytest.fixture
def mocks() -> Recorder:
    recorder = Recorder()
    pulumi.runtime.set_mocks(recorder, project=PROJECT, stack="dev", preview=False)
    return recorder


def test_get_service_usage_reaches_the_schema_function(mocks: Recorder) -> None:
    import pulumi_koodrive as koodrive

    usage = koodrive.get_service_usage()

    assert mocks.invokes == ["koodrive:index:getServiceUsage"]
    assert usage.remaining_seats == 80
    assert usage.user_max_count == 100


def test_capacity_guard_registers_with_schema_names(mocks: Recorder) -> None:
    import pulumi_koodrive as koodrive

    @pulumi.runtime.test
    def declare() -> pulumi.Output[str]:
        guard = koodrive.CapacityGuard(
            "guard",
            planned_users=25,
            planned_space_gb=koodrive.CapacityGuardPlannedSpaceGBArgs(dept=200),
            min_free_seats=1,
            enforcement="advisory",
        )
        return guard.status

    declare()
    inputs = mocks.resources[f"{GUARD}::guard"]
    assert inputs["plannedUsers"] == 25
    assert inputs["plannedSpaceGB"] == {"dept": 200}
    assert inputs["minFreeSeats"] == 1
    assert inputs["enforcement"] == "advisory"
    assert "planned_users" not in inputs


def test_space_registers_with_schema_names(mocks: Recorder) -> None:
    import pulumi_koodrive as koodrive

    answered: dict[str, Any] = {}

    @pulumi.runtime.test
    def declare() -> pulumi.Output[None]:
        space = koodrive.Space("sales", owner_id="1001", type="department", capacity_gb=200, force_destroy=True)
        return pulumi.Output.all(space.id, space.container_id).apply(
            lambda values: answered.update(id=values[0], container_id=values[1])
        )

    declare()
    inputs = mocks.resources[f"{SPACE}::sales"]
    assert inputs == {"ownerId": "1001", "type": "department", "capacityGB": 200, "forceDestroy": True}
    assert answered == {"id": "container-7", "container_id": "container-7"}


def test_user_registers_with_schema_names_and_takes_koodrives_answer(mocks: Recorder) -> None:
    import pulumi_koodrive as koodrive

    answered: dict[str, Any] = {}

    @pulumi.runtime.test
    def declare() -> pulumi.Output[None]:
        user = koodrive.User(
            "carol", user_id="100000000000000301", dept_id="7", role=0, status=1, force_destroy=True
        )
        return pulumi.Output.all(user.id, user.status, user.dept_name).apply(
            lambda values: answered.update(id=values[0], status=values[1], dept_name=values[2])
        )

    declare()
    inputs = mocks.resources[f"{USER}::carol"]
    assert inputs == {"userId": "100000000000000301", "deptId": "7", "role": 0, "status": 1, "forceDestroy": True}
    assert answered == {"id": "100000000000000301", "status": 0, "dept_name": "Sales"}


def test_example_program_adds_its_users_and_space_and_guards_what_other_tools_add(mocks: Recorder) -> None:
    sys.path.insert(0, str(EXAMPLE))
    try:
        from guardrail import USERS, program
    finally:
        sys.path.remove(str(EXAMPLE))
    pulumi.runtime.set_all_config({f"{PROJECT}:plannedUsers": "25", f"{PROJECT}:plannedDeptGB": "200"})

    @pulumi.runtime.test
    def run() -> None:
        program()

    run()
    assert mocks.invokes == ["koodrive:index:getServiceUsage"]
    assert USERS == {"alice": "100000000000000201", "bob": "100000000000000202"}
    for name, user_id in USERS.items():
        assert mocks.resources[f"{USER}::{name}"] == {"userId": user_id, "deptId": "1", "role": 1}
    assert mocks.resources[f"{SPACE}::sales"] == {"ownerId": "1", "type": "department", "capacityGB": 100}
    inputs = mocks.resources[f"{GUARD}::capacity"]
    assert inputs["plannedUsers"] == 25
    assert inputs["plannedSpaceGB"] == {"dept": 200}
