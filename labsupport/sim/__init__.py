"""A deterministic simulation kernel for distributed systems, built on simpy.

The pieces: :class:`Simulation` (the clock, the network, the failure
schedule), :class:`Node` (subclass it and add ``on_<kind>`` handlers),
latency distributions, a :class:`~labsupport.sim.trace.TraceEvent` record of
everything that happened, and a :class:`History` of client operations for
consistency checkers.
"""

from labsupport.sim.history import PENDING, History, Operation
from labsupport.sim.latency import Constant, Exponential, Latency, LogNormal, Uniform
from labsupport.sim.network import LinkConfig, Network
from labsupport.sim.node import Node
from labsupport.sim.simulation import Simulation
from labsupport.sim.trace import EVENTS, Message, NodeId, TraceEvent

__all__ = [
    "Simulation", "Node", "Network", "LinkConfig", "Message", "TraceEvent", "EVENTS", "NodeId",
    "Latency", "Constant", "Uniform", "Exponential", "LogNormal",
    "History", "Operation", "PENDING",
]
