"""Consistent hashing with bounded loads (Mirrokni, Thorup & Zadimoghaddam, SODA 2018).

Picture a coat check with several attendants, each with one rack of limited
size. Your ticket names an attendant, as on an ordinary hash ring; if that
attendant's rack is full you walk clockwise to the next one with room. No
rack ever holds more than ``ceil((1 + eps) * m / n)`` coats for ``m`` coats
and ``n`` racks, however unlucky the hash, and most coats still hang where
the ring says. Vimeo added this to HAProxy (``hash-balance-factor``) to stop
one video cache from melting under a popular title, and Google uses it in
Cloud Pub/Sub.

The algorithm, as in the paper: every node gets capacity
``ceil((1 + eps) * m / n)``; keys are placed one at a time in the given
order; a key goes to its ring owner if that node is below capacity, else
to the next node clockwise that is. Because ``n`` capacities sum to at least
``(1 + eps) * m > m``, some node always has room, and the walk ends within
one turn of the ring. The guarantee ``max load <= capacity`` holds by
construction, for any hash and any key order; what the paper proves is
that the walk is short and that an update moves few keys (an expected
``O(1/eps**2)`` per update for small eps, by its analysis; we measure, not
assume, this).

Two choices are ours. The walk visits the ring's marks, so with ``vnodes=1``
it is exactly the paper's setting and with more virtual nodes the overflow
is spread over several neighbours. With unequal ring weights node ``i``'s
capacity is ``ceil((1 + eps) * m * w_i / sum(w))``, as HAProxy does;
equal weights give the paper's formula. ``eps`` and the weights are read as
the decimals they print as (``0.1`` is exactly one tenth), so capacities
are exact integers and not off by one from floating-point rounding.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Mapping

from labsupport.checks import check_int, check_number, check_type
from labsupport.data.hashing.ring import HashRing
from labsupport.stable_hash import Key, NodeId, key_bytes, stable_hash64

__all__ = ["BoundedAssignment", "load_capacity", "node_capacities", "assign_bounded"]


def _exact(value, name: str) -> Fraction:
    check_number(name, value)
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def _check_eps(eps) -> Fraction:
    check_number("eps", eps, low=0, low_open=True)  # 0.25 allows loads 25% above the mean
    return _exact(eps, "eps")


def _ceil(x: Fraction) -> int:
    return -((-x.numerator) // x.denominator)


def load_capacity(num_keys: int, num_nodes: int, eps: float) -> int:
    """The per-node cap ``ceil((1 + eps) * num_keys / num_nodes)``, computed exactly.

    This is also the guaranteed maximum load of :func:`assign_bounded` on an
    unweighted ring, so ``max load / mean load <= (1 + eps) + num_nodes / num_keys``.

    Examples
    --------
    >>> load_capacity(1000, 10, 0.1)
    110
    >>> load_capacity(1001, 10, 0.1)
    111
    >>> load_capacity(10, 3, 0)
    Traceback (most recent call last):
    ...
    ValueError: eps=0 is out of range; choose eps > 0
    """
    eps_exact = _check_eps(eps)
    check_int("num_keys", num_keys, low=0)
    check_int("num_nodes", num_nodes, low=1)
    return _ceil((1 + eps_exact) * num_keys / num_nodes)


def node_capacities(ring: HashRing, num_keys: int, eps: float) -> dict[NodeId, int]:
    """Each node's cap: ``ceil((1 + eps) * num_keys * w_i / sum(w))``.

    Examples
    --------
    >>> node_capacities(HashRing(["a", "b"], weights={"b": 3}), 100, 0.2)
    {'a': 30, 'b': 90}
    """
    eps_exact = _check_eps(eps)
    check_int("num_keys", num_keys, low=0)
    weights = {node: _exact(w, f"weight of {node!r}") for node, w in ring.weights.items()}
    total = sum(weights.values())
    return {node: _ceil((1 + eps_exact) * num_keys * w / total) for node, w in weights.items()}


@dataclass(frozen=True)
class BoundedAssignment:
    """Where each key went under bounded loads, and what it cost.

    Attributes
    ----------
    placement : dict
        Key to node, in placement order.
    capacities, loads : dict
        Node to cap and to number of keys placed there; every load is at most
        its cap.
    eps : float
        The slack used.
    displaced : int
        Keys not placed at their plain ring owner (``ring.lookup(key)``).
    extra_probes : int
        Marks walked past each key's first mark, summed over all keys.
    """

    placement: dict[Key, NodeId]
    capacities: dict[NodeId, int]
    loads: dict[NodeId, int]
    eps: float
    displaced: int
    extra_probes: int

    @property
    def max_load(self) -> int:
        """The largest number of keys on one node."""
        return max(self.loads.values())

    @property
    def within_capacity(self) -> bool:
        """True if no node holds more keys than its cap (always, by construction)."""
        return all(self.loads[node] <= cap for node, cap in self.capacities.items())


def assign_bounded(ring: HashRing, keys: Iterable[Key], eps: float) -> BoundedAssignment:
    """Place distinct ``keys`` in order on ``ring`` with every node's load capped.

    Parameters
    ----------
    ring : HashRing
        The ring whose marks the keys walk.
    keys : iterable of str or bytes
        Distinct keys; the order matters (earlier keys get first pick).
    eps : float
        Slack above the mean load, ``eps > 0``.

    Notes
    -----
    Each key costs one hash, one bisection and ``1 + probes`` steps; a walk
    never exceeds one turn of the ring, ``O(P)`` for ``P`` marks.

    Examples
    --------
    >>> ring = HashRing(["a", "b", "c"], vnodes=1)
    >>> out = assign_bounded(ring, [f"k{i}" for i in range(30)], eps=0.1)
    >>> out.capacities
    {'a': 11, 'b': 11, 'c': 11}
    >>> out.max_load <= 11, sum(out.loads.values())
    (True, 30)
    >>> plain = max(sum(ring.lookup(f"k{i}") == n for i in range(30)) for n in "abc")
    >>> plain > 11
    True
    """
    check_type("ring", ring, HashRing)
    key_list = list(keys)
    seen: set[Key] = set()
    for key in key_list:
        key_bytes(key)  # TypeError for keys that are not str/bytes
        if key in seen:
            raise ValueError(f"keys has duplicate key {key!r}; each key is placed once, so make keys unique")
        seen.add(key)
    capacities = node_capacities(ring, len(key_list), eps)
    loads = dict.fromkeys(ring.nodes, 0)
    positions, owners = ring._positions, ring._owners  # package-private: sorted marks
    count = len(positions)
    placement: dict[Key, NodeId] = {}
    displaced = extra = 0
    for key in key_list:
        index = bisect_left(positions, stable_hash64(key)) % count
        node = owners[index]
        first = node
        while loads[node] >= capacities[node]:
            index = (index + 1) % count
            node = owners[index]
            extra += 1
        loads[node] += 1
        placement[key] = node
        displaced += node != first
    return BoundedAssignment(placement, capacities, loads, float(eps), displaced, extra)
