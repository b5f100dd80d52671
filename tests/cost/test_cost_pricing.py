"""Purchase models for a usage profile; break-even utilisation and hours against their closed forms."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.cost.commitments import savings_plan_cost
from labsupport.cost.prices import PAYMENT_OPTIONS, PRICES, ReservedOffer, instance_prices
from labsupport.cost.pricing import (
    break_even_hours,
    break_even_utilisation,
    compare_models,
    cost_vs_utilisation,
    on_demand_cost,
    optimal_reserved_count,
    reserved_cost,
    savings_plan_profile_cost,
    spot_cost,
)

M5 = instance_prices("m5.large")
profiles = st.lists(st.integers(0, 6), min_size=1, max_size=48)


def test_on_demand_and_spot_are_linear():
    assert on_demand_cost([1, 2, 3], 0.1) == pytest.approx(0.6)
    assert spot_cost([1, 2, 3], 0.04) == pytest.approx(0.24)


def test_reserved_cost_by_hand():
    offer = ReservedOffer(1, "Partial Upfront", 252, 0.029)
    # 3 RIs for 10 hours at the effective rate, plus 2 spill-over instance-hours On-Demand.
    expected = 3 * (252 / 8760 + 0.029) * 10 + 2 * 0.096
    assert reserved_cost([3] * 8 + [4, 4], 3, offer, on_demand_per_hour=0.096) == pytest.approx(expected)


@pytest.mark.parametrize("name", sorted(PRICES))
@pytest.mark.parametrize("payment", PAYMENT_OPTIONS)
@pytest.mark.parametrize("term", [1, 3])
def test_break_even_utilisation_is_where_the_cost_lines_cross(name, payment, term):
    prices = PRICES[name]
    offer = prices.reserved_offer(term, payment)
    u_star = break_even_utilisation(offer.effective_per_hour, prices.on_demand_per_hour)
    curves = cost_vs_utilisation(prices, [u_star], term)
    key = f"ri_{term}yr_{payment.lower().replace(' ', '_')}"
    assert curves["on_demand"][0] == pytest.approx(curves[key][0], rel=1e-12)
    # ... and break-even hours are the same point counted in hours of the term.
    assert break_even_hours(offer, prices.on_demand_per_hour) == pytest.approx(u_star * offer.term_hours, rel=1e-12)


def test_an_ri_pays_off_only_above_break_even():
    offer = M5.reserved_offer(1, "No Upfront")  # break-even 0.060 / 0.096 = 62.5%
    hours = 8760
    running_70 = [1] * int(0.70 * hours) + [0] * (hours - int(0.70 * hours))
    running_55 = [1] * int(0.55 * hours) + [0] * (hours - int(0.55 * hours))
    assert reserved_cost(running_70, 1, offer, on_demand_per_hour=0.096) < on_demand_cost(running_70, 0.096)
    assert reserved_cost(running_55, 1, offer, on_demand_per_hour=0.096) > on_demand_cost(running_55, 0.096)


@settings(max_examples=100, deadline=None)
@given(profiles, st.sampled_from([o for p in PRICES.values() for o in p.reserved]))
def test_optimal_reserved_count_matches_brute_force(counts, offer):
    p = 0.096
    r = optimal_reserved_count(counts, offer.effective_per_hour, p)
    costs = [reserved_cost(counts, k, offer, on_demand_per_hour=p) for k in range(max(counts) + 2)]
    assert costs[r] == pytest.approx(min(costs), rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(profiles, st.floats(0, 1))
def test_savings_plan_profile_is_the_dollar_model(counts, fraction):
    c = fraction * M5.compute_sp_per_hour[1] * max(counts)
    dollars = np.array(counts) * M5.on_demand_per_hour
    d = 1 - M5.compute_sp_per_hour[1] / M5.on_demand_per_hour
    assert savings_plan_profile_cost(counts, c, on_demand_per_hour=M5.on_demand_per_hour, sp_per_hour=M5.compute_sp_per_hour[1]) == pytest.approx(
        savings_plan_cost(dollars, c, d))


def test_compare_models_on_steady_usage_prefers_commitments():
    costs = compare_models([4] * 24 * 7, M5)
    assert costs["on_demand"] == pytest.approx(4 * 24 * 7 * 0.096)
    assert costs["ri_1yr_all_upfront"] < costs["ri_1yr_partial_upfront"] < costs["ri_1yr_no_upfront"] < costs["on_demand"]
    assert costs["ec2_instance_sp_1yr"] == pytest.approx(4 * 24 * 7 * 0.060)
    assert min(costs, key=costs.get) == "spot"  # without interruptions Spot is cheapest
    three = compare_models([4] * 24 * 7, M5, term_years=3)
    assert three["ri_3yr_all_upfront"] < costs["ri_1yr_all_upfront"]


def test_spiky_usage_commits_only_to_the_base():
    counts = [2] * 20 + [10] * 4  # 2 instances always, 8 more for 4 of 24 hours
    offer = M5.reserved_offer(1, "No Upfront")
    assert optimal_reserved_count(counts, offer.effective_per_hour, M5.on_demand_per_hour) == 2


@pytest.mark.parametrize(
    "call, word",
    [
        (lambda: on_demand_cost([], 0.1), "instance_counts"),
        (lambda: on_demand_cost([1], -0.1), "on_demand_per_hour"),
        (lambda: spot_cost([-1], 0.1), "instance_counts"),
        (lambda: reserved_cost([1], -1, M5.reserved[0], on_demand_per_hour=0.1), "reserved_count"),
        (lambda: reserved_cost([1] * 9000, 1, M5.reserved[0], on_demand_per_hour=0.1), "term"),
        (lambda: break_even_utilisation(0.05, 0.0), "on_demand_per_hour"),
        (lambda: break_even_utilisation(-0.05, 0.1), "effective_per_hour"),
        (lambda: savings_plan_profile_cost([1], 0.1, on_demand_per_hour=0.1, sp_per_hour=0.2), "sp_per_hour"),
        (lambda: compare_models([1], M5, term_years=2), "term_years"),
        (lambda: cost_vs_utilisation(M5, [1.5]), "utilisation"),
    ],
)
def test_bad_input_names_the_parameter(call, word):
    with pytest.raises(ValueError, match=word):
        call()
