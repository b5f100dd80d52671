"""Tests for labsupport.agreement.leases: a lease shortened by the drift bound is safe for every drift
within the bound and unsafe without the margin; a local timer ignores a clock skew that a wall-clock
check does not; a paused holder's late write is accepted without fencing and rejected with it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.agreement.leases import run_lease, safe_local_lease_s, theory_overlap_s

LEASE_S, BOUND = 2.0, 0.01


@settings(max_examples=25, deadline=None)
@given(st.floats(-BOUND, BOUND), st.floats(-BOUND, BOUND))
def test_a_lease_shortened_by_the_drift_bound_is_safe_for_every_drift_within_it(holder, service):
    run = run_lease(lease_s=LEASE_S, local_lease_s=safe_local_lease_s(LEASE_S, BOUND), holder_drift=holder,
                    service_drift=service, seed=1)
    assert run.overlap_s < 0 and run.stale_accepted == 0


@pytest.mark.parametrize("holder, service", [(-BOUND, BOUND), (-BOUND, 0.0), (0.0, BOUND)])
def test_without_the_margin_a_slow_holder_overlaps_its_successor(holder, service):
    run = run_lease(lease_s=LEASE_S, holder_drift=holder, service_drift=service, seed=1)
    assert run.overlap_s > 0 and run.stale_accepted > 0
    expected = theory_overlap_s(LEASE_S, LEASE_S, holder_drift=holder, service_drift=service)
    assert run.overlap_s == pytest.approx(expected, abs=1e-9)


def test_a_backward_skew_fools_a_wall_clock_check_but_not_a_local_timer():
    plain = run_lease(lease_s=LEASE_S, seed=1)
    timer = run_lease(lease_s=LEASE_S, skew_s=-0.5, seed=1)
    wall = run_lease(lease_s=LEASE_S, skew_s=-0.5, by_clock=True, seed=1)
    assert timer.overlap_s == pytest.approx(plain.overlap_s) and timer.stale_accepted == 0
    assert wall.overlap_s == pytest.approx(0.498, abs=0.011)  # checks every 10 ms
    assert wall.stale_accepted > 0
    assert any(e.event == "skew" and e.node == "a" for e in wall.trace)


@pytest.mark.parametrize("pause_s, stale", [(0.5, 0), (1.5, 1), (3.0, 1)])
def test_a_paused_holder_writes_late_unless_fenced(pause_s, stale):
    open_run = run_lease(lease_s=LEASE_S, pause_s=pause_s, seed=1)
    fenced = run_lease(lease_s=LEASE_S, pause_s=pause_s, fencing=True, seed=1)
    assert open_run.stale_accepted == stale
    assert fenced.stale_accepted == 0
    assert [entry[1:3] for entry in fenced.log if not entry[4]] == [("a", 1)] * stale
    assert any(e.event == "pause" and e.node == "a" for e in open_run.trace)
    if pause_s == 3.0:  # a wakes after b's lease too: its stale write is the last word
        assert open_run.final_stale and open_run.final_value.startswith("a")
        assert not fenced.final_stale and fenced.final_value.startswith("b")


def test_same_seed_same_trace_and_bad_input():
    assert run_lease(pause_s=1.0, seed=3).trace == run_lease(pause_s=1.0, seed=3).trace
    with pytest.raises(ValueError, match="lease_s"):
        run_lease(lease_s=0.0, seed=1)
    with pytest.raises(ValueError, match="drift_bound"):
        safe_local_lease_s(1.0, 1.5)
