"""SWIM: probes that fail only by loss, at the rate the closed form gives; suspicion trades time for accuracy."""

from __future__ import annotations

import statistics

import pytest

from labsupport.agreement.gossip_swim import (
    Update,
    _overrides,
    expected_first_detection_s,
    probe_failure_probability,
    run_swim,
)


def test_without_loss_nobody_live_is_suspected_and_the_crash_is_found_by_all():
    for suspicion in (False, True):
        run = run_swim(12, suspicion=suspicion, crash_at_s=10.5, duration_s=40, seed=2)
        assert run.failed_probes_of_live == 0 and run.false_dead == 0
        assert run.first_detection_s is not None and run.all_dead_s is not None
        assert run.first_detection_s <= run.all_dead_s


def test_failed_probes_of_live_members_match_the_closed_form():
    runs = [run_swim(16, loss=0.1, suspicion=True, duration_s=60, seed=s) for s in range(8)]
    probes = sum(r.probes_of_live for r in runs)
    failed = sum(r.failed_probes_of_live for r in runs)
    expected = probes * probe_failure_probability(0.1, 3)
    assert abs(failed - expected) < 4 * expected ** 0.5, (failed, expected)  # four Poisson standard deviations


def test_first_detection_time_matches_the_closed_form():
    times = [run_swim(16, crash_at_s=20.5, duration_s=30, seed=s).first_detection_s for s in range(60)]
    assert abs(statistics.mean(times) - expected_first_detection_s(16)) < 0.25


def test_suspicion_removes_false_deaths_and_costs_detection_time():
    plain = [run_swim(16, loss=0.1, suspicion=False, crash_at_s=20.5, duration_s=50, seed=s) for s in range(6)]
    careful = [run_swim(16, loss=0.1, suspicion=True, suspicion_timeout_s=10.0, crash_at_s=20.5,
                        duration_s=50, seed=s) for s in range(6)]
    assert sum(r.false_dead for r in plain) > 0
    assert sum(r.false_dead for r in careful) == 0
    slow = statistics.mean(r.all_dead_s for r in careful)
    assert slow > statistics.mean(r.all_dead_s for r in plain if r.all_dead_s is not None and r.all_dead_s > 0)


def test_precedence_rules():
    alive0, suspect0, alive1, dead0 = (Update("a", "alive", 0), Update("a", "suspect", 0),
                                       Update("a", "alive", 1), Update("a", "dead", 0))
    assert _overrides(suspect0, alive0) and not _overrides(alive0, suspect0)
    assert _overrides(alive1, suspect0)  # a refutation
    assert _overrides(dead0, alive1) and not _overrides(alive1, dead0)


def test_same_seed_same_run():
    assert run_swim(8, loss=0.1, duration_s=20, seed=4) == run_swim(8, loss=0.1, duration_s=20, seed=4)


def test_bad_arguments():
    with pytest.raises(ValueError, match="crash_at_s"):
        run_swim(8, crash_at_s=30.0, duration_s=20, seed=1)
    with pytest.raises(ValueError, match="n"):
        run_swim(1, seed=1)
