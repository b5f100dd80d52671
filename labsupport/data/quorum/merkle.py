"""Merkle trees: finding the few keys two replicas disagree on without sending them all.

Two librarians want to check that their copies of a 10,000-book catalogue
match. Reading out every entry takes all day. Instead each sums up each
shelf, each bookcase and the whole library in a short fingerprint; they
compare the library fingerprints first, and only where two fingerprints
differ do they open the level below. A **Merkle tree** (Merkle, 1987) does
this with hashes: leaves hash the keys of one bucket of the key space,
parents hash their children. Dynamo replicas compare such trees in the
background (**anti-entropy**) to repair the copies that hinted handoff and
read repair missed (DeCandia et al., "Dynamo", SOSP 2007, section 4.7).

Conventions: a tree of ``depth`` d has ``2**d`` leaves; key ``k`` falls in
leaf ``stable_hash64(k) >> (64 - d)``; a leaf hashes the sorted
``key, digest`` lines of its keys; level 0 is the root.
"""

from __future__ import annotations

from dataclasses import dataclass
from hashlib import blake2b
from typing import Mapping

from labsupport.checks import check_int
from labsupport.stable_hash import stable_hash64

__all__ = ["MerkleTree", "TreeDiff", "bucket_of", "build_tree", "diff_trees", "expected_hashes_exchanged"]

MAX_DEPTH = 16


def _h(data: bytes) -> bytes:
    return blake2b(data, digest_size=8).digest()


def bucket_of(key: str, depth: int) -> int:
    """The leaf that ``key`` falls in, in a tree of ``depth``.

    Examples
    --------
    >>> bucket_of("cart:42", 4) in range(16), bucket_of("cart:42", 0)
    (True, 0)
    """
    check_int("depth", depth, low=0, high=MAX_DEPTH)
    return stable_hash64(key) >> (64 - depth) if depth else 0


@dataclass(frozen=True)
class MerkleTree:
    """Hashes level by level: ``levels[0]`` is ``(root,)``, ``levels[depth]`` the ``2**depth`` leaves."""

    depth: int
    levels: tuple[tuple[bytes, ...], ...]

    @property
    def root(self) -> bytes:
        return self.levels[0][0]


def build_tree(items: Mapping[str, str | bytes], depth: int = 4) -> MerkleTree:
    """The Merkle tree of ``items`` (key -> digest of its value).

    Examples
    --------
    >>> a = build_tree({"x": "1", "y": "2"}, depth=2)
    >>> a.root == build_tree({"y": "2", "x": "1"}, depth=2).root, a.root == build_tree({"x": "1"}, depth=2).root
    (True, False)
    """
    depth = check_int("depth", depth, low=0, high=MAX_DEPTH)
    lines: list[list[bytes]] = [[] for _ in range(2 ** depth)]
    for key in sorted(items):
        digest = items[key].encode() if isinstance(items[key], str) else bytes(items[key])
        lines[bucket_of(key, depth)].append(key.encode() + b"\0" + digest + b"\n")
    level = tuple(_h(b"".join(bucket)) for bucket in lines)
    levels = [level]
    while len(level) > 1:
        level = tuple(_h(level[i] + level[i + 1]) for i in range(0, len(level), 2))
        levels.append(level)
    return MerkleTree(depth, tuple(reversed(levels)))


@dataclass(frozen=True)
class TreeDiff:
    """Where two trees differ, and what finding out cost.

    Attributes
    ----------
    buckets : tuple of int
        Leaves whose hashes differ: only their keys need to be exchanged.
    hashes_exchanged : int
        Hashes one replica sent the other, walking down from the root.
    rounds : int
        Levels visited, one round trip each.
    """

    buckets: tuple[int, ...]
    hashes_exchanged: int
    rounds: int


def diff_trees(a: MerkleTree, b: MerkleTree) -> TreeDiff:
    """Walk down both trees from the root, opening only the children of differing nodes.

    Notes
    -----
    With ``d`` differing keys the walk sends at most ``1 + 2 d depth``
    hashes, against one per key for a plain comparison: the saving is large
    when ``d`` is small, which is the usual case for anti-entropy.

    Examples
    --------
    >>> items = {f"k{i}": str(i) for i in range(100)}
    >>> changed = dict(items, k7="seven")
    >>> d = diff_trees(build_tree(items, 4), build_tree(changed, 4))
    >>> d.buckets == (bucket_of("k7", 4),), d.hashes_exchanged, d.rounds
    (True, 9, 5)
    """
    if a.depth != b.depth:
        raise ValueError(f"trees have depths {a.depth} and {b.depth}; compare trees of the same depth")
    frontier, exchanged = [0], 0
    for level in range(a.depth + 1):
        exchanged += len(frontier)
        differing = [i for i in frontier if a.levels[level][i] != b.levels[level][i]]
        if not differing or level == a.depth:
            return TreeDiff(tuple(differing), exchanged, level + 1)
        frontier = [child for i in differing for child in (2 * i, 2 * i + 1)]
    raise AssertionError("unreachable")  # pragma: no cover


def expected_hashes_exchanged(depth: int, differing: int) -> float:
    """Mean hashes :func:`diff_trees` sends when ``differing`` keys in random buckets differ.

    A node at level ``l`` differs when one of the differing keys falls below
    it, with probability ``1 - (1 - 2**-l)**d``; each differing node above
    the leaves costs its two children's hashes:
    ``1 + sum_{l<depth} 2**(l+1) (1 - (1 - 2**-l)**d)``.

    Examples
    --------
    >>> expected_hashes_exchanged(4, 1), expected_hashes_exchanged(4, 0)
    (9.0, 1.0)
    """
    depth = check_int("depth", depth, low=0, high=MAX_DEPTH)
    check_int("differing", differing, low=0)
    return 1.0 + sum(2 ** (l + 1) * (1 - (1 - 2.0 ** -l) ** differing) for l in range(depth))
