"""Consistent hashing: deciding which server holds a key, so that few keys move when servers come and go.

Think of a city's postal codes: every letter is routed by its code alone,
and when a new sorting office opens, only the codes it takes over are
re-routed. This package gives four ways of routing keys to servers and the
tools to measure them against theory:

- :mod:`~labsupport.stable_hash`: the 64-bit hash everything else uses,
  and the naive ``hash mod n`` for comparison;
- :mod:`~labsupport.data.hashing.ring`: the ring with virtual nodes, weights and
  Dynamo-style preference lists (Karger et al. 1997; DeCandia et al. 2007);
- :mod:`~labsupport.data.hashing.rendezvous`: highest-random-weight hashing, with
  weights by the logarithmic method (Thaler & Ravishankar 1998);
- :mod:`~labsupport.data.hashing.jump`: jump consistent hash (Lamping & Veach 2014);
- :mod:`~labsupport.data.hashing.bounded`: consistent hashing with bounded loads
  (Mirrokni, Thorup & Zadimoghaddam 2018);
- :mod:`~labsupport.data.hashing.theory` and :mod:`~labsupport.data.hashing.analysis`:
  closed forms, measurements, and the two side by side.

Examples
--------
>>> from labsupport.data.hashing import HashRing, movement, assign
>>> keys = [f"user:{i}" for i in range(1000)]
>>> ring = HashRing(["a", "b", "c"], vnodes=100)
>>> moved = movement(assign(ring.lookup, keys), assign(ring.add_node("d").lookup, keys), joined="d")
>>> moved.only_to_joined, round(moved.fraction, 2)
(True, 0.24)
"""

from labsupport.data.hashing.analysis import (
    Comparison,
    LoadStats,
    Movement,
    assign,
    compare_with_theory,
    load_stats,
    movement,
    node_loads,
)
from labsupport.data.hashing.bounded import BoundedAssignment, assign_bounded, load_capacity, node_capacities
from labsupport.data.hashing.jump import MAX_BUCKETS, jump_bucket, jump_hash
from labsupport.data.hashing.rendezvous import RendezvousHash
from labsupport.data.hashing.ring import HashRing
from labsupport.stable_hash import HASH_BITS, HASH_SPACE, Key, NodeId, hash_mod_n, stable_hash64
from labsupport.data.hashing.theory import (
    mod_n_join_fraction,
    mod_n_leave_fraction,
    optimal_join_fraction,
    optimal_leave_fraction,
    ring_load_cv,
    ring_share_cv,
    uniform_load_cv,
)

__all__ = [
    # stable
    "HASH_BITS", "HASH_SPACE", "Key", "NodeId", "stable_hash64", "hash_mod_n",
    # placement schemes
    "HashRing", "RendezvousHash", "jump_hash", "jump_bucket", "MAX_BUCKETS",
    "BoundedAssignment", "assign_bounded", "load_capacity", "node_capacities",
    # theory
    "optimal_join_fraction", "optimal_leave_fraction", "mod_n_join_fraction",
    "mod_n_leave_fraction", "ring_share_cv", "ring_load_cv", "uniform_load_cv",
    # analysis
    "assign", "node_loads", "load_stats", "movement", "compare_with_theory",
    "LoadStats", "Movement", "Comparison",
]
