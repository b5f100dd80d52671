"""Run Command rate control follows the Systems Manager documentation and its own closed forms.

Source: AWS Systems Manager User Guide, "Using targets and rate controls to send
commands to a fleet" (send-commands-multiple.html); SendCommand API patterns.
"""

import statistics

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.monitoring.systems_manager import (expected_blast_radius, expected_errors, resolve_rate, rollout_waves,
                                    run_rollout)


@pytest.mark.parametrize("value, n, name, expected", [
    ("10%", 50, "max_errors", 5), ("10%", 25, "max_errors", 2), (3, 50, "max_errors", 3), ("0", 9, "max_errors", 0),
    ("0%", 9, "max_errors", 0), ("100%", 7, "max_errors", 7), ("50", 10, "max_concurrency", 50),
    ("1%", 30, "max_concurrency", 1), ("10%", 50, "max_concurrency", 5), ("100%", 7, "max_concurrency", 7)])
def test_resolve_rate(value, n, name, expected):
    assert resolve_rate(value, n, name=name) == expected


@pytest.mark.parametrize("value, name", [
    (0, "max_concurrency"), ("0%", "max_concurrency"), ("101%", "max_errors"), ("-1", "max_errors"),
    ("05", "max_errors"), ("1.5", "max_concurrency"), (True, "max_errors"), ("12345678", "max_errors"),
    ("10 %", "max_concurrency"), (None, "max_errors")])
def test_resolve_rate_rejects_what_the_api_rejects(value, name):
    with pytest.raises(ValueError, match=name):
        resolve_rate(value, 50, name=name)


def test_bad_rollout_arguments_name_the_parameter():
    for kwargs, word in [(dict(max_concurrency="0%"), "max_concurrency"), (dict(max_errors="-2"), "max_errors"),
                         (dict(failure_probability=1.5), "failure_probability"),
                         (dict(mean_duration_s=0), "mean_duration_s"), (dict(n_targets=0), "n_targets")]:
        with pytest.raises(ValueError, match=word):
            run_rollout(**kwargs)


@pytest.mark.parametrize("max_errors, n, stops_at", [(3, 50, 4), (0, 50, 1), ("10%", 50, 6), ("10%", 25, 3)])
def test_documented_threshold_is_exceeded_not_reached(max_errors, n, stops_at):
    # "If you specify 3 ... stops sending the command when the fourth error is received";
    # "If you specify 0 ... after the first error"; 10% of 50 -> "when the sixth error is received".
    r = run_rollout(n, 1, max_errors, failure_probability=1.0, seed=4)
    assert r.errors == stops_at and r.blast_radius == stops_at and r.stopped_at_s is not None


def test_invocations_in_flight_complete_and_may_fail():
    r = run_rollout(50, 10, 0, failure_probability=1.0, ramp_up=False, seed=2)
    assert r.errors == 10 and r.blast_radius == 10       # max-errors 0, but ten were already running
    assert {i.status for i in r.invocations[10:]} == {"NotSent"}


def test_delivery_timeouts_do_not_count_against_max_errors():
    r = run_rollout(20, 5, 0, unreachable_probability=1.0, seed=1)
    assert r.errors == 0 and r.stopped_at_s is None and r.blast_radius == 20
    assert {i.status for i in r.invocations} == {"DeliveryTimedOut"}


def test_the_rate_controls_never_change_a_nodes_fate():
    # Each node's outcome and run time are its own draws, whichever nodes the settings send first or at all.
    runs = [run_rollout(40, c, e, failure_probability=0.3, unreachable_probability=0.1, ramp_up=ramp, seed=7)
            for c, e, ramp in ((1, 40, False), (10, 3, True), (25, 5, False), (40, 40, False))]
    fates = [{i.node: (i.status, i.finished_s - i.sent_s) for i in r.invocations if i.status != "NotSent"}
             for r in runs]
    assert len(fates[0]) == 40 and len(fates[1]) < 40
    for other in fates[1:]:
        assert other == {node: (status, pytest.approx(took_s, rel=1e-9))
                         for node, (status, took_s) in fates[0].items() if node in other}


def test_ramp_up_sends_one_then_two_more():
    r = run_rollout(50, 10, 0, deterministic_duration=True, seed=1)
    starts = sorted({i.sent_s for i in r.invocations})
    assert [sum(i.sent_s == s for i in r.invocations) for s in starts[:4]] == [1, 2, 4, 8]


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 40), c=st.integers(1, 12), e=st.integers(0, 5), q=st.floats(0, 1),
       ramp=st.booleans(), seed=st.integers(0, 10_000))
def test_rate_control_invariants(n, c, e, q, ramp, seed):
    r = run_rollout(n, c, e, failure_probability=q, ramp_up=ramp, seed=seed)
    sent = [i for i in r.invocations if i.sent_s is not None]
    assert [i.node for i in sent] == list(range(len(sent)))          # targets are taken in order
    for i in sent:                                                    # never more than c in flight
        assert sum(j.sent_s <= i.sent_s < j.finished_s for j in sent) <= min(c, n)
    if r.stopped_at_s is None:
        assert r.blast_radius == n and r.errors <= e
    else:
        assert r.errors > e and all(i.sent_s <= r.stopped_at_s for i in sent)
    if c == 1:
        assert r.errors <= e + 1


def test_same_seed_same_rollout():
    a = run_rollout(40, "25%", "10%", failure_probability=0.2, seed=9)
    assert a == run_rollout(40, "25%", "10%", failure_probability=0.2, seed=9)
    assert a != run_rollout(40, "25%", "10%", failure_probability=0.2, seed=10)


@pytest.mark.parametrize("n, c, e, q", [(100, 5, 2, 0.2), (60, 10, 0, 0.1), (50, 1, 1, 0.15)])
def test_blast_radius_and_errors_match_the_closed_form(n, c, e, q):
    runs = [run_rollout(n, c, e, failure_probability=q, ramp_up=False, seed=s) for s in range(150)]
    blast = statistics.fmean(r.blast_radius for r in runs)
    errors = statistics.fmean(r.errors for r in runs)
    assert blast == pytest.approx(expected_blast_radius(n, c, e, failure_probability=q), rel=0.08)
    assert errors == pytest.approx(expected_errors(n, c, e, failure_probability=q), rel=0.08)


def test_closed_forms_in_exact_cases():
    assert expected_blast_radius(50, 10, 2, failure_probability=1.0) == 12 and expected_errors(50, 10, 2, failure_probability=1.0) == 12
    assert expected_blast_radius(5, 10, 2, failure_probability=1.0) == 5                  # capped by the fleet
    assert expected_blast_radius(50, 1, 0, failure_probability=0.1) == pytest.approx((1 - 0.9 ** 50) / 0.1)
    with pytest.raises(ValueError, match="failure_probability"):
        expected_blast_radius(50, 1, 0, failure_probability=0.0)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 60), c=st.integers(1, 15), ramp=st.booleans())
def test_deterministic_rollout_lasts_one_invocation_per_wave(n, c, ramp):
    waves = rollout_waves(n, c, ramp_up=ramp)
    assert sum(waves) == n and max(waves) <= c
    r = run_rollout(n, c, 0, deterministic_duration=True, mean_duration_s=10.0, ramp_up=ramp, seed=0)
    assert r.duration_s == pytest.approx(10.0 * len(waves))
