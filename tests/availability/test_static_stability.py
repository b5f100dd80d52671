"""Tests for labsupport.availability.isolation.static_stability: D/(z-1) per zone survives any single zone loss."""

import math

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.availability.isolation.static_stability import check_zone_loss, overprovision_factor, plan_zone_capacity


def test_builders_library_numbers():
    assert overprovision_factor(3) == 1.5          # 50 % extra with three zones
    assert overprovision_factor(2) == 2.0          # 100 % extra with two
    p = plan_zone_capacity(3000, 3)
    assert (p.per_zone_capacity, p.total_capacity, p.cost_overhead) == (1500.0, 4500.0, 0.5)


@pytest.mark.parametrize("zones", range(2, 10))
def test_overhead_is_one_over_z_minus_one(zones):
    assert plan_zone_capacity(1000, zones).cost_overhead == pytest.approx(1 / (zones - 1))


@settings(max_examples=200, deadline=None)
@given(demand=st.floats(1.0, 1e6), zones=st.integers(2, 12), routing=st.sampled_from(["proportional", "even"]))
def test_plan_survives_any_zone_loss_and_is_minimal(demand, zones, routing):
    p = plan_zone_capacity(demand, zones)
    ok = check_zone_loss([p.per_zone_capacity] * zones, demand, routing=routing)
    assert ok.survives and ok.utilisation_after_loss == pytest.approx(1.0)
    short = check_zone_loss([p.per_zone_capacity * 0.99] * zones, demand, routing=routing)
    assert not short.survives


@settings(max_examples=100, deadline=None)
@given(demand=st.floats(1.0, 1e5), zones=st.integers(3, 8), failures=st.integers(1, 2),
       unit=st.floats(1.0, 500.0))
def test_instances_round_up_and_tolerate_failures(demand, zones, failures, unit):
    p = plan_zone_capacity(demand, zones, zone_failures=failures, instance_capacity=unit)
    ideal = demand / (zones - failures)
    assert ideal - 1e-6 <= p.per_zone_capacity < ideal + unit + 1e-6
    assert p.per_zone_capacity * (zones - failures) >= demand * (1 - 1e-9)
    assert p.overprovision_factor == zones / (zones - failures)


def test_uneven_zones_depend_on_routing():
    caps = [2000, 1000, 1000]
    assert check_zone_loss(caps, 2000, routing="proportional").survives
    even = check_zone_loss(caps, 2000, routing="even")
    assert even.survives and even.worst_zone == 0
    bad = check_zone_loss(caps, 2100, routing="even")   # losing the big zone: 1050 on each 1000
    assert not bad.survives and bad.worst_zone == 0
    assert bad.utilisation_after_loss == pytest.approx(1.05)
    assert check_zone_loss(caps, 2100, routing="proportional").survives is False


def test_even_routing_is_limited_by_the_smallest_survivor():
    # Lose the 2000 zone: 1200 each lands on 3000 and on 1000, so the small zone overloads,
    # although the survivors' total (4000) would carry 2400 if routed in proportion.
    even = check_zone_loss([3000, 1000, 2000], 2400, routing="even")
    assert not even.survives and even.utilisation_after_loss == pytest.approx(1.2)
    prop = check_zone_loss([3000, 1000, 2000], 2400, routing="proportional")
    assert prop.survives and prop.worst_zone == 0 and prop.utilisation_after_loss == pytest.approx(0.8)


def test_report_fields():
    c = check_zone_loss([1000, 1000, 1000], 3000)
    assert (c.survives, c.capacity_after_loss, c.cost_overhead) == (False, 2000, 0.0)
    assert c.utilisation_after_loss == pytest.approx(1.5)      # overload is a result, not an error
    assert math.isinf(check_zone_loss([10, 10], 0).cost_overhead)
    assert plan_zone_capacity(0, 3).cost_overhead == 0.0


@pytest.mark.parametrize("call, match", [
    (lambda: plan_zone_capacity(100, 1), "zones"),
    (lambda: plan_zone_capacity(100, 3, zone_failures=3), "zone_failures"),
    (lambda: plan_zone_capacity(-1, 3), "peak_demand"),
    (lambda: plan_zone_capacity(math.nan, 3), "peak_demand"),
    (lambda: plan_zone_capacity(100, 3, instance_capacity=0), "instance_capacity"),
    (lambda: overprovision_factor(1), "zones"),
    (lambda: check_zone_loss([100], 50), "capacity_per_zone"),
    (lambda: check_zone_loss([100, -1], 50), "capacity_per_zone"),
    (lambda: check_zone_loss([100, 100], -5), "load"),
    (lambda: check_zone_loss([100, 100], 50, routing="random"), "routing"),
])
def test_bad_input_names_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()
