"""Isolation levels against the two anomalies: each level allows exactly what the textbook says."""

from __future__ import annotations

import itertools

import pytest

from labsupport.agreement.transactions_isolation import (
    LEVELS,
    Committed,
    Txn,
    find_anomalies,
    run_schedule,
)

INTERLEAVED = ["T1 begin", "T2 begin", "T1 commit", "T2 commit"]
SERIAL = ["T1 begin", "T1 commit", "T2 begin", "T2 commit"]


def increments():
    return [Txn(n, ("x",), lambda seen: {"x": seen["x"] + 1}) for n in ("T1", "T2")]


def doctors():
    def off(me):
        return lambda seen: {me: 0} if seen["alice"] + seen["bob"] >= 2 else {}
    return [Txn("T1", ("alice", "bob"), off("alice")), Txn("T2", ("alice", "bob"), off("bob"))]


@pytest.mark.parametrize("level, lost, skew", [("read committed", True, True), ("snapshot", False, True),
                                                ("serializable", False, False)])
def test_each_level_allows_exactly_its_anomalies(level, lost, skew):
    run = run_schedule(increments(), INTERLEAVED, {"x": 0}, level=level)
    assert (run.final["x"] == 1 and not run.aborted) == lost
    assert bool(find_anomalies(run.committed)) == lost
    run = run_schedule(doctors(), INTERLEAVED, {"alice": 1, "bob": 1}, level=level)
    assert (run.final == {"alice": 0, "bob": 0}) == skew
    assert [a.kind for a in find_anomalies(run.committed)] == (["write skew"] if skew else [])


@pytest.mark.parametrize("level", LEVELS)
def test_a_serial_schedule_has_no_anomaly_at_any_level(level):
    assert find_anomalies(run_schedule(increments(), SERIAL, {"x": 0}, level=level).committed) == []
    assert run_schedule(increments(), SERIAL, {"x": 0}, level=level).final == {"x": 2}


def test_serializable_commits_are_equivalent_to_some_serial_order():
    """Every interleaving of three increments: what commits adds exactly one per committed transaction."""
    txns = [Txn(n, ("x",), lambda seen: {"x": seen["x"] + 1}) for n in ("A", "B", "C")]
    steps = [f"{n} {a}" for n in "ABC" for a in ("begin", "commit")]
    for order in itertools.permutations(steps):
        if any(order.index(f"{n} begin") > order.index(f"{n} commit") for n in "ABC"):
            continue
        run = run_schedule(txns, list(order), {"x": 0}, level="serializable")
        assert run.final["x"] == len(run.committed) and find_anomalies(run.committed) == []


def test_checker_sees_versions_not_values():
    """Reading the same value from different writers is no anomaly: T2 read T1's write."""
    t1 = Committed("T1", {"x": "init"}, {"x": 1})
    t2 = Committed("T2", {"x": "T1"}, {"x": 2})
    assert find_anomalies([t1, t2]) == []


def test_bad_schedules():
    with pytest.raises(ValueError, match="schedule"):
        run_schedule(increments(), ["T1 commit"], {"x": 0})
    with pytest.raises(ValueError, match="schedule"):
        run_schedule(increments(), ["T3 begin"], {"x": 0})
    with pytest.raises(ValueError, match="level"):
        run_schedule(increments(), SERIAL, {"x": 0}, level="chaos")
