"""Cross-Region replication: lag follows its distribution, losses follow Little's law, LWW drops what vectors keep."""

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.availability.cross_region import lag_cdf, lag_quantile_s, run_replication
from labsupport.sim import Exponential

LINK = Exponential(mean_extra_s=0.01, base_s=0.035)


@pytest.fixture(scope="module")
def run():
    return run_replication(link=LINK, duration_s=120, seed=7)


def test_lag_quantiles_match_the_closed_form(run):
    lags = sorted(run.lags_s)
    for q in (0.5, 0.9, 0.99):
        assert lags[int(q * len(lags))] == pytest.approx(lag_quantile_s(q, 0.5, LINK), rel=0.1)


def test_mean_backlog_is_rate_times_shipping_delay(run):
    assert run.mean_backlog == pytest.approx(20.0 * 0.5, rel=0.1)


def test_concurrent_pairs_match_the_window_formula(run):
    # A pair is concurrent when the two writes fall within one lag of each other, in either direction.
    mean_lag = 0.5 + LINK.mean
    theory = 20.0 * 20.0 / 200 * 120 * 2 * mean_lag
    assert run.concurrent_pairs == pytest.approx(theory, rel=0.15)


def test_lww_silently_drops_items_that_version_vectors_keep(run):
    assert run.converged
    assert run.vv_lost_items == 0
    assert run.lww_lost_items > 0.5 * run.concurrent_pairs
    assert run.siblings_detected >= run.concurrent_pairs  # each conflict is found at (at least) one replica


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 2**16), st.integers(2, 3), st.floats(0.05, 1.0))
def test_vectors_never_lose_an_acknowledged_item_and_replicas_converge(seed, n_regions, ship_delay):
    regions = ("r1", "r2", "r3")[:n_regions]
    r = run_replication(regions=regions, keys=20, ship_delay_s=ship_delay, duration_s=15, seed=seed)
    assert r.vv_lost_items == 0 and r.converged
    assert r.writes > 0 and len(r.lags_s) == r.writes * (n_regions - 1)


def test_a_regional_failure_loses_exactly_the_unshipped_writes():
    r = run_replication(duration_s=60, fail_region="us-east-1", fail_at_s=30.0, seed=2)
    assert r.lost_on_failure and all(item.startswith("us-east-1:") for item in r.lost_on_failure)
    assert 0 < r.recovery_point_s < 10
    again = run_replication(duration_s=60, fail_region="us-east-1", fail_at_s=30.0, seed=2)
    assert again == r


def test_lost_writes_average_rate_times_delay():
    lost = [len(run_replication(duration_s=40, fail_region="eu-west-1", fail_at_s=20.0 + s / 10, seed=s).lost_on_failure)
            for s in range(12)]
    assert sum(lost) / len(lost) == pytest.approx(20.0 * 0.5, rel=0.3)


def test_clock_skew_decides_who_wins_under_lww():
    fair = run_replication(duration_s=40, seed=3)
    skewed = run_replication(duration_s=40, clock_skew_s={"eu-west-1": 5.0}, seed=3)
    assert fair.converged and skewed.converged
    assert min(fair.lww_lost_by_region.values()) > 0.3 * fair.lww_lost_items  # both Regions lose some
    assert skewed.lww_lost_by_region["eu-west-1"] == 0 < skewed.lww_lost_by_region["us-east-1"]  # fast clock always wins


def test_lag_cdf_is_a_distribution():
    xs = [0.0, 0.04, 0.1, 0.5, 1.0, 5.0, 50.0]
    values = [lag_cdf(x, 0.5, LINK) for x in xs]
    assert values[0] == 0.0 and values == sorted(values) and values[-1] == pytest.approx(1.0)
    assert lag_cdf(lag_quantile_s(0.9, 0.5, LINK), 0.5, LINK) == pytest.approx(0.9, abs=1e-9)


@pytest.mark.parametrize("kwargs, match", [
    (dict(regions=("a",)), "two distinct"), (dict(keys=0), "keys=0"), (dict(write_rate_per_s=0), "write_rate_per_s"),
    (dict(fail_region="mars", fail_at_s=1.0), "fail_region"), (dict(fail_at_s=3.0), "fail_region")])
def test_bad_input_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        run_replication(**kwargs)
