"""The assumptions of a disaster recovery drill: the four strategies, their recovery steps, their timings.

A fire drill's script says who does what, in which order, and how long
each part usually takes. :class:`DrPlan` is that script for a Region
outage, and :func:`recovery_steps` lists, for each strategy of the AWS
whitepaper "Disaster Recovery of Workloads on AWS: Recovery in the Cloud",
the steps between the disaster and service restored. The durations are
ILLUSTRATIVE ranges, not AWS figures, except the Route 53 health checks
(every 10 or 30 s, with a failure threshold you choose: Amazon Route 53
Developer Guide, "How Amazon Route 53 determines whether a health check is
healthy"). :mod:`.disaster_recovery` simulates the drill; :mod:`.dr_choice`
predicts its averages and prices the strategies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from labsupport.checks import check_number, out_of_range

__all__ = ["STRATEGIES", "CROSS_REGION_S", "DrPlan", "recovery_steps", "check_strategy"]

STRATEGIES = ("backup_restore", "pilot_light", "warm_standby", "active_active")
CROSS_REGION_S = 0.04  # one-way network delay between the Regions (illustrative)


@dataclass(frozen=True, kw_only=True)
class DrPlan:
    """Assumptions (seconds; ranges are uniform). ILLUSTRATIVE unless the module docstring says otherwise."""

    write_rate_per_s: float = 5.0
    backup_interval_s: float = 3600.0
    backup_copy_s: tuple[float, float] = (600.0, 1200.0)  # snapshot copied to the recovery Region
    replication_lag_s: float = 1.0  # mean extra delay of asynchronous cross-Region replication
    declare_s: tuple[float, float] = (300.0, 900.0)  # alarm, then a person decides to fail over
    provision_s: tuple[float, float] = (1200.0, 2400.0)  # build the stack from templates
    restore_s: tuple[float, float] = (2400.0, 5400.0)  # restore the database from the snapshot
    start_app_s: tuple[float, float] = (600.0, 1200.0)  # pilot light: start and configure the app tier
    scale_up_s: tuple[float, float] = (180.0, 420.0)  # warm standby: scale the running fleet to full size
    promote_s: tuple[float, float] = (60.0, 300.0)  # promote the cross-Region replica to primary
    health_check_s: tuple[float, float] = (60.0, 90.0)  # Route 53: interval 30 s, failure threshold 3
    dns_ttl_s: float = 60.0
    probe_s: float = 10.0
    data_gb: float = 200.0
    changed_gb_per_day: float = 10.0
    web_instances: int = 6
    standby_fraction: float = 0.25  # warm standby runs this share of the production fleet

    def __post_init__(self):
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            for v in value if isinstance(value, tuple) else (value,):
                check_number(name, v, low=0)
            if isinstance(value, tuple) and not value[0] <= value[1]:
                raise out_of_range(name, value, "a range (low, high) with low <= high", why="is reversed")
        for name in ("write_rate_per_s", "replication_lag_s", "probe_s"):
            check_number(name, getattr(self, name), low=0, low_open=True)


def recovery_steps(strategy: str, plan: DrPlan) -> list[tuple[str, tuple[float, float]]]:
    """Recovery steps in order, each with its (low, high) duration; steps joined by ' + ' run in parallel.

    Examples
    --------
    >>> [name for name, _ in recovery_steps("pilot_light", DrPlan())]
    ['declare', 'promote + start app']
    """
    if strategy == "backup_restore":
        return [("declare", plan.declare_s), ("provision", plan.provision_s), ("restore", plan.restore_s)]
    if strategy == "pilot_light":
        return [("declare", plan.declare_s), ("promote + start app", (max(plan.promote_s[0], plan.start_app_s[0]),
                                                                     max(plan.promote_s[1], plan.start_app_s[1])))]
    if strategy == "warm_standby":
        return [("declare", plan.declare_s), ("promote + scale up", (max(plan.promote_s[0], plan.scale_up_s[0]),
                                                                    max(plan.promote_s[1], plan.scale_up_s[1])))]
    return [("health checks", plan.health_check_s)]


def check_strategy(strategy: str) -> None:
    """Raise ValueError unless ``strategy`` is one of :data:`STRATEGIES`."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy={strategy!r} is unknown; choose one of {STRATEGIES}")
