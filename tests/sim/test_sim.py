"""The simulation kernel keeps its promises: determinism, partitions, crashes, latency."""

import statistics

import pytest
import simpy
from hypothesis import given, settings, strategies as st

from labsupport.sim import Constant, Exponential, LogNormal, Node, Simulation, Uniform


class Counter(Node):
    """Counts what it receives and gossips a number to a random peer every tick."""

    def __init__(self, name, peers, ticks=20):
        super().__init__(name)
        self.peers, self.ticks, self.received = peers, ticks, []

    def start(self):
        rng = self.sim.rng(f"gossip:{self.name}")
        for i in range(self.ticks):
            yield self.sleep(0.01)
            self.send(rng.choice(self.peers), "num", i)

    def on_num(self, msg):
        self.received.append((msg.src, msg.payload))


def gossip_run(seed, loss=0.1, duplicate=0.1, latency=Exponential(0.005)):
    names = [f"n{i}" for i in range(5)]
    sim = Simulation(seed=seed, latency=latency, loss=loss, duplicate=duplicate)
    for name in names:
        sim.add(Counter(name, [p for p in names if p != name]))
    sim.crash("n3", at=0.05)
    sim.recover("n3", at=0.12)
    sim.partition({"n0", "n1"}, {"n2", "n3", "n4"}, at=0.08)
    sim.heal(at=0.15)
    sim.run()
    return sim


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32))
def test_same_seed_same_trace_event_for_event(seed):
    assert gossip_run(seed).trace == gossip_run(seed).trace


def test_different_seeds_give_different_traces():
    assert gossip_run(1).trace != gossip_run(2).trace


def test_trace_has_every_kind_of_event():
    kinds = {e.event for e in gossip_run(3).trace}
    assert {"send", "deliver", "drop", "duplicate", "crash", "recover", "partition", "heal"} <= kinds


def test_partitioned_link_delivers_nothing():
    sim = gossip_run(4, loss=0.0, duplicate=0.0)
    left, right = {"n0", "n1"}, {"n2", "n3", "n4"}
    during = [e for e in sim.trace if 0.08 <= e.time < 0.15 and e.event == "deliver"]
    assert during, "the run should deliver some messages inside each side"
    for e in during:
        assert ({e.node, e.peer} <= left) or ({e.node, e.peer} <= right), e
    drops = [e for e in sim.trace if e.detail == "partitioned"]
    assert drops and all(0.08 <= e.time <= 0.15 for e in drops)


def test_message_in_flight_when_partition_starts_is_dropped():
    sim = Simulation(seed=0, latency=1.0)
    a, b = sim.add(Counter("a", ["b"], ticks=0)), sim.add(Counter("b", ["a"], ticks=0))
    sim.at(0.0, a.send, "b", "num", 1)
    sim.partition({"a"}, {"b"}, at=0.5)
    sim.run()
    assert b.received == []
    assert [e.detail for e in sim.events("drop")] == ["partitioned"]


def test_crashed_node_receives_nothing():
    sim = gossip_run(5, loss=0.0, duplicate=0.0)
    crashed = [e for e in sim.trace if e.node == "n3" and 0.05 <= e.time < 0.12]
    assert crashed, "messages should arrive at n3 while it is down"
    assert all(e.event in ("drop", "crash") for e in crashed)
    assert any(e.detail == "crashed" for e in crashed)
    # It stopped gossiping while down (its process was interrupted) ...
    assert not any(e.event == "send" and e.node == "n3" and e.time > 0.05 for e in sim.trace)
    # ... and it receives again after recovering.
    assert any(e.event == "deliver" and e.node == "n3" and e.time >= 0.12 for e in sim.trace)


def test_timers_of_a_crashed_incarnation_stay_silent():
    fired = []
    sim = Simulation(seed=0)
    node = sim.add(Node("a"))
    sim.at(0.0, node.set_timer, 1.0, fired.append, "old")
    sim.crash("a", at=0.5)
    sim.recover("a", at=0.6)
    sim.at(0.7, node.set_timer, 1.0, fired.append, "new")
    sim.run()
    assert fired == ["new"]


def test_loss_rate_matches_configuration():
    sim = Simulation(seed=11, latency=0.001, loss=0.2)
    a, b = sim.add(Counter("a", ["b"], ticks=0)), sim.add(Counter("b", ["a"], ticks=0))
    for i in range(5000):
        sim.at(i * 0.01, a.send, "b", "num", i)
    sim.run()
    lost = len(sim.events("drop")) / 5000
    assert abs(lost - 0.2) < 0.02


def test_duplicates_are_delivered_twice_with_the_same_id():
    sim = Simulation(seed=3, latency=0.001, duplicate=1.0)
    a, b = sim.add(Counter("a", ["b"], ticks=0)), sim.add(Counter("b", ["a"], ticks=0))
    sim.at(0, a.send, "b", "num", 7)
    sim.run()
    assert b.received == [("a", 7), ("a", 7)]
    assert len({e.msg_id for e in sim.events("deliver")}) == 1


def test_random_latency_reorders_and_fifo_does_not():
    def arrival_order(fifo):
        sim = Simulation(seed=2, latency=Exponential(0.01), fifo=fifo)
        a, b = sim.add(Counter("a", ["b"], ticks=0)), sim.add(Counter("b", ["a"], ticks=0))
        for i in range(200):
            sim.at(i * 0.001, a.send, "b", "num", i)
        sim.run()
        return [payload for _, payload in b.received]

    assert arrival_order(False) != sorted(arrival_order(False))
    assert arrival_order(True) == list(range(200))


@pytest.mark.parametrize("latency", [Constant(0.002), Uniform(0.001, 0.004),
                                     Exponential(0.003, base_s=0.001), LogNormal(0.002, 0.6)])
def test_latency_statistics_match_the_configured_distribution(latency):
    sim = Simulation(seed=5, latency=latency)
    a, b = sim.add(Counter("a", ["b"], ticks=0)), sim.add(Counter("b", ["a"], ticks=0))
    n = 4000
    for i in range(n):
        sim.at(i * 1.0, a.send, "b", "num", i)
    sim.run()
    sends = {e.msg_id: e.time for e in sim.events("send")}
    delays = sorted(e.time - sends[e.msg_id] for e in sim.events("deliver"))
    assert len(delays) == n
    assert statistics.fmean(delays) == pytest.approx(latency.mean, rel=0.05)
    for p in (0.5, 0.9):
        assert delays[int(p * n)] == pytest.approx(latency.quantile(p), rel=0.08, abs=1e-9)


def test_request_reply_and_collect_with_timeout():
    class Replica(Node):
        def on_get(self, msg):
            self.reply(msg, "value", self.name)

    class Coordinator(Node):
        result = None

        def start(self):
            replies = yield from self.collect(self.multicast(["r0", "r1", "r2"], "get"), need=2, timeout_s=1.0)
            self.result = (self.now, sorted(m.payload for m in replies))

    sim = Simulation(seed=0, latency=0.1)
    for i in range(3):
        sim.add(Replica(f"r{i}"))
    sim.network.configure("c", "r0", latency=5.0)  # r0 is far away: its answer comes too late
    coordinator = sim.add(Coordinator("c"))
    sim.run()
    assert coordinator.result == (pytest.approx(0.2), ["r1", "r2"])


def test_collect_times_out_with_what_arrived():
    class Coordinator(Node):
        result = None

        def start(self):
            replies = yield from self.collect(self.multicast(["r0", "r1"], "get"), need=2, timeout_s=0.5)
            self.result = (self.now, len(replies))

    class Replica(Node):
        def on_get(self, msg):
            self.reply(msg, "value", 1)

    sim = Simulation(seed=0, latency=0.1)
    sim.add(Replica("r0")), sim.add(Replica("r1"))
    sim.crash("r1")
    coordinator = sim.add(Coordinator("c"))
    sim.run()
    assert coordinator.result == (0.5, 1)


def test_bad_input_is_rejected_with_clear_messages():
    with pytest.raises(ValueError, match="loss=1.5 is out of range; choose 0 <= loss <= 1"):
        Simulation(seed=0, loss=1.5)
    with pytest.raises(TypeError, match="seed must be an int"):
        Simulation(seed="x")
    with pytest.raises(ValueError, match="delay_s=-1 is out of range; choose delay_s >= 0"):
        Constant(-1)
    sim = Simulation(seed=0)
    sim.add(Node("a"))
    with pytest.raises(ValueError, match="already exists"):
        sim.add(Node("a"))
    with pytest.raises(ValueError, match="unknown node 'zz'"):
        sim.crash("zz")
    with pytest.raises(ValueError, match="unknown destination"):
        sim.nodes["a"].send("nowhere", "x")
    with pytest.raises(ValueError, match="at least two groups"):
        sim.partition({"a"})


def test_missing_handler_names_the_method_to_write():
    sim = Simulation(seed=0)
    a, b = sim.add(Node("a")), sim.add(Node("b"))
    sim.at(0, a.send, "b", "mystery")
    with pytest.raises(AttributeError, match="on_mystery"):
        sim.run()
