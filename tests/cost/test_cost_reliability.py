"""Pricing reliable designs: static stability survives any one zone, and nothing more than needed."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.cost.reliability import compare_designs, design_cost, static_stability_instances


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 200), st.integers(2, 6))
def test_static_stability_survives_losing_any_zone_and_is_minimal(required, zones):
    total = static_stability_instances(required, zones)
    per_zone = total // zones
    assert total == per_zone * zones
    assert per_zone * (zones - 1) >= required  # any one zone lost, the rest carry the load
    assert (per_zone - 1) * (zones - 1) < required or per_zone == 0  # one fewer per zone would not


def test_overprovisioning_factor_is_z_over_z_minus_one():
    assert static_stability_instances(6, 3) / 6 == pytest.approx(1.5)
    assert static_stability_instances(6, 2) / 6 == pytest.approx(2.0)


def test_design_prices_by_hand():
    single = design_cost("single", required_instances=3, price_per_hour=0.1, availability=0.99)
    replicated = design_cost("3 replicas", required_instances=3, price_per_hour=0.1, availability=0.999, replicas=3)
    multi_az = design_cost("multi-AZ", required_instances=3, price_per_hour=0.1, availability=0.9995, multi_az_standby=True)
    assert single.monthly_cost_usd == pytest.approx(3 * 0.1 * 730)
    assert replicated.instances == 9 and multi_az.instances == 6
    assert multi_az.monthly_cost_usd == pytest.approx(2 * single.monthly_cost_usd)
    assert multi_az.availability == 0.9995  # passed through, not computed
    extra = design_cost("with LB", required_instances=1, price_per_hour=0.1, availability=0.9, extra_monthly_usd=16.43)
    assert extra.monthly_cost_usd == pytest.approx(73 + 16.43)


def test_compare_designs_prices_each_minute_of_downtime_avoided():
    a = design_cost("a", required_instances=2, price_per_hour=0.1, availability=0.99)
    b = design_cost("b", required_instances=2, price_per_hour=0.1, availability=0.999, multi_az_standby=True)
    c = design_cost("c", required_instances=2, price_per_hour=0.1, availability=0.999, replicas=3)
    rows = compare_designs([c, a, b])
    assert [r[0] for r in rows] == ["a", "b", "c"]
    assert math.isnan(rows[0][3])
    assert rows[1][3] == pytest.approx((292 - 146) / ((0.01 - 0.001) * 730 * 60))
    assert rows[2][3] == math.inf  # pays more for no less downtime


@pytest.mark.parametrize(
    "call, word",
    [
        (lambda: static_stability_instances(4, 1), "zones"),
        (lambda: static_stability_instances(-1, 3), "required_instances"),
        (lambda: design_cost("x", required_instances=1, price_per_hour=-1, availability=0.9), "price_per_hour"),
        (lambda: design_cost("x", required_instances=1, price_per_hour=1, availability=1.2), "availability"),
        (lambda: design_cost("x", required_instances=1, price_per_hour=1, availability=0.9, replicas=0), "replicas"),
        (lambda: design_cost("x", required_instances=1, price_per_hour=1, availability=0.9, multi_az_standby=True,
                             static_stability_zones=3), "multi_az_standby"),
        (lambda: compare_designs([]), "designs"),
    ],
)
def test_bad_input_names_the_parameter(call, word):
    with pytest.raises(ValueError, match=word):
        call()
