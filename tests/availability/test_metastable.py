"""Tests for labsupport.availability.metastable: the retry storm, the metastable state and what ends it."""

import math
import statistics

import pytest

from labsupport.availability.metastable import (
    METASTABLE_FIXES, backlog_recovery_s, retry_storm_sustains, run_metastable_failure, run_retry_storm,
)

LAMBDA, MU = 70.0, 100.0
SEEDS = range(6)


def _tail_mean(result, values, from_s=40.0):
    return statistics.fmean(v for t, v in zip(result.time_s, values) if t >= from_s)


def test_vulnerable_but_healthy_without_trigger():
    r = run_retry_storm(trigger_capacity_factor=1.0, duration_s=30, seed=3)
    assert r.recovered and r.amplification == pytest.approx(1.0, abs=0.01)
    # M/M/1 at rho = 0.7 answers everything well within 1 s: goodput = arrival rate (Poisson, 29 s)
    assert statistics.fmean(r.goodput_per_s[1:]) == pytest.approx(LAMBDA, rel=0.08)


@pytest.mark.parametrize("seed", SEEDS)
def test_metastable_failure_persists_after_trigger(seed):
    r = run_metastable_failure("none", seed=seed)
    assert r.metastable and r.recovery_s is None
    assert r.goodput_before_per_s == pytest.approx(LAMBDA, rel=0.15)
    assert r.goodput_after_per_s < 0.05 * LAMBDA                    # goodput near zero ...
    assert statistics.fmean(r.throughput_per_s[40:]) > 0.9 * MU      # ... while the server is busy
    assert min(r.queue_length[20:]) > 0.5 * 200                      # on a queue of stale work
    assert r.capacity_per_s[-1] == MU                                # the trigger is long gone


def test_failed_state_load_is_max_attempts_times_arrivals():
    # Fluid theory: once every attempt fails, offered load = max_attempts * lambda = 210/s.
    ratios = [_tail_mean(r, r.offered_per_s) / LAMBDA for r in (run_metastable_failure("none", seed=s)
                                                                 for s in SEEDS[:4])]
    assert statistics.fmean(ratios) == pytest.approx(3.0, rel=0.1)


@pytest.mark.parametrize("fix", ["no_retries", "retry_budget", "backoff_and_budget", "lifo", "drop_expired"])
def test_fixes_break_the_loop(fix):
    for seed in SEEDS[:3]:
        r = run_metastable_failure(fix, seed=seed)
        assert r.recovered and r.recovery_s is not None and r.recovery_s < 10
        assert r.goodput_after_per_s == pytest.approx(LAMBDA, rel=0.1)
        assert r.queue_length[-1] < 20


def test_backoff_alone_does_not_break_an_open_loop():
    # Retries are delayed, not removed: each request still makes ~3 attempts.
    for seed in SEEDS[:2]:
        r = run_metastable_failure("backoff", seed=seed)
        assert r.metastable
        assert _tail_mean(r, r.offered_per_s) > 2.5 * LAMBDA


def test_budget_refuses_retries_and_caps_amplification():
    capped = run_metastable_failure("retry_budget", seed=1)
    free = run_metastable_failure("none", seed=1)
    assert capped.retries_refused > 0 and free.retries_refused == 0
    assert capped.amplification < 1.1 < 2.0 < free.amplification


def test_lifo_and_drop_recover_within_a_second():
    for fix in ("lifo", "drop_expired"):
        assert run_metastable_failure(fix, seed=2).recovery_s <= 1.0


def test_recovery_without_retries_matches_fluid_drain_time():
    # Queue full (200) at the trigger's end; theory (200 - 100)/(100 - 70) + 1 = 4.33 s.
    theory = backlog_recovery_s(200, LAMBDA, MU, timeout_s=1.0)
    measured = statistics.fmean(run_metastable_failure("no_retries", seed=s, bin_s=0.25).recovery_s
                                for s in range(8))
    assert theory == pytest.approx(13 / 3)
    assert measured == pytest.approx(theory, rel=0.2)


@pytest.mark.parametrize("rate, sustains", [(25.0, False), (50.0, True)])
def test_sustaining_threshold_matches_fluid_test(rate, sustains):
    assert retry_storm_sustains(rate, MU, 3) is sustains
    outcomes = {run_metastable_failure("none", seed=s, arrival_rate_per_s=rate).metastable for s in SEEDS[:4]}
    assert outcomes == {sustains}


def test_same_seed_identical_and_seed_matters():
    a = run_metastable_failure("retry_budget", seed=9)
    assert a == run_metastable_failure("retry_budget", seed=9)
    assert a != run_metastable_failure("retry_budget", seed=10)


def test_timeline_accounting():
    r = run_retry_storm(duration_s=30.5, bin_s=1.0, seed=4)
    n = len(r.time_s)
    assert n == 31 and all(len(x) == n for x in (r.offered_per_s, r.goodput_per_s, r.throughput_per_s,
                                                   r.queue_length, r.capacity_per_s))
    widths = [1.0] * 30 + [0.5]
    assert sum(o * w for o, w in zip(r.offered_per_s, widths)) == pytest.approx(r.attempts)
    good = sum(g * w for g, w in zip(r.goodput_per_s, widths))
    assert 0 <= good - r.successes <= LAMBDA * 1.0 * 2      # answers still unread at the end
    assert r.successes <= r.new_requests <= r.attempts
    assert r.capacity_per_s[12] == pytest.approx(0.2 * MU) and r.capacity_per_s[5] == MU
    assert max(r.queue_length) <= 200


def test_backlog_recovery_edge_cases():
    assert backlog_recovery_s(0, 70, 100, timeout_s=1.0) == 0.0
    assert math.isinf(backlog_recovery_s(50, 120, 100, timeout_s=1.0))   # overloaded: a result, not an error


@pytest.mark.parametrize("kwargs, match", [
    ({"max_attempts": 0}, "max_attempts"),
    ({"queue_limit": 0}, "queue_limit"),
    ({"discipline": "random"}, "discipline"),
    ({"backoff": "linear"}, "backoff"),
    ({"backoff": "full_jitter", "base_delay_s": -1.0}, "base_delay_s"),
    ({"timeout_s": 0.0}, "timeout_s"),
    ({"capacity_per_s": -5.0}, "capacity_per_s"),
    ({"trigger_start_s": 20.0, "trigger_end_s": 10.0}, "trigger_start_s"),
])
def test_bad_input_names_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        run_retry_storm(**kwargs)


def test_unknown_fix_and_bad_helpers():
    with pytest.raises(ValueError, match="fix"):
        run_metastable_failure("pray", seed=0)
    with pytest.raises(ValueError, match="backlog"):
        backlog_recovery_s(-1, 70, 100, timeout_s=1.0)
    with pytest.raises(ValueError, match="max_attempts"):
        retry_storm_sustains(70, 100, 0)
    assert set(METASTABLE_FIXES) >= {"none", "retry_budget", "backoff", "lifo", "drop_expired"}
