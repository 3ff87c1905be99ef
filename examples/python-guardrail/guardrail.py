"""The yaml-guardrail stack in Python: the tenant's KooDrive figures, and a guard for the plan in config."""

import pulumi
import pulumi_koodrive as koodrive


def program() -> None:
    """Reads the figures (on every preview and update, recorded nowhere in the state) and declares the
    guard, which fails `pulumi preview`/`up` when the plan in the stack's config does not fit."""
    config = pulumi.Config()
    usage = koodrive.get_service_usage_output()
    guard = koodrive.CapacityGuard(
        "capacity",
        planned_users=config.get_int("plannedUsers") or 0,
        planned_space_gb=koodrive.CapacityGuardPlannedSpaceGBArgs(dept=config.get_int("plannedDeptGB") or 0),
        min_free_seats=1,
    )
    pulumi.export("remainingSeats", usage.remaining_seats)
    pulumi.export("userMaxCount", usage.user_max_count)
    pulumi.export("remainingDeptQuotaGB", usage.remaining_dept_quota_gb)
    pulumi.export("guardStatus", guard.status)
    pulumi.export("guardMessage", guard.message)
