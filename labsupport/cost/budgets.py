"""Budgets: month-to-date spend, a month-end forecast, and ACTUAL / FORECASTED alerts.

A budget is a fuel gauge with two warning lights. The ACTUAL light comes on
when the tank you have already burned passes a mark; the FORECASTED light
comes on earlier, when your current rate of burn *would* pass the mark by
the end of the trip.

How AWS Budgets defines the alerts (facts from AWS documentation)
-----------------------------------------------------------------
- A notification compares ACTUAL or FORECASTED spend with a threshold,
  here as a PERCENTAGE of the budgeted amount, with GREATER_THAN (Budgets
  API, ``Notification``: NotificationType ACTUAL | FORECASTED, ThresholdType
  PERCENTAGE | ABSOLUTE_VALUE).
- An actual-spend alert is sent once per budget period, when the threshold
  is first exceeded; a forecast alert may be sent again if the forecast
  drops below the threshold and rises above it again.
- "AWS requires approximately five weeks of usage data to generate budget
  forecasts"; until then a forecast-based alert is not initiated (AWS Cost
  Management User Guide, "Best practices for AWS Budgets"). Cost Explorer
  gives no forecast when it cannot form an 80% prediction interval, common
  for accounts with less than one full billing cycle ("Forecasting with Cost
  Explorer").

What is ours
------------
AWS does not publish its forecasting model. The stand-in here is the
simplest defensible one: **linear extrapolation of the month-to-date
average**, forecast = MTD + (MTD / days elapsed) x days remaining. It lags a
trend and overreacts to an early spike, which is a useful thing to see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from labsupport.seeds import Seed, as_rng
from labsupport.checks import check_int, check_number, check_numbers

__all__ = [
    "FORECAST_MIN_HISTORY_DAYS", "month_to_date", "forecast_month_end", "BudgetAlert", "BudgetMonth",
    "evaluate_budget", "daily_cost_series", "run_budget_month",
]

FORECAST_MIN_HISTORY_DAYS = 35  # "approximately five weeks of usage data" before AWS forecasts


def month_to_date(daily_costs: Iterable[float]) -> np.ndarray:
    """Cumulative spend at the end of each day.

    Examples
    --------
    >>> month_to_date([10, 12, 8]).tolist()
    [10.0, 22.0, 30.0]
    """
    return np.cumsum(check_numbers("daily_costs", daily_costs, low=0))


def forecast_month_end(daily_costs_so_far: Iterable[float], days_in_month: int) -> float:
    """Linear month-end forecast: month-to-date plus its daily average for each remaining day.

    Examples
    --------
    >>> forecast_month_end([10, 12, 8], 30)   # average 10/day -> 300
    300.0
    """
    costs = check_numbers("daily_costs_so_far", daily_costs_so_far, low=0)
    days_in_month = check_int("days_in_month", days_in_month, low=costs.size)  # >= the days observed
    mtd = float(costs.sum())
    return mtd + mtd / costs.size * (days_in_month - costs.size)


@dataclass(frozen=True)
class BudgetAlert:
    """One notification: on ``day`` (1-based), ``kind`` spend passed ``threshold_pct`` of the budget."""

    day: int
    kind: str  # "ACTUAL" or "FORECASTED"
    threshold_pct: float
    spend_usd: float  # the month-to-date (ACTUAL) or forecast (FORECASTED) that crossed


@dataclass(frozen=True)
class BudgetMonth:
    """A month of a cost budget, day by day; ``forecasts_usd[i]`` is None while AWS would not forecast."""

    budget_usd: float
    daily_costs_usd: tuple[float, ...]
    month_to_date_usd: tuple[float, ...]
    forecasts_usd: tuple[float | None, ...]
    alerts: tuple[BudgetAlert, ...]

    @property
    def first_alert_day(self) -> dict[tuple[str, float], int]:
        """Day each (kind, threshold) first fired."""
        first: dict[tuple[str, float], int] = {}
        for alert in self.alerts:
            first.setdefault((alert.kind, alert.threshold_pct), alert.day)
        return first


def evaluate_budget(
    daily_costs: Iterable[float], budget_usd: float, thresholds_pct: Sequence[float] = (80.0, 100.0), *,
    days_in_month: int | None = None, prior_history_days: int = FORECAST_MIN_HISTORY_DAYS,
) -> BudgetMonth:
    """Replay a month of daily costs through ACTUAL and FORECASTED percentage alerts.

    Parameters
    ----------
    daily_costs : sequence of float
        Cost of each day observed so far ($, >= 0).
    budget_usd : float
        The monthly budgeted amount (> 0).
    thresholds_pct : sequence of float
        Alert thresholds as percent of the budget (> 0), e.g. ``(80, 100)``.
    days_in_month : int, optional
        Length of the budget period; defaults to ``len(daily_costs)``.
    prior_history_days : int
        Days of cost history before this month. A forecast exists on day d
        only if ``prior_history_days + d >= FORECAST_MIN_HISTORY_DAYS``.

    Examples
    --------
    >>> month = evaluate_budget([10] * 10 + [40] * 20, budget_usd=600, thresholds_pct=(100,))
    >>> [(a.day, a.kind, round(a.spend_usd)) for a in month.alerts]
    [(16, 'FORECASTED', 638), (23, 'ACTUAL', 620)]
    >>> evaluate_budget([10] * 30, 200, (100,), prior_history_days=0).first_alert_day   # new account: no forecast
    {('ACTUAL', 100.0): 21}
    """
    costs = check_numbers("daily_costs", daily_costs, low=0)
    budget = check_number("budget_usd", budget_usd, low=0, low_open=True)
    thresholds = sorted(check_number("thresholds_pct", t, low=0, low_open=True) for t in thresholds_pct)
    days = costs.size if days_in_month is None else days_in_month
    days = check_int("days_in_month", days, low=costs.size)  # >= the days observed
    history = check_int("prior_history_days", prior_history_days, low=0)
    mtd = month_to_date(costs)
    forecasts: list[float | None] = []
    alerts: list[BudgetAlert] = []
    actual_sent: set[float] = set()
    forecast_above = {t: False for t in thresholds}
    for i in range(costs.size):
        day = i + 1
        forecast = forecast_month_end(costs[:day], days) if history + day >= FORECAST_MIN_HISTORY_DAYS else None
        forecasts.append(forecast)
        for t in thresholds:
            limit = budget * t / 100.0
            above = forecast is not None and forecast > limit
            if above and not forecast_above[t]:
                alerts.append(BudgetAlert(day, "FORECASTED", t, float(forecast)))
            forecast_above[t] = above
            if mtd[i] > limit and t not in actual_sent:
                actual_sent.add(t)
                alerts.append(BudgetAlert(day, "ACTUAL", t, float(mtd[i])))
    return BudgetMonth(budget, tuple(costs.tolist()), tuple(mtd.tolist()), tuple(forecasts), tuple(alerts))


def daily_cost_series(
    days: int, base_daily_usd: float, *, noise_fraction: float = 0.1, growth_per_day_usd: float = 0.0,
    spike_day: int | None = None, spike_usd: float = 0.0, seed: Seed = None,
) -> np.ndarray:
    """A seeded month of daily costs: a base, a linear trend, Gaussian noise and an optional spike.

    Examples
    --------
    >>> daily_cost_series(5, 100, noise_fraction=0.0, growth_per_day_usd=2, spike_day=3, spike_usd=50, seed=0).tolist()
    [100.0, 102.0, 154.0, 106.0, 108.0]
    >>> bool((daily_cost_series(30, 100, seed=1) == daily_cost_series(30, 100, seed=1)).all())
    True
    """
    days = check_int("days", days, low=1)
    base = check_number("base_daily_usd", base_daily_usd, low=0)
    noise = check_number("noise_fraction", noise_fraction, low=0)
    spike = check_number("spike_usd", spike_usd, low=0)
    check_number("growth_per_day_usd", growth_per_day_usd)
    if spike_day is not None:
        check_int("spike_day", spike_day, low=1, high=days)  # a day of the month
    rng = as_rng(seed)
    out = []
    for i in range(days):
        mean = base + growth_per_day_usd * i
        value = mean * (1.0 + noise * rng.gauss(0.0, 1.0)) if noise > 0 else mean
        if spike_day == i + 1:
            value += spike
        out.append(max(0.0, value))
    return np.array(out)


def run_budget_month(
    budget_usd: float, *, base_daily_usd: float, days: int = 30, thresholds_pct: Sequence[float] = (50.0, 80.0, 100.0),
    noise_fraction: float = 0.1, growth_per_day_usd: float = 0.0, spike_day: int | None = None, spike_usd: float = 0.0,
    prior_history_days: int = FORECAST_MIN_HISTORY_DAYS, seed: Seed = None,
) -> BudgetMonth:
    """Simulate one seeded month of spend against a budget (same seed, same alerts).

    Examples
    --------
    >>> month = run_budget_month(3000, base_daily_usd=90, growth_per_day_usd=2, seed=7)
    >>> [(a.day, a.kind, a.threshold_pct) for a in month.alerts]   # doctest: +NORMALIZE_WHITESPACE
    [(1, 'FORECASTED', 50.0), (1, 'FORECASTED', 80.0), (10, 'FORECASTED', 100.0), (15, 'ACTUAL', 50.0),
     (22, 'ACTUAL', 80.0), (27, 'ACTUAL', 100.0)]
    """
    costs = daily_cost_series(
        days, base_daily_usd, noise_fraction=noise_fraction, growth_per_day_usd=growth_per_day_usd,
        spike_day=spike_day, spike_usd=spike_usd, seed=seed,
    )
    return evaluate_budget(costs, budget_usd, thresholds_pct, days_in_month=days, prior_history_days=prior_history_days)
