"""What reliability costs per month: replicas, Multi-AZ standbys, statically stable spare capacity.

Reliability is bought in spare parts. A second replica doubles the bill; a
Multi-AZ standby doubles the instance bill for a machine that normally does
no work; static stability across Availability Zones means running enough
capacity in every zone that losing one zone leaves enough behind, without
having to launch anything during the failure (Amazon Builders' Library,
"Static stability using Availability Zones"). To serve ``n`` instances' worth
of load on ``z`` zones after losing one zone, each zone must hold
``ceil(n / (z - 1))`` instances, so the fleet is ``z * ceil(n / (z - 1))``:
about ``z / (z - 1)`` times the bare need (x2 on two zones, x1.5 on three).

This module prices designs only. Availability is **not** computed here: the
caller passes in the availability of each design (from a model, an SLA or a
measurement) and gets it back next to the price, so the two can be tabled or
plotted together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from labsupport.checks import check_int, check_number, check_probability
from labsupport.cost.prices import HOURS_PER_MONTH

__all__ = ["static_stability_instances", "DesignCost", "design_cost", "compare_designs"]

MINUTES_PER_MONTH = HOURS_PER_MONTH * 60


def static_stability_instances(required_instances: int, zones: int) -> int:
    """Instances to run on ``zones`` zones so that any one zone can be lost with no scaling.

    Examples
    --------
    >>> static_stability_instances(6, 3), static_stability_instances(6, 2), static_stability_instances(4, 3)
    (9, 12, 6)
    """
    check_int("required_instances", required_instances, low=0)
    check_int("zones", zones, low=2)  # losing the only zone leaves nothing
    return zones * math.ceil(required_instances / (zones - 1))


@dataclass(frozen=True)
class DesignCost:
    """A design's monthly price next to the availability the caller supplied."""

    name: str
    instances: int
    monthly_cost_usd: float
    availability: float

    @property
    def downtime_minutes_per_month(self) -> float:
        """(1 - availability) x minutes in a 730-hour month: a unit conversion of the input."""
        return (1.0 - self.availability) * MINUTES_PER_MONTH


def design_cost(
    name: str, *, required_instances: int, price_per_hour: float, availability: float,
    replicas: int = 1, multi_az_standby: bool = False, static_stability_zones: int | None = None,
    extra_monthly_usd: float = 0.0,
) -> DesignCost:
    """Monthly price of one design.

    Parameters
    ----------
    name : str
        Label for tables and plots.
    required_instances : int
        Instances needed to carry the load once (>= 0).
    price_per_hour : float
        Price of one instance-hour ($, >= 0).
    availability : float
        The design's availability in [0, 1], supplied by the caller.
    replicas : int
        Full copies of the fleet (>= 1), e.g. 3 for a 3-replica quorum store.
    multi_az_standby : bool
        Double the instances for a standby in a second zone (as Multi-AZ database deployments do).
    static_stability_zones : int, optional
        Spread over this many zones with enough spare to lose one (see
        :func:`static_stability_instances`). Not combined with ``multi_az_standby``.
    extra_monthly_usd : float
        Anything else the design adds per month (load balancer, storage), >= 0.

    Examples
    --------
    >>> d = design_cost("3 AZ, static", required_instances=4, price_per_hour=0.096,
    ...                 availability=0.9995, static_stability_zones=3)
    >>> d.instances, round(d.monthly_cost_usd, 2), round(d.downtime_minutes_per_month, 1)
    (6, 420.48, 21.9)
    """
    for label, value, low in (("required_instances", required_instances, 0), ("replicas", replicas, 1)):
        check_int(label, value, low=low)
    price = check_number("price_per_hour", price_per_hour, low=0)
    avail = check_probability("availability", availability)
    extra = check_number("extra_monthly_usd", extra_monthly_usd, low=0)
    if multi_az_standby and static_stability_zones is not None:
        raise ValueError("choose either multi_az_standby or static_stability_zones, not both")
    instances = required_instances * replicas
    if multi_az_standby:
        instances *= 2
    if static_stability_zones is not None:
        instances = static_stability_instances(instances, static_stability_zones)
    return DesignCost(name, instances, instances * price * HOURS_PER_MONTH + extra, avail)


def compare_designs(designs: Sequence[DesignCost]) -> tuple[tuple[str, float, float, float], ...]:
    """Rows of (name, monthly cost, availability, extra $ per month per minute of downtime avoided).

    Designs are sorted by cost; the last column compares each design with the
    previous (cheaper) one: ``inf`` if it costs more without reducing
    downtime, NaN for the first row and for a tie in both cost and downtime.

    Examples
    --------
    >>> a = design_cost("single", required_instances=2, price_per_hour=0.1, availability=0.99)
    >>> b = design_cost("multi-AZ", required_instances=2, price_per_hour=0.1, availability=0.999, multi_az_standby=True)
    >>> [(n, round(c), a_, round(r, 3)) for n, c, a_, r in compare_designs([b, a])][1]
    ('multi-AZ', 292, 0.999, 0.37)
    """
    if not designs:
        raise ValueError("designs is empty; give at least one DesignCost")
    ordered = sorted(designs, key=lambda d: (d.monthly_cost_usd, d.name))
    rows = [(ordered[0].name, ordered[0].monthly_cost_usd, ordered[0].availability, math.nan)]
    for before, after in zip(ordered, ordered[1:]):
        saved_minutes = before.downtime_minutes_per_month - after.downtime_minutes_per_month
        extra = after.monthly_cost_usd - before.monthly_cost_usd
        ratio = extra / saved_minutes if saved_minutes > 0 else (math.inf if extra > 0 else math.nan)
        rows.append((after.name, after.monthly_cost_usd, after.availability, ratio))
    return tuple(rows)
