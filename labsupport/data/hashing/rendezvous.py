"""Rendezvous (highest-random-weight) hashing: every key holds an election.

Picture a key asking every server for a lottery ticket whose number depends
only on the pair (key, server); the server holding the highest number gets
the key. Any client can rerun the election and reach the same result. When a
server joins, a key moves only if the newcomer's ticket beats the old winner,
so keys move only *to* it; when a server leaves, only the keys it won hold a
new election. No ring and no virtual nodes are needed; the price is one score
per server per lookup, ``O(n)``. Ranking all tickets gives a replica list for
free. (Thaler & Ravishankar, "Using Name-Based Mappings to Increase Hit
Rates", IEEE/ACM Transactions on Networking 6(1), 1998; the Cache Array
Routing Protocol used this to spread URLs over proxy caches.)

Scores here: the key is hashed once with :func:`~labsupport.stable_hash.stable_hash64`,
and node ``s`` scores ``mix64(h(key) XOR h(s))``, an unsigned 64-bit integer.
Ties (probability about ``n**2 / 2**64``) go to the larger node name.
With weights, ties of the weighted score fall back to the 64-bit score, then
the name, so equal weights rank exactly as no weights do.

Weights use the *logarithmic method* (Schindelhauer & Schomaker, "Weighted
Distributed Hash Tables", SPAA 2005): the score becomes ``-w / ln(u)`` with
``u`` the 64-bit score mapped into ``(0, 1)``. Then ``-ln(u) / w`` is an
exponential random variable with rate ``w``, the smallest of independent
exponentials is the one with rate ``w_i`` with probability ``w_i / sum(w)``,
so node ``i`` wins exactly that share of keys, and changing one node's weight
still moves keys only to or from that node.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping

from labsupport.checks import check_int, check_number
from labsupport.stable_hash import Key, NodeId, check_nodes, mix64, stable_hash64

__all__ = ["RendezvousHash"]

_TWO_POW_53 = float(1 << 53)


def _check_weight(node: NodeId, weight) -> float:
    check_number(f"weight of {node!r}", weight, low=0, low_open=True)
    return weight


def _unit(score: int) -> float:
    """Map a 64-bit score into the open interval (0, 1), keeping 53 bits."""
    return ((score >> 11) + 0.5) / _TWO_POW_53


class RendezvousHash:
    """Highest-random-weight placement over a set of named nodes.

    Parameters
    ----------
    nodes : iterable of str
        Distinct node names; at least one.
    weights : mapping of str to float, optional
        Relative capacity per node (default 1); the expected share of keys of
        node ``i`` is ``w_i / sum(w)``.

    Notes
    -----
    :meth:`lookup` costs one key hash plus ``n`` integer mixes;
    :meth:`preference_list` the same plus a sort. Like :class:`HashRing`,
    instances are immutable: :meth:`add_node` and :meth:`remove_node` return
    new ones.

    Examples
    --------
    >>> hrw = RendezvousHash(["cache-a", "cache-b", "cache-c"])
    >>> hrw.lookup("user:42")
    'cache-b'
    >>> hrw.preference_list("user:42", 3)
    ['cache-b', 'cache-c', 'cache-a']
    >>> hrw.add_node("cache-d").lookup("user:42") in ("cache-b", "cache-d")
    True
    """

    __slots__ = ("_nodes", "_weights", "_seeds", "_weighted")

    def __init__(self, nodes: Iterable[NodeId], *, weights: Mapping[NodeId, float] | None = None) -> None:
        names = check_nodes(nodes)
        weights = dict(weights or {})
        unknown = sorted(set(weights) - set(names))
        if unknown:
            raise ValueError(f"weights names {unknown} which are not in nodes; weight only listed nodes")
        full = {node: _check_weight(node, weights.get(node, 1)) for node in names}
        self._set(names, full)

    def _set(self, names: tuple[NodeId, ...], weights: dict[NodeId, float]) -> None:
        self._nodes = names
        self._weights = weights
        # (seed, name, weight) per node; the name breaks ties deterministically.
        self._seeds = [(stable_hash64(node), node, weights[node]) for node in names]
        self._weighted = len(set(weights.values())) > 1

    @property
    def nodes(self) -> tuple[NodeId, ...]:
        """Node names in the order given (joins at the end)."""
        return self._nodes

    @property
    def weights(self) -> dict[NodeId, float]:
        """A copy of each node's weight."""
        return dict(self._weights)

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, node: object) -> bool:
        return node in self._weights

    def __repr__(self) -> str:
        kind = "weighted" if self._weighted else "unweighted"
        return f"RendezvousHash({len(self._nodes)} nodes, {kind})"

    def scores(self, key: Key) -> dict[NodeId, float]:
        """Every node's score for ``key`` (higher wins), for inspection and teaching.

        With all weights equal the score is ``u`` in (0, 1), otherwise ``-w / ln(u)``;
        both rank nodes the same way when weights are equal.
        """
        h = stable_hash64(key)
        out = {}
        for seed, node, weight in self._seeds:
            u = _unit(mix64(h ^ seed))
            out[node] = -weight / math.log(u) if self._weighted else u
        return out

    def _ballots(self, key: Key) -> list[tuple]:
        # Each node's ballot is a tuple compared lexicographically, so the
        # order of two nodes never depends on which other nodes are present.
        h = stable_hash64(key)
        if self._weighted:
            ballots = []
            for s, node, w in self._seeds:
                raw = mix64(h ^ s)
                ballots.append((-w / math.log(_unit(raw)), raw, node))
            return ballots
        return [(mix64(h ^ s), node) for s, node, _ in self._seeds]

    def lookup(self, key: Key) -> NodeId:
        """The node with the highest score for ``key``."""
        if self._weighted:
            return max(self._ballots(key))[-1]
        h = stable_hash64(key)
        return max([(mix64(h ^ s), node) for s, node, _ in self._seeds])[1]

    def preference_list(self, key: Key, n: int) -> list[NodeId]:
        """The ``n`` highest-scoring nodes for ``key``, best first.

        The list is stable under membership changes in the way replicas need:
        removing a node that is not in it leaves it unchanged.

        Examples
        --------
        >>> RendezvousHash(["a", "b"]).preference_list("k", 0)
        Traceback (most recent call last):
        ...
        ValueError: n=0 is out of range; choose 1 <= n <= 2
        """
        size = len(self._nodes)
        check_int("n", n, low=1, high=size)  # at most the nodes there are
        return [ballot[-1] for ballot in sorted(self._ballots(key), reverse=True)[:n]]

    def add_node(self, node: NodeId, weight: float = 1) -> RendezvousHash:
        """A new instance with ``node`` added; this one is unchanged."""
        if node in self._weights:
            raise ValueError(f"node {node!r} is already present; choose a new name")
        names = check_nodes(self._nodes + (node,))
        out = object.__new__(RendezvousHash)
        out._set(names, {**self._weights, node: _check_weight(node, weight)})
        return out

    def remove_node(self, node: NodeId) -> RendezvousHash:
        """A new instance without ``node``; only its keys are re-elected."""
        if node not in self._weights:
            raise ValueError(f"node {node!r} is not present; choose one of {list(self._nodes)}")
        if len(self._nodes) == 1:
            raise ValueError(f"cannot remove {node!r}, the only node; keep at least 1 node")
        out = object.__new__(RendezvousHash)
        names = tuple(n for n in self._nodes if n != node)
        out._set(names, {n: w for n, w in self._weights.items() if n != node})
        return out
