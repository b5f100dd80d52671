"""Node clocks (offset, drift, skew, local timers) and pauses (a paused node runs no code, then catches up in order)."""

import math

import pytest

from labsupport.sim import Node, Simulation


class Recorder(Node):
    """Writes down, with the true time, every message, timer and process step it runs."""

    def __init__(self, name):
        super().__init__(name)
        self.seen = []

    def on_note(self, msg):
        self.seen.append((round(self.now, 6), "msg", msg.payload))

    def ring(self, label):
        self.seen.append((round(self.now, 6), "timer", label))

    def napper(self, delay_s, label):
        yield self.sleep(delay_s)
        self.seen.append((round(self.now, 6), "process", label))


# -- clocks -------------------------------------------------------------------------------------
def test_clock_reads_offset_plus_drifting_true_time():
    sim = Simulation(seed=0)
    node = sim.add(Node("n"))
    sim.set_clock("n", offset_s=0.5, drift=0.1)
    sim.run(until=10.0)
    assert node.clock() == pytest.approx(10.0 + 0.5 + 0.1 * 10.0)


def test_changing_drift_keeps_the_reading_continuous_and_an_offset_jumps_it():
    sim = Simulation(seed=0)
    node = sim.add(Node("n"))
    readings = []
    sim.set_clock("n", drift=0.5, at=0.0)
    sim.at(2.0, lambda: readings.append(node.clock()))        # 3.0
    sim.set_clock("n", drift=0.0, at=2.0)
    sim.at(4.0, lambda: readings.append(node.clock()))        # 5.0: continuous, now at the true rate
    sim.set_clock("n", offset_s=-1.0, at=4.0)
    sim.at(4.0, lambda: readings.append(node.clock()))        # 3.0: jumped back
    sim.run()
    assert readings == pytest.approx([3.0, 5.0, 3.0])
    assert [e.detail for e in sim.events("skew")] == ["drift +0.5", "drift +0", "offset -1 s"]


@pytest.mark.parametrize("drift", [0.25, -0.2, 0.0])
def test_drift_makes_a_local_timer_fire_early_or_late_by_the_right_amount(drift):
    sim = Simulation(seed=0)
    node = sim.add(Recorder("n"))
    sim.set_clock("n", drift=drift)
    node.set_local_timer(1.0, node.ring, "local")
    node.set_timer(1.0, node.ring, "real")
    sim.run()
    fired = {label: t for t, _, label in node.seen}
    assert fired["real"] == 1.0
    assert fired["local"] == pytest.approx(1.0 / (1.0 + drift))


def test_local_sleep_measures_the_nodes_own_clock():
    class Sleeper(Node):
        woke = None

        def start(self):
            before = self.clock()
            yield self.local_sleep(2.0)
            self.woke = (self.now, self.clock() - before)

    sim = Simulation(seed=0)
    node = sim.add(Sleeper("n"))
    sim.set_clock("n", drift=-0.5)
    sim.run()
    assert node.woke == pytest.approx((4.0, 2.0))


def test_clocks_are_drawn_within_bounds_from_the_seed_and_the_name():
    def clocks(seed, names=("a", "b", "c")):
        sim = Simulation(seed=seed, clock_offset_s=0.2, clock_drift=0.01)
        nodes = [sim.add(Node(name)) for name in names]
        sim.run(until=100.0)
        return {n.name: n.clock() for n in nodes}

    first = clocks(5)
    assert first == clocks(5)
    assert first != clocks(6)
    assert clocks(5, ("c", "a")) == {"c": first["c"], "a": first["a"]}  # per name, not per position
    for reading in first.values():
        assert abs(reading - 100.0) <= 0.2 + 0.01 * 100.0
    assert len(set(first.values())) == 3


def test_clock_bounds_do_not_change_message_traffic():
    def trace(**clock):
        sim = Simulation(seed=4, latency=0.1, **clock)
        a, _ = sim.add(Node("a")), sim.add(Recorder("b"))
        for i in range(5):
            sim.at(i * 0.3, a.send, "b", "note", i)
        sim.run()
        return sim.trace

    assert trace() == trace(clock_offset_s=1.0, clock_drift=0.1)


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(clock_drift=1.0), ValueError, "clock_drift"),
    (dict(clock_drift=-0.1), ValueError, "clock_drift"),
    (dict(clock_offset_s=math.nan), ValueError, "clock_offset_s"),
    (dict(clock_offset_s="1"), TypeError, "clock_offset_s"),
])
def test_bad_clock_bounds_are_rejected_naming_them(kwargs, error, name):
    with pytest.raises(error, match=name):
        Simulation(seed=0, **kwargs)


def test_bad_set_clock_arguments_are_rejected_at_the_call():
    sim = Simulation(seed=0)
    sim.add(Node("n"))
    with pytest.raises(ValueError, match=r"drift=1.5 is out of range; choose -1 < drift < 1"):
        sim.set_clock("n", drift=1.5, at=1.0)
    with pytest.raises(ValueError, match="offset_s=nan"):
        sim.set_clock("n", offset_s=math.nan)
    with pytest.raises(ValueError, match="unknown node 'zz'"):
        sim.set_clock("zz", offset_s=1.0)
    with pytest.raises(ValueError, match="delay_s"):
        sim.nodes["n"].set_local_timer(-1.0, print)
    sim.run()
    assert sim.events("skew") == []


# -- pauses -------------------------------------------------------------------------------------
def paused_run(seed=0):
    sim = Simulation(seed=seed, latency=0.1)
    sender, node = sim.add(Node("s")), sim.add(Recorder("p"))
    sim.pause("p", at=1.0, duration_s=2.0)
    sim.at(0.0, lambda: node.spawn(node.napper(1.5, "nap")))   # wakes at 1.5, inside the pause
    sim.at(1.05, node.set_timer, 0.5, node.ring, "t1")          # due at 1.55
    for i, t in enumerate((0.5, 1.2, 1.7, 2.4, 3.5)):
        sim.at(t, sender.send, "p", "note", i)                  # arrive at 0.6, 1.3, 1.8, 2.5, 3.6
    sim.run()
    return sim, node


def test_a_paused_node_runs_no_code_then_catches_up_in_order():
    sim, node = paused_run()
    assert node.seen == [
        (0.6, "msg", 0),
        (3.0, "msg", 1), (3.0, "process", "nap"), (3.0, "timer", "t1"), (3.0, "msg", 2), (3.0, "msg", 3),
        (3.6, "msg", 4),
    ]
    assert [(e.time, e.event) for e in sim.trace if e.event in ("pause", "resume")] == [(1.0, "pause"), (3.0, "resume")]
    held = [e for e in sim.events("deliver", node="p") if e.detail == "held"]
    assert [e.time for e in held] == [3.0, 3.0, 3.0]


def test_a_paused_nodes_clock_keeps_running():
    sim = Simulation(seed=0)
    node = sim.add(Node("p"))
    sim.set_clock("p", drift=0.1)
    readings = []
    sim.pause("p", at=1.0, duration_s=2.0)
    sim.at(3.0, lambda: readings.append(node.clock()))
    sim.run()
    assert readings == pytest.approx([3.3])


def test_a_crash_during_a_pause_drops_what_was_held():
    sim = Simulation(seed=0, latency=0.1)
    sender, node = sim.add(Node("s")), sim.add(Recorder("p"))
    sim.pause("p", at=1.0, duration_s=2.0)
    sim.at(1.1, sender.send, "p", "note", 1)
    sim.at(1.1, node.set_timer, 0.2, node.ring, "t")
    sim.crash("p", at=2.0)
    sim.recover("p", at=2.5)
    sim.run()
    assert node.seen == []
    assert [(e.time, e.detail) for e in sim.events("drop")] == [(2.0, "crashed")]
    assert sim.events("resume") == [] and not node.paused


def test_a_longer_pause_inside_a_pause_extends_it_and_a_crashed_node_is_not_paused():
    sim = Simulation(seed=0, latency=0.1)
    sender, node = sim.add(Node("s")), sim.add(Recorder("p"))
    sim.pause("p", at=1.0, duration_s=1.0)
    sim.pause("p", at=1.5, duration_s=1.0)   # until 2.5
    sim.pause("p", at=1.6, duration_s=0.1)   # inside: changes nothing
    sim.at(1.2, sender.send, "p", "note", 1)
    sim.crash("p", at=3.0)
    sim.pause("p", at=3.5, duration_s=1.0)
    sim.run()
    assert node.seen == [(2.5, "msg", 1)]
    assert [(e.time, e.event) for e in sim.trace if e.event in ("pause", "resume")] == [
        (1.0, "pause"), (1.5, "pause"), (2.5, "resume")]


def test_a_reply_awaited_during_a_pause_is_seen_after_it():
    class Echo(Node):
        def on_ask(self, msg):
            self.reply(msg, "answer", msg.payload)

    class Asker(Node):
        got = None

        def start(self):
            reply = yield from self.wait(self.request("e", "ask", 1), 5.0)
            self.got = (self.now, reply.payload)

    sim = Simulation(seed=0, latency=0.5)
    asker, _ = sim.add(Asker("a")), sim.add(Echo("e"))
    sim.pause("a", at=0.2, duration_s=2.0)
    sim.run()
    assert asker.got == (2.2, 1)


@pytest.mark.parametrize("duration, error", [(0.0, ValueError), (-1.0, ValueError), (math.inf, ValueError),
                                              ("1", TypeError)])
def test_bad_pause_durations_are_rejected_naming_them(duration, error):
    sim = Simulation(seed=0)
    sim.add(Node("p"))
    with pytest.raises(error, match="duration_s"):
        sim.pause("p", at=1.0, duration_s=duration)
    with pytest.raises(ValueError, match="unknown node"):
        sim.pause("zz", duration_s=1.0)


def test_same_seed_same_trace_with_clocks_and_pauses():
    assert paused_run(3)[0].trace == paused_run(3)[0].trace
