"""A node's own code that raises stops the run with HandlerError naming node, time and message or timer."""

import traceback

import pytest

from labsupport.sim import HandlerError, Node, Simulation


class Broken(Node):
    def on_ping(self, msg):
        return msg.payload.missing  # the student's line

    def on_slow(self, msg):
        yield self.sleep(1.0)
        raise ValueError("bad state after waiting")

    def tick(self, n):
        raise ZeroDivisionError(f"tick {n}")


def run_with(action):
    sim = Simulation(seed=0, latency=0.25)
    a, b = sim.add(Node("a")), sim.add(Broken("b"))
    sim.at(1.0, action, a, b)
    with pytest.raises(HandlerError) as caught:
        sim.run()
    return caught.value


def test_a_handler_error_names_node_time_message_and_cause():
    error = run_with(lambda a, b: a.send("b", "ping", {}))
    assert str(error) == "node 'b' at t=1.250000 s: on_ping for ping#0 from 'a' raised AttributeError: " \
        "'dict' object has no attribute 'missing'"
    assert isinstance(error.__cause__, AttributeError)
    lines = traceback.format_exception(error.__cause__)
    assert any("the student's line" in line for line in lines)


def test_a_generator_handler_error_names_the_message_that_started_it():
    error = run_with(lambda a, b: a.send("b", "slow"))
    assert str(error).startswith("node 'b' at t=2.250000 s: on_slow for slow#0 from 'a' (started at t=1.250000 s)")
    assert isinstance(error.__cause__, ValueError) and "bad state" in str(error)


def test_a_timer_error_names_the_callback():
    error = run_with(lambda a, b: b.set_timer(0.5, b.tick, 3))
    assert str(error) == "node 'b' at t=1.500000 s: timer callback tick(3) raised ZeroDivisionError: tick 3"
    assert isinstance(error.__cause__, ZeroDivisionError)


def test_handler_error_is_a_runtime_error():
    assert issubclass(HandlerError, RuntimeError)
