"""Lab 10's bench: seeded runs repeat, each property is detected, and bad input is refused by name."""

import pytest

from labsupport.labkits.broadcast import BroadcastRun, check_broadcast, run_broadcast
from labsupport.labkits.protocol import PropertyFailure
from labsupport.sim import Node


class Origin(Node):
    """The first node sends each value to every peer once, in one message per value."""

    def __init__(self, name, peers):
        super().__init__(name)
        self.peers, self.values = peers, set()

    def on_broadcast(self, msg):
        if msg.payload not in self.values:
            for peer in self.peers:
                self.send(peer, "value", msg.payload)
        self.values.add(msg.payload)
        self.reply(msg, "broadcast_ok")

    def on_value(self, msg):
        self.values.add(msg.payload)

    def on_read(self, msg):
        self.reply(msg, "read_ok", sorted(self.values))


class Sluggish(Origin):
    """Holds each value for a second before passing it on."""

    def on_broadcast(self, msg):
        if msg.payload not in self.values:
            self.set_timer(1.0, self.pass_on, msg.payload)
        self.values.add(msg.payload)
        self.reply(msg, "broadcast_ok")

    def pass_on(self, value):
        for peer in self.peers:
            self.send(peer, "value", value)


def test_a_seed_repeats_a_run_event_for_event_and_another_seed_does_not():
    assert run_broadcast(Origin, seed=3).trace == run_broadcast(Origin, seed=3).trace
    assert run_broadcast(Origin, seed=3).trace != run_broadcast(Origin, seed=4).trace


def test_a_run_without_faults_counts_one_message_per_peer_and_value():
    run = run_broadcast(Origin, nodes=4, values=10, seed=1)
    assert run.messages == 3 * 10 and run.problems(budget=30) == []
    assert run.problems(budget=29) == ["budget: the nodes sent 30 messages; the budget is 29"]


def test_latency_is_measured_from_the_first_node_to_the_last():
    run = run_broadcast(Sluggish, seed=2)
    assert all(1.0 < t < 1.1 for t in run.latencies().values())
    assert run.problems(latency_s=1.1) == [] and run.problems(latency_s=0.5)[0].startswith("latency: 20 value(s)")
    with pytest.raises(PropertyFailure, match=r"latency: .*\nReplay it in the notebook: replay\(Sluggish, None, "
                                              r"seed=2\)"):
        check_broadcast(run, latency_s=0.5)


@pytest.mark.parametrize("call, error, name", [
    (lambda: run_broadcast(object), TypeError, "node_class"),
    (lambda: run_broadcast(Origin, "partition"), TypeError, "schedule"),
    (lambda: run_broadcast(Origin, nodes=0), ValueError, "nodes"),
    (lambda: run_broadcast(Origin, values=2.5), TypeError, "values"),
    (lambda: run_broadcast(Origin, duration_s=float("nan")), ValueError, "duration_s"),
    (lambda: check_broadcast("a run"), TypeError, "BroadcastRun"),
])
def test_bad_input_is_refused_by_name(call, error, name):
    with pytest.raises(error, match=name):
        call()


def test_a_run_is_a_record_of_plain_data():
    run = run_broadcast(Origin, nodes=2, values=2, seed=5)
    assert isinstance(run, BroadcastRun) and set(run.reads) == {"n1", "n2"}
    assert all(type(v) is int for _, values in run.reads.values() for v in values)
