"""The network between nodes: latency, loss, duplication, reordering and partitions.

Think of each directed link as a postal route with its own habits: how long
letters take, how often one goes missing or arrives twice. A partition is a
strike that stops every route between two groups of nodes until it is healed.
Each link draws its randomness from its own seeded stream, so changing one
link's settings never changes what happens on another. A burst (a storm of
loss, a spell of extra delay) lies over the links' settings for a while,
then lifts, leaving them as they were.
"""

from __future__ import annotations

import itertools
import random
from collections import deque
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Collection, Iterable

from simpy.events import NORMAL

from labsupport.checks import check_probability
from labsupport.seeds import derive_rng
from labsupport.sim.calls import Call
from labsupport.sim.latency import Constant, Latency, as_latency
from labsupport.sim.trace import Message, NodeId, TraceEvent

if TYPE_CHECKING:  # pragma: no cover
    from labsupport.sim.simulation import Simulation

__all__ = ["LinkConfig", "Network"]


@dataclass(frozen=True)
class LinkConfig:
    """How one directed link behaves.

    ``fifo=True`` keeps messages on the link in send order (like TCP);
    with ``fifo=False`` a message that draws a short delay overtakes an
    earlier one that drew a long delay, which is how reordering happens.

    Examples
    --------
    >>> LinkConfig(Constant(0.001), loss=0.1).loss
    0.1
    """

    latency: Latency
    loss: float = 0.0
    duplicate: float = 0.0
    fifo: bool = False

    def __post_init__(self):
        check_probability("loss", self.loss)
        check_probability("duplicate", self.duplicate)


_record_tuple = tuple.__new__  # builds a TraceEvent from all seven fields without a Python call


@dataclass(frozen=True)
class _Burdened(Latency):
    """A link's own latency plus the extra delay of the delay bursts over it."""

    base: Latency
    extras: tuple[Latency, ...]

    def sample(self, rng):
        return self.base.sample(rng) + sum(extra.sample(rng) for extra in self.extras)

    @property
    def mean(self):
        return self.base.mean + sum(extra.mean for extra in self.extras)


class _Route:
    """What the network keeps per directed link: its settings, its random stream, its FIFO queue.

    The stream is made the first time the link draws: a link with constant
    latency, no loss and no duplication never draws, and seeding a stream
    costs more than a message. Streams are derived from the seed and the
    link's name alone, so when one is made changes no number it gives.
    Likewise the FIFO queue is made when the link first keeps order: a run
    on many nodes makes a route for most of its links.
    """

    __slots__ = ("config", "link", "rng", "sample", "constant", "loss", "duplicate", "fifo",
                 "last_arrival", "in_order")

    def __init__(self, config: LinkConfig, link: tuple[NodeId, NodeId]):
        self.link, self.rng, self.last_arrival, self.in_order = link, None, 0.0, None
        self.set(config)

    def set(self, config: LinkConfig) -> None:
        self.config, self.sample = config, config.latency.sample
        self.constant = config.latency.delay_s if type(config.latency) is Constant else None
        self.loss, self.duplicate, self.fifo = config.loss, config.duplicate, config.fifo
        if self.fifo and self.in_order is None:
            self.in_order = deque()


class Network:
    """Carries messages between the nodes of one :class:`Simulation`.

    It reads the simulation's public parts only: ``env`` (the clock),
    ``nodes``, ``seed``, and ``record`` to write the trace; it hands an
    arriving message to :meth:`Node.deliver`.
    """

    def __init__(self, sim: "Simulation", default: LinkConfig):
        self._sim = sim
        self._default = default
        self._links: dict[tuple[NodeId, NodeId], LinkConfig] = {}
        self._routes: dict[tuple[NodeId, NodeId], _Route] = {}
        self._group_of: dict[NodeId, int] = {}
        self._bursts: dict[int, tuple[float, Latency | None, frozenset[NodeId] | None]] = {}
        self._burst_ids = itertools.count()
        self._record = sim.record
        self._env = sim.env
        self._nodes = sim.nodes
        self._arrival = (self._arrive_call,)  # the callbacks of every arrival's Call, made once
        self._arrival_in_order = (self._arrive_in_order,)

    # -- configuration -------------------------------------------------
    @property
    def default(self) -> LinkConfig:
        """The configuration of every link not configured on its own."""
        return self._default

    @default.setter
    def default(self, config: LinkConfig) -> None:
        self._default = config
        for link, route in self._routes.items():
            if link not in self._links:
                route.set(self._burdened(link, config))

    def configure(self, a: NodeId, b: NodeId, *, both_ways: bool = True, latency=None,
                  loss: float | None = None, duplicate: float | None = None,
                  fifo: bool | None = None) -> None:
        """Change the link ``a -> b`` (and ``b -> a`` unless ``both_ways=False``).

        Settings left as None keep their current value.
        """
        changes = {k: v for k, v in dict(loss=loss, duplicate=duplicate, fifo=fifo).items()
                   if v is not None}
        if latency is not None:
            changes["latency"] = as_latency(latency)
        for link in [(a, b), (b, a)] if both_ways else [(a, b)]:
            config = self._links[link] = replace(self.link(*link), **changes)
            if link in self._routes:
                self._routes[link].set(self._burdened(link, config))

    def link(self, a: NodeId, b: NodeId) -> LinkConfig:
        """The configuration in force on the directed link ``a -> b``."""
        return self._links.get((a, b), self._default)

    # -- bursts of loss and delay ----------------------------------------------
    def start_burst(self, *, loss: float = 0.0, latency: Latency | float | None = None,
                    nodes: Collection[NodeId] | None = None) -> int:
        """From now, lose messages with probability ``loss`` and/or add ``latency`` on links touching ``nodes``.

        ``nodes=None`` means every link. Bursts stack: losses combine as
        independent chances, extra delays add up. Returns the burst's id for
        :meth:`end_burst`. The trace records ``loss`` and ``delay`` events.
        """
        loss = check_probability("loss", loss)
        extra = None if latency is None else as_latency(latency)
        touched = None if nodes is None else frozenset(nodes)
        burst_id = next(self._burst_ids)
        self._bursts[burst_id] = (loss, extra, touched)
        self._record_burst(burst_id, "begins")
        self._refresh_routes()
        return burst_id

    def end_burst(self, burst_id: int) -> None:
        """Lift the burst ``burst_id``: its links go back to their own settings (and any other burst's)."""
        if burst_id not in self._bursts:
            raise ValueError(f"burst_id={burst_id!r} is not an active burst; active: {sorted(self._bursts)}")
        self._record_burst(burst_id, "ends")
        del self._bursts[burst_id]
        self._refresh_routes()

    def _record_burst(self, burst_id: int, what: str) -> None:
        loss, extra, touched = self._bursts[burst_id]
        where = "all links" if touched is None else "links of " + ",".join(sorted(touched))
        now = self._env.now
        if loss:
            self._record(TraceEvent(now, "loss", "*", detail=f"{what}: p={loss:g} on {where}"))
        if extra is not None:
            self._record(TraceEvent(now, "delay", "*", detail=f"{what}: +{extra.mean:g} s mean on {where}"))

    def _burdened(self, link: tuple[NodeId, NodeId], config: LinkConfig) -> LinkConfig:
        """``config`` with the active bursts over ``link`` laid on top."""
        if not self._bursts:
            return config
        kept, extras = 1.0 - config.loss, []
        for loss, extra, touched in self._bursts.values():
            if touched is None or link[0] in touched or link[1] in touched:
                kept *= 1.0 - loss
                if extra is not None:
                    extras.append(extra)
        latency = _Burdened(config.latency, tuple(extras)) if extras else config.latency
        return replace(config, loss=1.0 - kept, latency=latency)

    def _refresh_routes(self) -> None:
        for link, route in self._routes.items():
            route.set(self._burdened(link, self.link(*link)))

    # -- partitions ----------------------------------------------------
    @staticmethod
    def check_groups(groups: tuple[Collection[NodeId], ...]) -> dict[NodeId, int]:
        """Check partition ``groups`` and return each named node's group number.

        At least two groups, none empty, no node in two of them; raises
        ValueError otherwise (:meth:`Simulation.partition` calls this when the
        partition is requested, not when it begins).
        """
        if len(groups) < 2:
            raise ValueError(f"a partition needs at least two groups, got {len(groups)}")
        group_of: dict[NodeId, int] = {}
        for index, group in enumerate(groups):
            members = [group] if isinstance(group, str) else list(group)
            if not members:
                raise ValueError(f"partition group {index} is empty; each group must name at least one node")
            for node in members:
                if node in group_of and group_of[node] != index:
                    raise ValueError(f"node {node!r} is in two partition groups; each node may be in at most one")
                group_of[node] = index
        return group_of

    def partition(self, *groups: Iterable[NodeId]) -> None:
        """Split the network: nodes in different groups can no longer reach each other.

        Nodes named in no group keep talking to everyone. A new partition
        replaces the previous one.
        """
        groups = tuple([g] if isinstance(g, str) else list(g) for g in groups)
        self._group_of = self.check_groups(groups)
        self._record(TraceEvent(self._env.now, "partition", "*",
                                detail=" | ".join(",".join(sorted(g)) for g in groups)))

    def heal(self) -> None:
        """End the partition: every node can reach every other again."""
        self._group_of = {}
        self._record(TraceEvent(self._env.now, "heal", "*"))

    def reachable(self, a: NodeId, b: NodeId) -> bool:
        """True unless a partition separates ``a`` from ``b``."""
        ga, gb = self._group_of.get(a), self._group_of.get(b)
        return ga is None or gb is None or ga == gb

    # -- carrying messages ---------------------------------------------
    def _route(self, link: tuple[NodeId, NodeId]) -> _Route:
        config = self._links.get(link, self._default)  # self.link(*link), inlined: one route per link used
        route = self._routes[link] = _Route(self._burdened(link, config) if self._bursts else config, link)
        return route

    def _rng(self, route: _Route) -> random.Random:
        if route.rng is None:
            route.rng = derive_rng(self._sim.seed, f"link:{route.link[0]}->{route.link[1]}")
        return route.rng

    def transmit(self, msg: Message) -> None:
        """Put ``msg`` on the wire: it is lost, delayed, possibly duplicated, then delivered."""
        link = (msg.src, msg.dst)
        route = self._routes.get(link) or self._route(link)
        if self._group_of and not self.reachable(*link):
            self._drop(msg, "partitioned")
            return
        if route.loss and (route.rng or self._rng(route)).random() < route.loss:
            self._drop(msg, "lost")
            return
        if route.constant is not None and not route.fifo:  # _schedule(msg, route), inlined for the common link
            self._env.schedule(Call(self._arrival, msg, None), NORMAL, route.constant)
        else:
            self._schedule(msg, route)
        if route.duplicate and (route.rng or self._rng(route)).random() < route.duplicate:
            self._record(_record_tuple(TraceEvent, (self._env.now, "duplicate", msg.src, msg.dst, msg.kind,
                                                    msg.msg_id, "")))
            self._schedule(msg, route)

    def _schedule(self, msg: Message, route: _Route) -> None:
        env = self._env
        delay = route.constant
        if delay is None:
            delay = route.sample(route.rng or self._rng(route))
            if delay < 0:
                raise ValueError(f"{route.config.latency!r} drew a negative delay ({delay} s)")
        if route.fifo:
            # Never arrive before an earlier message on this link; the queue makes the
            # order exact even when two arrival times round to the same float.
            now = env.now
            delay = max(delay, route.last_arrival - now)
            route.last_arrival = now + delay
            route.in_order.append(msg)
            env.schedule(Call(self._arrival_in_order, route.in_order, None), NORMAL, delay)
            return
        # A slotted record on simpy's queue is far cheaper than a process, or a Timeout and a closure.
        env.schedule(Call(self._arrival, msg, None), NORMAL, delay)

    def _arrive_in_order(self, call: Call) -> None:
        self.arrive(call.action.popleft())

    def _arrive_call(self, call: Call) -> None:
        msg = call.action  # arrive(msg), inlined: one call less per message
        if self._group_of and not self.reachable(msg.src, msg.dst):
            self._drop(msg, "partitioned")
            return
        node = self._nodes[msg.dst]
        if node.alive and not node.paused:  # hand_over(msg, ""), inlined for a node that is up: one call less
            self._record(_record_tuple(TraceEvent, (self._env.now, "deliver", msg.dst, msg.src, msg.kind,
                                                    msg.msg_id, "")))
            node.deliver(msg)
        else:
            self.hand_over(msg, "")

    def arrive(self, msg: Message) -> None:
        """``msg`` reaches its destination: handed over to the node, or dropped if a partition cuts it off."""
        if self._group_of and not self.reachable(msg.src, msg.dst):
            self._drop(msg, "partitioned")
        else:
            self.hand_over(msg, "")

    def hand_over(self, msg: Message, detail: str = "held") -> None:
        """Give ``msg`` to its node: delivered now, held while the node is paused, dropped if it crashed.

        A message held during a pause is handed over again when the node
        resumes; its delivery is recorded then, with ``detail="held"``.
        """
        node = self._nodes[msg.dst]
        if not node.alive:
            self._drop(msg, "crashed")
        elif node.paused:
            node.hold(self.hand_over, msg)
        else:
            self._record(_record_tuple(TraceEvent, (self._env.now, "deliver", msg.dst, msg.src, msg.kind,
                                                    msg.msg_id, detail)))
            node.deliver(msg)

    def _drop(self, msg: Message, reason: str) -> None:
        self._record(TraceEvent(self._env.now, "drop", msg.dst, msg.src, msg.kind, msg.msg_id, reason))
