"""The example prices the use cases charge, each labelled QUOTED or ILLUSTRATIVE.

A shop's price tags are useful only if you know which ones were copied from
the supplier's catalogue and which the shopkeeper pencilled in. The web
servers' On-Demand rate is taken from :mod:`labsupport.cost.prices` (a quote
for m5.large in us-east-1 from an AWS Price List fixture); every other
figure here is ILLUSTRATIVE: a round number chosen so that the relative costs
of the designs are plausible, not a price to budget with. Look up current
prices on the AWS pricing pages before spending money.
"""

from __future__ import annotations

from dataclasses import dataclass

from labsupport.checks import check_number
from labsupport.cost.prices import HOURS_PER_MONTH, instance_prices

__all__ = ["PriceTag", "PRICES", "price", "HOURS_PER_MONTH", "monthly"]


@dataclass(frozen=True)
class PriceTag:
    """One price: its value, its unit and where it came from."""

    usd: float
    unit: str
    quoted: bool
    note: str


_M5 = instance_prices("m5.large")

PRICES: dict[str, PriceTag] = {
    "web_instance": PriceTag(_M5.on_demand_per_hour, "per instance-hour", True,
                             f"m5.large On-Demand, {_M5.region}, from labsupport.cost.prices (data as of {_M5.data_as_of})"),
    "db_node": PriceTag(0.192, "per node-hour", False,
                        "ILLUSTRATIVE: twice the m5.large rate, a stand-in for a managed database instance"),
    "cache_node": PriceTag(0.05, "per node-hour", False, "ILLUSTRATIVE: a small in-memory cache node"),
    "load_balancer": PriceTag(0.03, "per hour", False, "ILLUSTRATIVE: a load balancer's hourly charge, traffic included"),
    "backup_storage": PriceTag(0.05, "per GB-month", False, "ILLUSTRATIVE: snapshot storage in the recovery Region"),
    "transfer": PriceTag(0.02, "per GB", False, "ILLUSTRATIVE: data copied between Regions"),
}


def price(name: str) -> float:
    """The example price called ``name`` in US dollars.

    Examples
    --------
    >>> price("web_instance"), PRICES["web_instance"].quoted
    (0.096, True)
    >>> price("db_node"), PRICES["db_node"].quoted
    (0.192, False)
    >>> price("gpu")
    Traceback (most recent call last):
    ...
    ValueError: no example price called 'gpu'; choose one of ['backup_storage', 'cache_node', 'db_node', 'load_balancer', 'transfer', 'web_instance']
    """
    if name not in PRICES:
        raise ValueError(f"no example price called {name!r}; choose one of {sorted(PRICES)}")
    return PRICES[name].usd


def monthly(per_hour_usd: float) -> float:
    """A steady hourly rate over a 730-hour month (the month the AWS Pricing Calculator uses).

    Examples
    --------
    >>> round(monthly(0.096), 2)
    70.08
    """
    check_number("per_hour_usd", per_hour_usd, low=0)
    return per_hour_usd * HOURS_PER_MONTH
