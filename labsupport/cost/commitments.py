r"""Choosing a Savings Plan commitment from an hourly usage history.

A Savings Plan is like a gym membership paid by the hour: you pay the fee
``c`` every hour whether you come or not, and while you are inside, your
usage costs the discounted rate. Commit too little and the rest of your usage
pays full On-Demand price; commit too much and you pay for hours you never use.

The model (one discount rate)
-----------------------------
Let :math:`u_h` be the On-Demand-equivalent usage in hour :math:`h`
($/hour), :math:`d` the discount (Savings Plans rate = :math:`(1-d)` x
On-Demand rate) and :math:`c` the commitment in $/hour of Savings Plans rate.
The commitment covers :math:`x = c/(1-d)` dollars of On-Demand-equivalent
usage, so the bill for :math:`H` hours is

.. math:: C(c) = H\,c + \sum_h \max\bigl(0,\; u_h - c/(1-d)\bigr).

In terms of :math:`x`, :math:`C = H(1-d)x + \sum_h \max(0, u_h - x)` is convex
and piecewise linear; its slope just above :math:`x` is
:math:`\#\{u_h \le x\} - H d`. The cost therefore falls while fewer than a
fraction :math:`d` of the hours have usage at or below the coverage, and
rises afterwards: **the optimal coverage is the d-quantile of hourly usage**
(the level exceeded in a fraction :math:`1-d` of hours). With usage sorted,
:math:`u_{(1)} \le \dots \le u_{(H)}`, the smallest optimal commitment is

.. math:: c^* = (1-d)\,u_{(k)}, \qquad k = \lceil H d \rceil \quad (c^* = 0 \text{ if } k = 0).

Intuition: an extra dollar of coverage costs :math:`(1-d)` every hour and
saves one dollar only in the hours whose usage reaches it.

Where AWS does this: Cost Explorer's Savings Plans recommendations. AWS
applies a plan to the usage with the highest savings percentage first; with
several discount rates the optimum is no longer a single quantile, see
:func:`apply_savings_plan` for that hourly mechanism.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Sequence

import numpy as np

from labsupport.checks import check_number, check_numbers, check_probability, check_type

__all__ = [
    "usage_from_instances", "savings_plan_cost", "savings_plan_cost_curve", "optimal_commitment",
    "commitment_regret", "CommitmentRisk", "commitment_risk", "UsageLine", "HourBill", "apply_savings_plan",
]


def usage_from_instances(instance_counts: Iterable[float], on_demand_per_hour: float) -> np.ndarray:
    """Turn hourly instance counts into On-Demand-equivalent $/hour.

    Examples
    --------
    >>> usage_from_instances([1, 2, 0], 0.096).round(3).tolist()
    [0.096, 0.192, 0.0]
    """
    price = check_number("on_demand_per_hour", on_demand_per_hour, low=0)
    return check_numbers("instance_counts", instance_counts, low=0) * price


def savings_plan_cost_curve(
    usage_per_hour: Iterable[float], commitments_per_hour: Iterable[float], discount: float,
) -> np.ndarray:
    """Total cost C(c) for many commitments at once, in O((H + M) log H).

    Sorting the usage once and keeping prefix sums gives, for coverage x,
    the On-Demand spill-over as (sum of usage above x) - x * (hours above x).

    Examples
    --------
    >>> savings_plan_cost_curve([1, 2, 3, 4], [0.0, 0.5, 1.0, 2.0], 0.5).round(2).tolist()
    [10.0, 8.0, 7.0, 8.0]
    """
    u = np.sort(check_numbers("usage_per_hour", usage_per_hour, low=0))
    d = check_probability("discount", discount, open_high=True)
    c = check_numbers("commitments_per_hour", commitments_per_hour, low=0, nonempty=False)
    hours = u.size
    prefix = np.concatenate(([0.0], np.cumsum(u)))
    x = c / (1.0 - d)
    at_or_below = np.searchsorted(u, x, side="right")
    above = hours - at_or_below
    spill = (prefix[-1] - prefix[at_or_below]) - x * above
    return hours * c + spill


def savings_plan_cost(usage_per_hour: Iterable[float], commitment_per_hour: float, discount: float) -> float:
    """Total cost of a usage history under a Savings Plan commitment.

    Parameters
    ----------
    usage_per_hour : sequence of float
        On-Demand-equivalent usage in each hour, $/hour (>= 0, non-empty).
    commitment_per_hour : float
        The commitment c, $/hour at the Savings Plans rate (>= 0).
    discount : float
        Savings Plans discount off On-Demand, 0 <= discount < 1.

    Examples
    --------
    >>> savings_plan_cost([1, 2, 3, 4], 1.0, 0.5)   # covers $2 of usage each hour
    7.0
    """
    c = check_number("commitment_per_hour", commitment_per_hour, low=0)
    return float(savings_plan_cost_curve(usage_per_hour, [c], discount)[0])


def optimal_commitment(usage_per_hour: Iterable[float], discount: float) -> float:
    """The smallest commitment that minimises :func:`savings_plan_cost` (exact).

    Returns :math:`(1-d)\\,u_{(k)}` with :math:`k = \\lceil H d \\rceil`, the
    d-quantile of usage times the Savings Plans rate; ``k`` is computed in
    exact rational arithmetic so that ``H * d`` landing on an integer cannot
    be pushed over by rounding.

    Notes
    -----
    O(H) with :func:`numpy.partition`: no full sort is needed.

    Examples
    --------
    >>> optimal_commitment([1, 2, 3, 4], 0.5)     # k = 2, u_(2) = 2
    1.0
    >>> optimal_commitment([5, 5, 5], 0.0)        # no discount: commit nothing
    0.0
    """
    u = check_numbers("usage_per_hour", usage_per_hour, low=0)
    d = check_probability("discount", discount, open_high=True)
    k = math.ceil(Fraction(d) * u.size)
    if k == 0:
        return 0.0
    kth = float(np.partition(u, k - 1)[k - 1])
    return (1.0 - d) * kth


def commitment_regret(usage_per_hour: Iterable[float], commitment_per_hour: float, discount: float) -> float:
    """Extra cost of ``commitment_per_hour`` over the optimum, in dollars (>= 0).

    Examples
    --------
    >>> commitment_regret([1, 2, 3, 4], 2.0, 0.5)
    1.0
    """
    c = check_number("commitment_per_hour", commitment_per_hour, low=0)
    costs = savings_plan_cost_curve(usage_per_hour, [c, optimal_commitment(usage_per_hour, discount)], discount)
    return max(0.0, float(costs[0] - costs[1]))  # max() only absorbs floating-point rounding


@dataclass(frozen=True)
class CommitmentRisk:
    """What a commitment costs if future usage is ``scale`` times the history."""

    scale: float
    cost_usd: float
    optimal_cost_usd: float
    on_demand_cost_usd: float
    unused_commitment_usd: float

    @property
    def regret_usd(self) -> float:
        """Cost above the best commitment for that future."""
        return self.cost_usd - self.optimal_cost_usd


def commitment_risk(
    usage_per_hour: Iterable[float], commitment_per_hour: float, discount: float,
    *, scales: Sequence[float] = (1.0, 0.8, 0.6, 0.4, 0.2),
) -> tuple[CommitmentRisk, ...]:
    """Cost of a fixed commitment when usage shrinks to ``scale`` x the history.

    The commitment is paid whatever happens, so when usage falls the unused
    part, :math:`\\sum_h \\max(0, c - (1-d)\\,s\\,u_h)`, is money spent on nothing.

    Examples
    --------
    >>> risk = commitment_risk([2, 2, 2, 2], 1.0, 0.5, scales=(1.0, 0.5, 0.0))
    >>> [(r.scale, r.cost_usd, r.on_demand_cost_usd, r.unused_commitment_usd) for r in risk]
    [(1.0, 4.0, 8.0, 0.0), (0.5, 4.0, 4.0, 2.0), (0.0, 4.0, 0.0, 4.0)]
    """
    u = check_numbers("usage_per_hour", usage_per_hour, low=0)
    c = check_number("commitment_per_hour", commitment_per_hour, low=0)
    d = check_probability("discount", discount, open_high=True)
    out = []
    for scale in scales:
        s = check_number("scale", scale, low=0)
        future = s * u
        cost, best = savings_plan_cost_curve(future, [c, optimal_commitment(future, d)], d)
        unused = float(np.maximum(0.0, c - (1.0 - d) * future).sum())
        out.append(CommitmentRisk(s, float(cost), float(min(cost, best)), float(future.sum()), unused))
    return tuple(out)


@dataclass(frozen=True)
class UsageLine:
    """One kind of usage in one hour: ``quantity`` units at two rates ($ per unit)."""

    name: str
    quantity: float
    on_demand_rate: float
    sp_rate: float

    def __post_init__(self):
        check_type("name", self.name, str)
        for name in ("quantity", "on_demand_rate", "sp_rate"):
            check_number(f"{self.name}.{name}", getattr(self, name), low=0)  # which line, which number

    @property
    def savings_fraction(self) -> float:
        """1 - Savings Plans rate / On-Demand rate."""
        return 1.0 - self.sp_rate / self.on_demand_rate if self.on_demand_rate > 0 else 0.0


@dataclass(frozen=True)
class HourBill:
    """One hour's bill: commitment paid, usage covered, the rest On-Demand."""

    commitment_usd: float
    on_demand_usd: float
    unused_commitment_usd: float
    covered: tuple[tuple[str, float], ...]  # (name, fraction of the line covered), in application order

    @property
    def total_usd(self) -> float:
        return self.commitment_usd + self.on_demand_usd


def apply_savings_plan(commitment_per_hour: float, lines: Sequence[UsageLine]) -> HourBill:
    """Apply a commitment to one hour of usage in the order AWS documents.

    Highest savings percentage first; on a tie the lower Savings Plans rate
    first; until usage or commitment runs out. Uncovered usage is billed
    On-Demand (Savings Plans User Guide, "Understanding how Savings Plans
    apply to your AWS usage").

    Examples
    --------
    >>> bill = apply_savings_plan(3.0, [UsageLine("a", 1, 4.0, 2.0), UsageLine("b", 1, 10.0, 8.0)])
    >>> bill.covered, bill.on_demand_usd, bill.total_usd
    ((('a', 1.0), ('b', 0.125)), 8.75, 11.75)
    """
    remaining = check_number("commitment_per_hour", commitment_per_hour, low=0)
    for i, line in enumerate(lines):
        check_type(f"lines[{i}]", line, UsageLine)  # a UsageLine checked its numbers when it was made
    order = sorted(lines, key=lambda line: (-line.savings_fraction, line.sp_rate))
    covered, on_demand = [], 0.0
    for line in order:
        sp_cost = line.quantity * line.sp_rate
        fraction = 1.0 if sp_cost <= remaining else (remaining / sp_cost if sp_cost > 0 else 1.0)
        remaining = max(0.0, remaining - fraction * sp_cost)
        covered.append((line.name, fraction))
        on_demand += (1.0 - fraction) * line.quantity * line.on_demand_rate
    return HourBill(float(commitment_per_hour), on_demand, remaining, tuple(covered))
