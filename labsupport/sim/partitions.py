"""Partitions: faults that split the network into sides that cannot talk.

A strike on the postal routes between two towns: letters within a town
still arrive, letters across are lost until it ends. A partition names its
sides, or a *shape* (two halves, a majority and a minority, two sides joined
by one bridge node, one node alone) whose sides are drawn from the run's
seed when it begins, so a schedule can say "cut a minority off" without
knowing in advance which nodes those will be.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Collection, Iterable

from labsupport.checks import check_choice, check_type, out_of_range
from labsupport.sim.faults import fault_interval, fault_node, fault_nodes
from labsupport.sim.network import Network

__all__ = ["Partition", "Isolate", "SHAPES", "draw_groups"]

#: The partition shapes drawn when a partition begins.
SHAPES = ("halves", "majority", "bridge", "isolate")


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
        fault_interval(self, self.start_s, self.end_s)
        if (self.groups is None) == (self.shape is None):
            raise out_of_range("Partition.shape", self.shape, "exactly one of groups=[{...}, {...}] or shape= one of "
                               + ", ".join(SHAPES), why="and groups are " + ("both missing" if self.shape is None
                                                                             else "both given"))
        object.__setattr__(self, "nodes", fault_nodes("Partition", self.nodes))
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
        fault_interval(self, self.start_s, self.end_s)
        if not callable(self.node):
            fault_node("Isolate", self.node)

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
