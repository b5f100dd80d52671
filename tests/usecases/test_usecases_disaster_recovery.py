"""Disaster recovery: the whitepaper's ordering, the arithmetic of RTO and RPO, and honest recommendations."""

import random
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.usecases.disaster_recovery import (STRATEGIES, DrOutcome, DrPlan, expected_rpo_s, expected_rto_s,
                                                   measure, monthly_cost_usd, recommend, run_disaster)

OUTCOMES = measure(DrPlan(), trials=8, seed=1)


def test_faster_recovery_costs_more_in_the_whitepapers_order():
    worst = [OUTCOMES[s].worst_rto_s for s in STRATEGIES]
    means = [statistics.fmean(OUTCOMES[s].rto_s) for s in STRATEGIES]
    costs = [OUTCOMES[s].monthly_usd for s in STRATEGIES]
    assert means == sorted(means, reverse=True) and worst == sorted(worst, reverse=True)
    assert costs == sorted(costs)
    assert means[0] > 3600 and 600 < means[1] < 3600 and means[3] < 300  # hours, tens of minutes, minutes


def test_backups_lose_hours_replication_loses_seconds():
    assert statistics.fmean(OUTCOMES["backup_restore"].rpo_s) > 1800
    for s in STRATEGIES[1:]:
        assert OUTCOMES[s].worst_rpo_s < 30


def test_same_seed_same_outage():
    assert run_disaster("warm_standby", seed=5) == run_disaster("warm_standby", seed=5)
    assert run_disaster("warm_standby", seed=5) != run_disaster("warm_standby", seed=6)


def test_lost_writes_are_exactly_those_after_the_recovery_point():
    t = run_disaster("pilot_light", DrPlan(write_rate_per_s=20.0, replication_lag_s=3.0), seed=2)
    assert t.lost_writes > 0 and t.rpo_s > 0
    # At 20 writes a second, a few seconds of recovery point hold about rate * rpo writes.
    assert abs(t.lost_writes - 20 * t.rpo_s) < 5 * (20 * t.rpo_s) ** 0.5 + 5


def test_mean_rto_matches_the_sum_of_the_steps():
    plan = DrPlan(write_rate_per_s=0.2)  # the recovery time does not depend on the writes: keep runs short
    for s in ("pilot_light", "active_active"):
        runs = [run_disaster(s, plan, seed=k).rto_s for k in range(40)]
        assert abs(statistics.fmean(runs) - expected_rto_s(s, plan)) / expected_rto_s(s, plan) < 0.05


def _rpo_monte_carlo(rate, lag, reps, seed):
    """Poisson writes shipped in order after exponential delays; the age of the newest shipped write at the end."""
    rng, total = random.Random(seed), 0.0
    for _ in range(reps):
        end, t, shipped, newest = lag * 30 + 30 / rate, 0.0, 0.0, None
        while (t := t + rng.expovariate(rate)) < end:
            shipped = max(shipped, t + rng.expovariate(1 / lag))
            if shipped <= end:
                newest = t
        total += end - newest
    return total / reps


@pytest.mark.parametrize("rate, lag", [(5.0, 1.0), (1.0, 3.0)])
def test_replication_rpo_formula_against_an_independent_monte_carlo(rate, lag):
    plan = DrPlan(write_rate_per_s=rate, replication_lag_s=lag)
    theory = expected_rpo_s("warm_standby", plan) - 0.04  # the formula adds the one-way network delay
    assert abs(_rpo_monte_carlo(rate, lag, 4000, seed=3) - theory) / theory < 0.03


def test_backup_rpo_formula():
    plan = DrPlan(backup_interval_s=3600.0, backup_copy_s=(600.0, 1200.0))
    runs = [run_disaster("backup_restore", plan, seed=k).rpo_s for k in range(60)]
    assert abs(statistics.fmean(runs) - expected_rpo_s("backup_restore", plan)) / 2700 < 0.1
    assert max(runs) <= 3600 + 1200 and min(runs) >= 600


def test_recommendation_is_the_cheapest_that_meets_both_in_every_outage():
    r = recommend(1800, 60, OUTCOMES)
    assert r.strategy == r.meeting[0]
    chosen = OUTCOMES[r.strategy]
    assert chosen.worst_rto_s <= 1800 and chosen.worst_rpo_s <= 60
    cheaper = [o for o in OUTCOMES.values() if o.monthly_usd < chosen.monthly_usd]
    assert all(o.worst_rto_s > 1800 or o.worst_rpo_s > 60 for o in cheaper)


@settings(max_examples=60, deadline=None)
@given(rto=st.floats(0, 1e5), rpo=st.floats(0, 1e5))
def test_recommend_never_returns_a_strategy_that_misses(rto, rpo):
    r = recommend(rto, rpo, OUTCOMES)
    for s in r.meeting:
        assert OUTCOMES[s].worst_rto_s <= rto and OUTCOMES[s].worst_rpo_s <= rpo
    assert (r.strategy is None) == (not r.meeting)


def test_impossible_objectives_get_an_explicit_answer():
    r = recommend(3600, 0.1, OUTCOMES)
    assert r.strategy is None and r.meeting == ()
    assert "no strategy meets RPO <= 0.1 s" in r.reason and "synchronous replication" in r.reason
    r = recommend(10, 3600, OUTCOMES)
    assert r.strategy is None and "fastest recovery took" in r.reason


@pytest.mark.parametrize("rto, rpo, name", [(-1, 60, "rto_s=-1"), (60, -0.5, "rpo_s=-0.5"), (float("nan"), 1, "rto_s")])
def test_negative_or_missing_objectives_are_errors(rto, rpo, name):
    with pytest.raises(ValueError, match=name):
        recommend(rto, rpo, OUTCOMES)


def test_bad_plans_and_strategies_are_refused():
    with pytest.raises(ValueError, match="declare_s"):
        DrPlan(declare_s=(10.0, 5.0))
    with pytest.raises(ValueError, match="strategy='cold'"):
        monthly_cost_usd("cold")
    with pytest.raises(ValueError, match="outcomes is empty"):
        recommend(1, 1, {})
    with pytest.raises(ValueError, match="trials"):
        measure(trials=0)


def test_outcome_properties():
    o = DrOutcome("x", (3.0, 9.0), (1.0, 4.0), 10.0)
    assert o.worst_rto_s == 9.0 and o.worst_rpo_s == 4.0
