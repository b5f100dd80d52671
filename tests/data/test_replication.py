"""Leader-follower replication keeps its promises, and the session checkers find what they should."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.data.replication import READ_POLICIES, run_failover, run_replica_reads, ryw_violation_theory
from labsupport.data.session_guarantees import monotonic_read_violations, read_your_writes_violations
from labsupport.sim import History

# --------------------------------------------------------------------------- session checkers


def test_read_your_writes_flags_only_reads_older_than_the_clients_own_write():
    h = History.from_tuples([
        ("c", "write", 1, 0, 1, "ok"), ("c", "read", None, 2, 3, 1),  # fine
        ("c", "write", 2, 4, 5, "ok"), ("c", "read", None, 6, 7, 1),  # stale: violation
        ("d", "read", None, 6, 7, None),  # d never wrote: no guarantee to break
    ])
    found = read_your_writes_violations(h)
    assert [(a.client, a.op_id, a.expected, a.got) for a in found] == [("c", 3, 2, 1)]


def test_unacknowledged_writes_do_not_count():
    h = History.from_tuples([("c", "write", 5, 0, 1, "timeout"), ("c", "read", None, 2, 3, None)])
    assert read_your_writes_violations(h) == []


def test_monotonic_reads_per_client_and_key():
    h = History.from_tuples([
        ("c", "read", None, 0, 1, 3), ("d", "read", None, 0, 1, 1),  # different clients: no relation
        ("c", "read", None, 2, 3, 2),  # violation for c
        ("c", "read", None, 4, 5, 3),
    ])
    found = monotonic_read_violations(h)
    assert [(a.client, a.op_id, a.expected, a.got) for a in found] == [("c", 2, 3, 2)]


def test_rank_orders_values_that_are_not_numbers():
    h = History.from_tuples([("c", "write", "b", 0, 1, "ok"), ("c", "read", None, 2, 3, "a")])
    assert read_your_writes_violations(h, rank={"a": 2, "b": 1}) == []
    assert len(read_your_writes_violations(h, rank={"a": 1, "b": 2})) == 1
    with pytest.raises(ValueError, match="has no rank"):
        read_your_writes_violations(h, rank={"a": 1})


# --------------------------------------------------------------------------- failover


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000))
def test_synchronous_failover_never_loses_an_acknowledged_write(seed):
    r = run_failover("sync", seed=seed)
    assert r.lost == () and r.rpo_s == 0.0 and r.promoted == "f1"


def test_asynchronous_failover_loses_the_queue_littles_law():
    lost = [len(run_failover("async", seed=s).lost) for s in range(24)]
    assert statistics.mean(lost) == pytest.approx(0.03 / 0.02, abs=0.2)
    assert min(lost) >= 1 and max(lost) <= 2


def test_rpo_is_bounded_by_the_replication_backlog():
    for seed in range(6):
        r = run_failover("async", seed=seed)
        assert 0 < r.rpo_s <= 0.03 + 1e-9


def test_sync_costs_a_follower_round_trip_per_write():
    sync, asyn = run_failover("sync", seed=1), run_failover("async", seed=1)
    assert sync.write_latency_s == pytest.approx(2 * 0.001 + 2 * 0.002)
    assert asyn.write_latency_s == pytest.approx(2 * 0.001)


def test_failover_is_deterministic_event_for_event():
    assert run_failover("async", seed=4).trace == run_failover("async", seed=4).trace


def test_failover_rejects_bad_input():
    with pytest.raises(ValueError, match="mode"):
        run_failover("semi", seed=0)
    with pytest.raises(ValueError, match="crash_at_s"):
        run_failover(crash_at_s=5.0, seed=0)
    with pytest.raises(ValueError, match="write_interval_s"):
        run_failover("sync", write_interval_s=0.005, seed=0)


# --------------------------------------------------------------------------- reads from replicas


@pytest.fixture(scope="module")
def reads():
    return {p: run_replica_reads(p, writes=80, reads_per_write=2, seed=7) for p in READ_POLICIES}


def test_leader_reads_and_session_tokens_keep_both_guarantees(reads):
    for policy in ("leader", "session"):
        assert reads[policy].read_your_writes == () and reads[policy].monotonic_reads == ()


def test_random_followers_break_both_guarantees(reads):
    assert len(reads["random_follower"].read_your_writes) > 20
    assert len(reads["random_follower"].monotonic_reads) > 5


def test_a_sticky_follower_keeps_monotonic_reads_but_not_read_your_writes(reads):
    assert reads["sticky_follower"].monotonic_reads == ()
    assert len(reads["sticky_follower"].read_your_writes) > 0


def test_session_reads_wait_for_the_replica_to_catch_up(reads):
    assert reads["session"].read_latency_s > reads["random_follower"].read_latency_s


def test_lag_is_about_the_link_delay(reads):
    lag = reads["leader"].lag_s
    assert statistics.mean(lag["f1"]) == pytest.approx(0.001, rel=0.25)
    assert statistics.mean(lag["f2"]) == pytest.approx(0.005, rel=0.25)


def test_read_your_writes_violation_rate_matches_the_closed_form():
    r = run_replica_reads("random_follower", writes=200, seed=11)
    theory = ryw_violation_theory([0.001, 0.005], 0.001)
    se = (theory * (1 - theory) / r.reads) ** 0.5
    assert abs(len(r.read_your_writes) / r.reads - theory) < 4 * se


def test_replica_reads_are_deterministic_and_validate_input():
    assert run_replica_reads(writes=10, seed=2).trace == run_replica_reads(writes=10, seed=2).trace
    with pytest.raises(ValueError, match="read_from"):
        run_replica_reads("nearest", writes=2, seed=0)
    with pytest.raises(ValueError, match="follower_delay_s"):
        ryw_violation_theory([], 0.001)
