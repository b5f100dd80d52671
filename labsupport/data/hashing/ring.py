"""The consistent-hash ring with virtual nodes (Karger et al. 1997; Dynamo 2007).

Picture a clock face with servers standing at a few of its minute marks.
A key is hashed to a point on the rim and walks clockwise to the first server
it meets. When a server joins, it takes over only the keys that used to walk
past its marks to the next server; when one leaves, only its own keys walk on.
Nobody else's keys move, which is the point of consistent hashing
(Karger et al., "Consistent Hashing and Random Trees", STOC 1997).

With one mark per server the arcs are very uneven, so each server stands at
``vnodes`` marks ("virtual nodes", DeCandia et al., "Dynamo: Amazon's Highly
Available Key-value Store", SOSP 2007, section 4.2). A server with twice the
weight gets twice the marks. Dynamo's *preference list* for a key is the first
``N`` *distinct physical* servers met clockwise, skipping further marks of a
server already chosen (section 4.3).

Where AWS does this: Dynamo's ring partitions Amazon's shopping-cart store,
and the ElastiCache for Memcached guide recommends consistent-hashing clients
("Configuring your ElastiCache client for efficient load balancing").

Conventions, fixed here once: the rim is ``[0, 2**64)``; mark ``i`` of node
``"a"`` sits at ``stable_hash64("a#i")``; a key at position ``h`` belongs to
the first mark at position ``>= h``, wrapping past ``2**64 - 1`` to the
first mark. A ring is immutable: :meth:`HashRing.add_node` and
:meth:`HashRing.remove_node` return a new ring, so "before" and "after"
can be compared side by side.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from hashlib import blake2b
from typing import Iterable, Mapping

from labsupport.checks import check_int, check_number, check_type, out_of_range
from labsupport.stable_hash import HASH_SPACE, Key, NodeId, check_nodes, stable_hash64

__all__ = ["HashRing"]

Point = tuple[int, NodeId]  # (position on the rim, owning node)


def _vnode_count(node: NodeId, weight, vnodes: int) -> int:
    check_number(f"weight of {node!r}", weight, low=0, low_open=True)
    count = round(vnodes * weight)
    if count < 1:
        raise ValueError(
            f"weight {weight} of {node!r} gives 0 virtual nodes with vnodes={vnodes}; "
            f"choose weight >= {0.5 / vnodes:g} or raise vnodes"
        )
    return count


def _marks(node: NodeId, count: int) -> list[Point]:
    return [(stable_hash64(f"{node}#{i}"), node) for i in range(count)]


class HashRing:
    """An immutable consistent-hash ring with virtual nodes and optional weights.

    Parameters
    ----------
    nodes : iterable of str
        Distinct node names; at least one.
    vnodes : int, default 100
        Virtual nodes (marks on the rim) per unit of weight; ``>= 1``.
    weights : mapping of str to float, optional
        Relative capacity per node (default 1). A node gets
        ``round(vnodes * weight)`` marks (Python rounding, ties to even),
        which must be at least 1.

    Notes
    -----
    Building costs one hash per mark and a sort: ``O(P log P)`` for ``P``
    marks. :meth:`lookup` is one hash and one :func:`bisect.bisect_left` on a
    precomputed sorted list, ``O(log P)``. :meth:`preference_list` walks the
    rim from there until it has met ``n`` distinct nodes.

    Examples
    --------
    >>> ring = HashRing(["cache-a", "cache-b", "cache-c"], vnodes=50)
    >>> ring.lookup("user:42")
    'cache-b'
    >>> ring.preference_list("user:42", 2)
    ['cache-b', 'cache-c']
    >>> {node: round(share, 3) for node, share in ring.ownership().items()}
    {'cache-a': 0.331, 'cache-b': 0.285, 'cache-c': 0.384}
    >>> bigger = ring.add_node("cache-d")
    >>> bigger.lookup("user:42") in ("cache-b", "cache-d")
    True
    """

    __slots__ = ("_nodes", "_vnodes", "_weights", "_counts", "_points", "_positions", "_owners")

    def __init__(
        self,
        nodes: Iterable[NodeId],
        vnodes: int = 100,
        *,
        weights: Mapping[NodeId, float] | None = None,
    ) -> None:
        names = check_nodes(nodes)
        vnodes = check_int("vnodes", vnodes, low=1)
        weights = dict(weights or {})
        unknown = sorted(set(weights) - set(names))
        if unknown:
            raise ValueError(f"weights names {unknown} which are not in nodes; weight only listed nodes")
        full = {node: weights.get(node, 1) for node in names}
        counts = {node: _vnode_count(node, full[node], vnodes) for node in names}
        points = [p for node in names for p in _marks(node, counts[node])]
        self._set(names, vnodes, full, counts, points)

    def _set(self, names, vnodes, weights, counts, points) -> None:
        points.sort()
        self._nodes: tuple[NodeId, ...] = names
        self._vnodes: int = vnodes
        self._weights: dict[NodeId, float] = weights
        self._counts: dict[NodeId, int] = counts
        self._points: list[Point] = points
        self._positions: list[int] = [pos for pos, _ in points]
        # One extra owner at the end: a hash past the last mark wraps to the first.
        self._owners: list[NodeId] = [node for _, node in points] + [points[0][1]]

    def _derived(self, names, weights, counts, points) -> HashRing:
        ring = object.__new__(HashRing)
        ring._set(names, self._vnodes, weights, counts, points)
        return ring

    # -- what the ring is -------------------------------------------------
    @property
    def nodes(self) -> tuple[NodeId, ...]:
        """Node names in the order they were given (joins at the end)."""
        return self._nodes

    @property
    def vnodes(self) -> int:
        """Virtual nodes per unit of weight."""
        return self._vnodes

    @property
    def weights(self) -> dict[NodeId, float]:
        """A copy of each node's weight."""
        return dict(self._weights)

    def vnode_count(self, node: NodeId) -> int:
        """How many marks ``node`` has on the rim."""
        self._require_member(node)
        return self._counts[node]

    def points(self) -> list[Point]:
        """All marks as ``(position, node)``, sorted clockwise from 0."""
        return list(self._points)

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, node: object) -> bool:
        return node in self._counts

    def __repr__(self) -> str:
        return f"HashRing({len(self._nodes)} nodes, vnodes={self._vnodes}, {len(self._points)} marks)"

    def _require_member(self, node: NodeId) -> None:
        if node not in self._counts:
            raise out_of_range("node", node, f"one of {list(self._nodes)}", why="is not on the ring")

    # -- routing ----------------------------------------------------------
    def lookup(self, key: Key) -> NodeId:
        """The node that owns ``key``: the first mark clockwise from its hash."""
        # stable_hash64 inlined: this is the hot path (one hash, one bisection).
        if type(key) is str:
            key = key.encode("utf-8")
        elif type(key) is not bytes:
            check_type("key", key, (str, bytes))
        h = int.from_bytes(blake2b(key, digest_size=8).digest(), "big")
        return self._owners[bisect_left(self._positions, h)]

    def lookup_hash(self, h: int) -> NodeId:
        """The owner of rim position ``h`` (``0 <= h < 2**64``)."""
        check_int("h", h, low=0, high=HASH_SPACE - 1)  # a position on the rim
        return self._owners[bisect_left(self._positions, h)]

    def preference_list(self, key: Key, n: int) -> list[NodeId]:
        """The first ``n`` distinct physical nodes clockwise from ``key`` (Dynamo, 4.3).

        The first entry is :meth:`lookup`'s answer (the coordinator).

        Examples
        --------
        >>> ring = HashRing(["a", "b", "c"], vnodes=20)
        >>> sorted(ring.preference_list("k", 3))
        ['a', 'b', 'c']
        >>> ring.preference_list("k", 4)
        Traceback (most recent call last):
        ...
        ValueError: n=4 is out of range; choose 1 <= n <= 3
        """
        size = len(self._nodes)
        check_int("n", n, low=1, high=size)  # at most the ring's nodes
        owners, count = self._owners, len(self._positions)
        start = bisect_left(self._positions, stable_hash64(key))
        chosen: list[NodeId] = []
        for step in range(count):
            node = owners[(start + step) % count]
            if node not in chosen:
                chosen.append(node)
                if len(chosen) == n:
                    break
        return chosen

    # -- balance ----------------------------------------------------------
    def arc_lengths(self) -> dict[NodeId, int]:
        """Exactly how many of the ``2**64`` rim positions each node owns.

        Mark ``i`` owns the half-open arc ``(p[i-1], p[i]]`` that ends at it;
        the first mark also owns the wrap-around arc past the last mark. The
        lengths are integers and add up to exactly ``2**64``.

        Examples
        --------
        >>> sum(HashRing(["a", "b"], vnodes=3).arc_lengths().values()) == 2**64
        True
        """
        arcs = dict.fromkeys(self._nodes, 0)
        previous = self._points[-1][0] - HASH_SPACE
        for position, node in self._points:
            arcs[node] += position - previous
            previous = position
        return arcs

    def ownership(self) -> dict[NodeId, float]:
        """Each node's share of the hash space, from exact arc lengths.

        For a uniform hash this is the expected fraction of keys the node gets.
        """
        return {node: arc / HASH_SPACE for node, arc in self.arc_lengths().items()}

    # -- membership changes (return new rings) ----------------------------
    def add_node(self, node: NodeId, weight: float = 1) -> HashRing:
        """A new ring with ``node`` added; this ring is unchanged.

        Only the new marks are hashed; the existing ones are reused.
        """
        if node in self._counts:
            raise ValueError(f"node {node!r} is already on the ring; choose a new name")
        names = check_nodes(self._nodes + (node,))
        count = _vnode_count(node, weight, self._vnodes)
        return self._derived(
            names,
            {**self._weights, node: weight},
            {**self._counts, node: count},
            self._points + _marks(node, count),
        )

    def remove_node(self, node: NodeId) -> HashRing:
        """A new ring without ``node``; its keys pass to the next marks clockwise."""
        self._require_member(node)
        if len(self._nodes) == 1:
            raise ValueError(f"cannot remove {node!r}, the only node; a ring needs at least 1 node")
        names = tuple(other for other in self._nodes if other != node)
        return self._derived(
            names,
            {n: w for n, w in self._weights.items() if n != node},
            {n: c for n, c in self._counts.items() if n != node},
            [p for p in self._points if p[1] != node],
        )
