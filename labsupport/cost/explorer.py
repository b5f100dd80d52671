"""Spend over time grouped by service and by tag, and a simple cost-anomaly detector.

Cost Explorer is the accountant's pivot table: the same line items summed by
day, then split by service ("where does the money go?") or by a cost
allocation tag such as ``team`` ("who spends it?"). Untagged spend is a
bucket of its own, and in practice often the biggest one.

The anomaly detector here is a **teaching stand-in**. AWS Cost Anomaly
Detection "leverages advanced Machine Learning technologies to identify
anomalous spend and root causes" (AWS CloudFormation reference,
``AWS::CE::AnomalyMonitor``). Ours is one sentence long: *flag a day whose
spend exceeds the mean of the previous ``window_days`` normal days by more
than ``threshold_sigma`` standard deviations (and by at least
``min_impact_usd``)*. Flagged days are left out of later baselines, so a
multi-day incident does not quietly become the new normal. It only looks for
increases, and it needs ``window_days`` of history before it says anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from labsupport.seeds import Seed, as_rng
from labsupport.checks import check_int, check_number, check_numbers, check_probability

__all__ = [
    "CostRecord", "spend_by_service", "spend_by_tag", "total_by_day", "generate_cost_records",
    "Anomaly", "detect_anomalies",
]

UNTAGGED = "(untagged)"


@dataclass(frozen=True)
class CostRecord:
    """One line item: what ``service`` cost on ``day`` (0-based), with its tags as sorted (key, value) pairs."""

    day: int
    service: str
    cost_usd: float
    tags: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        check_int("day", self.day, low=0)
        check_number("cost_usd", self.cost_usd, low=0)

    def tag(self, key: str) -> str | None:
        """The value of tag ``key``, or None if the line item is not tagged with it."""
        return dict(self.tags).get(key)


def _grouped(
    records: Iterable[CostRecord], group: Callable[[CostRecord], str], days: int | None,
) -> dict[str, np.ndarray]:
    records = list(records)
    if not records:
        raise ValueError("records is empty; give at least one CostRecord")
    last = max(r.day for r in records)
    span = last + 1 if days is None else days
    if span < last + 1:
        raise ValueError(f"days={days} is shorter than the records (last day {last}); choose days > {last}")
    out: dict[str, np.ndarray] = {}
    for r in records:
        out.setdefault(group(r), np.zeros(span))[r.day] += r.cost_usd
    return dict(sorted(out.items()))


def spend_by_service(records: Iterable[CostRecord], days: int | None = None) -> dict[str, np.ndarray]:
    """Daily spend per service, keys sorted.

    Examples
    --------
    >>> recs = [CostRecord(0, "EC2", 5.0), CostRecord(1, "EC2", 7.0), CostRecord(1, "S3", 1.0)]
    >>> {k: v.tolist() for k, v in spend_by_service(recs).items()}
    {'EC2': [5.0, 7.0], 'S3': [0.0, 1.0]}
    """
    return _grouped(records, lambda r: r.service, days)


def spend_by_tag(records: Iterable[CostRecord], tag_key: str, days: int | None = None) -> dict[str, np.ndarray]:
    """Daily spend per value of ``tag_key``; untagged spend goes under ``"(untagged)"``.

    Examples
    --------
    >>> recs = [CostRecord(0, "EC2", 5.0, (("team", "search"),)), CostRecord(0, "S3", 1.0)]
    >>> {k: v.tolist() for k, v in spend_by_tag(recs, "team").items()}
    {'(untagged)': [1.0], 'search': [5.0]}
    """
    return _grouped(records, lambda r: r.tag(tag_key) or UNTAGGED, days)


def total_by_day(records: Iterable[CostRecord], days: int | None = None) -> np.ndarray:
    """Total spend per day across everything.

    Examples
    --------
    >>> total_by_day([CostRecord(0, "EC2", 5.0), CostRecord(0, "S3", 1.0), CostRecord(2, "S3", 2.0)]).tolist()
    [6.0, 0.0, 2.0]
    """
    return _grouped(records, lambda r: "all", days)["all"]


def generate_cost_records(
    days: int, base_daily_usd: Mapping[str, float], teams: Sequence[str] = ("checkout", "search"), *,
    untagged_fraction: float = 0.15, noise_fraction: float = 0.05,
    anomaly: tuple[int, str, float] | None = None, seed: Seed = None,
) -> tuple[CostRecord, ...]:
    """Seeded synthetic line items: each service's daily cost split among teams, part untagged.

    ``anomaly = (day, service, extra_usd)`` adds a runaway cost to one day,
    tagged to the first team.

    Examples
    --------
    >>> recs = generate_cost_records(3, {"EC2": 100.0, "S3": 20.0}, seed=1)
    >>> total_by_day(recs).round(1).tolist()
    [127.9, 113.5, 120.0]
    >>> recs == generate_cost_records(3, {"EC2": 100.0, "S3": 20.0}, seed=1)
    True
    """
    check_int("days", days, low=1)
    if not teams:
        raise ValueError("teams is empty; give at least one team name")
    untagged = check_probability("untagged_fraction", untagged_fraction)
    noise = check_number("noise_fraction", noise_fraction, low=0)
    rng = as_rng(seed)
    records = []
    for day in range(days):
        for service in sorted(base_daily_usd):
            base = check_number(f"base_daily_usd[{service!r}]", base_daily_usd[service], low=0)
            cost = max(0.0, base * (1.0 + noise * rng.gauss(0.0, 1.0)))
            weights = [rng.random() + 0.5 for _ in teams]
            tagged = cost * (1.0 - untagged)
            for team, w in zip(teams, weights):
                records.append(CostRecord(day, service, tagged * w / sum(weights), (("team", team),)))
            records.append(CostRecord(day, service, cost * untagged))
    if anomaly is not None:
        day, service, extra = anomaly
        check_int("anomaly day", day, low=0, high=days - 1)
        records.append(CostRecord(day, service, check_number("anomaly extra_usd", extra, low=0, low_open=True), (("team", teams[0]),)))
    return tuple(records)


@dataclass(frozen=True)
class Anomaly:
    """A day whose spend stood out from its rolling baseline."""

    day: int
    cost_usd: float
    baseline_usd: float
    impact_usd: float  # cost minus baseline
    score: float  # impact in baseline standard deviations (inf if the baseline was flat)


def detect_anomalies(
    daily_costs: Iterable[float], *, window_days: int = 7, threshold_sigma: float = 3.0, min_impact_usd: float = 0.0,
) -> tuple[Anomaly, ...]:
    """Flag days whose spend exceeds a rolling baseline of earlier normal days.

    Parameters
    ----------
    daily_costs : sequence of float
        Spend per day ($, >= 0).
    window_days : int
        How many earlier non-anomalous days form the baseline (>= 2).
    threshold_sigma : float
        Required excess over the baseline mean, in sample standard deviations (> 0).
    min_impact_usd : float
        Required excess in dollars (>= 0); stops a flat baseline from flagging cents.

    Notes
    -----
    O(n * window_days). Not AWS's algorithm; see the module docstring.

    Examples
    --------
    >>> costs = [100, 102, 98, 101, 99, 100, 103, 180, 101, 99]
    >>> [(a.day, round(a.impact_usd, 1)) for a in detect_anomalies(costs, window_days=5)]
    [(7, 79.8)]
    """
    costs = check_numbers("daily_costs", daily_costs, low=0)
    check_int("window_days", window_days, low=2)
    k = check_number("threshold_sigma", threshold_sigma, low=0, low_open=True)
    floor = check_number("min_impact_usd", min_impact_usd, low=0)
    normal: list[float] = []
    found = []
    for day, cost in enumerate(costs.tolist()):
        if len(normal) >= window_days:
            window = np.array(normal[-window_days:])
            mean, std = float(window.mean()), float(window.std(ddof=1))
            impact = cost - mean
            if impact > k * std and impact > floor:
                found.append(Anomaly(day, cost, mean, impact, impact / std if std > 0 else float("inf")))
                continue
        normal.append(cost)
    return tuple(found)
