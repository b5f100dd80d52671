"""Nemesis: every fault kind reaches the trace, schedules are seeded and replayable, bad schedules fail early."""

import math

import pytest

from labsupport.sim import Node, Simulation
from labsupport.sim.nemesis import Crash, Delay, Isolate, KINDS, Loss, Nemesis, Partition, Pause, Skew

NAMES = ["n1", "n2", "n3", "n4", "n5"]


class Chatter(Node):
    """Every 0.05 s sends a number to the next node; counts what it hears."""

    def __init__(self, name):
        super().__init__(name)
        self.heard = 0

    def start(self):
        i = 0
        while self.now < 10.0:
            yield self.sleep(0.05)
            peer = NAMES[(NAMES.index(self.name) + 1 + i % 4) % 5]
            self.send(peer, "num", i)
            i += 1

    def on_num(self, msg):
        self.heard += 1


def cluster(seed=0, latency=0.01):
    sim = Simulation(seed=seed, latency=latency)
    for name in NAMES:
        sim.add(Chatter(name))
    return sim


EVERY_KIND = Nemesis([
    Partition(start_s=1.0, end_s=2.0, groups=[{"n1", "n2"}, {"n3", "n4", "n5"}]),
    Partition(start_s=2.5, end_s=3.0, shape="majority"),
    Isolate(start_s=3.5, end_s=4.0, node=lambda sim: "n4"),
    Crash(node="n3", at_s=1.5, restart_s=2.2),
    Pause(node="n2", at_s=4.5, duration_s=0.5),
    Loss(start_s=5.0, end_s=6.0, probability=0.5, nodes={"n1"}),
    Delay(start_s=6.0, end_s=7.0, latency=0.2),
    Skew(node="n5", at_s=7.5, offset_s=-0.25),
])


def test_every_fault_kind_is_visible_in_the_trace():
    sim = cluster()
    EVERY_KIND.apply(sim)
    sim.run()
    faults = [(e.time, e.event, e.node, e.detail) for e in sim.trace if e.event not in ("send", "deliver", "drop")]
    assert faults[:4] == [(1.0, "partition", "*", "n1,n2 | n3,n4,n5"), (1.5, "crash", "n3", ""),
                          (2.0, "heal", "*", ""), (2.2, "recover", "n3", "")]
    assert [(t, kind) for t, kind, _, _ in faults[4:8]] == [(2.5, "partition"), (3.0, "heal"),
                                                           (3.5, "partition"), (4.0, "heal")]
    assert faults[6][3] == "n4 | n1,n2,n3,n5"
    assert faults[8:] == [
        (4.5, "pause", "n2", "for 0.5 s"), (5.0, "loss", "*", "begins: p=0.5 on links of n1"),
        (5.0, "resume", "n2", ""), (6.0, "delay", "*", "begins: +0.2 s mean on all links"),
        (6.0, "loss", "*", "ends: p=0.5 on links of n1"), (7.0, "delay", "*", "ends: +0.2 s mean on all links"),
        (7.5, "skew", "n5", "offset -0.25 s")]
    assert {e.event for e in sim.trace} >= {"partition", "heal", "crash", "recover", "pause", "resume", "loss",
                                             "delay", "skew"}


def test_loss_and_delay_bursts_act_only_while_they_last():
    sim = cluster()
    Nemesis([Loss(start_s=1.0, end_s=2.0, probability=1.0, nodes=["n1"]),
             Delay(start_s=3.0, end_s=4.0, latency=0.5)]).apply(sim)
    sim.run()
    lost = [e for e in sim.events("drop") if e.detail == "lost"]
    assert lost and all(1.0 <= e.time < 2.0 and "n1" in (e.node, e.peer) for e in lost)
    sends = {e.msg_id: e.time for e in sim.events("send")}
    delays = {round(sends[e.msg_id], 3): round(e.time - sends[e.msg_id], 6) for e in sim.events("deliver")}
    assert {d for t, d in delays.items() if 3.0 < t < 4.0} == {0.51}
    assert {d for t, d in delays.items() if t > 4.0 or t < 1.0} == {0.01}


@pytest.mark.parametrize("shape, sizes", [("halves", [2, 3]), ("majority", [3, 2]), ("isolate", [1, 4]),
                                          ("bridge", [2, 2])])
def test_partition_shapes_are_drawn_from_the_seed_when_they_begin(shape, sizes):
    def groups(seed):
        sim = cluster(seed)
        Nemesis([Partition(start_s=1.0, end_s=2.0, shape=shape)]).apply(sim)
        sim.run(until=1.5)
        (event,) = sim.events("partition")
        return [g.split(",") for g in event.detail.split(" | ")]

    drawn = groups(1)
    assert [len(g) for g in drawn] == sizes
    assert groups(1) == drawn
    assert any(groups(seed) != drawn for seed in range(2, 8))


def test_a_shape_drawn_over_some_nodes_leaves_the_others_out():
    sim = cluster(2)
    Nemesis([Partition(start_s=1.0, end_s=2.0, shape="halves", nodes=["n1", "n2", "n3", "n4"])]).apply(sim)
    sim.run(until=1.5)
    (event,) = sim.events("partition")
    groups = [set(g.split(",")) for g in event.detail.split(" | ")]
    assert [len(g) for g in groups] == [2, 2] and set().union(*groups) == {"n1", "n2", "n3", "n4"}
    random_shapes = [f for f in Nemesis.random(["n1", "n2", "n3"], 20.0, seed=2, kinds=("partition",)).faults]
    assert {f.nodes for f in random_shapes} == {frozenset({"n1", "n2", "n3"})}
    with pytest.raises(ValueError, match="Partition.nodes=.* are given with explicit groups"):
        Partition(start_s=0.0, end_s=1.0, groups=[{"n1"}, {"n2"}], nodes=["n1", "n2"])


def test_isolate_asks_its_callable_when_it_begins():
    asked = []

    def leader(sim):
        asked.append(sim.now)
        return "n2"

    sim = cluster()
    Nemesis([Isolate(start_s=1.0, end_s=2.0, node=leader)]).apply(sim)
    sim.run()
    assert asked == [1.0]
    assert [e.detail for e in sim.events("partition")] == ["n2 | n1,n3,n4,n5"]


def test_random_schedules_are_seeded_replayable_and_stay_in_bounds():
    one = Nemesis.random(NAMES, 20.0, seed=7)
    assert one == Nemesis.random(NAMES, 20.0, seed=7)
    assert one != Nemesis.random(NAMES, 20.0, seed=8)
    assert len(one) == 10
    assert all(0.0 <= f.start <= one.heal_s <= 20.0 for f in one.faults)
    only = Nemesis.random(NAMES, 20.0, seed=7, kinds=("crash", "pause"), n_faults=6)
    assert {type(f) for f in only.faults} <= {Crash, Pause} and len(only) == 6

    def trace(seed):
        sim = cluster(seed)
        Nemesis.random(NAMES, 10.0, seed=seed).apply(sim)
        sim.run()
        return sim.trace

    assert trace(3) == trace(3)


@pytest.mark.parametrize("kind", KINDS)
def test_random_draws_every_kind(kind):
    nemesis = Nemesis.random(NAMES, 10.0, seed=1, kinds=(kind,))
    sim = cluster()
    nemesis.apply(sim)
    sim.run()
    assert len(nemesis) == 5


def test_schedules_compose_and_are_checked_again():
    a = Nemesis([Crash(node="n1", at_s=3.0, restart_s=4.0)])
    b = Nemesis([Partition(start_s=1.0, end_s=2.0, shape="halves")])
    both = a + b
    assert [type(f) for f in both.faults] == [Partition, Crash] and both.heal_s == 4.0
    with pytest.raises(ValueError, match="both active from 1.5 s to 2 s; the network holds one partition"):
        both + Nemesis([Isolate(start_s=1.5, end_s=2.5, node="n1")])
    assert str(both) == "  1.000 -   2.000 s  partition (two halves, drawn when it begins)\n" \
                        "  3.000 -   4.000 s  crash n1, restart"


def test_heal_s_counts_a_permanent_crash_from_when_it_happens():
    nemesis = Nemesis([Crash(node="n1", at_s=5.0), Loss(start_s=1.0, end_s=3.0, probability=0.1)])
    assert nemesis.heal_s == 5.0
    assert "stays" in str(nemesis).splitlines()[1]
    assert Nemesis().heal_s == 0.0


@pytest.mark.parametrize("make, error, message", [
    (lambda: Partition(start_s=3.0, end_s=1.0, shape="halves"), ValueError,
     r"Partition.end_s=1.0 is not after start_s=3.0"),
    (lambda: Loss(start_s=-1.0, end_s=1.0, probability=0.1), ValueError, r"Loss.start_s=-1.0 is out of range"),
    (lambda: Delay(start_s=0.0, end_s=math.inf, latency=0.1), ValueError, "Delay.end_s=inf is not a finite"),
    (lambda: Crash(node="n1", at_s=2.0, restart_s=1.0), ValueError, "Crash.restart_s=1.0 is not after at_s=2.0"),
    (lambda: Pause(node="n1", at_s=1.0, duration_s=0.0), ValueError, "Pause.duration_s=0.0"),
    (lambda: Loss(start_s=0.0, end_s=1.0, probability=1.5), ValueError, "Loss.probability=1.5"),
    (lambda: Skew(node="n1", at_s=1.0, offset_s=math.nan), ValueError, "Skew.offset_s=nan"),
    (lambda: Partition(start_s=0.0, end_s=1.0, shape="diagonal"), ValueError, "Partition.shape='diagonal'"),
    (lambda: Partition(start_s=0.0, end_s=1.0, groups=[{"n1"}, {"n1", "n2"}]), ValueError, "two partition groups"),
    (lambda: Partition(start_s=0.0, end_s=1.0), ValueError, "and groups are both missing; choose exactly one of"),
    (lambda: Crash(node=3, at_s=1.0), TypeError, "Crash.node must be str"),
    (lambda: Crash(node="n1", at_s="1"), TypeError, "Crash.at_s must be a number"),
    (lambda: Loss(start_s=0.0, end_s=1.0, probability=0.1, nodes="n1"), TypeError, "Loss.nodes must be"),
    (lambda: Nemesis([Crash(node="n1", at_s=1.0, restart_s=3.0), Crash(node="n1", at_s=2.0)]), ValueError,
     "node 'n1' cannot crash again while it is down"),
    (lambda: Nemesis([Partition(start_s=0.0, end_s=2.0, shape="halves"),
                      Partition(start_s=1.0, end_s=3.0, shape="isolate")]), ValueError, "one partition at a time"),
    (lambda: Nemesis(["crash n1"]), TypeError, r"faults\[0\] must be"),
    (lambda: Nemesis("crash"), TypeError, "faults must be list or tuple, not str"),
    (lambda: Nemesis.random(NAMES, 0.0, seed=1), ValueError, "duration_s=0.0"),
    (lambda: Nemesis.random(NAMES, 5.0, seed=1, kinds=("flood",)), ValueError, "kinds"),
    (lambda: Nemesis.random(["n1"], 5.0, seed=1), ValueError, "at least two distinct node names"),
])
def test_bad_schedules_fail_when_made_naming_the_fault_and_times(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_crashes_of_different_nodes_and_back_to_back_partitions_may_overlap_or_touch():
    Nemesis([Crash(node="n1", at_s=1.0, restart_s=3.0), Crash(node="n2", at_s=2.0),
             Partition(start_s=0.0, end_s=1.0, shape="halves"), Partition(start_s=1.0, end_s=2.0, shape="halves")])


def test_apply_rejects_unknown_nodes_before_scheduling_anything():
    sim = cluster()
    with pytest.raises(ValueError, match=r"node='n9' in Pause\(node='n9'.*is unknown"):
        Nemesis([Crash(node="n1", at_s=1.0), Pause(node="n9", at_s=2.0, duration_s=1.0)]).apply(sim)
    small = Simulation(seed=0)
    small.add(Node("a")), small.add(Node("b"))
    with pytest.raises(ValueError, match="too few for 'bridge'"):
        Nemesis([Partition(start_s=1.0, end_s=2.0, shape="bridge")]).apply(small)
    sim.run(until=3.0)
    assert sim.events("crash") == [] and small.trace == []
