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
from simpy.events import NORMAL

from labsupport.seeds import Seed, derive_rng, root_seed
from labsupport.checks import check_int, check_number, out_of_range
from labsupport.sim.clock import check_drift
from labsupport.sim.errors import HandlerError
from labsupport.sim.history import History
from labsupport.sim.latency import Constant, Latency, as_latency
from labsupport.sim.network import LinkConfig, Network
from labsupport.sim.calls import RUN_CALL, Call
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
    storage_latency : Latency or float
        How long a node's :meth:`~Node.persist` takes to become durable (0: at once).
    clock_offset_s, clock_drift : float
        Bounds on the nodes' clocks: each node draws its offset uniformly in
        ``[-clock_offset_s, clock_offset_s]`` and its drift rate in
        ``[-clock_drift, clock_drift]`` from a stream derived from the seed and
        its name (:meth:`set_clock` sets them explicitly).

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
                 duplicate: float = 0.0, fifo: bool = False, storage_latency: Latency | float = 0.0,
                 clock_offset_s: float = 0.0, clock_drift: float = 0.0):
        self.seed = root_seed(seed)
        self.storage_latency = as_latency(storage_latency, "storage_latency")
        self.clock_offset_s = check_number("clock_offset_s", clock_offset_s, low=0)
        self.clock_drift = check_number("clock_drift", clock_drift, low=0, high=1, high_open=True)
        self._storage_rngs: dict[NodeId, random.Random] = {}
        self.env = simpy.Environment()
        self.nodes: dict[NodeId, Node] = {}
        self.trace: list[TraceEvent] = []
        self.record: Callable[[TraceEvent], None] = self.trace.append
        self.next_msg_id: Callable[[], int] = itertools.count().__next__
        self.network = Network(self, LinkConfig(as_latency(latency), loss, duplicate, fifo))
        self.history = History()
        self._started = False
        self._pause_ends: dict[NodeId, float] = {}  # when each node's latest pause ends

    # -- building --------------------------------------------------------
    def add(self, node: Node) -> Node:
        """Add ``node`` to the system and return it."""
        if node.name in self.nodes:
            raise ValueError(f"a node named {node.name!r} already exists; names must be unique")
        if node.sim is not None:
            raise ValueError(f"node {node.name!r} already belongs to another simulation")
        node.sim = self
        self.nodes[node.name] = node
        if self.clock_offset_s or self.clock_drift:
            rng = self.rng(f"clock:{node.name}")
            offset = rng.uniform(-self.clock_offset_s, self.clock_offset_s)
            node.adjust_clock(offset_s=offset, drift=rng.uniform(-self.clock_drift, self.clock_drift))
        if self._started:
            self._start(node)
        return node

    def rng(self, purpose: str) -> random.Random:
        """A random stream for ``purpose`` (a workload, a failure schedule), derived from the seed."""
        return derive_rng(self.seed, purpose)

    def storage_delay(self, name: NodeId) -> float:
        """How long the next write to ``name``'s storage takes: one draw from ``storage_latency``."""
        latency = self.storage_latency
        if type(latency) is Constant:
            return latency.delay_s
        rng = self._storage_rngs.get(name) or self._storage_rngs.setdefault(name, self.rng(f"storage:{name}"))
        return latency.sample(rng)

    # -- time ----------------------------------------------------------
    @property
    def now(self) -> float:
        return self.env.now

    def at(self, time_s: float, action: Callable[..., Any], *args: Any) -> None:
        """Call ``action(*args)`` at simulated time ``time_s`` (now, if it is past)."""
        if time_s.__class__ is not float or not -math.inf < time_s < math.inf:  # NaN fails both comparisons
            _check_time("time_s", time_s)
        env = self.env
        now = env.now
        # schedule_call(env, delay, action, args=args), inlined: the delay is already a checked finite number >= 0
        env.schedule(Call(RUN_CALL, action, args), NORMAL, time_s - now if time_s > now else 0.0)

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
        try:
            self.env.run(until=until)
        except HandlerError as error:
            inner = error.__cause__
            if isinstance(inner, HandlerError):  # simpy re-raises a failed process's error as a copy of it
                raise inner from inner.__cause__
            raise

    def _start(self, node: Node) -> None:
        try:
            result = node.start()
        except Exception as error:
            raise HandlerError.raised(node.name, self.now, "start()", error=error) from error
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

    def pause(self, name: NodeId, *, at: float | None = None, duration_s: float) -> None:
        """Pause node ``name`` (now, or at time ``at``) for ``duration_s``: a garbage-collection stall.

        The node runs no code meanwhile: messages that arrive wait and are
        handled in arrival order when it resumes, timers that fall due fire
        then, and processes continue only then. Its clock keeps running and
        it loses nothing (unlike a crash). A pause of a crashed node does nothing.
        """
        node = self._node(name)
        check_number("duration_s", duration_s, low=0, low_open=True)
        self._when(at, self._do_pause, node, duration_s)

    def set_clock(self, name: NodeId, *, offset_s: float | None = None, drift: float | None = None,
                  at: float | None = None) -> None:
        """Set node ``name``'s clock (now, or at time ``at``): from then it reads true time plus ``offset_s``
        (a jump; None keeps the reading continuous) and runs at rate ``1 + drift`` (None keeps the rate).
        """
        node = self._node(name)
        if offset_s is not None:
            check_number("offset_s", offset_s)
        if drift is not None:
            check_drift("drift", drift)
        self._when(at, self._do_set_clock, node, offset_s, drift)

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

    def _do_pause(self, node: Node, duration_s: float) -> None:
        if not node.alive:
            return
        end = self.now + duration_s
        if node.paused and end <= self._pause_ends.get(node.name, 0.0):
            return  # inside a longer pause already
        self._pause_ends[node.name] = end
        self.record(TraceEvent(self.now, "pause", node.name, detail=f"for {duration_s:g} s"))
        node.suspend()
        self.at(end, self._do_resume, node, end)

    def _do_resume(self, node: Node, end: float) -> None:
        if node.paused and self._pause_ends.get(node.name) == end:
            self.record(TraceEvent(self.now, "resume", node.name))
            node.resume()

    def _do_set_clock(self, node: Node, offset_s: float | None, drift: float | None) -> None:
        node.adjust_clock(offset_s=offset_s, drift=drift)
        said = ([] if offset_s is None else [f"offset {offset_s:+g} s"]) + ([] if drift is None else [f"drift {drift:+g}"])
        self.record(TraceEvent(self.now, "skew", node.name, detail=", ".join(said) or "unchanged"))

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
