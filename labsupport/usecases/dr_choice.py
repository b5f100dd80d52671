"""Predicting and choosing a disaster recovery strategy: mean RTO and RPO, monthly price, and a recommendation.

An insurance broker compares policies by what they pay out and what they
cost, and refuses to sell a policy nobody offers. This module predicts the
average recovery time and recovery point of each strategy of
:mod:`.dr_plan` (the simulation in :mod:`.disaster_recovery` measures them),
prices the recovery Region at the example prices of :mod:`.prices`, and
recommends the cheapest strategy whose *worst* measured outage meets both
objectives, or says plainly that none does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from labsupport.checks import check_number
from labsupport.usecases.dr_plan import CROSS_REGION_S, DrPlan, check_strategy, recovery_steps
from labsupport.usecases.prices import monthly, price

__all__ = ["expected_rto_s", "expected_rpo_s", "monthly_cost_usd", "DrOutcome", "Recommendation", "recommend"]


def expected_rto_s(strategy: str, plan: DrPlan = DrPlan()) -> float:
    """Mean recovery time: the steps' means, the DNS TTL, and on average half a probe interval.

    Examples
    --------
    >>> expected_rto_s("active_active")
    140.0
    """
    check_strategy(strategy)
    return sum((lo + hi) / 2 for _, (lo, hi) in recovery_steps(strategy, plan)) + plan.dns_ttl_s + plan.probe_s / 2


def expected_rpo_s(strategy: str, plan: DrPlan = DrPlan()) -> float:
    """Mean recovery point.

    Backups: a disaster at a uniform phase of the backup cycle loses
    ``interval / 2`` on average, plus the copy time (the newest snapshot may
    still be on its way). Replication: writes arrive as a Poisson stream of
    rate ``lam`` and leave, in order, after exponential delays of mean ``L``.
    Looking back from the disaster, writes of age ``u`` are still queued with
    probability ``exp(-u / L)``, so queued and shipped writes are independent
    Poisson streams; the oldest queued write has age ``A`` with
    ``P(A <= a) = exp(-lam L exp(-a / L))``, and the recovery point is the
    youngest shipped write older than ``A``. Integrating ``P(RPO > x)`` numerically
    gives the mean (plus the one-way network delay).

    Examples
    --------
    >>> expected_rpo_s("backup_restore")
    2700.0
    >>> round(expected_rpo_s("warm_standby", DrPlan(write_rate_per_s=1000.0, replication_lag_s=0.001)), 3)
    0.042
    """
    check_strategy(strategy)
    if strategy == "backup_restore":
        return plan.backup_interval_s / 2 + sum(plan.backup_copy_s) / 2
    lam, lag = plan.write_rate_per_s, plan.replication_lag_s
    horizon = lag * (math.log(max(lam * lag, 1.0)) + 30) + 30 / lam
    n = 4000
    dx = horizon / n
    grid = [i * dx for i in range(n + 1)]

    def shipped_between(a: float, x: float) -> float:  # expected shipped writes with age in (a, x]
        return lam * ((x - a) - lag * (math.exp(-a / lag) - math.exp(-x / lag)))

    def cdf(a: float) -> float:  # P(oldest queued write is at most a old); P(none queued) at a = 0
        return math.exp(-lam * lag * math.exp(-a / lag))

    def survival(x: float) -> float:  # P(RPO > x) = P(A >= x) + E[no shipped write in (A, x]; A < x]
        total = (1 - cdf(x)) + cdf(0.0) * math.exp(-shipped_between(0.0, x))
        for a0, a1 in zip(grid, grid[1:]):
            if a1 > x:
                break
            total += (cdf(a1) - cdf(a0)) * math.exp(-shipped_between((a0 + a1) / 2, x))
        return total

    coarse = grid[::40]
    mean = sum((survival(x0) + survival(x1)) / 2 * (x1 - x0) for x0, x1 in zip(coarse, coarse[1:]))
    return mean + CROSS_REGION_S


def monthly_cost_usd(strategy: str, plan: DrPlan = DrPlan()) -> float:
    """What the recovery Region adds to the bill per month (example prices, see :mod:`.prices`).

    Examples
    --------
    >>> [round(monthly_cost_usd(s)) for s in ("backup_restore", "pilot_light", "warm_standby", "active_active")]
    [26, 156, 318, 812]
    """
    check_strategy(strategy)
    transfer = plan.changed_gb_per_day * 30 * price("transfer")
    if strategy == "backup_restore":
        return 2 * plan.data_gb * price("backup_storage") + transfer
    replica = monthly(price("db_node")) + plan.data_gb * price("backup_storage") + transfer
    if strategy == "pilot_light":
        return replica
    fleet = plan.web_instances * (plan.standby_fraction if strategy == "warm_standby" else 1.0)
    extra = monthly(math.ceil(fleet) * price("web_instance") + price("load_balancer"))
    if strategy == "active_active":
        extra += monthly(price("db_node") + 2 * price("cache_node"))
    return replica + extra


@dataclass(frozen=True)
class DrOutcome:
    """Many trials of one strategy, and its monthly price."""

    strategy: str
    rto_s: tuple[float, ...]
    rpo_s: tuple[float, ...]
    monthly_usd: float

    def __post_init__(self):
        check_number("monthly_usd", self.monthly_usd, low=0)

    @property
    def worst_rto_s(self) -> float:
        return max(self.rto_s)

    @property
    def worst_rpo_s(self) -> float:
        return max(self.rpo_s)


@dataclass(frozen=True)
class Recommendation:
    """The cheapest strategy whose worst measured RTO and RPO meet the targets, or None and why not."""

    strategy: str | None
    meeting: tuple[str, ...]  # every strategy that meets both, cheapest first
    reason: str


def recommend(rto_s: float, rpo_s: float, outcomes: dict[str, DrOutcome]) -> Recommendation:
    """Which strategies meet ``RTO <= rto_s`` and ``RPO <= rpo_s`` in every measured trial?

    Either objective may be ``inf``: no objective on that axis.

    Examples
    --------
    >>> o = {"a": DrOutcome("a", (100.0,), (5.0,), 10.0), "b": DrOutcome("b", (10.0,), (1.0,), 50.0)}
    >>> recommend(200, 10, o).strategy, recommend(50, 10, o).strategy
    ('a', 'b')
    >>> print(recommend(50, 0.5, o).reason)
    no strategy meets RPO <= 0.5 s: every strategy lost at least 1 s of writes (smallest: b); only synchronous replication gets to zero
    >>> recommend(-1, 10, o)
    Traceback (most recent call last):
    ...
    ValueError: rto_s=-1 is out of range; choose rto_s >= 0
    """
    for name, value in (("rto_s", rto_s), ("rpo_s", rpo_s)):
        if value != math.inf:  # an objective of inf seconds: no objective
            check_number(name, value, low=0)  # a recovery time / point objective is a duration
    if not outcomes:
        raise ValueError("outcomes is empty; measure at least one strategy first")
    ok = sorted((o.monthly_usd, s) for s, o in outcomes.items() if o.worst_rto_s <= rto_s and o.worst_rpo_s <= rpo_s)
    if ok:
        best = ok[0][1]
        return Recommendation(best, tuple(s for _, s in ok), f"{best} is the cheapest strategy that meets both")
    floor = min(outcomes.values(), key=lambda o: o.worst_rpo_s)
    fastest = min(outcomes.values(), key=lambda o: o.worst_rto_s)
    if rpo_s < floor.worst_rpo_s and all(rpo_s < min(o.rpo_s) for o in outcomes.values()):
        reason = (f"no strategy meets RPO <= {rpo_s:g} s: every strategy lost at least {min(floor.rpo_s):.0f} s of "
                  f"writes (smallest: {floor.strategy}); only synchronous replication gets to zero")
    else:
        reason = (f"no strategy meets RTO <= {rto_s:g} s and RPO <= {rpo_s:g} s together: the fastest recovery took "
                  f"{fastest.worst_rto_s:.0f} s ({fastest.strategy}), the smallest worst-case data loss "
                  f"{floor.worst_rpo_s:.1f} s ({floor.strategy})")
    return Recommendation(None, (), reason)
