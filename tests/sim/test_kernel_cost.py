"""The kernel's cost per message, counted rather than timed (issue 20: within 2x of bare simpy).

A timing test fails on a busy machine; a count does not. ``make bench`` times the kernel against a bare
simpy loop; these tests hold the hot path to the number of Python calls it makes per message, so a
change that adds a frame to every message fails here, on any machine, before the benchmark notices.
"""

import sys
from pathlib import Path

from labsupport.sim import Node, Simulation

SIM = str(Path(__file__).resolve().parents[2] / "labsupport" / "sim")


class Sink(Node):
    def on_msg(self, msg):
        pass


def kernel_calls_per_message(**link):
    """Python calls into labsupport/sim per message: scheduled with ``sim.at``, sent, carried, delivered.

    The difference between runs of 400 and 200 messages, so that what a run does once (start the nodes,
    make the link's route) does not count.
    """
    return (kernel_calls(400, **link) - kernel_calls(200, **link)) / 200


def kernel_calls(n_messages, **link):
    sim = Simulation(seed=1, latency=0.001, **link)
    a, b = sim.add(Sink("a")), sim.add(Sink("b"))
    calls = [0]

    def count(frame, event, arg):
        if event == "call" and frame.f_code.co_filename.startswith(SIM):
            calls[0] += 1

    sys.setprofile(count)
    try:
        for i in range(n_messages):
            sim.at(i * 1e-5, a.send, "b", "msg", i)
        sim.run()
    finally:
        sys.setprofile(None)
    assert len(sim.events("deliver")) == n_messages
    return calls[0]


def test_a_message_on_a_plain_link_costs_eight_kernel_calls():
    # Simulation.at, Call() twice (the send, the arrival), run_call, Node.send, Network.transmit,
    # the arrival, Node.deliver. Before issue 20: ten (Network._schedule and Network.hand_over besides).
    assert kernel_calls_per_message() <= 8


def test_a_fifo_link_keeps_its_own_path():
    # the common path is taken only where it may: a FIFO link still queues its messages in order
    assert kernel_calls_per_message(fifo=True) > kernel_calls_per_message()
