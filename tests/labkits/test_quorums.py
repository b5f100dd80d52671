"""The Lab 3 kit: its replicas and workloads behave as the lab's text says, with a reference solution."""

from __future__ import annotations

from itertools import combinations

import pytest

from labsupport.data.linearizability import check_linearizable
from labsupport.labkits.quorums import (INITIAL, AnyReplicaCoordinator, LabCoordinator, PrimaryCoordinator, TagWrite,
                                        run_inversion, run_repair, run_slow_replica, run_workload)


def newest(tagged):
    """The record with the highest tag (tags only: two values may not compare)."""
    return max(tagged, key=lambda record: record.tag)


class Quorum(LabCoordinator):
    """The lab's first version: quorum writes, quorum reads with fire-and-forget read repair."""

    def write(self, key, value):
        self.counter += 1
        events = self.multicast(self.replicas, "write", TagWrite(key, (self.counter, self.name), value))
        acks = yield from self.collect(events, self.w, self.timeout_s)
        return "ok" if len(acks) >= self.w else "unavailable"

    def read(self, key):
        replies = yield from self.collect(self.multicast(self.replicas, "read", key), self.r, self.timeout_s)
        latest = newest(m.payload for m in replies)
        for m in replies:
            if m.payload.tag < latest.tag:
                self.send(m.src, "write", TagWrite(key, latest.tag, latest.value))
        return latest.value


class Abd(Quorum):
    def read(self, key):
        replies = yield from self.collect(self.multicast(self.replicas, "read", key), self.r, self.timeout_s)
        latest = newest(m.payload for m in replies)
        write_back = TagWrite(key, latest.tag, latest.value)
        yield from self.collect(self.multicast(self.replicas, "write", write_back), self.w, self.timeout_s)
        return latest.value


class Unfinished(LabCoordinator):
    def write(self, key, value):
        ...

    def read(self, key):
        ...


def linearizable(run, initial=None):
    return check_linearizable(run.history, initial=initial).linearizable


def test_replica_keeps_the_highest_tag():
    run = run_repair(Quorum, seed=0)
    assert {name: store["x"] for name, store in run.stores.items()} == {
        "r1": ((2, "writer"), "v2"), "r2": ((2, "writer"), "v2"), "r3": ((2, "writer"), "v2")}
    assert INITIAL == ((0, ""), None)


def test_without_repair_the_recovered_replica_stays_stale():
    class NoRepair(Quorum):
        def read(self, key):
            replies = yield from self.collect(self.multicast(self.replicas, "read", key), self.r, self.timeout_s)
            return newest(m.payload for m in replies).value
    assert run_repair(NoRepair, seed=0).stores["r3"]["x"] == ((1, "writer"), "v1")


def test_waiting_for_w_not_n():
    assert run_slow_replica(Quorum, "write") == run_slow_replica(Quorum, "read") == 0.002
    assert run_slow_replica(Abd, "read") == 0.004
    with pytest.raises(ValueError, match="kind"):
        run_slow_replica(Quorum, "delete")


def test_the_inversion_schedule_separates_the_first_version_from_abd():
    plain, fixed = run_inversion(Quorum), run_inversion(Abd)
    assert [op.result for op in plain.history] == ["ok", "new", "old"]
    assert not linearizable(plain, "old") and linearizable(fixed, "old")


def test_the_random_workload_exposes_the_first_version_within_a_few_seeds():
    bad = [s for s in range(60) if not linearizable(run_workload(Quorum, seed=s))]
    assert bad and all(linearizable(run_workload(Abd, seed=s)) for s in bad)
    assert all(linearizable(run_workload(PrimaryCoordinator, seed=s)) for s in range(10))
    assert not all(linearizable(run_workload(AnyReplicaCoordinator, seed=s)) for s in range(10))


def test_abd_is_linearizable_on_other_sizes():
    assert all(linearizable(run_workload(Abd, n=5, r=3, w=3, seed=s)) for s in range(8))


def test_an_unfinished_coordinator_records_none_without_crashing():
    run = run_workload(Unfinished, seed=1)
    assert {op.result for op in run.history} == {None}


def test_workloads_are_deterministic_and_validate():
    assert run_workload(Quorum, seed=4).trace == run_workload(Quorum, seed=4).trace
    with pytest.raises(ValueError, match="choose 1 <= r, w <= N"):
        Quorum("c", ["r1"], r=2, w=1)


def test_the_enumeration_students_write_agrees_with_the_library():
    from labsupport.data.quorum import quorums_intersect
    for n in range(1, 6):
        for r in range(1, n + 1):
            for w in range(1, n + 1):
                mine = all(set(a) & set(b) for a in combinations(range(n), r) for b in combinations(range(n), w))
                assert mine == quorums_intersect(n, r, w)
