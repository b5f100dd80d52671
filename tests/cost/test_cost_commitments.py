"""Savings Plan commitment: the closed-form optimum against brute force, and AWS's application order."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.cost.commitments import (
    UsageLine,
    apply_savings_plan,
    commitment_regret,
    commitment_risk,
    optimal_commitment,
    savings_plan_cost,
    savings_plan_cost_curve,
    usage_from_instances,
)


def naive_cost(usage, c, d):
    """The definition, hour by hour: pay c, plus On-Demand for usage beyond c / (1 - d)."""
    return sum(c + max(0.0, u - c / (1 - d)) for u in usage)


def brute_force_minimum(usage, d):
    """Cost is piecewise linear with kinks at c = (1-d) u_h, so the minimum is at one of them (or 0)."""
    candidates = [0.0] + [(1 - d) * u for u in usage]
    return min((naive_cost(usage, c, d), c) for c in candidates)


usages = st.lists(st.floats(0, 100, allow_nan=False, allow_infinity=False, allow_subnormal=False), min_size=1, max_size=40)
discounts = st.floats(0, 0.95, allow_nan=False)


def test_closed_form_on_hand_example():
    # 100 hours using $1..$100; a 30% discount -> cover the 30th-smallest hour ($30 of On-Demand usage).
    usage = list(range(1, 101))
    assert optimal_commitment(usage, 0.3) == pytest.approx(0.7 * 30)


def test_exact_tie_picks_smallest_optimal_commitment():
    # H d = 2 exactly: every coverage in [u_(2), u_(3)] = [2, 3] is optimal; we return the smallest.
    assert optimal_commitment([1, 2, 3, 4], 0.5) == 1.0
    assert savings_plan_cost([1, 2, 3, 4], 1.0, 0.5) == savings_plan_cost([1, 2, 3, 4], 1.5, 0.5)
    assert savings_plan_cost([1, 2, 3, 4], 0.99, 0.5) > savings_plan_cost([1, 2, 3, 4], 1.0, 0.5)


def test_h_times_d_rounding_does_not_shift_the_quantile():
    # 10 * 0.3 is not exactly 3 in binary floating point; k must still be 3.
    usage = list(range(1, 11))
    c = optimal_commitment(usage, 0.3)
    assert c == pytest.approx(0.7 * 3)
    assert brute_force_minimum(usage, 0.3)[0] == pytest.approx(savings_plan_cost(usage, c, 0.3), rel=1e-12)


def test_no_discount_means_no_commitment_and_steady_usage_means_full_commitment():
    assert optimal_commitment([3.0, 5.0, 4.0], 0.0) == 0.0
    assert optimal_commitment([2.0] * 24, 0.3) == pytest.approx(1.4)


@settings(max_examples=150, deadline=None)
@given(usages, discounts)
def test_optimum_matches_brute_force(usage, d):
    best_cost, _ = brute_force_minimum(usage, d)
    c = optimal_commitment(usage, d)
    assert naive_cost(usage, c, d) == pytest.approx(best_cost, rel=1e-9, abs=1e-9)


@settings(max_examples=80, deadline=None)
@given(usages, discounts, st.floats(0, 1.2))
def test_no_commitment_beats_the_optimum(usage, d, fraction):
    c_star = optimal_commitment(usage, d)
    other = fraction * max(usage)
    assert savings_plan_cost(usage, c_star, d) <= savings_plan_cost(usage, other, d) + 1e-9
    assert commitment_regret(usage, other, d) >= 0.0


@settings(max_examples=80, deadline=None)
@given(usages, discounts)
def test_optimum_is_the_d_quantile_of_usage(usage, d):
    u = np.array(usage)
    x = optimal_commitment(usage, d) / (1 - d)
    if x > 0:
        assert np.isclose(u, x).any()  # coverage sits on an observed hour
        assert np.mean(u < x * (1 - 1e-12)) < d + 1e-12  # strictly fewer than a fraction d of hours below it
    assert np.mean(u <= x * (1 + 1e-12)) >= d - 1e-12  # at least a fraction d at or below it


@settings(max_examples=80, deadline=None)
@given(usages, discounts, st.lists(st.floats(0, 150), min_size=1, max_size=10))
def test_vectorised_curve_matches_the_definition(usage, d, commitments):
    curve = savings_plan_cost_curve(usage, commitments, d)
    for c, value in zip(commitments, curve):
        assert value == pytest.approx(naive_cost(usage, c, d), rel=1e-9, abs=1e-9)


def test_a_wrong_commitment_loses_points():
    usage = [1, 1, 1, 5, 5, 5, 9, 9, 9, 9]
    d = 0.4
    c_star = optimal_commitment(usage, d)
    assert commitment_regret(usage, c_star, d) == 0.0
    for wrong in (0.0, (1 - d) * 9, (1 - d) * 1):
        assert commitment_regret(usage, wrong, d) > 0.1


def test_large_history_runs_fast_enough_for_grading():
    usage = np.random.default_rng(0).gamma(4.0, 25.0, size=3 * 8760)
    c = optimal_commitment(usage, 0.28)
    assert c == pytest.approx(0.72 * np.sort(usage)[math.ceil(0.28 * usage.size) - 1])


def test_risk_when_usage_falls():
    usage = [10.0] * 48
    c = optimal_commitment(usage, 0.3)  # 7.0: covers everything
    rows = {r.scale: r for r in commitment_risk(usage, c, 0.3, scales=(1.0, 0.5, 0.0))}
    assert rows[1.0].cost_usd == pytest.approx(48 * 7.0) and rows[1.0].unused_commitment_usd == pytest.approx(0.0)
    assert rows[0.5].unused_commitment_usd == pytest.approx(48 * (7.0 - 0.7 * 5.0))
    assert rows[0.5].regret_usd == pytest.approx(48 * 7.0 - 48 * 3.5)
    assert rows[0.0].cost_usd == pytest.approx(48 * 7.0) and rows[0.0].on_demand_cost_usd == 0.0


@settings(max_examples=50, deadline=None)
@given(usages, discounts, st.floats(0, 50))
def test_unused_commitment_grows_as_usage_shrinks(usage, d, c):
    rows = commitment_risk(usage, c, d, scales=(1.0, 0.75, 0.5, 0.25, 0.0))
    unused = [r.unused_commitment_usd for r in rows]
    assert all(a <= b + 1e-9 for a, b in zip(unused, unused[1:]))
    assert all(r.regret_usd >= -1e-9 for r in rows)


def test_aws_documented_example_scenario_one():
    # Savings Plans User Guide example (illustrative rates): a $25/hour Compute SP covers all usage.
    lines = [
        UsageLine("c5.9xlarge Linux", 1, 4.00, 2.00),
        UsageLine("c5.24xlarge Windows", 1, 10.00, 8.00),
        UsageLine("Fargate vCPU", 10, 1.50, 1.00),
        UsageLine("Fargate GB", 5, 2.00, 1.00),
    ]
    bill = apply_savings_plan(25.0, lines)
    assert bill.total_usd == pytest.approx(25.0) and bill.on_demand_usd == 0.0
    assert all(fraction == 1.0 for _, fraction in bill.covered)


def test_highest_savings_first_and_lower_rate_breaks_ties():
    lines = [
        UsageLine("c5.24xlarge Windows", 1, 10.00, 8.00),  # 20%
        UsageLine("Fargate vCPU", 10, 1.50, 1.00),  # 33%
        UsageLine("c5.9xlarge Linux", 1, 4.00, 2.00),  # 50%, rate 2.00
        UsageLine("Fargate GB", 5, 2.00, 1.00),  # 50%, rate 1.00 -> first
    ]
    bill = apply_savings_plan(10.0, lines)
    assert [name for name, _ in bill.covered] == ["Fargate GB", "c5.9xlarge Linux", "Fargate vCPU", "c5.24xlarge Windows"]
    # GB $5 + c5.9xlarge $2 leave $3 = 3/10 of the vCPU line; 7/10 x $15 and all $10 of Windows are On-Demand.
    assert [f for _, f in bill.covered] == pytest.approx([1.0, 1.0, 0.3, 0.0])
    assert bill.total_usd == pytest.approx(10.0 + 0.7 * 15.0 + 10.0)


@settings(max_examples=80, deadline=None)
@given(st.floats(0, 50), st.floats(0.01, 10), st.floats(0.05, 0.9), st.floats(0, 20))
def test_one_hour_mechanism_agrees_with_closed_form(quantity, od_rate, d, c):
    bill = apply_savings_plan(c, [UsageLine("x", quantity, od_rate, (1 - d) * od_rate)])
    assert bill.total_usd == pytest.approx(savings_plan_cost([quantity * od_rate], c, d), rel=1e-9, abs=1e-9)


def test_instance_counts_convert_to_dollars():
    assert usage_from_instances([2, 0.5], 0.1).tolist() == pytest.approx([0.2, 0.05])


@pytest.mark.parametrize(
    "call, word",
    [
        (lambda: optimal_commitment([], 0.3), "usage_per_hour"),
        (lambda: optimal_commitment([1.0, -2.0], 0.3), "usage_per_hour[1]"),
        (lambda: optimal_commitment([1.0], 1.0), "discount"),
        (lambda: optimal_commitment([1.0], -0.1), "discount"),
        (lambda: savings_plan_cost([1.0], -1.0, 0.3), "commitment_per_hour"),
        (lambda: usage_from_instances([1], -0.1), "on_demand_per_hour"),
        (lambda: commitment_risk([1.0], 1.0, 0.3, scales=(-1.0,)), "scale"),
        (lambda: apply_savings_plan(1.0, [UsageLine("x", -1, 1, 0.5)]), "x.quantity"),
    ],
)
def test_bad_input_names_the_parameter(call, word):
    with pytest.raises(ValueError, match=word.replace("[", r"\[").replace("]", r"\]")):
        call()
