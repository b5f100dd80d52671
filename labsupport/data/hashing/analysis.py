"""Measure a placement scheme: how even its loads are, and how many keys move on a change.

A removals company's first question after a move is "what went where?":
how many boxes changed rooms, and did they all go to the new room? These
functions answer it for any placement function (ring, rendezvous, jump,
``hash mod n``, bounded loads): they take the mapping from keys to nodes
before and after a membership change and count. They are pure: no hashing
of their own, no printing, no randomness except through ``seed``.

:func:`compare_with_theory` runs the standard experiment (one node joins
``n``) for all four schemes and returns, per quantity, the measured value,
the value from :mod:`~labsupport.data.hashing.theory`, and the relative error,
ready for a table in the book.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Callable, Hashable, Iterable, Mapping

from labsupport.checks import check_int, check_type
from labsupport.seeds import Seed, as_rng
from labsupport.data.hashing.jump import jump_bucket
from labsupport.data.hashing.rendezvous import RendezvousHash
from labsupport.data.hashing.ring import HashRing
from labsupport.stable_hash import Key, hash_mod_n
from labsupport.data.hashing.theory import (
    mod_n_join_fraction,
    optimal_join_fraction,
    ring_load_cv,
    uniform_load_cv,
)

__all__ = [
    "LoadStats",
    "Movement",
    "Comparison",
    "assign",
    "node_loads",
    "load_stats",
    "movement",
    "compare_with_theory",
]

Node = Hashable  # a node name, or a bucket number for jump and mod-n hashing
Assignment = Mapping[Key, Node]


def assign(place: Callable[[Key], Node], keys: Iterable[Key]) -> dict[Key, Node]:
    """Apply a placement function to every key: ``{key: place(key)}``.

    Examples
    --------
    >>> assign(lambda key: len(key) % 2, ["a", "bb", "ccc"])
    {'a': 1, 'bb': 0, 'ccc': 1}
    """
    return {key: place(key) for key in keys}


def node_loads(assignment: Assignment, nodes: Iterable[Node] = ()) -> dict[Node, int]:
    """Keys per node. Nodes listed in ``nodes`` appear even with no keys.

    Examples
    --------
    >>> node_loads({"a": "x", "b": "x", "c": "y"}, nodes=["x", "y", "z"])
    {'x': 2, 'y': 1, 'z': 0}
    """
    loads = dict.fromkeys(nodes, 0)
    for node in assignment.values():
        loads[node] = loads.get(node, 0) + 1
    return loads


@dataclass(frozen=True)
class LoadStats:
    """Summary of keys per node.

    ``cv`` is the population standard deviation of the loads divided by
    their mean; ``max_over_mean`` is the peak-to-average ratio.
    """

    num_keys: int
    num_nodes: int
    mean: float
    max_load: int
    min_load: int
    max_over_mean: float
    cv: float


def load_stats(assignment: Assignment, nodes: Iterable[Node] = ()) -> LoadStats:
    """Peak-to-average ratio and coefficient of variation of the loads.

    Pass ``nodes`` so that nodes with no keys count (with load 0).

    Examples
    --------
    >>> s = load_stats({"a": "x", "b": "x", "c": "y"}, nodes=["x", "y", "z"])
    >>> s.max_load, s.min_load, round(s.max_over_mean, 3), round(s.cv, 3)
    (2, 0, 2.0, 0.816)
    """
    loads = list(node_loads(assignment, nodes).values())
    if not loads:
        raise ValueError("assignment and nodes are both empty; give at least 1 key or 1 node")
    num_keys = sum(loads)
    mean = num_keys / len(loads)
    if mean == 0:
        return LoadStats(0, len(loads), 0.0, 0, 0, math.nan, math.nan)
    variance = sum((load - mean) ** 2 for load in loads) / len(loads)
    return LoadStats(
        num_keys=num_keys,
        num_nodes=len(loads),
        mean=mean,
        max_load=max(loads),
        min_load=min(loads),
        max_over_mean=max(loads) / mean,
        cv=math.sqrt(variance) / mean,
    )


@dataclass(frozen=True)
class Movement:
    """What moved between two assignments of the same keys.

    Attributes
    ----------
    num_keys, moved : int
        Keys compared, and keys whose node changed.
    fraction : float
        ``moved / num_keys``.
    sources, destinations : dict
        For moved keys only: how many left each old node, arrived at each new one.
    only_to_joined, only_from_left : bool or None
        Whether every moved key went to ``joined`` (came from ``left``);
        None when that node was not given. Vacuously True if nothing moved.
    """

    num_keys: int
    moved: int
    fraction: float
    sources: dict[Node, int]
    destinations: dict[Node, int]
    only_to_joined: bool | None
    only_from_left: bool | None


def movement(
    before: Assignment, after: Assignment, *, joined: Node | None = None, left: Node | None = None
) -> Movement:
    """Count the keys whose node differs between ``before`` and ``after``.

    Examples
    --------
    >>> before = {"k1": 0, "k2": 1, "k3": 0}
    >>> after = {"k1": 0, "k2": 2, "k3": 2}
    >>> m = movement(before, after, joined=2)
    >>> m.moved, round(m.fraction, 3), m.only_to_joined, m.sources
    (2, 0.667, True, {1: 1, 0: 1})
    """
    if before.keys() != after.keys():
        missing = sorted(map(repr, before.keys() ^ after.keys()))[:3]
        raise ValueError(f"before and after must assign the same keys; these differ: {', '.join(missing)}")
    if not before:
        raise ValueError("before is empty; give at least 1 key")
    kinds = tuple({numbers.Integral if isinstance(v, numbers.Integral) else type(v)
                   for v in (*before.values(), *after.values())})
    for name, node in (("joined", joined), ("left", left)):
        if node is not None:
            check_type(name, node, kinds)  # a node is named the way the assignments name theirs
    sources: dict[Node, int] = {}
    destinations: dict[Node, int] = {}
    for key, old in before.items():
        new = after[key]
        if new != old:
            sources[old] = sources.get(old, 0) + 1
            destinations[new] = destinations.get(new, 0) + 1
    moved = sum(sources.values())
    return Movement(
        num_keys=len(before),
        moved=moved,
        fraction=moved / len(before),
        sources=sources,
        destinations=destinations,
        only_to_joined=None if joined is None else set(destinations) <= {joined},
        only_from_left=None if left is None else set(sources) <= {left},
    )


@dataclass(frozen=True)
class Comparison:
    """One row of a measured-versus-theory table."""

    quantity: str
    measured: float
    theory: float

    @property
    def rel_error(self) -> float:
        """``|measured - theory| / |theory|``."""
        return abs(self.measured - self.theory) / abs(self.theory)


def _schemes(n: int, vnodes: int, rng) -> dict[str, tuple]:
    """(place_before, place_after, nodes_before, joined) per scheme, fresh node names."""
    names = [f"node-{rng.getrandbits(40):010x}" for _ in range(n + 1)]
    old, new = names[:n], names[n]
    ring = HashRing(old, vnodes)
    hrw = RendezvousHash(old)
    return {
        "ring": (ring.lookup, ring.add_node(new).lookup, old, new),
        "rendezvous": (hrw.lookup, hrw.add_node(new).lookup, old, new),
        "jump": (lambda k: jump_bucket(k, n), lambda k: jump_bucket(k, n + 1), range(n), n),
        "mod n": (lambda k: hash_mod_n(k, n), lambda k: hash_mod_n(k, n + 1), range(n), n),
    }


def compare_with_theory(
    num_nodes: int = 10, vnodes: int = 100, num_keys: int = 20_000, *, trials: int = 4, seed: Seed = None
) -> tuple[Comparison, ...]:
    """Measure four schemes when one node joins ``num_nodes``, next to theory.

    Each trial draws fresh node names and keys from ``seed``. Per scheme the
    rows are: the fraction of keys moved (theory ``1/(n+1)``, or the exact
    ``hash mod n`` value), the share of moved keys that went to the newcomer
    (theory 1, for ``hash mod n`` ``1/n``), and the load CV before the join
    (root mean square over trials, since theory gives ``E[CV**2]``:
    :func:`~labsupport.data.hashing.theory.ring_load_cv` for the ring,
    :func:`~labsupport.data.hashing.theory.uniform_load_cv` for the others).
    Move fractions and shares are averaged over trials. The CV rows are the
    noisiest: one trial's ``CV**2`` over ``n`` nodes has a relative standard
    deviation of about ``sqrt(2 / (n - 1))``, so agreement within 10% needs
    a few dozen trials.

    Examples
    --------
    >>> rows = compare_with_theory(num_nodes=5, vnodes=50, num_keys=2000, trials=2, seed=1)
    >>> for row in rows[:3]:
    ...     print(f"{row.quantity:38} {row.measured:.3f} {row.theory:.3f}")
    ring: fraction moved on join           0.148 0.167
    ring: share of moved keys to newcomer  1.000 1.000
    ring: load CV                          0.144 0.134
    """
    for name, value in (("num_nodes", num_nodes), ("num_keys", num_keys), ("trials", trials)):
        check_int(name, value, low=1)
    rng = as_rng(seed)
    n = num_nodes
    samples: dict[tuple[str, str], list[float]] = {}
    for _ in range(trials):
        salt = rng.getrandbits(40)
        keys = [f"key-{salt:010x}-{i}" for i in range(num_keys)]
        for scheme, (before_fn, after_fn, nodes, joined) in _schemes(n, vnodes, rng).items():
            before, after = assign(before_fn, keys), assign(after_fn, keys)
            moved = movement(before, after, joined=joined)
            to_new = moved.destinations.get(joined, 0) / moved.moved if moved.moved else 1.0
            samples.setdefault((scheme, "move"), []).append(moved.fraction)
            samples.setdefault((scheme, "share"), []).append(to_new)
            samples.setdefault((scheme, "cv2"), []).append(load_stats(before, nodes).cv ** 2)

    def mean(scheme: str, quantity: str) -> float:
        values = samples[scheme, quantity]
        return sum(values) / len(values)

    rows = []
    for scheme in ("ring", "rendezvous", "jump", "mod n"):
        mod_n = scheme == "mod n"
        move_theory = mod_n_join_fraction(n) if mod_n else optimal_join_fraction(n)
        share_theory = 1 / n if mod_n else 1.0
        cv_theory = ring_load_cv(n, vnodes, num_keys) if scheme == "ring" else uniform_load_cv(n, num_keys)
        rows += [
            Comparison(f"{scheme}: fraction moved on join", mean(scheme, "move"), move_theory),
            Comparison(f"{scheme}: share of moved keys to newcomer", mean(scheme, "share"), share_theory),
            Comparison(f"{scheme}: load CV", math.sqrt(mean(scheme, "cv2")), cv_theory),
        ]
    return tuple(rows)
