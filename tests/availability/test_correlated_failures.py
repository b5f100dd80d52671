"""Correlated zone failures: the closed form agrees with its special cases and with the simulation."""

import math

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.foundations.availability import k_of_n
from labsupport.availability.correlated_failures import (
    independent_availability, run_zone_failures, zone_availability,
)

avail = st.floats(min_value=0.5, max_value=0.99999)


@settings(max_examples=150, deadline=None)
@given(zones=st.integers(1, 5), hosts=st.integers(1, 5), a_h=avail, a_z=avail)
def test_any_one_host_matches_the_product_form(zones, hosts, a_h, a_z):
    expected = 1 - (1 - a_z * (1 - (1 - a_h) ** hosts)) ** zones
    assert zone_availability(zones, hosts, a_h, zone_availability=a_z) == pytest.approx(expected, abs=1e-11)


@settings(max_examples=150, deadline=None)
@given(zones=st.integers(1, 4), hosts=st.integers(1, 4), a_h=avail, data=st.data())
def test_perfect_zones_give_the_binomial(zones, hosts, a_h, data):
    k = data.draw(st.integers(1, zones * hosts))
    assert zone_availability(zones, hosts, a_h, zone_availability=1.0, k=k) == pytest.approx(k_of_n(k, zones * hosts, a_h), abs=1e-11)


@settings(max_examples=150, deadline=None)
@given(hosts=st.integers(1, 6), a_h=avail, a_z=avail, data=st.data())
def test_one_zone_caps_everything_at_the_zone(hosts, a_h, a_z, data):
    k = data.draw(st.integers(1, hosts))
    a = zone_availability(1, hosts, a_h, zone_availability=a_z, k=k)
    assert a == pytest.approx(a_z * k_of_n(k, hosts, a_h), abs=1e-11)
    assert a <= a_z + 1e-12


@settings(max_examples=150, deadline=None)
@given(zones=st.integers(1, 4), hosts=st.integers(1, 4), a_h=avail, a_z=avail)
def test_ignoring_zones_is_optimistic_and_more_hosts_needed_is_worse(zones, hosts, a_h, a_z):
    n = zones * hosts
    assert zone_availability(zones, hosts, a_h, zone_availability=a_z) <= independent_availability(n, a_h) + 1e-12
    values = [zone_availability(zones, hosts, a_h, zone_availability=a_z, k=k) for k in range(1, n + 1)]
    assert all(x >= y - 1e-12 for x, y in zip(values, values[1:]))


@pytest.mark.parametrize("zones, hosts, k", [(1, 4, 1), (2, 2, 1), (3, 2, 2)])
def test_simulated_unavailability_matches_theory(zones, hosts, k):
    r = run_zone_failures(zones, hosts, k, duration_s=6_000_000, seed=11)
    measured, theory = 1 - r.measured, 1 - r.theory
    assert measured == pytest.approx(theory, rel=0.3)
    assert measured > 3 * (1 - r.theory_ignoring_zones)     # the naive formula is far too optimistic


def test_perfect_hosts_make_every_zone_outage_a_service_outage():
    r = run_zone_failures(1, 3, host_mttf_s=1e15, zone_mttf_s=900, zone_mttr_s=100,
                          duration_s=300_000, seed=3)
    assert r.host_outages == 0
    assert len(r.outages) == r.zone_outages > 100
    assert r.measured == pytest.approx(0.9, abs=0.02)


def test_outages_are_ordered_disjoint_and_add_up():
    r = run_zone_failures(2, 1, duration_s=300_000, seed=5)
    assert r.outages, "expected some outages with these failure rates"
    for (a, b), (c, _) in zip(r.outages, r.outages[1:]):
        assert a < b <= c
    assert all(0 <= a < b <= r.duration_s for a, b in r.outages)
    assert r.measured == pytest.approx(1 - r.downtime_s / r.duration_s)


def test_same_seed_same_run_and_other_seeds_differ():
    one = run_zone_failures(2, 2, duration_s=100_000, seed=7)
    assert one == run_zone_failures(2, 2, duration_s=100_000, seed=7)
    assert one != run_zone_failures(2, 2, duration_s=100_000, seed=8)


@pytest.mark.parametrize("call, match", [
    (lambda: zone_availability(0, 2, 0.9, zone_availability=0.9), "zones"),
    (lambda: zone_availability(2, 0, 0.9, zone_availability=0.9), "hosts_per_zone"),
    (lambda: zone_availability(2, 2, 1.5, zone_availability=0.9), "host_availability"),
    (lambda: zone_availability(2, 2, 0.9, zone_availability=math.nan), "zone_availability"),
    (lambda: zone_availability(2, 2, 0.9, zone_availability=0.9, k=5), "k=5"),
    (lambda: independent_availability(3, 0.9, k=0), "k"),
    (lambda: run_zone_failures(2, 2, host_mttr_s=0, seed=0), "host_mttr_s"),
    (lambda: run_zone_failures(2, 2, duration_s=math.inf, seed=0), "duration_s"),
])
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()
