"""A protocol lab's record and replay: an honest run replays exactly; a log that is not one is refused.

Recording runs in this process (no kernel) here; tests/test_labs.py grades the Lab 10 notebooks end to end.
"""

import copy

import pytest

from labsupport.grading.protocol_record import record_protocol
from labsupport.grading.protocol_replay import replay_protocol
from labsupport.grading.wire import decode, encode
from labsupport.labkits.broadcast import check_broadcast, run_broadcast
from labsupport.labkits.protocol import PropertyFailure, check_plain
from labsupport.sim import Node
from labsupport.sim.nemesis import Nemesis, Partition


class Relay(Node):
    """Sends every new value to every peer until the peer acknowledges it (a timer resends)."""

    def __init__(self, name, peers):
        super().__init__(name)
        self.peers, self.values, self.owed = peers, set(), {peer: set() for peer in peers}

    def start(self):
        self.set_timer(0.2, self.resend)

    def on_broadcast(self, msg):
        self.take({msg.payload})
        self.reply(msg, "broadcast_ok")

    def on_read(self, msg):
        self.reply(msg, "read_ok", sorted(self.values))

    def on_relay(self, msg):
        self.take(set(msg.payload))
        self.reply(msg, "relay_ok", msg.payload)

    def on_relay_ok(self, msg):
        self.owed[msg.src] -= set(msg.payload)

    def take(self, values):
        for peer in self.peers:
            self.owed[peer] |= values - self.values
        self.values |= values

    def resend(self):
        for peer, owed in self.owed.items():
            if owed:
                self.send(peer, "relay", sorted(owed))
        self.set_timer(0.2, self.resend)


SPLIT = Nemesis([Partition(start_s=1.0, end_s=3.0, groups=[{"n1", "n2"}, {"n3", "n4", "n5"}])])
ARGS, KWARGS = (SPLIT,), {"seed": 4}


def through_the_wire(log):
    handles = []
    return decode(encode(log, handles.append), lambda *a: pytest.fail("a proxy in the log"), lambda *a: None)


def test_a_replayed_run_is_the_recorded_run_event_for_event():
    log = through_the_wire(record_protocol(run_broadcast, Relay, args=ARGS, kwargs=KWARGS))
    replayed = replay_protocol(run_broadcast, log, ARGS, kwargs=KWARGS)
    original = run_broadcast(Relay, *ARGS, **KWARGS)
    assert replayed.trace == original.trace and replayed.trace
    assert (replayed.reads, replayed.learned, replayed.messages) == (original.reads, original.learned,
                                                                      original.messages)
    assert replayed.problems() == []


def tamper(log, name, change):
    log = copy.deepcopy(log)
    change(log["nodes"][name]["inputs"])
    return log


def first_send(inputs):
    return next(entry for entry in inputs if any(effect[0] == "send" for effect in entry[1]))


@pytest.mark.parametrize("change, why", [
    (lambda inputs: inputs.pop(), "the log ends"),                                  # an input missing
    (lambda inputs: inputs.append(copy.deepcopy(inputs[-1])), "the log holds"),     # one too many
    (lambda inputs: inputs[3][0].__setitem__(1, 0.123), "the log has"),             # another time
    (lambda inputs: first_send(inputs)[1].clear(), "the log has"),                  # a send that never happened
    (lambda inputs: first_send(inputs)[1].append(["send", "n2", "x", object, None]), "malformed"),
    (lambda inputs: inputs.insert(0, ["start"]), "malformed"),
])
def test_a_log_that_does_not_describe_the_run_is_refused(change, why):
    log = record_protocol(run_broadcast, Relay, args=ARGS, kwargs=KWARGS)
    with pytest.raises(PropertyFailure, match="refused") as refused:
        replay_protocol(run_broadcast, tamper(log, "n3", change), ARGS, kwargs=KWARGS)
    assert why in str(refused.value)


def test_effects_made_outside_a_handler_are_refused():
    class Meddler(Relay):
        def on_broadcast(self, msg):
            super().on_broadcast(msg)
            other = self.sim.nodes["n1" if self.name != "n1" else "n2"]
            other.send(self.name, "relay", [msg.payload])  # acting as another node

    log = record_protocol(run_broadcast, Meddler, kwargs=KWARGS)
    with pytest.raises(PropertyFailure, match="outside its handlers"):
        replay_protocol(run_broadcast, log, (), kwargs=KWARGS)


def test_a_node_that_reads_other_nodes_state_keeps_no_property_it_did_not_earn():
    class Peeker(Relay):
        def on_read(self, msg):
            seen = set().union(*(node.values for node in self.sim.nodes.values() if hasattr(node, "values")))
            self.reply(msg, "read_ok", sorted(seen))

        def resend(self):
            pass

    log = record_protocol(run_broadcast, Peeker, args=ARGS, kwargs=KWARGS)
    run = replay_protocol(run_broadcast, log, ARGS, kwargs=KWARGS)  # a consistent log: accepted, then judged
    assert any(problem.startswith("derived:") for problem in run.problems())
    with pytest.raises(PropertyFailure, match=r"derived: .*\nReplay it in the notebook: replay\(Peeker, "
                                              r"Nemesis\(\[Partition\(start_s=1\.0, .*\), seed=4\)"):
        check_broadcast(run)


def test_handlers_are_plain_methods_and_payloads_plain_data():
    class Waits(Relay):
        def on_broadcast(self, msg):
            yield self.sleep(0.1)

    class Objects(Relay):
        def on_read(self, msg):
            self.reply(msg, "read_ok", self)

    with pytest.raises(Exception, match="plain methods"):
        run_broadcast(Waits, seed=1)
    with pytest.raises(Exception, match="plain data"):
        run_broadcast(Objects, seed=1)
    with pytest.raises(ValueError, match="a float in"):
        check_plain([float("nan")])


def test_flooding_without_bound_is_stopped_at_the_cap():
    class Flood(Relay):
        def on_relay(self, msg):
            self.values |= set(msg.payload)
            for peer in self.peers:
                self.send(peer, "relay", msg.payload)

        def on_broadcast(self, msg):
            super().on_broadcast(msg)
            self.on_relay(msg._replace(payload=[msg.payload]))

    run = run_broadcast(Flood, seed=2, max_messages=800)
    assert run.stopped_s is not None and run.messages == 800
    assert run.problems()[0].startswith("budget:")


class NoKernel:
    def fresh(self, names):
        return {}


def test_only_a_broken_property_is_shown_by_a_hidden_test():
    from labsupport.grading.cases import Shown, run_case

    code = "check_broadcast(run_broadcast(Relay, seed=1, max_messages=10))"
    setup = type("Setup", (), {"owned": {"check_broadcast", "run_broadcast", "Relay"},
                               "value": staticmethod(globals().get)})()
    passed, message = run_case(NoKernel(), [(code, "")], setup=setup)
    assert not passed and isinstance(message, Shown) and "budget:" in message and "seed=1" in message
    passed, message = run_case(NoKernel(), [("assert 1 == 2", "")], setup=setup)
    assert not passed and not isinstance(message, Shown)


class Counter(Node):
    """Counts pings durably; forgets everything else on a crash (Lab 11's kind of node)."""

    forgets_on_crash = True

    def __init__(self, name, peers):
        super().__init__(name)
        self.peers, self.count = peers, self.storage.get("count", 0)

    def start(self):
        self.set_local_timer(0.3, self.ping)

    def on_recover(self):
        self.log(f"back with {self.count}")
        self.set_local_timer(0.3, self.ping)

    def ping(self):
        for peer in self.peers:
            self.send(peer, "ping", {"from": self.name, "count": self.count})
        self.set_local_timer(0.3, self.ping)

    def on_ping(self, msg):
        self.count += 1
        self.persist(count=self.count)


def run_counters(node_class, *, seed=None):
    from labsupport.labkits.protocol import lab_node
    from labsupport.sim import Simulation

    sim = Simulation(seed=seed, latency=0.01, clock_drift=0.01, storage_latency=0.002)
    cls = lab_node(node_class)
    for name in ("a", "b", "c"):
        sim.add(cls(name, [p for p in ("a", "b", "c") if p != name]))
    sim.crash("b", at=1.0)
    sim.recover("b", at=1.7)
    sim.run(until=3.0)
    return tuple(sim.trace)


def test_timers_on_the_node_clock_durable_writes_and_crashes_replay_exactly():
    from labsupport.labkits.protocol import protocol_lab

    protocol_lab(run_counters)
    log = through_the_wire(record_protocol(run_counters, Counter, kwargs={"seed": 5}))
    assert ["recover", 1.7] in [entry[0] for entry in log["nodes"]["b"]["inputs"]]
    replayed = replay_protocol(run_counters, log, kwargs={"seed": 5})
    assert replayed == run_counters(Counter, seed=5)
    assert any(event.event == "persist" for event in replayed)


def test_feedback_shows_a_hidden_test_s_broken_property_and_nothing_else(tmp_path):
    from labsupport.grading.autograder import Case, Question
    from labsupport.grading.results import CaseResult, Result, write_feedback

    question = Question("q1", (Case("q1", 0, "x", True, 1.0), Case("q1", 1, "y", True, 1.0)))
    result = Result("s.ipynb", "graded", cases=[CaseResult("q1", 0, True, 1.0, 0.0, False, "failed"),
                                                CaseResult("q1", 1, True, 1.0, 0.0, False, "budget: 9 > 5\nReplay")])
    write_feedback(result, [question], tmp_path / "s.md")
    text = (tmp_path / "s.md").read_text()
    assert text.count("Result:") == 1 and "  Result: budget: 9 > 5\n  Replay" in text and "failed\n" not in text


def test_a_run_patched_in_the_kernel_leaves_a_log_the_grader_refuses():
    def without_the_schedule(node_class, schedule=None, *, seed=None):
        return run_broadcast(node_class, None, seed=seed)  # what a kernel patched to skip the faults would run

    log = record_protocol(without_the_schedule, Relay, args=ARGS, kwargs=KWARGS)
    with pytest.raises(PropertyFailure, match="refused"):
        replay_protocol(run_broadcast, log, ARGS, kwargs=KWARGS)
