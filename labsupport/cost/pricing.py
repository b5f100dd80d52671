"""What a usage profile costs under each EC2 purchase model, and when a commitment pays off.

A commitment is a bet on utilisation. Renting a car by the day beats buying
one only while you drive it rarely; the break-even point is the fraction of
days you must drive for the purchase to be cheaper. For a Reserved Instance
or Savings Plan the same fraction has a closed form:

    break-even utilisation = effective hourly price / On-Demand hourly price,

where the effective hourly price spreads any upfront payment evenly over the
term's hours. An RI for the r-th concurrent instance pays off exactly when
that instance runs in more than this fraction of hours, which is why
:func:`optimal_reserved_count` buys RIs instance by instance.

A usage profile here is a sequence of hourly instance counts (fractions allowed).
Prices come from :mod:`labsupport.cost.prices` or are passed in directly.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from labsupport.checks import check_choice, check_int, check_number, check_numbers, check_probability, check_type
from labsupport.cost.commitments import optimal_commitment, savings_plan_cost
from labsupport.cost.prices import PAYMENT_OPTIONS, TERM_HOURS, InstancePrices, ReservedOffer

__all__ = [
    "on_demand_cost", "spot_cost", "reserved_cost", "savings_plan_profile_cost", "optimal_reserved_count",
    "break_even_utilisation", "break_even_hours", "compare_models", "cost_vs_utilisation",
]


def _flat_rate_cost(instance_counts: Iterable[float], price_name: str, price_per_hour: float) -> float:
    """Every instance-hour at one price; ``price_name`` is the caller's parameter, for its error messages."""
    price = check_number(price_name, price_per_hour, low=0)
    return float(check_numbers("instance_counts", instance_counts, low=0).sum() * price)


def on_demand_cost(instance_counts: Iterable[float], on_demand_per_hour: float) -> float:
    """Pay-as-you-go cost: every instance-hour at the On-Demand price.

    Examples
    --------
    >>> round(on_demand_cost([2, 2, 1, 0], 0.096), 3)
    0.48
    """
    return _flat_rate_cost(instance_counts, "on_demand_per_hour", on_demand_per_hour)


def spot_cost(instance_counts: Iterable[float], spot_per_hour: float) -> float:
    """Cost at a flat Spot price, ignoring interruptions (see :mod:`labsupport.cost.spot`).

    Examples
    --------
    >>> round(spot_cost([2, 2, 1, 0], 0.042), 3)
    0.21
    """
    return _flat_rate_cost(instance_counts, "spot_per_hour", spot_per_hour)


def reserved_cost(
    instance_counts: Iterable[float], reserved_count: int, offer: ReservedOffer, *, on_demand_per_hour: float,
) -> float:
    """Cost with ``reserved_count`` RIs covering the profile, the rest On-Demand.

    Each RI is paid for every hour of the profile, used or not, at its
    effective hourly price (upfront amortised over the term: a profile of H
    hours bears H / term_hours of the upfront payment).

    Examples
    --------
    >>> offer = ReservedOffer(1, "No Upfront", 0, 0.060)
    >>> # 4 h x 0.060 + 2 spill-over h x 0.096
    >>> round(reserved_cost([2, 2, 1, 0], 1, offer, on_demand_per_hour=0.096), 3)
    0.432
    """
    n = check_numbers("instance_counts", instance_counts, low=0)
    reserved_count = check_int("reserved_count", reserved_count, low=0)
    check_type("offer", offer, ReservedOffer)
    if n.size > offer.term_hours:
        raise ValueError(
            f"instance_counts has {n.size} hours, longer than the {offer.term_hours}-hour term; give at most one term"
        )
    p = check_number("on_demand_per_hour", on_demand_per_hour, low=0)
    spill = np.maximum(0.0, n - reserved_count).sum()
    return float(reserved_count * offer.effective_per_hour * n.size + spill * p)


def savings_plan_profile_cost(
    instance_counts: Iterable[float], commitment_per_hour: float, *, on_demand_per_hour: float, sp_per_hour: float,
) -> float:
    """Cost of a profile of one instance type under a Savings Plan commitment ($/hour).

    Examples
    --------
    >>> # commit to one instance
    >>> round(savings_plan_profile_cost([2, 2, 1, 0], 0.069, on_demand_per_hour=0.096, sp_per_hour=0.069), 4)
    0.468
    """
    p = check_number("on_demand_per_hour", on_demand_per_hour, low=0, low_open=True)
    sp = check_number("sp_per_hour", sp_per_hour, low=0)
    if sp >= p:
        raise ValueError(
            f"sp_per_hour={sp} must be below on_demand_per_hour={p} for a discount; "
            "choose 0 <= sp_per_hour < on_demand_per_hour"
        )
    usage = check_numbers("instance_counts", instance_counts, low=0) * p
    return savings_plan_cost(usage, commitment_per_hour, 1.0 - sp / p)


def optimal_reserved_count(
    instance_counts: Iterable[float], effective_per_hour: float, on_demand_per_hour: float,
) -> int:
    """The number of RIs that minimises :func:`reserved_cost` for the profile.

    The r-th RI covers ``clip(n_h - (r-1), 0, 1)`` instance-hours in hour h;
    it is worth buying while the On-Demand cost it saves exceeds its price
    over the profile, i.e. while its utilisation beats the break-even
    utilisation. Utilisation falls as r grows, so the greedy count is optimal.

    Examples
    --------
    >>> optimal_reserved_count([3, 3, 2, 1], 0.060, 0.096)   # utilisations 1.0, 0.75, 0.5
    2
    """
    n = check_numbers("instance_counts", instance_counts, low=0)
    ratio = break_even_utilisation(effective_per_hour, on_demand_per_hour)
    count = 0
    while True:
        utilisation = np.clip(n - count, 0.0, 1.0).mean()
        if utilisation <= ratio or utilisation == 0.0:
            return count
        count += 1


def break_even_utilisation(effective_per_hour: float, on_demand_per_hour: float) -> float:
    """Fraction of hours an instance must run for a commitment to cost the same as On-Demand.

    Examples
    --------
    >>> round(break_even_utilisation(0.060, 0.096), 3)
    0.625
    """
    effective = check_number("effective_per_hour", effective_per_hour, low=0)
    return effective / check_number("on_demand_per_hour", on_demand_per_hour, low=0, low_open=True)


def break_even_hours(offer: ReservedOffer, on_demand_per_hour: float) -> float:
    """Running hours within the term after which the RI has cost no more than On-Demand.

    A value above ``offer.term_hours`` means the offer never pays off.

    Examples
    --------
    >>> offer = ReservedOffer(1, "All Upfront", 494, 0.0)
    >>> round(break_even_hours(offer, 0.096))   # about 59% of the 8,760-hour year
    5146
    """
    return offer.total_usd / check_number("on_demand_per_hour", on_demand_per_hour, low=0, low_open=True)


def compare_models(instance_counts: Iterable[float], prices: InstancePrices, term_years: int = 1) -> dict[str, float]:
    """Cost of one profile under every purchase model in ``prices``, each sized optimally.

    RIs use :func:`optimal_reserved_count`; Savings Plans use the exact
    :func:`~labsupport.cost.commitments.optimal_commitment`. Spot ignores
    interruptions. Keys are sorted for stable printing.

    Examples
    --------
    >>> from labsupport.cost.prices import instance_prices
    >>> costs = compare_models([2] * 12 + [4] * 12, instance_prices("m5.large"))
    >>> {k: round(v, 2) for k, v in costs.items()}   # doctest: +NORMALIZE_WHITESPACE
    {'compute_sp_1yr': 5.62, 'ec2_instance_sp_1yr': 5.18, 'on_demand': 6.91, 'ri_1yr_all_upfront': 5.01,
     'ri_1yr_no_upfront': 5.18, 'ri_1yr_partial_upfront': 5.08, 'spot': 3.02}
    """
    check_type("prices", prices, InstancePrices)
    check_choice("term_years", check_int("term_years", term_years), tuple(TERM_HOURS))
    n = check_numbers("instance_counts", instance_counts, low=0)
    p = prices.on_demand_per_hour
    costs = {"on_demand": on_demand_cost(n, p), "spot": spot_cost(n, prices.spot_per_hour)}
    for payment in PAYMENT_OPTIONS:
        offer = prices.reserved_offer(term_years, payment)
        r = optimal_reserved_count(n, offer.effective_per_hour, p)
        name = f"ri_{term_years}yr_{payment.lower().replace(' ', '_')}"
        costs[name] = reserved_cost(n, r, offer, on_demand_per_hour=p)
    plans = (("compute_sp", prices.compute_sp_per_hour), ("ec2_instance_sp", prices.ec2_instance_sp_per_hour))
    for label, rates in plans:
        sp = rates[term_years]
        c = optimal_commitment(n * p, 1.0 - sp / p)
        costs[f"{label}_{term_years}yr"] = savings_plan_profile_cost(n, c, on_demand_per_hour=p, sp_per_hour=sp)
    return dict(sorted(costs.items()))


def cost_vs_utilisation(
    prices: InstancePrices, utilisations: Sequence[float], term_years: int = 1,
) -> dict[str, np.ndarray]:
    """Term cost of one instance running a fraction ``u`` of hours, per purchase model (for figures).

    On-Demand grows linearly with u; every commitment is flat (paid in full),
    so each commitment line crosses On-Demand at its break-even utilisation.

    Examples
    --------
    >>> from labsupport.cost.prices import instance_prices
    >>> curves = cost_vs_utilisation(instance_prices("m5.large"), [0.0, 0.5, 1.0])
    >>> curves["on_demand"].round(1).tolist(), curves["ri_1yr_no_upfront"].round(1).tolist()
    ([0.0, 420.5, 841.0], [525.6, 525.6, 525.6])
    """
    check_type("prices", prices, InstancePrices)
    check_choice("term_years", check_int("term_years", term_years), tuple(TERM_HOURS))
    u = check_numbers("utilisations", utilisations, low=0, high=1)
    hours = TERM_HOURS[term_years]
    curves = {"on_demand": u * hours * prices.on_demand_per_hour}
    for payment in PAYMENT_OPTIONS:
        offer = prices.reserved_offer(term_years, payment)
        curves[f"ri_{term_years}yr_{payment.lower().replace(' ', '_')}"] = np.full(u.shape, offer.total_usd)
    curves[f"compute_sp_{term_years}yr"] = np.full(u.shape, prices.compute_sp_per_hour[term_years] * hours)
    curves[f"ec2_instance_sp_{term_years}yr"] = np.full(u.shape, prices.ec2_instance_sp_per_hour[term_years] * hours)
    return curves
