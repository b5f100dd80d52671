"""Durable storage: a crash loses volatile state and keeps what was persisted, and only once it was durable."""

import pytest

from labsupport.sim import Node, Simulation, Storage, Uniform
from labsupport.sim.storage import stored_copy


class Voter(Node):
    """Forgets everything on a crash but its storage; counts how often it was built."""

    forgets_on_crash = True
    builds = 0

    def __init__(self, name, peers=("x",)):
        super().__init__(name)
        Voter.builds += 1
        self.peers = peers
        self.term = self.storage.get("term", 0)
        self.scratch = []  # volatile

    def on_vote(self, msg):
        self.term = msg.payload
        self.scratch.append(msg.payload)
        yield self.persist(term=msg.payload, log=self.scratch)
        self.reply(msg, "granted", msg.payload)


class Keeper(Node):
    """Today's behaviour: the Python object keeps its attributes across a crash."""

    def __init__(self, name):
        super().__init__(name)
        self.memory = []


def voter_run(storage_latency, crash_at, seed=0):
    sim = Simulation(seed=seed, latency=0.1, storage_latency=storage_latency)
    voter = sim.add(Voter("v", peers=("a", "b")))
    asker = sim.add(Node("a"))
    sim.at(0.0, asker.send, "v", "vote", 7)
    sim.crash("v", at=crash_at)
    sim.recover("v", at=crash_at + 1.0)
    sim.run()
    return sim, voter


def test_a_crash_loses_volatile_state_and_keeps_storage():
    Voter.builds = 0
    sim, voter = voter_run(0.0, crash_at=0.5)
    assert Voter.builds == 2  # built once, rebuilt once on recovery, with its first arguments
    assert voter.incarnation == 1 and voter.alive and voter.sim is sim and voter.name == "v"
    assert voter.peers == ("a", "b")
    assert voter.scratch == []  # volatile: gone
    assert voter.term == 7 and voter.storage["term"] == 7  # durable: rebuilt from storage
    assert [e.detail for e in sim.events("persist")] == ["term,log"]


def test_a_crash_during_a_slow_persist_loses_that_write_and_the_reply():
    sim, voter = voter_run(0.5, crash_at=0.3)  # the vote arrives at 0.1, the write would finish at 0.6
    assert "term" not in voter.storage and voter.term == 0
    assert sim.events("persist") == [] and sim.events("send", node="v") == []


def test_a_slow_persist_completes_before_the_reply():
    sim, voter = voter_run(0.5, crash_at=5.0)
    (persist,) = sim.events("persist")
    (reply,) = sim.events("send", node="v")
    assert persist.time == pytest.approx(0.6) and reply.time == persist.time
    assert voter.storage["term"] == 7


def test_nodes_that_do_not_forget_keep_their_attributes_as_before():
    sim = Simulation(seed=0)
    keeper = sim.add(Keeper("k"))
    keeper.memory.append(1)
    sim.crash("k", at=1.0)
    sim.recover("k", at=2.0)
    sim.run()
    assert keeper.memory == [1] and keeper.incarnation == 1


def test_values_are_stored_as_copies():
    sim = Simulation(seed=0)
    node = sim.add(Node("n"))
    log = [("put", "x", 1)]
    fired = node.persist(log=log, meta={"seen": {1}})
    assert fired.triggered  # zero latency: durable at once
    log.append(("put", "y", 2))
    read = node.storage["log"]
    read.append("mutated by the reader")
    assert node.storage["log"] == [("put", "x", 1)]
    assert node.storage.get("missing", "default") == "default" and len(node.storage) == 2


def test_writes_of_one_node_complete_in_order_even_with_random_latency():
    sim = Simulation(seed=3, storage_latency=Uniform(0.0, 1.0))
    node = sim.add(Node("n"))
    for i in range(20):
        sim.at(i * 0.01, lambda i=i: node.persist(value=i))
    sim.run()
    times = [e.time for e in sim.events("persist")]
    assert times == sorted(times) and len(times) == 20
    assert node.storage["value"] == 19


def test_storage_cannot_be_written_like_a_dict():
    with pytest.raises(TypeError):
        Storage()["term"] = 1


def test_stored_copy_keeps_immutable_values_and_copies_containers():
    entry = ("put", "x", (1, 2))
    assert stored_copy(entry) is entry
    nested = {"a": [1, {2}], "b": (1, [2])}
    copied = stored_copy(nested)
    assert copied == nested and copied["a"] is not nested["a"] and copied["b"][1] is not nested["b"][1]


def test_persist_on_a_crashed_node_raises():
    sim = Simulation(seed=0)
    node = sim.add(Node("n"))
    sim.crash("n")
    with pytest.raises(RuntimeError, match="crashed node 'n' tried to persist"):
        node.persist(term=1)


@pytest.mark.parametrize("value, error", [(-1.0, ValueError), (float("nan"), ValueError), ("1", TypeError)])
def test_a_bad_storage_latency_is_rejected_naming_it(value, error):
    with pytest.raises(error, match="storage_latency"):
        Simulation(seed=0, storage_latency=value)


def test_same_seed_same_trace_with_random_storage_latency():
    def run():
        return voter_run(Uniform(0.1, 0.9), crash_at=0.55, seed=11)[0].trace

    assert run() == run()


def test_a_write_lost_in_a_crash_does_not_delay_the_next_incarnations_writes():
    sim = Simulation(seed=0, storage_latency=1.0)
    node = sim.add(Node("n"))
    sim.at(0.0, lambda: node.persist(term=1))  # would be durable at 1.0
    sim.at(0.0, lambda: node.persist(term=2))  # queued behind it: 2.0
    sim.crash("n", at=0.5)
    sim.recover("n", at=0.6)
    sim.at(0.7, lambda: node.persist(term=3))
    sim.run()
    assert [(e.time, e.detail) for e in sim.events("persist")] == [(1.7, "term")]
    assert node.storage["term"] == 3


class Stubborn(Voter):
    """Tries to keep its memory by setting the flag on itself: the class's rule decides."""

    def __init__(self, name, peers=("x",)):
        super().__init__(name, peers)
        self.forgets_on_crash = False


def test_a_node_cannot_keep_its_memory_by_setting_the_flag_on_itself():
    sim = Simulation(seed=0)
    node = sim.add(Stubborn("s"))
    node.scratch.append("volatile")
    sim.crash("s", at=1.0)
    sim.recover("s", at=2.0)
    sim.run()
    rebuilt = sim.nodes["s"]
    assert rebuilt.scratch == [], "a node that forgets on crash came back with its volatile state"
