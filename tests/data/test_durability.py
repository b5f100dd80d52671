"""Tests for labsupport.data.durability: the Markov chain against textbook closed forms,
the classic approximation, a seeded event-driven simulation, and zone losses."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.data.durability import (
    HOURS_PER_YEAR,
    annual_loss_probability,
    approximate_mttdl_years,
    erasure_durability,
    failure_rate_per_year,
    nines,
    replication_durability,
    run_durability_simulation,
    windowed_annual_loss_probability,
)

afrs = st.floats(0.001, 0.95)
repairs = st.floats(0.5, 20_000)


def birth_death_mttdl(n, m, lam, mu):
    """Mean time from 0 to m+1 failures: T_i (time from i to i+1) = (1 + i mu T_{i-1}) / ((n-i) lam)."""
    total, t = 0.0, 0.0
    for i in range(m + 1):
        t = (1 + i * mu * t) / ((n - i) * lam)
        total += t
    return total


def solve_generator(n, m, lam, mu):
    """The same chain solved naively with numpy: -Q t = 1 on the transient states."""
    q = np.zeros((m + 1, m + 1))
    for i in range(m + 1):
        q[i, i] = -((n - i) * lam + i * mu)
        if i < m:
            q[i, i + 1] = (n - i) * lam
        if i:
            q[i, i - 1] = i * mu
    return np.linalg.solve(-q, np.ones(m + 1))[0]


# --------------------------------------------------------------------------- exact chain


@settings(max_examples=100, deadline=None)
@given(afrs, repairs)
def test_two_way_replication_is_the_textbook_closed_form(afr, repair_hours):
    lam, mu = failure_rate_per_year(afr), HOURS_PER_YEAR / repair_hours
    exact = (3 * lam + mu) / (2 * lam**2)
    assert math.isclose(replication_durability(2, afr, repair_hours).mttdl_years, exact,
                        rel_tol=1e-12)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 17), st.integers(0, 6), st.floats(1e-4, 0.95), st.floats(0.1, 20_000))
def test_chain_matches_the_birth_death_recursion_even_at_many_nines(k, m, afr, repair_hours):
    lam, mu = failure_rate_per_year(afr), HOURS_PER_YEAR / repair_hours
    est = erasure_durability(k, m, afr, repair_hours=repair_hours)
    assert math.isclose(est.mttdl_years, birth_death_mttdl(k + m, m, lam, mu), rel_tol=1e-9)


def test_naive_numpy_solve_agrees_when_well_conditioned_and_fails_when_not():
    lam, mu = failure_rate_per_year(0.5), HOURS_PER_YEAR / 4000
    assert math.isclose(erasure_durability(4, 2, 0.5, repair_hours=4000).mttdl_years,
                        solve_generator(6, 2, lam, mu), rel_tol=1e-10)
    lam, mu = failure_rate_per_year(0.01), HOURS_PER_YEAR / 6  # 10+4 shards, ~18 nines
    exact = birth_death_mttdl(14, 4, lam, mu)
    assert math.isclose(erasure_durability(10, 4, 0.01, repair_hours=6).mttdl_years, exact, rel_tol=1e-9)
    assert not math.isclose(solve_generator(14, 4, lam, mu), exact, rel_tol=1e-3)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 10), st.integers(0, 4), st.floats(1e-4, 0.95), st.floats(0.5, 20_000))
def test_classic_approximation_is_conservative_and_first_order(k, m, afr, repair_hours):
    """0 <= 1 - approx/exact <= 2 n lam / mu whenever n lam / mu < 0.5 (measured, not proved)."""
    est = erasure_durability(k, m, afr, repair_hours=repair_hours)
    ratio = (k + m) * failure_rate_per_year(afr) * repair_hours / HOURS_PER_YEAR
    error = 1 - est.approx_mttdl_years / est.mttdl_years
    assert error >= -1e-9
    if ratio < 0.5:
        assert error <= 2 * ratio


def test_worked_examples_and_eleven_nines():
    rep = replication_durability(3, afr=0.02, repair_hours=24)
    ec = erasure_durability(6, 3, afr=0.02, repair_hours=24)
    assert round(rep.nines, 2) == 9.73 and round(ec.nines, 2) == 11.76
    assert abs(ec.approx_mttdl_years / ec.mttdl_years - 1) < 1e-3  # 6.1e-4 measured
    assert nines(1e-11) == 11 and nines(0.0) == math.inf
    slow = erasure_durability(6, 3, afr=0.02, repair_hours=24 * 30)
    assert slow.nines < 8  # a month to repair costs four nines
    assert math.isclose(annual_loss_probability(1e9), 1e-9, rel_tol=1e-8)
    assert erasure_durability(6, 3, 0.0, repair_hours=24).nines == math.inf


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 8), st.integers(0, 3), st.floats(0.001, 0.5), st.floats(1, 5000))
def test_more_parity_faster_repair_and_better_disks_all_help(k, m, afr, repair_hours):
    base = erasure_durability(k, m, afr, repair_hours=repair_hours).mttdl_years
    assert erasure_durability(k, m + 1, afr, repair_hours=repair_hours).mttdl_years > base
    assert erasure_durability(k, m, afr, repair_hours=repair_hours / 2).mttdl_years >= base
    assert erasure_durability(k, m, afr / 2, repair_hours=repair_hours).mttdl_years > base


# --------------------------------------------------------------------------- zones


@settings(max_examples=60, deadline=None)
@given(afrs, repairs, st.floats(0.001, 2.0))
def test_one_copy_per_zone_is_replication_with_a_higher_failure_rate(afr, repair_hours, zeta):
    """With one shard per zone a zone loss is just one more way that shard fails."""
    lam, mu = failure_rate_per_year(afr) + zeta, HOURS_PER_YEAR / repair_hours
    est = replication_durability(2, afr, repair_hours, zones=2, zone_loss_per_year=zeta)
    assert math.isclose(est.mttdl_years, (3 * lam + mu) / (2 * lam**2), rel_tol=1e-9)
    assert math.isclose(est.loss_given_zone_loss, lam / (lam + mu), rel_tol=1e-9)


def test_zone_placement_and_zone_loss():
    independent = erasure_durability(6, 3, 0.02, repair_hours=24)
    no_zone_loss = erasure_durability(6, 3, 0.02, repair_hours=24, zones=3, zone_loss_per_year=0.0)
    assert math.isclose(no_zone_loss.mttdl_years, independent.mttdl_years, rel_tol=1e-9)
    one_zone = erasure_durability(6, 3, 0.02, repair_hours=24, zones=1, zone_loss_per_year=0.01)
    spread = erasure_durability(6, 3, 0.02, repair_hours=24, zones=3, zone_loss_per_year=0.01)
    assert one_zone.loss_given_zone_loss == 1.0
    assert one_zone.annual_loss_probability >= -math.expm1(-0.01)
    assert round(one_zone.nines, 1) == 2.0 and round(spread.nines, 1) == 4.8
    assert spread.shards_per_zone == (3, 3, 3) and 1e-4 < spread.loss_given_zone_loss < 1e-3
    rep = replication_durability(3, 0.02, 24, zones=3, zone_loss_per_year=0.01)
    assert rep.loss_given_zone_loss < 1e-7 and rep.nines > spread.nines
    assert erasure_durability(5, 4, 0.02, repair_hours=24, zones=3, zone_loss_per_year=0.01).nines > spread.nines


# --------------------------------------------------------------------------- simulation


@pytest.mark.parametrize("k, m, afr, repair_hours, zones, zeta", [
    (1, 1, 0.5, 4000, 1, 0.0),   # 2-way replication
    (1, 2, 0.5, 4000, 1, 0.0),   # 3-way replication
    (4, 2, 0.3, 3000, 1, 0.0),   # EC 4+2
    (4, 2, 0.3, 2000, 3, 0.1),   # EC 4+2 over three zones that fail
    (2, 2, 0.3, 2000, 1, 0.1),   # everything in one zone
])
def test_simulation_agrees_with_the_markov_chain(k, m, afr, repair_hours, zones, zeta):
    """Tolerance: 4 standard errors (1/sqrt(losses) = 2.2 % at 2000 losses), i.e. < 9 %."""
    exact = erasure_durability(k, m, afr, repair_hours=repair_hours, zones=zones, zone_loss_per_year=zeta)
    sim = run_durability_simulation(k, m, afr, repair_hours=repair_hours, zones=zones,
                                    zone_loss_per_year=zeta, lifetimes=2000, seed=11)
    assert sim.losses == 2000
    assert abs(sim.mttdl_years / exact.mttdl_years - 1) < 4 * sim.relative_standard_error


def test_simulation_is_seeded_and_censors_at_max_years():
    args = dict(k=1, m=1, afr=0.5, repair_hours=4000, lifetimes=50)
    assert run_durability_simulation(**args, seed=3) == run_durability_simulation(**args, seed=3)
    assert run_durability_simulation(**args, seed=3) != run_durability_simulation(**args, seed=4)
    capped = run_durability_simulation(**args, max_years=0.5, seed=3)
    assert capped.losses < 50 and capped.exposure_years <= 25.0


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, match", [
    (lambda: replication_durability(3, -0.1, 24), r"afr=-0.1 .*0 <= afr < 1"),
    (lambda: replication_durability(3, 1.0, 24), r"afr=1.0 .*0 <= afr < 1"),
    (lambda: replication_durability(3, float("nan"), 24), r"afr=nan"),
    (lambda: replication_durability(0, 0.02, 24), r"r=0 .*r >= 1"),
    (lambda: erasure_durability(0, 3, 0.02, repair_hours=24), r"k=0 .*k >= 1"),
    (lambda: erasure_durability(6, -1, 0.02, repair_hours=24), r"m=-1 .*m >= 0"),
    (lambda: erasure_durability(6, 3, 0.02, repair_hours=0), r"repair_hours=0 .*> 0"),
    (lambda: erasure_durability(6, 3, 0.02, repair_hours=24, zones=10), r"zones=10 .*zones <= k \+ m = 9"),
    (lambda: erasure_durability(6, 3, 0.02, repair_hours=24, zones=3, zone_loss_per_year=-1), "zone_loss"),
    (lambda: approximate_mttdl_years(6, 3, 0.02, repair_hours=-5), "repair_hours"),
    (lambda: run_durability_simulation(1, 1, 0.0, repair_hours=24, seed=0), "afr=0"),
    (lambda: run_durability_simulation(1, 1, 0.5, repair_hours=24, lifetimes=0, seed=0), "lifetimes"),
    (lambda: nines(1.5), "loss_probability"),
])
def test_bad_input_names_the_parameter_and_range(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_wrong_types_raise_type_error():
    with pytest.raises(TypeError, match="afr"):
        replication_durability(3, "0.02", 24)
    with pytest.raises(TypeError, match="k must be an int"):
        erasure_durability(6.0, 3, 0.02, repair_hours=24)


# -- Backblaze's aligned-window method ------------------------------------------------------------------------------
def test_windowed_method_reproduces_backblazes_published_example():
    # Backblaze/erasure-coding-durability README: 4+2 shards, AFR 0.10, 1-day replacement -> annual loss 1.500e-07;
    # and 17+3 at AFR 0.00405 with 6.5-day replacement is one of their published runs (well past eleven nines).
    assert windowed_annual_loss_probability(4, 2, 0.10, repair_hours=24) == pytest.approx(1.500e-07, rel=1e-3)
    assert nines(windowed_annual_loss_probability(17, 3, 0.00405, repair_hours=6.5 * 24)) > 11


@settings(max_examples=40, deadline=None)
@given(k=st.integers(1, 12), m=st.integers(1, 4), afr=st.floats(1e-4, 1e-3), repair_h=st.floats(1, 200))
def test_aligned_windows_see_m_plus_1_times_fewer_losses_than_the_chain_to_first_order(k, m, afr, repair_h):
    n, years = k + m, repair_h / 24 / 365  # Backblaze's conventions: AFR is a rate, a year is 365 days
    chain_rate = math.perm(n, m + 1) * afr ** (m + 1) * years ** m / math.factorial(m)  # first-order loss rate
    windowed = windowed_annual_loss_probability(k, m, afr, repair_hours=repair_h)
    assert chain_rate / windowed == pytest.approx(m + 1, rel=0.01)


def test_windowed_method_checks_its_arguments():
    with pytest.raises(ValueError, match="repair_hours"):
        windowed_annual_loss_probability(4, 2, 0.02, repair_hours=0)
    with pytest.raises(ValueError, match="afr"):
        windowed_annual_loss_probability(4, 2, math.nan, repair_hours=24)
    with pytest.raises(TypeError, match="afr"):
        windowed_annual_loss_probability(4, 2, "0.02", repair_hours=24)
