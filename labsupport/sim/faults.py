"""The faults a nemesis can inflict, one small record each.

A fire drill is written down before it is run: which door is blocked, from
when to when. Each record here is one such line: a partition, a crash, a
pause, a storm of loss. A record checks itself when it is made (times that
run backwards, a probability above one) and knows how to schedule itself on
a :class:`~labsupport.sim.Simulation`; :class:`~labsupport.sim.nemesis.Nemesis`
puts records together and checks them against each other.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Collection, Iterable

from labsupport.checks import check_choice, check_number, check_probability, check_type, out_of_range
from labsupport.sim.clock import check_drift
from labsupport.sim.latency import Latency, as_latency
from labsupport.sim.network import Network

__all__ = ["Partition", "Isolate", "Crash", "Pause", "Loss", "Delay", "Skew", "SHAPES", "draw_groups"]

#: The partition shapes drawn when a partition begins.
SHAPES = ("halves", "majority", "bridge", "isolate")


def _time(fault: str, name: str, value: Any) -> float:
    return check_number(f"{fault}.{name}", value, low=0)


def _interval(fault: Any, start_s: Any, end_s: Any) -> None:
    kind = type(fault).__name__
    start, end = _time(kind, "start_s", start_s), _time(kind, "end_s", end_s)
    if end <= start:
        raise out_of_range(f"{kind}.end_s", end_s, "end_s > start_s",
                           why=f"is not after start_s={start_s} (a fault cannot end before it starts)")


def _node_name(fault: str, value: Any) -> str:
    return check_type(f"{fault}.node", value, str)


def _node_set(fault: str, value: Any) -> frozenset[str] | None:
    if value is None:
        return None
    members = frozenset(check_type(f"{fault}.nodes", value, (set, frozenset, list, tuple)))
    for member in members:
        check_type(f"{fault}.nodes (each)", member, str)
    if not members:
        raise out_of_range(f"{fault}.nodes", value, "at least one node name, or None for all links", why="is empty")
    return members


def draw_groups(shape: str, nodes: Iterable[str], rng: random.Random) -> tuple[frozenset[str], ...]:
    """Split ``nodes`` into partition groups of ``shape``, at random (a bridge node belongs to no group).

    Examples
    --------
    >>> [sorted(group) for group in draw_groups("majority", ["n1", "n2", "n3", "n4", "n5"], random.Random(1))]
    [['n3', 'n4', 'n5'], ['n1', 'n2']]
    """
    check_choice("shape", shape, SHAPES)
    order = sorted(nodes)
    rng.shuffle(order)
    n = len(order)
    if n < (3 if shape == "bridge" else 2):
        raise out_of_range("nodes", n, "at least 3 nodes for a bridge, 2 otherwise", why=f"are too few for {shape!r}")
    if shape == "isolate":
        return frozenset(order[:1]), frozenset(order[1:])
    if shape == "bridge":  # two sides that cannot talk, and one node that talks to both
        rest = order[1:]
        return frozenset(rest[: len(rest) // 2]), frozenset(rest[len(rest) // 2:])
    cut = n // 2 + 1 if shape == "majority" else n // 2
    return frozenset(order[:cut]), frozenset(order[cut:])


@dataclass(frozen=True, kw_only=True)
class Partition:
    """Split the network from ``start_s`` to ``end_s``: explicit ``groups``, or a ``shape`` drawn when it begins.

    A shape is drawn over ``nodes`` (None: every node of the simulation);
    nodes left out, such as clients, stay in no group and reach everyone.

    Examples
    --------
    >>> Partition(start_s=1.0, end_s=3.0, groups=[{"n1", "n2"}, {"n3"}]).describe()
    'partition n1,n2 | n3'
    >>> Partition(start_s=1.0, end_s=3.0, shape="majority").describe()
    'partition (majority vs minority, drawn when it begins)'
    >>> Partition(start_s=1.0, end_s=3.0, shape="isolate", nodes=["n1", "n2", "n3"]).describe()
    'partition (one node alone, drawn when it begins among n1,n2,n3)'
    """

    start_s: float
    end_s: float
    groups: Any = None
    shape: str | None = None
    nodes: Collection[str] | None = None
    is_partition: ClassVar[bool] = True

    def __post_init__(self):
        _interval(self, self.start_s, self.end_s)
        if (self.groups is None) == (self.shape is None):
            raise out_of_range("Partition.shape", self.shape, "exactly one of groups=[{...}, {...}] or shape= one of "
                               + ", ".join(SHAPES), why="and groups are " + ("both missing" if self.shape is None
                                                                             else "both given"))
        object.__setattr__(self, "nodes", _node_set("Partition", self.nodes))
        if self.shape is not None:
            check_choice("Partition.shape", self.shape, SHAPES)
            return
        if self.nodes is not None:
            raise out_of_range("Partition.nodes", sorted(self.nodes), "nodes only with a shape (groups name their nodes)",
                               why="are given with explicit groups")
        groups = tuple(frozenset(check_type("Partition.groups (each)", g, (set, frozenset, list, tuple)))
                       for g in check_type("Partition.groups", self.groups, (list, tuple)))
        Network.check_groups(groups)
        object.__setattr__(self, "groups", groups)

    @property
    def start(self) -> float:
        return self.start_s

    @property
    def end(self) -> float | None:
        return self.end_s

    def named(self) -> set[str]:
        """The node names this fault names itself."""
        return set().union(*self.groups) if self.groups else set(self.nodes or ())

    def among(self, sim: Any) -> Collection[str]:
        """The nodes a shape is drawn over."""
        return self.nodes if self.nodes is not None else sim.nodes

    def describe(self) -> str:
        if self.groups is not None:
            return "partition " + " | ".join(",".join(sorted(g)) for g in self.groups)
        words = {"halves": "two halves", "majority": "majority vs minority",
                 "bridge": "two sides and a bridge node", "isolate": "one node alone"}
        among = "" if self.nodes is None else " among " + ",".join(sorted(self.nodes))
        return f"partition ({words[self.shape]}, drawn when it begins{among})"

    def schedule(self, sim: Any, label: str) -> None:
        sim.at(self.start_s, self._begin, sim, label)

    def _begin(self, sim: Any, label: str) -> None:
        groups = self.groups or draw_groups(self.shape, self.among(sim), sim.rng(f"nemesis:{label}"))
        sim.partition(*groups)
        sim.heal(at=self.end_s)


@dataclass(frozen=True, kw_only=True)
class Isolate:
    """Cut ``node`` off from all others from ``start_s`` to ``end_s``; ``node`` may be a callable(sim) -> name.

    A callable is asked at ``start_s`` (isolate whoever leads then); if it
    returns None, nothing is isolated.

    Examples
    --------
    >>> Isolate(start_s=7.0, end_s=8.0, node="n1").describe()
    'isolate n1'
    """

    start_s: float
    end_s: float
    node: str | Callable[[Any], str | None]
    is_partition: ClassVar[bool] = True

    def __post_init__(self):
        _interval(self, self.start_s, self.end_s)
        if not callable(self.node):
            _node_name("Isolate", self.node)

    start = Partition.start
    end = Partition.end

    def named(self) -> set[str]:
        return set() if callable(self.node) else {self.node}

    def describe(self) -> str:
        who = self.node if isinstance(self.node, str) else getattr(self.node, "__name__", "a chosen node") + "(sim)"
        return f"isolate {who}"

    def schedule(self, sim: Any, label: str) -> None:
        sim.at(self.start_s, self._begin, sim)

    def _begin(self, sim: Any) -> None:
        name = self.node(sim) if callable(self.node) else self.node
        if name is None:
            return
        if name not in sim.nodes:
            raise out_of_range("Isolate.node", name, f"one of {sorted(sim.nodes)}", why="returned an unknown node")
        sim.partition({name}, set(sim.nodes) - {name})
        sim.heal(at=self.end_s)


@dataclass(frozen=True, kw_only=True)
class Crash:
    """Crash ``node`` at ``at_s``; restart it at ``restart_s`` (None: it stays down).

    Examples
    --------
    >>> Crash(node="n3", at_s=2.0, restart_s=4.0).describe()
    'crash n3, restart'
    """

    node: str
    at_s: float
    restart_s: float | None = None
    is_partition: ClassVar[bool] = False

    def __post_init__(self):
        _node_name("Crash", self.node)
        at = _time("Crash", "at_s", self.at_s)
        if self.restart_s is not None and _time("Crash", "restart_s", self.restart_s) <= at:
            raise out_of_range("Crash.restart_s", self.restart_s, "restart_s > at_s, or None to stay down",
                               why=f"is not after at_s={self.at_s} (a node cannot restart before it crashes)")

    @property
    def start(self) -> float:
        return self.at_s

    @property
    def end(self) -> float | None:
        return self.restart_s

    def named(self) -> set[str]:
        return {self.node}

    def describe(self) -> str:
        return f"crash {self.node}, " + ("stays down" if self.restart_s is None else "restart")

    def schedule(self, sim: Any, label: str) -> None:
        sim.crash(self.node, at=self.at_s)
        if self.restart_s is not None:
            sim.recover(self.node, at=self.restart_s)


@dataclass(frozen=True, kw_only=True)
class Pause:
    """Pause ``node`` at ``at_s`` for ``duration_s`` (a garbage-collection stall: it runs no code, loses nothing).

    Examples
    --------
    >>> Pause(node="n2", at_s=2.5, duration_s=1.5).end
    4.0
    """

    node: str
    at_s: float
    duration_s: float
    is_partition: ClassVar[bool] = False

    def __post_init__(self):
        _node_name("Pause", self.node)
        _time("Pause", "at_s", self.at_s)
        check_number("Pause.duration_s", self.duration_s, low=0, low_open=True)

    start = Crash.start

    @property
    def end(self) -> float:
        return self.at_s + self.duration_s

    named = Crash.named

    def describe(self) -> str:
        return f"pause {self.node}"

    def schedule(self, sim: Any, label: str) -> None:
        sim.pause(self.node, at=self.at_s, duration_s=self.duration_s)


class _Burst:
    """What Loss and Delay share: an interval, optional nodes, and a network burst while it lasts."""

    start = Partition.start
    end = Partition.end
    is_partition: ClassVar[bool] = False

    def named(self) -> set[str]:
        return set(self.nodes or ())

    def where(self) -> str:
        return "all links" if self.nodes is None else "links of " + ",".join(sorted(self.nodes))

    def schedule(self, sim: Any, label: str) -> None:
        sim.at(self.start_s, self._begin, sim)

    def _begin(self, sim: Any) -> None:
        burst = sim.network.start_burst(nodes=self.nodes, **self.burst())
        sim.at(self.end_s, sim.network.end_burst, burst)


@dataclass(frozen=True, kw_only=True)
class Loss(_Burst):
    """Lose each message with ``probability`` on links touching ``nodes`` (None: all) from ``start_s`` to ``end_s``.

    Examples
    --------
    >>> Loss(start_s=0.0, end_s=9.0, probability=0.2).describe()
    'loss p=0.2 on all links'
    """

    start_s: float
    end_s: float
    probability: float
    nodes: Collection[str] | None = None

    def __post_init__(self):
        _interval(self, self.start_s, self.end_s)
        check_probability("Loss.probability", self.probability)
        object.__setattr__(self, "nodes", _node_set("Loss", self.nodes))

    def describe(self) -> str:
        return f"loss p={self.probability:g} on {self.where()}"

    def burst(self) -> dict:
        return {"loss": self.probability}


@dataclass(frozen=True, kw_only=True)
class Delay(_Burst):
    """Add ``latency`` (a Latency or seconds) to every message on links touching ``nodes`` for a while.

    Examples
    --------
    >>> Delay(start_s=3.0, end_s=4.0, latency=0.2).describe()
    'delay +0.2 s (mean) on all links'
    """

    start_s: float
    end_s: float
    latency: Latency | float
    nodes: Collection[str] | None = None

    def __post_init__(self):
        _interval(self, self.start_s, self.end_s)
        object.__setattr__(self, "latency", as_latency(self.latency, "Delay.latency"))
        object.__setattr__(self, "nodes", _node_set("Delay", self.nodes))

    def describe(self) -> str:
        return f"delay +{self.latency.mean:g} s (mean) on {self.where()}"

    def burst(self) -> dict:
        return {"latency": self.latency}


@dataclass(frozen=True, kw_only=True)
class Skew:
    """At ``at_s``, set ``node``'s clock to read true time plus ``offset_s`` (a jump); ``drift`` sets its rate too.

    Examples
    --------
    >>> Skew(node="n4", at_s=1.0, offset_s=0.5).describe()
    'skew n4 clock +0.5 s'
    """

    node: str
    at_s: float
    offset_s: float
    drift: float | None = None
    is_partition: ClassVar[bool] = False

    def __post_init__(self):
        _node_name("Skew", self.node)
        _time("Skew", "at_s", self.at_s)
        check_number("Skew.offset_s", self.offset_s)
        if self.drift is not None:
            check_drift("Skew.drift", self.drift)

    start = Crash.start

    @property
    def end(self) -> float:
        return self.at_s

    named = Crash.named

    def describe(self) -> str:
        return f"skew {self.node} clock {self.offset_s:+g} s" + ("" if self.drift is None else f", drift {self.drift:+g}")

    def schedule(self, sim: Any, label: str) -> None:
        sim.set_clock(self.node, offset_s=self.offset_s, drift=self.drift, at=self.at_s)
