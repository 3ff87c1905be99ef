"""The yaml-guardrail stack in Python: users and a space that judge their own seats and GB, the
tenant's KooDrive figures, and a guard for what other tools add, planned in config."""

import pulumi
import pulumi_koodrive as koodrive

# The users this stack adds (resource name, KooDrive user id): each judges its own seat with the rest
# of the deployment, so a change that adds more users than there are free seats fails its preview.
USERS = {"alice": "100000000000000201", "bob": "100000000000000202"}


def program() -> None:
    """Declares the users and the guard, which fails `pulumi preview`/`up` when the users and the plan
    in the stack's config do not fit, and reads the figures (on every preview and update, recorded
    nowhere in the state)."""
    config = pulumi.Config()
    usage = koodrive.get_service_usage_output()
    users = [koodrive.User(name, user_id=user_id, dept_id="1", role=1) for name, user_id in USERS.items()]
    # The sales department's space: it judges its GB against the department pool with the rest.
    sales = koodrive.Space("sales", owner_id="1", type="department", capacity_gb=100)
    # What other tools add (a SCIM sync, a batch import): the guard judges it with the users above.
    guard = koodrive.CapacityGuard(
        "capacity",
        planned_users=config.get_int("plannedUsers") or 0,
        planned_space_gb=koodrive.CapacityGuardPlannedSpaceGBArgs(dept=config.get_int("plannedDeptGB") or 0),
        min_free_seats=1,
    )
    pulumi.export("remainingSeats", usage.remaining_seats)
    pulumi.export("userMaxCount", usage.user_max_count)
    pulumi.export("remainingDeptQuotaGB", usage.remaining_dept_quota_gb)
    pulumi.export("aliceStatus", users[0].status)
    pulumi.export("salesContainerId", sales.container_id)
    pulumi.export("guardStatus", guard.status)
    pulumi.export("guardMessage", guard.message)
