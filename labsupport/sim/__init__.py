"""A deterministic simulation kernel for distributed systems, built on simpy.

The pieces: :class:`Simulation` (the clock, the network, the failure
schedule), :class:`Node` (subclass it and add ``on_<kind>`` handlers),
latency distributions, a :class:`~labsupport.sim.trace.TraceEvent` record of
everything that happened, and a :class:`History` of client operations for
consistency checkers. For agreement protocols: each node's durable
:class:`Storage` (``node.persist``), its own drifting :class:`Clock`
(``node.clock()``), pauses (``sim.pause``), a :class:`HandlerError` naming the
node, time and message when a node's code raises, and
:mod:`labsupport.sim.nemesis`, seeded fault schedules that compose.

How the parts talk: a node sends through ``sim.network.transmit(msg)``; the
network hands an arriving message to ``node.deliver(msg)``; both write the
trace through ``sim.record(event)`` and number messages with
``sim.next_msg_id()``; ``sim.crash`` and ``sim.recover`` call
``node.halt()`` and ``node.restart()``; ``sim.pause`` calls
``node.suspend()`` and ``node.resume()``, and a paused node's arrivals and
timers wait in ``node.hold(...)``. No part touches another's private
members (a test checks).
"""

from labsupport.sim.clock import Clock
from labsupport.sim.errors import HandlerError
from labsupport.sim.history import PENDING, History, Operation
from labsupport.sim.latency import Constant, Exponential, Latency, LogNormal, Uniform
from labsupport.sim.network import LinkConfig, Network
from labsupport.sim.node import Node, ReplyEvent
from labsupport.sim.simulation import Simulation
from labsupport.sim.storage import Storage
from labsupport.sim.trace import EVENTS, Message, NodeId, TraceEvent

__all__ = [
    "Simulation", "Node", "ReplyEvent", "Network", "LinkConfig", "Message", "TraceEvent", "EVENTS", "NodeId",
    "Latency", "Constant", "Uniform", "Exponential", "LogNormal",
    "History", "Operation", "PENDING", "HandlerError", "Storage", "Clock",
]
