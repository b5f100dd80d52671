"""Static stability across Availability Zones: provision for the zone you will lose.

A bridge is statically stable if it stands on the piers it already has when
one is washed away; it does not need a crane to arrive during the flood.
The same goes for a service spread over ``z`` Availability Zones: if it must
launch instances when a zone fails, it depends on a control plane at the
worst possible moment. The Builders' Library's answer [1]_ is to keep
enough capacity in every zone *in advance* that the remaining ``z - 1``
zones carry the whole peak: ``D / (z - 1)`` per zone for peak demand ``D``,
a total of ``z / (z - 1)`` times the demand (50 % extra with three zones,
100 % with two). More zones make the insurance cheaper.

References
----------
.. [1] B. Weiss, M. Furr, "Static stability using Availability Zones",
   Amazon Builders' Library. https://aws.amazon.com/builders-library/static-stability-using-availability-zones/
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from labsupport.checks import check_int, check_number

__all__ = ["ZonePlan", "plan_zone_capacity", "overprovision_factor", "ZoneLossCheck", "check_zone_loss"]

ROUTINGS = ("proportional", "even")
_REL_TOL = 1e-9  # a plan of exactly D / (z - 1) per zone must not fail on float rounding


def _check_zones(zones: int, zone_failures: int = 1) -> None:
    zones = check_int("zones", zones, low=2)  # static stability needs a zone to fail over to
    check_int("zone_failures", zone_failures, low=1, high=zones - 1)


def overprovision_factor(zones: int, zone_failures: int = 1) -> float:
    """Total capacity over peak demand for static stability: ``z / (z - f)``.

    Examples
    --------
    >>> overprovision_factor(2), overprovision_factor(3), overprovision_factor(6)
    (2.0, 1.5, 1.2)
    """
    _check_zones(zones, zone_failures)
    return zones / (zones - zone_failures)


@dataclass(frozen=True)
class ZonePlan:
    """Capacity per zone so that losing ``zone_failures`` zones needs no scaling action.

    ``instances_per_zone`` is set when an instance size was given (rounded up).
    ``cost_overhead`` is the extra capacity paid for, as a fraction of demand.
    """

    zones: int
    zone_failures: int
    peak_demand: float
    per_zone_capacity: float
    total_capacity: float
    overprovision_factor: float
    cost_overhead: float
    instances_per_zone: int | None = None


def plan_zone_capacity(peak_demand: float, zones: int, *, zone_failures: int = 1,
                       instance_capacity: float | None = None) -> ZonePlan:
    """Plan ``peak_demand / (zones - zone_failures)`` of capacity in each zone [1]_.

    With ``instance_capacity`` (what one instance serves), capacity is whole
    instances, so the plan rounds up and the overhead can exceed the ideal.

    Examples
    --------
    >>> p = plan_zone_capacity(3000, 3)
    >>> p.per_zone_capacity, p.total_capacity, p.cost_overhead
    (1500.0, 4500.0, 0.5)
    >>> plan_zone_capacity(1000, 3, instance_capacity=300).instances_per_zone
    2
    """
    _check_zones(zones, zone_failures)
    check_number("peak_demand", peak_demand, low=0)
    per_zone = peak_demand / (zones - zone_failures)
    instances = None
    if instance_capacity is not None:
        check_number("instance_capacity", instance_capacity, low=0, low_open=True)
        instances = math.ceil(per_zone / instance_capacity - 1e-12)
        per_zone = instances * instance_capacity
    total = per_zone * zones
    overhead = total / peak_demand - 1.0 if peak_demand > 0 else 0.0
    return ZonePlan(zones=zones, zone_failures=zone_failures, peak_demand=float(peak_demand),
                    per_zone_capacity=float(per_zone), total_capacity=float(total),
                    overprovision_factor=overprovision_factor(zones, zone_failures),
                    cost_overhead=overhead, instances_per_zone=instances)


@dataclass(frozen=True)
class ZoneLossCheck:
    """Whether a deployment carries ``load`` after losing any one zone.

    ``worst_zone`` is the zone whose loss hurts most, ``utilisation_after_loss``
    the busiest surviving zone's load over its capacity in that case (above
    1 means overload), ``cost_overhead`` total capacity over load, minus 1.
    """

    survives: bool
    worst_zone: int
    utilisation_after_loss: float
    capacity_after_loss: float
    cost_overhead: float


def check_zone_loss(capacity_per_zone: tuple[float, ...] | list[float], load: float, *,
                    routing: str = "proportional") -> ZoneLossCheck:
    """Does the deployment survive losing any single zone at ``load``, with no scaling action?

    ``routing="proportional"``: the load balancer spreads load over surviving
    zones in proportion to their capacity, so their total must suffice.
    ``routing="even"``: each surviving zone gets an equal share, so the
    smallest surviving zone must carry ``load / (z - 1)``. Utilisation up to
    1 + 1e-9 counts as surviving, so float rounding cannot fail an exact plan.

    Examples
    --------
    >>> check_zone_loss([1500, 1500, 1500], 3000).survives
    True
    >>> c = check_zone_loss([1000, 1000, 1000], 3000)
    >>> c.survives, round(c.utilisation_after_loss, 2)
    (False, 1.5)
    >>> check_zone_loss([2000, 1000, 1000], 2000, routing="even").survives
    True
    """
    caps = list(capacity_per_zone)
    if len(caps) < 2:
        raise ValueError(f"capacity_per_zone has {len(caps)} zone(s); static stability needs >= 2 zones")
    for i, c in enumerate(caps):
        check_number(f"capacity_per_zone[{i}]", c, low=0)
    check_number("load", load, low=0)
    if routing not in ROUTINGS:
        raise ValueError(f"routing={routing!r} is unknown; choose one of {ROUTINGS}")
    total, z = sum(caps), len(caps)
    worst, worst_util, worst_left = 0, -1.0, 0.0
    for lost in range(z):
        left = [c for i, c in enumerate(caps) if i != lost]
        if routing == "proportional":
            util = load / sum(left) if sum(left) > 0 else (math.inf if load > 0 else 0.0)
        else:
            util = max((load / (z - 1) / c if c > 0 else (math.inf if load > 0 else 0.0)) for c in left)
        if util > worst_util:
            worst, worst_util, worst_left = lost, util, sum(left)
    overhead = total / load - 1.0 if load > 0 else math.inf
    return ZoneLossCheck(survives=worst_util <= 1.0 + _REL_TOL, worst_zone=worst, utilisation_after_loss=worst_util,
                         capacity_after_loss=worst_left, cost_overhead=overhead)
