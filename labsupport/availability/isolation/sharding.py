"""Shuffle sharding: give each customer its own small random set of workers.

A hotel with eight lifts can send every guest to any lift (one stuck guest
jamming the doors blocks everyone), split guests into four fixed pairs of
lifts (a jam blocks a quarter of the guests) or give every guest their own
random pair. Among eight lifts there are C(8, 2) = 28 pairs, so a guest who
jams *both* of their lifts strands only the guests holding that very pair,
about 1/28 of them; everyone else still has at least one working lift.
That is shuffle sharding, as described in the Amazon Builders' Library [1]_.
With 100 workers and shards of 5 there are C(100, 5) = 75,287,520 shards, so
one failing shard affects about 0.0000013 % of customers [2]_.

The numbers here are exact combinatorics: if two customers draw their shards
of ``k`` workers uniformly from ``n``, the number of workers they share is
hypergeometric, ``P(j) = C(k, j) C(n - k, k - j) / C(n, k)``.

References
----------
.. [1] C. MacCárthaigh, "Workload isolation using shuffle-sharding", Amazon
   Builders' Library. https://aws.amazon.com/builders-library/workload-isolation-using-shuffle-sharding/
.. [2] AWS Well-Architected Labs, "Fault isolation with shuffle sharding",
   https://www.wellarchitectedlabs.com/reliability/300_labs/300_fault_isolation_with_shuffle_sharding/
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

from labsupport.checks import check_int
from labsupport.seeds import Seed, as_rng

__all__ = [
    "SHARDING_SCHEMES",
    "shard_count",
    "overlap_probability",
    "overlap_distribution",
    "expected_full_overlaps",
    "assign_shuffle_shards",
    "assign_plain_shards",
    "PoisonResult",
    "run_poison_customer",
]

Shard = tuple[int, ...]  # sorted worker indices
SHARDING_SCHEMES = ("shuffle", "plain", "none")


def _check(workers: int, shard_size: int) -> None:
    check_int("shard_size", shard_size, low=1, high=check_int("workers", workers, low=1))


def shard_count(workers: int, shard_size: int) -> int:
    """How many distinct shards of ``shard_size`` workers exist: C(workers, shard_size).

    Examples
    --------
    >>> shard_count(8, 2), shard_count(100, 5)
    (28, 75287520)
    """
    _check(workers, shard_size)
    return comb(workers, shard_size)


def overlap_probability(workers: int, shard_size: int, overlap: int) -> float:
    """Probability that another customer's random shard shares exactly ``overlap`` workers with yours.

    Examples
    --------
    >>> round(overlap_probability(8, 2, 2), 4)   # the whole shard: 1/28
    0.0357
    >>> round(overlap_probability(8, 2, 0), 4)   # none: C(6,2)/28 = 15/28
    0.5357
    """
    _check(workers, shard_size)
    check_int("overlap", overlap, low=0, high=shard_size)
    k = shard_size
    return comb(k, overlap) * comb(workers - k, k - overlap) / comb(workers, k)


def overlap_distribution(workers: int, shard_size: int) -> tuple[float, ...]:
    """``P(overlap = j)`` for ``j = 0 .. shard_size`` (hypergeometric; sums to 1).

    Examples
    --------
    >>> [round(p, 4) for p in overlap_distribution(8, 2)]
    [0.5357, 0.4286, 0.0357]
    """
    _check(workers, shard_size)
    return tuple(overlap_probability(workers, shard_size, j) for j in range(shard_size + 1))


def expected_full_overlaps(workers: int, shard_size: int, customers: int) -> float:
    """Expected number of *other* customers whose shard is exactly yours: ``(customers - 1) / C(n, k)``.

    Examples
    --------
    >>> round(expected_full_overlaps(100, 5, 1_000_000), 4)
    0.0133
    """
    check_int("customers", customers, low=1)
    return (customers - 1) / shard_count(workers, shard_size)


def assign_shuffle_shards(customers: int, workers: int, shard_size: int, *, unique: bool = False,
                          seed: Seed = None) -> tuple[Shard, ...]:
    """Give each customer a shard of ``shard_size`` workers drawn uniformly at random.

    With ``unique=True`` no two customers get the same shard (a stronger
    rule than random drawing; needs ``customers <= C(workers, shard_size)``).

    Examples
    --------
    >>> assign_shuffle_shards(3, 8, 2, seed=1)
    ((2, 4), (1, 2), (1, 3))
    """
    _check(workers, shard_size)
    check_int("customers", customers, low=1)
    if unique and customers > comb(workers, shard_size):
        raise ValueError(f"customers={customers} exceeds the {comb(workers, shard_size)} distinct shards; "
                         "use unique=False or more workers")
    rng, seen, out = as_rng(seed), set(), []
    population = range(workers)
    while len(out) < customers:
        shard = tuple(sorted(rng.sample(population, shard_size)))
        if unique and shard in seen:
            continue
        seen.add(shard)
        out.append(shard)
    return tuple(out)


def assign_plain_shards(customers: int, workers: int, shard_size: int, *, seed: Seed = None) -> tuple[Shard, ...]:
    """Split workers into fixed partitions of ``shard_size`` and put each customer in a random one.

    Examples
    --------
    >>> assign_plain_shards(4, 8, 2, seed=1)
    ((2, 3), (0, 1), (4, 5), (0, 1))
    """
    _check(workers, shard_size)
    check_int("customers", customers, low=1)
    if workers % shard_size:
        raise ValueError(f"shard_size={shard_size} does not divide workers={workers}; plain sharding needs "
                         "equal partitions")
    groups = [tuple(range(g, g + shard_size)) for g in range(0, workers, shard_size)]
    rng = as_rng(seed)
    return tuple(groups[rng.randrange(len(groups))] for _ in range(customers))


@dataclass(frozen=True)
class PoisonResult:
    """Blast radius of one poison customer whose requests crash every worker they reach.

    A customer is *fully affected* if all its workers died, *partially
    affected* if some but not all did (a client that retries on another
    worker of its shard still gets served). Fractions are over the other
    customers; ``expected_*`` are the closed forms for the scheme.
    """

    scheme: str
    workers: int
    shard_size: int
    customers: int
    fully_affected: float
    partially_affected: float
    unaffected: float
    expected_fully_affected: float
    expected_partially_affected: float
    overlap_counts: tuple[int, ...]


def run_poison_customer(customers: int = 10_000, workers: int = 8, shard_size: int = 2, *,
                        scheme: str = "shuffle", seed: Seed = None) -> PoisonResult:
    """Assign shards, let customer 0 kill its workers, count who else is hit.

    ``scheme`` is ``"shuffle"`` (random shards), ``"plain"`` (fixed
    partitions, customers placed at random) or ``"none"`` (every customer
    uses every worker). Closed forms: shuffle, full ``P(k)`` and partial
    ``1 - P(0) - P(k)`` of the hypergeometric; plain, full
    ``shard_size / workers`` and no partial; none, everyone fully affected.

    Examples
    --------
    >>> r = run_poison_customer(2000, 8, 2, scheme="plain", seed=1)
    >>> r.expected_fully_affected, r.partially_affected
    (0.25, 0.0)
    >>> run_poison_customer(10, 8, 2, scheme="none", seed=0).fully_affected
    1.0
    """
    if scheme not in SHARDING_SCHEMES:
        raise ValueError(f"scheme={scheme!r} is unknown; choose one of {SHARDING_SCHEMES}")
    _check(workers, shard_size)
    check_int("customers", customers, low=2)
    if scheme == "shuffle":
        shards = assign_shuffle_shards(customers, workers, shard_size, seed=seed)
        dist = overlap_distribution(workers, shard_size)
        full, partial = dist[-1], 1.0 - dist[0] - dist[-1]
    elif scheme == "plain":
        shards = assign_plain_shards(customers, workers, shard_size, seed=seed)
        full, partial = shard_size / workers, 0.0
    else:
        shards = (tuple(range(workers)),) * customers
        full, partial = 1.0, 0.0
    k = len(shards[0])
    dead = set(shards[0])
    counts = [0] * (k + 1)
    for shard in shards[1:]:
        counts[sum(1 for w in shard if w in dead)] += 1
    others = customers - 1
    return PoisonResult(
        scheme=scheme, workers=workers, shard_size=k, customers=customers,
        fully_affected=counts[k] / others, partially_affected=sum(counts[1:k]) / others,
        unaffected=counts[0] / others, expected_fully_affected=full,
        expected_partially_affected=partial, overlap_counts=tuple(counts))
