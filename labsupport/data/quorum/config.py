"""Quorum sizes: how many of the N copies a read (R) and a write (W) must reach.

A jury of N can be asked to confirm a decision with W signatures, and a
later auditor consults R jurors. If R + W > N, every group of R jurors
includes at least one who signed, however the two groups are picked: the
auditor cannot miss the decision. That pigeonhole argument is all that
"strict" quorums promise (Gifford, "Weighted Voting for Replicated Data",
SOSP 1979), and Dynamo lets each application choose its own N, R and W
(DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store",
SOSP 2007, section 4.5).

Where AWS does this: Aurora keeps six copies of each 10 GB segment across
three Availability Zones, writes to 4 of 6 and reads (for repair) from 3 of
6 (AWS Database Blog, "Amazon Aurora under the hood: quorums and correlated
failure", 2017): 4 + 3 > 6, and 4 + 4 > 6 so two writes also overlap.
"""

from __future__ import annotations

from itertools import combinations

from labsupport.checks import check_int

__all__ = ["check_quorum", "quorums_intersect", "min_overlap", "tolerated_failures"]


def check_quorum(n: int, r: int, w: int) -> tuple[int, int, int]:
    """Validate quorum sizes and return ``(n, r, w)``.

    Examples
    --------
    >>> check_quorum(3, 2, 2)
    (3, 2, 2)
    >>> check_quorum(3, 4, 2)
    Traceback (most recent call last):
    ...
    ValueError: R=4 exceeds N=3 replicas; choose 1 <= R <= N
    """
    n, r, w = check_int("N", n), check_int("R", r), check_int("W", w)
    if n < 1:
        raise ValueError(f"N={n} replicas is not allowed; choose N >= 1")
    for name, size in (("R", r), ("W", w)):
        if size < 1:
            raise ValueError(f"{name}={size} is below 1; choose 1 <= {name} <= N (N={n})")
        if size > n:
            raise ValueError(f"{name}={size} exceeds N={n} replicas; choose 1 <= {name} <= N")
    return n, r, w


def quorums_intersect(n: int, r: int, w: int) -> bool:
    """True if *every* read quorum shares a replica with *every* write quorum, by enumeration.

    This checks all ``C(n, r) * C(n, w)`` pairs of subsets rather than trusting
    the formula, so tests can confirm that the answer is exactly ``r + w > n``.

    Notes
    -----
    Cost ``O(C(n, r) C(n, w))`` set intersections: fine for n up to about 10.

    Examples
    --------
    >>> quorums_intersect(3, 2, 2), quorums_intersect(3, 1, 2), quorums_intersect(6, 3, 4)
    (True, False, True)
    """
    n, r, w = check_quorum(n, r, w)
    reads = [frozenset(q) for q in combinations(range(n), r)]
    return all(read & frozenset(write) for write in combinations(range(n), w) for read in reads)


def min_overlap(n: int, r: int, w: int) -> int:
    """The fewest replicas any read quorum and any write quorum have in common: ``max(0, r + w - n)``.

    Examples
    --------
    >>> min_overlap(6, 3, 4), min_overlap(3, 1, 1)
    (1, 0)
    """
    n, r, w = check_quorum(n, r, w)
    return max(0, r + w - n)


def tolerated_failures(n: int, r: int, w: int) -> tuple[int, int]:
    """How many crashed replicas reads and writes survive: ``(n - r, n - w)``.

    Examples
    --------
    >>> tolerated_failures(6, 3, 4)  # Aurora: reads survive an AZ plus one more, writes an AZ
    (3, 2)
    """
    n, r, w = check_quorum(n, r, w)
    return n - r, n - w
