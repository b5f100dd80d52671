"""The faults a nemesis can inflict, one small record each.

A fire drill is written down before it is run: which door is blocked, from
when to when. Each record here is one such line: a crash, a pause, a clock
skew, a storm of loss or delay (partitions have a module of their own,
:mod:`labsupport.sim.partitions`). A record checks itself when it is made (times that
run backwards, a probability above one) and knows how to schedule itself on
a :class:`~labsupport.sim.Simulation`; :class:`~labsupport.sim.nemesis.Nemesis`
puts records together and checks them against each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Collection

from labsupport.checks import check_number, check_probability, check_type, out_of_range
from labsupport.sim.clock import check_drift
from labsupport.sim.latency import Latency, as_latency

__all__ = ["Crash", "Pause", "Loss", "Delay", "Skew"]


# Checks every fault record makes (partitions.py uses them too); each names the fault and the field.
def fault_time(fault: str, name: str, value: Any) -> float:
    """A time of ``fault``: finite seconds, not negative."""
    return check_number(f"{fault}.{name}", value, low=0)


def fault_interval(fault: Any, start_s: Any, end_s: Any) -> None:
    """``start_s`` and ``end_s`` of ``fault`` are times, and the end comes after the start."""
    kind = type(fault).__name__
    start, end = fault_time(kind, "start_s", start_s), fault_time(kind, "end_s", end_s)
    if end <= start:
        raise out_of_range(f"{kind}.end_s", end_s, "end_s > start_s",
                           why=f"is not after start_s={start_s} (a fault cannot end before it starts)")


def fault_node(fault: str, value: Any) -> str:
    """The node a fault strikes: a name."""
    return check_type(f"{fault}.node", value, str)


def fault_nodes(fault: str, value: Any) -> frozenset[str] | None:
    """The nodes a fault touches, as a frozenset; None (all of them) stays None."""
    if value is None:
        return None
    members = frozenset(check_type(f"{fault}.nodes", value, (set, frozenset, list, tuple)))
    for member in members:
        check_type(f"{fault}.nodes (each)", member, str)
    if not members:
        raise out_of_range(f"{fault}.nodes", value, "at least one node name, or None for all links", why="is empty")
    return members


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
        fault_node("Crash", self.node)
        at = fault_time("Crash", "at_s", self.at_s)
        if self.restart_s is not None and fault_time("Crash", "restart_s", self.restart_s) <= at:
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
        fault_node("Pause", self.node)
        fault_time("Pause", "at_s", self.at_s)
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

    is_partition: ClassVar[bool] = False

    @property
    def start(self) -> float:
        return self.start_s

    @property
    def end(self) -> float:
        return self.end_s

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
        fault_interval(self, self.start_s, self.end_s)
        check_probability("Loss.probability", self.probability)
        object.__setattr__(self, "nodes", fault_nodes("Loss", self.nodes))

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
        fault_interval(self, self.start_s, self.end_s)
        object.__setattr__(self, "latency", as_latency(self.latency, "Delay.latency"))
        object.__setattr__(self, "nodes", fault_nodes("Delay", self.nodes))

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
        fault_node("Skew", self.node)
        fault_time("Skew", "at_s", self.at_s)
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
