"""One deterministic run of a distributed system.

A :class:`Simulation` is the laboratory bench: it owns the clock (a simpy
environment), the network, the nodes, the failure schedule, and the two
records a run leaves behind: the :attr:`~Simulation.trace` of every message
and the :attr:`~Simulation.history` of client operations. Given the same
seed and the same code, a run repeats event for event.
"""

from __future__ import annotations

import itertools
import math
import random
from typing import Any, Callable, Iterable

import simpy

from labsupport.seeds import Seed, derive_rng, root_seed
from labsupport.checks import check_int, check_number, out_of_range
from labsupport.sim.history import History
from labsupport.sim.latency import Latency, as_latency
from labsupport.sim.network import LinkConfig, Network
from labsupport.sim.calls import schedule_call
from labsupport.sim.node import Node
from labsupport.sim.trace import NodeId, TraceEvent

__all__ = ["Simulation"]


def _check_time(name: str, value: Any) -> float:
    """A simulated time must be a finite real number of seconds."""
    if name == "until" and value in (math.inf, -math.inf):
        raise out_of_range("until", value, "a finite time, or leave it out (None) to run until nothing is left "
                           "to happen", why="is not a finite number")
    check_number(name, value)  # a number of simulated seconds
    return value


class Simulation:
    """Nodes, a network and a clock, all driven by one seed.

    Parameters
    ----------
    seed : int, random.Random or None
        Every random draw in the run comes from streams derived from it (None: a fresh seed, for exploring).
    latency : Latency or float
        Default one-way delay of every link (a number means constant seconds).
    loss, duplicate : float
        Default probability that a message is lost, or delivered twice.
    fifo : bool
        Default for whether links keep messages in order.

    Examples
    --------
    A partition cuts a link; healing it restores delivery.

    >>> from labsupport.sim import Node
    >>> class Quiet(Node):
    ...     def on_hello(self, msg):
    ...         pass
    >>> sim = Simulation(seed=7, latency=0.1)
    >>> a, b = sim.add(Quiet("a")), sim.add(Quiet("b"))
    >>> sim.partition({"a"}, {"b"}, at=1.0)
    >>> sim.heal(at=2.0)
    >>> for t in (0.5, 1.5, 2.5):
    ...     sim.at(t, a.send, "b", "hello")
    >>> sim.run()
    >>> [(e.time, e.event, e.detail) for e in sim.trace if e.event in ("deliver", "drop")]
    [(0.6, 'deliver', ''), (1.5, 'drop', 'partitioned'), (2.6, 'deliver', '')]

    Mistakes are reported where they are made, not later inside :meth:`run`:

    >>> sim.partition({"a"}, at=3.0)
    Traceback (most recent call last):
    ...
    ValueError: a partition needs at least two groups, got 1

    Attributes
    ----------
    trace : list of TraceEvent
        Everything that happened, in order.
    record : callable
        ``record(event)`` appends one :class:`TraceEvent` to :attr:`trace`; the
        network and the nodes record through it.
    next_msg_id : callable
        ``next_msg_id()`` returns 0, 1, 2, ...: the id of the next message sent.
    """

    def __init__(self, *, seed: Seed = None, latency: Latency | float = 0.001, loss: float = 0.0,
                 duplicate: float = 0.0, fifo: bool = False):
        self.seed = root_seed(seed)
        self.env = simpy.Environment()
        self.nodes: dict[NodeId, Node] = {}
        self.trace: list[TraceEvent] = []
        self.record: Callable[[TraceEvent], None] = self.trace.append
        self.next_msg_id: Callable[[], int] = itertools.count().__next__
        self.network = Network(self, LinkConfig(as_latency(latency), loss, duplicate, fifo))
        self.history = History()
        self._started = False

    # -- building --------------------------------------------------------
    def add(self, node: Node) -> Node:
        """Add ``node`` to the system and return it."""
        if node.name in self.nodes:
            raise ValueError(f"a node named {node.name!r} already exists; names must be unique")
        if node.sim is not None:
            raise ValueError(f"node {node.name!r} already belongs to another simulation")
        node.sim = self
        self.nodes[node.name] = node
        if self._started:
            self._start(node)
        return node

    def rng(self, purpose: str) -> random.Random:
        """A random stream for ``purpose`` (a workload, a failure schedule), derived from the seed."""
        return derive_rng(self.seed, purpose)

    # -- time ----------------------------------------------------------
    @property
    def now(self) -> float:
        return self.env.now

    def at(self, time_s: float, action: Callable[..., Any], *args: Any) -> None:
        """Call ``action(*args)`` at simulated time ``time_s`` (now, if it is past)."""
        if time_s.__class__ is not float:  # the common case costs one comparison
            _check_time("time_s", time_s)
        elif time_s != time_s or time_s in (math.inf, -math.inf):
            _check_time("time_s", time_s)
        now = self.env.now
        schedule_call(self.env, time_s - now if time_s > now else 0.0, action, args=args)

    def run(self, until: float | None = None) -> None:
        """Run until ``until`` seconds, or until nothing is left to happen.

        ``until`` must be a finite number no earlier than the clock; running
        until the current time does nothing.
        """
        if until is not None:
            _check_time("until", until)
            if until < self.env.now:
                raise ValueError(f"until={until} is in the past; the clock is at {self.env.now}")
        if not self._started:
            self._started = True
            for node in list(self.nodes.values()):
                self._start(node)
        if until is not None and until == self.env.now:
            return
        self.env.run(until=until)

    def _start(self, node: Node) -> None:
        result = node.start()
        if result is not None:
            node.spawn(result)

    # -- faults ----------------------------------------------------------
    def crash(self, name: NodeId, *, at: float | None = None) -> None:
        """Crash node ``name`` (now, or at time ``at``): it stops and receives nothing."""
        node = self._node(name)
        self._when(at, self._do_crash, node)

    def recover(self, name: NodeId, *, at: float | None = None) -> None:
        """Bring a crashed node back; its :meth:`Node.on_recover` resets volatile state."""
        node = self._node(name)
        self._when(at, self._do_recover, node)

    def partition(self, *groups: Iterable[NodeId], at: float | None = None) -> None:
        """Split the network into ``groups`` (now, or at time ``at``).

        The groups are checked now: at least two, each naming known nodes,
        no node in two groups.
        """
        groups = tuple(frozenset([g]) if isinstance(g, str) else frozenset(g) for g in groups)
        self.network.check_groups(groups)
        for group in groups:
            for name in group:
                self._node(name)
        self._when(at, self.network.partition, *groups)

    def heal(self, *, at: float | None = None) -> None:
        """End any partition (now, or at time ``at``)."""
        self._when(at, self.network.heal)

    def _do_crash(self, node: Node) -> None:
        if node.alive:
            self.record(TraceEvent(self.now, "crash", node.name))
            node.halt()

    def _do_recover(self, node: Node) -> None:
        if not node.alive:
            self.record(TraceEvent(self.now, "recover", node.name))
            node.restart()

    def _when(self, at: float | None, action: Callable[..., Any], *args: Any) -> None:
        if at is None:
            action(*args)
        else:
            self.at(_check_time("at", at), action, *args)

    def _node(self, name: NodeId) -> Node:
        if name not in self.nodes:
            raise ValueError(f"unknown node {name!r}; nodes are {sorted(self.nodes)}")
        return self.nodes[name]

    # -- records -----------------------------------------------------------
    def events(self, event: str | None = None, node: NodeId | None = None) -> list[TraceEvent]:
        """The trace, filtered by event kind and/or node."""
        return [e for e in self.trace
                if (event is None or e.event == event) and (node is None or e.node == node)]
