"""The network between nodes: latency, loss, duplication, reordering and partitions.

Think of each directed link as a postal route with its own habits: how long
letters take, how often one goes missing or arrives twice. A partition is a
strike that stops every route between two groups of nodes until it is healed.
Each link draws its randomness from its own seeded stream, so changing one
link's settings never changes what happens on another.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterable

from labsupport.seeds import derive_rng
from labsupport.sim.latency import Latency, as_latency
from labsupport.sim.trace import Message, NodeId, TraceEvent

if TYPE_CHECKING:  # pragma: no cover
    from labsupport.sim.simulation import Simulation

__all__ = ["LinkConfig", "Network"]


def _check_probability(name: str, p: float) -> float:
    if not 0 <= p <= 1:
        raise ValueError(f"{name}={p} is not a probability; choose 0 <= {name} <= 1")
    return float(p)


@dataclass(frozen=True)
class LinkConfig:
    """How one directed link behaves.

    ``fifo=True`` keeps messages on the link in send order (like TCP);
    with ``fifo=False`` a message that draws a short delay overtakes an
    earlier one that drew a long delay, which is how reordering happens.
    """

    latency: Latency
    loss: float = 0.0
    duplicate: float = 0.0
    fifo: bool = False

    def __post_init__(self):
        _check_probability("loss", self.loss)
        _check_probability("duplicate", self.duplicate)


class Network:
    """Carries messages between the nodes of one :class:`Simulation`."""

    def __init__(self, sim: "Simulation", default: LinkConfig):
        self._sim = sim
        self.default = default
        self._links: dict[tuple[NodeId, NodeId], LinkConfig] = {}
        self._rngs: dict[tuple[NodeId, NodeId], random.Random] = {}
        self._last_arrival: dict[tuple[NodeId, NodeId], float] = {}
        self._group_of: dict[NodeId, int] = {}
        self._in_order: dict[tuple[NodeId, NodeId], deque] = {}

    # -- configuration -------------------------------------------------
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
            self._links[link] = replace(self.link(*link), **changes)

    def link(self, a: NodeId, b: NodeId) -> LinkConfig:
        """The configuration in force on the directed link ``a -> b``."""
        return self._links.get((a, b), self.default)

    # -- partitions ----------------------------------------------------
    def partition(self, *groups: Iterable[NodeId]) -> None:
        """Split the network: nodes in different groups can no longer reach each other.

        Nodes named in no group keep talking to everyone. A new partition
        replaces the previous one.
        """
        group_of: dict[NodeId, int] = {}
        for index, group in enumerate(groups):
            for node in ([group] if isinstance(group, str) else group):
                if node in group_of:
                    raise ValueError(f"node {node!r} is in two partition groups; each node may be in at most one")
                group_of[node] = index
        if len(groups) < 2:
            raise ValueError(f"a partition needs at least two groups, got {len(groups)}")
        self._group_of = group_of
        self._sim._record(TraceEvent(self._sim.now, "partition", "*",
                                     detail=" | ".join(",".join(sorted([g] if isinstance(g, str) else g)) for g in groups)))

    def heal(self) -> None:
        """End the partition: every node can reach every other again."""
        self._group_of = {}
        self._sim._record(TraceEvent(self._sim.now, "heal", "*"))

    def reachable(self, a: NodeId, b: NodeId) -> bool:
        """True unless a partition separates ``a`` from ``b``."""
        ga, gb = self._group_of.get(a), self._group_of.get(b)
        return ga is None or gb is None or ga == gb

    # -- carrying messages ---------------------------------------------
    def _rng(self, link: tuple[NodeId, NodeId]) -> random.Random:
        rng = self._rngs.get(link)
        if rng is None:
            rng = self._rngs[link] = derive_rng(self._sim.seed, f"link:{link[0]}->{link[1]}")
        return rng

    def transmit(self, msg: Message) -> None:
        """Put ``msg`` on the wire: it is lost, delayed, possibly duplicated, then delivered."""
        sim, link = self._sim, (msg.src, msg.dst)
        config, rng = self.link(*link), self._rng(link)
        if not self.reachable(*link):
            sim._record(TraceEvent(sim.now, "drop", msg.dst, msg.src, msg.kind, msg.msg_id, "partitioned"))
            return
        if config.loss and rng.random() < config.loss:
            sim._record(TraceEvent(sim.now, "drop", msg.dst, msg.src, msg.kind, msg.msg_id, "lost"))
            return
        self._schedule(msg, config, rng)
        if config.duplicate and rng.random() < config.duplicate:
            sim._record(TraceEvent(sim.now, "duplicate", msg.src, msg.dst, msg.kind, msg.msg_id))
            self._schedule(msg, config, rng)

    def _schedule(self, msg: Message, config: LinkConfig, rng: random.Random) -> None:
        env = self._sim.env
        delay = config.latency.sample(rng)
        if config.fifo:
            # Never arrive before an earlier message on this link; the queue makes the
            # order exact even when two arrival times round to the same float.
            link = (msg.src, msg.dst)
            delay = max(delay, self._last_arrival.get(link, 0.0) - env.now)
            self._last_arrival[link] = env.now + delay
            queue = self._in_order.setdefault(link, deque())
            queue.append(msg)
            env.timeout(delay).callbacks.append(lambda _event: self._arrive(queue.popleft()))
            return
        # A bare timeout with a callback is far cheaper than a process per message.
        env.timeout(delay).callbacks.append(lambda _event: self._arrive(msg))

    def _arrive(self, msg: Message) -> None:
        sim = self._sim
        node = sim.nodes[msg.dst]
        if not self.reachable(msg.src, msg.dst):
            reason = "partitioned"
        elif not node.alive:
            reason = "crashed"
        else:
            sim._record(TraceEvent(sim.now, "deliver", msg.dst, msg.src, msg.kind, msg.msg_id))
            node._receive(msg)
            return
        sim._record(TraceEvent(sim.now, "drop", msg.dst, msg.src, msg.kind, msg.msg_id, reason))
