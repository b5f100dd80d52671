"""Budgets: month-to-date, linear forecast, ACTUAL (once) and FORECASTED (per crossing) alerts."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.cost.budgets import (
    FORECAST_MIN_HISTORY_DAYS,
    daily_cost_series,
    evaluate_budget,
    forecast_month_end,
    month_to_date,
    run_budget_month,
)

months = st.lists(st.floats(0, 500, allow_nan=False), min_size=1, max_size=31)


def test_forecast_is_linear_from_the_month_to_date_average():
    assert forecast_month_end([100.0] * 10, 30) == pytest.approx(3000.0)
    assert forecast_month_end([0, 0, 90], 30) == pytest.approx(90 + 30 * 27)
    assert forecast_month_end([5, 7], 2) == pytest.approx(12.0)  # last day: forecast = actual


def test_forecast_needs_about_five_weeks_of_history():
    assert FORECAST_MIN_HISTORY_DAYS == 35
    month = evaluate_budget([10.0] * 30, 1000, (50,), prior_history_days=20)
    assert month.forecasts_usd[13] is None and month.forecasts_usd[14] is not None  # day 15: 20 + 15 = 35
    assert all(f is None for f in evaluate_budget([10.0] * 30, 1000, prior_history_days=0).forecasts_usd)


@settings(max_examples=100, deadline=None)
@given(months, st.floats(1, 5000), st.lists(st.floats(1, 200), min_size=1, max_size=4))
def test_actual_alerts_fire_once_on_the_first_day_over_the_threshold(costs, budget, thresholds):
    month = evaluate_budget(costs, budget, thresholds)
    mtd = np.cumsum(costs)
    actual = [a for a in month.alerts if a.kind == "ACTUAL"]
    assert len({a.threshold_pct for a in actual}) == len(actual)  # once per threshold per period
    for t in set(thresholds):
        over = np.nonzero(mtd > budget * t / 100)[0]
        fired = [a.day for a in actual if a.threshold_pct == t]
        assert fired == ([int(over[0]) + 1] if over.size else [])


@settings(max_examples=100, deadline=None)
@given(months, st.floats(1, 5000), st.floats(1, 200))
def test_forecast_alerts_fire_on_each_upward_crossing(costs, budget, threshold):
    month = evaluate_budget(costs, budget, (threshold,))
    above = [f is not None and f > budget * threshold / 100 for f in month.forecasts_usd]
    crossings = [i + 1 for i, a in enumerate(above) if a and (i == 0 or not above[i - 1])]
    assert [a.day for a in month.alerts if a.kind == "FORECASTED"] == crossings
    assert list(month.month_to_date_usd) == pytest.approx(list(month_to_date(costs)))


def test_a_forecast_alert_can_repeat_but_an_actual_alert_cannot():
    costs = [100, 0, 0, 0, 0, 0, 0, 0, 0, 100] + [100] * 20  # early burst, lull, then steady spend
    month = evaluate_budget(costs, 1000, (100,))
    assert [(a.day, a.kind) for a in month.alerts] == [(1, "FORECASTED"), (13, "FORECASTED"), (19, "ACTUAL")]


def test_seeded_month_is_reproducible():
    kwargs = dict(base_daily_usd=100, growth_per_day_usd=1.0, spike_day=12, spike_usd=400)
    assert run_budget_month(3000, seed=5, **kwargs) == run_budget_month(3000, seed=5, **kwargs)
    assert run_budget_month(3000, seed=5, **kwargs) != run_budget_month(3000, seed=6, **kwargs)


def test_a_spike_makes_the_forecast_jump():
    costs = daily_cost_series(30, 100, noise_fraction=0.0, spike_day=5, spike_usd=1000, seed=0)
    month = evaluate_budget(costs, 3500, (100,))
    # Day 5: 1500 / 5 x 30 = 9000 > 3500, three weeks before the actual spend gets there (100 x 26 + 1000 = 3600).
    assert month.first_alert_day == {("FORECASTED", 100.0): 5, ("ACTUAL", 100.0): 26}
    assert month.month_to_date_usd[-1] == pytest.approx(4000)


@pytest.mark.parametrize(
    "call, word",
    [
        (lambda: month_to_date([]), "daily_costs"),
        (lambda: month_to_date([1, -1]), "daily_costs"),
        (lambda: forecast_month_end([1, 2, 3], 2), "days_in_month"),
        (lambda: evaluate_budget([1], 0), "budget_usd"),
        (lambda: evaluate_budget([1], 10, (-5,)), "thresholds_pct"),
        (lambda: evaluate_budget([1], 10, prior_history_days=-1), "prior_history_days"),
        (lambda: evaluate_budget([1], 10, prior_history_days=2.5), "prior_history_days"),
        (lambda: evaluate_budget([1, 2, 3], 10, days_in_month=2, prior_history_days=0), "days_in_month"),
        (lambda: daily_cost_series(0, 10, seed=0), "days"),
        (lambda: daily_cost_series(5, -10, seed=0), "base_daily_usd"),
        (lambda: daily_cost_series(5, 10, spike_day=9, seed=0), "spike_day"),
    ],
)
def test_bad_input_names_the_parameter(call, word):
    with pytest.raises((TypeError, ValueError), match=word):  # 2.5 days is a wrong type
        call()
