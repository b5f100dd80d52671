"""DynamoDB-style partitions: a hash picks the partition, each partition has its own throughput budget.

A post office with one counter per postcode range: every letter goes to the
counter that owns the hash of its address, and each counter can stamp only
so many letters a second. A town where one address receives half the post
has a queue at one counter while the others are idle, even though the office
as a whole has clerks to spare. DynamoDB works the same way: the partition
key is hashed, the hash falls into the range of one partition, and each
partition serves at most 3,000 read capacity units (RCU) and 1,000 write
capacity units (WCU) per second, however much the table has provisioned.

This module models that arithmetic: a :class:`Table` of partitions that own
contiguous ranges of 64-bit hashes, splits (at the midpoint when a partition
fills up, around one key to isolate a hot item), and :func:`run_throttling`,
a one-second-step simpy simulation with a token bucket per partition
(burst capacity) and, optionally, adaptive capacity (a hot partition may
borrow the table's unused capacity, up to the partition maximum).

Why rates and not messages: throttling is a question of request rates against
per-partition budgets, second by second, so a one-second-step simulation of
rates and token buckets is the right tool; following each request as a message
between machines (:mod:`labsupport.sim`) would only add network delays that
throttling does not depend on.

References (Amazon DynamoDB Developer Guide): "Partitions and data
distribution in DynamoDB" (internal hash function, partitions added when
throughput or storage grows); "Best practices for designing and using
partition keys effectively" and "Burst and adaptive capacity" (3,000 RCU /
1,000 WCU per partition, up to 300 s of unused capacity kept for bursts,
adaptive capacity on for every table, isolating frequently accessed items);
"Key range throughput exceeded (hot partitions)" (split for heat). The
10 GB per partition and the doubling on a throughput increase come from an
older edition of the guide ("Understand Partition Behavior"); the current
guide no longer publishes a size, so treat 10 GB as a model parameter.
Elhemali et al., "Amazon DynamoDB: a scalable, predictably performant and
fully managed NoSQL database service", USENIX ATC 2022, explain why
splitting a partition used to divide its throughput and how admission
control moved to the table level.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import simpy

from labsupport.seeds import Seed, as_numpy_rng
from labsupport.checks import check_int, check_number
from labsupport.stable_hash import HASH_SPACE, stable_hash64

__all__ = [
    "MAX_RCU_PER_PARTITION", "MAX_WCU_PER_PARTITION", "BURST_WINDOW_S", "PARTITION_SIZE_GB",
    "Partition", "Table", "partitions_needed", "size_split_staircase", "token_bucket_throttled",
    "ThrottleResult", "run_throttling",
]

MAX_RCU_PER_PARTITION = 3000  # read capacity units per partition per second
MAX_WCU_PER_PARTITION = 1000  # write capacity units per partition per second
BURST_WINDOW_S = 300  # seconds of unused capacity a partition keeps for bursts
PARTITION_SIZE_GB = 10.0  # older Developer Guide; a model parameter today


def partitions_needed(size_gb: float = 0.0, rcu: float = 0.0, wcu: float = 0.0) -> int:
    """The fewest partitions that hold ``size_gb`` and serve ``rcu`` + ``wcu`` (at least one).

    Reads and writes share a partition's capacity, so throughput needs
    ``rcu / 3000 + wcu / 1000`` partitions; storage needs ``size_gb / 10``.

    Examples
    --------
    >>> partitions_needed(rcu=1000, wcu=1000), partitions_needed(size_gb=25), partitions_needed()
    (2, 3, 1)
    """
    for name, value in (("size_gb", size_gb), ("rcu", rcu), ("wcu", wcu)):
        check_number(name, value, low=0)
    by_throughput = math.ceil(rcu / MAX_RCU_PER_PARTITION + wcu / MAX_WCU_PER_PARTITION - 1e-12)
    by_size = math.ceil(size_gb / PARTITION_SIZE_GB - 1e-12)
    return max(1, by_throughput, by_size)


def size_split_staircase(size_gb: float, initial_partitions: int = 1) -> int:
    """Partitions after uniform growth to ``size_gb`` when every full partition splits in two.

    With uniformly hashed keys all partitions fill at the same rate, so they
    split together and the count doubles: ``n0 * 2**ceil(log2(size / (10 n0)))``.

    Examples
    --------
    >>> [size_split_staircase(s) for s in (5, 10, 11, 25, 41)]
    [1, 1, 2, 4, 8]
    """
    check_number("size_gb", size_gb, low=0)
    check_int("initial_partitions", initial_partitions, low=1)
    fill = size_gb / (PARTITION_SIZE_GB * initial_partitions)
    return initial_partitions if fill <= 1 else initial_partitions * 2 ** math.ceil(math.log2(fill) - 1e-12)


def token_bucket_throttled(demand_per_s: float, rate_per_s: float, duration_s: int, *,
                           bucket: float, cap_per_s: float = MAX_WCU_PER_PARTITION) -> float:
    """Requests throttled in ``duration_s`` seconds of constant demand on a full token bucket.

    Each second the partition serves ``min(demand, cap, tokens)`` and then
    regains ``rate_per_s`` tokens (never more than ``bucket``). Starting full,
    it can serve at most ``bucket + (T - 1) * rate`` in ``T`` seconds, and
    never more than ``cap`` in one second.

    Examples
    --------
    >>> token_bucket_throttled(700, 500, 600, bucket=500 * 300)   # burst lasts 750 s
    0.0
    >>> token_bucket_throttled(700, 500, 1000, bucket=500 * 300)
    50500.0
    >>> token_bucket_throttled(1200, 500, 10, bucket=500 * 300)   # the 1,000 WCU cap bites at once
    2000.0
    """
    for name, value in (("demand_per_s", demand_per_s), ("rate_per_s", rate_per_s), ("bucket", bucket),
                        ("cap_per_s", cap_per_s)):
        check_number(name, value, low=0)
    check_int("duration_s", duration_s, low=1)
    per_second = min(demand_per_s, cap_per_s)
    served = min(duration_s * per_second, bucket + (duration_s - 1) * min(rate_per_s, cap_per_s))
    return float(duration_s * demand_per_s - max(served, 0.0))


@dataclass(frozen=True)
class Partition:
    """One partition: the hashes ``start <= h < end`` it owns and the data it holds."""

    start: int
    end: int
    size_gb: float = 0.0

    @property
    def width(self) -> float:
        """Fraction of the hash space this partition owns."""
        return (self.end - self.start) / HASH_SPACE


class Table:
    """A table's partitions (contiguous hash ranges covering ``[0, 2**64)``) and provisioned capacity.

    Examples
    --------
    >>> t = Table(partitions=4, wcu=2000)
    >>> len(t.partitions), t.share_wcu, t.partition_index("user:42")
    (4, 500.0, 3)
    >>> t.isolate("user:42")
    >>> p = t.partitions[t.partition_index("user:42")]
    >>> p.end - p.start, len(t.partitions)
    (1, 6)
    """

    def __init__(self, partitions: int = 1, *, rcu: float = 0.0, wcu: float = 0.0):
        check_int("partitions", partitions, low=1)
        self.rcu, self.wcu = check_number("rcu", rcu, low=0), check_number("wcu", wcu, low=0)
        bounds = [i * HASH_SPACE // partitions for i in range(partitions + 1)]
        self.partitions = [Partition(a, b) for a, b in zip(bounds, bounds[1:])]

    @property
    def share_wcu(self) -> float:
        """Provisioned WCU divided evenly over the partitions (before adaptive capacity)."""
        return self.wcu / len(self.partitions)

    @property
    def size_gb(self) -> float:
        """Data held by all partitions."""
        return sum(p.size_gb for p in self.partitions)

    def partition_index(self, key) -> int:
        """Which partition holds ``key``: hash it, find the range containing the hash."""
        return bisect.bisect_right([p.start for p in self.partitions], stable_hash64(key)) - 1

    def split(self, index: int, at: int | None = None) -> None:
        """Split partition ``index`` at hash ``at`` (default: the midpoint); its data divides by width."""
        if not 0 <= index < len(self.partitions):
            raise ValueError(f"index={index} must be in 0..{len(self.partitions) - 1}")
        p = self.partitions[index]
        at = (p.start + p.end) // 2 if at is None else at
        if not p.start < at < p.end:
            raise ValueError(f"split point {at} must lie strictly inside [{p.start}, {p.end})")
        left = (at - p.start) / (p.end - p.start)
        self.partitions[index:index + 1] = [Partition(p.start, at, p.size_gb * left),
                                            Partition(at, p.end, p.size_gb * (1 - left))]

    def isolate(self, key) -> None:
        """Split so that ``key``'s hash owns a partition alone (what split-for-heat does to a hot item)."""
        h = stable_hash64(key)
        p = self.partitions[self.partition_index(key)]
        if p.start < h:
            self.split(self.partition_index(key), h)
        p = self.partitions[self.partition_index(key)]
        if h + 1 < p.end:
            self.split(self.partition_index(key), h + 1)

    def provision(self, *, rcu: float, wcu: float) -> int:
        """Set the throughput; double the partitions (each splits) until they can serve it. Returns splits."""
        self.rcu, self.wcu = check_number("rcu", rcu, low=0), check_number("wcu", wcu, low=0)
        splits = 0
        while len(self.partitions) < partitions_needed(rcu=rcu, wcu=wcu):
            for i in reversed(range(len(self.partitions))):
                self.split(i)
                splits += 1
        return splits

    def grow(self, items: int, item_kb: float, rng: np.random.Generator) -> int:
        """Insert ``items`` items of random keys; split every partition that passes 10 GB. Returns splits."""
        check_int("items", items, low=0)
        check_number("item_kb", item_kb, low=0, low_open=True)
        counts = rng.multinomial(int(items), [p.width for p in self.partitions])
        gb = item_kb / 1024 / 1024
        self.partitions = [Partition(p.start, p.end, p.size_gb + c * gb) for p, c in zip(self.partitions, counts)]
        splits, i = 0, 0
        while i < len(self.partitions):
            if self.partitions[i].size_gb > PARTITION_SIZE_GB and self.partitions[i].end - self.partitions[i].start > 1:
                self.split(i)
                splits += 1
            else:
                i += 1
        return splits


@dataclass(frozen=True)
class ThrottleResult:
    """Per-partition totals over a run, and the table-wide throttled count per second."""

    duration_s: int
    demand: tuple[int, ...]
    served: tuple[int, ...]
    throttled: tuple[int, ...]
    throttled_per_s: tuple[int, ...]
    share_wcu: float

    total_throttled = property(lambda self: sum(self.throttled))
    throttled_fraction = property(lambda self: self.total_throttled / max(1, sum(self.demand)))


def _second_loop(env, rates, hot, table_wcu, bucket, share, adaptive, rng, poisson, log):
    n = len(rates)
    tokens = np.full(n, bucket)
    while True:
        demand = (rng.poisson(rates) if poisson else np.rint(rates)).astype(np.int64) + \
                 (rng.poisson(hot) if poisson else np.rint(hot)).astype(np.int64)
        served = np.minimum(np.minimum(demand, MAX_WCU_PER_PARTITION), np.floor(tokens)).astype(np.int64)
        tokens -= served
        if adaptive:  # the table's unused capacity goes to partitions that still have demand
            spare = table_wcu - served.sum()
            for i in np.argsort(-(demand - served), kind="stable"):
                extra = int(min(max(spare, 0), demand[i] - served[i], MAX_WCU_PER_PARTITION - served[i]))
                served[i] += extra
                spare -= extra
        tokens = np.minimum(bucket, tokens + share)
        log.append((demand, served))
        yield env.timeout(1)


def run_throttling(table: Table, *, background_wcu: float, hot_keys: Mapping[str, float] | None = None,
                   duration_s: int = 600, n_keys: int = 5000, burst: bool = True, adaptive: bool = True,
                   poisson: bool = True, seed: Seed = None) -> ThrottleResult:
    """Write traffic against ``table`` for ``duration_s`` one-second steps; count throttled writes.

    ``background_wcu`` writes per second (1 WCU each) spread evenly over
    ``n_keys`` keys ``"user:0"``..., plus ``hot_keys`` (key -> writes per
    second). Each partition has a token bucket refilled at its share of the
    table's WCU and holding ``BURST_WINDOW_S`` seconds of it (``burst=False``:
    one second); no partition serves more than 1,000 WCU in a second.

    Examples
    --------
    >>> t = Table(partitions=4, wcu=2000)
    >>> run_throttling(t, background_wcu=1000, duration_s=60, seed=1).total_throttled
    0
    >>> hot = run_throttling(t, background_wcu=1000, hot_keys={"user:42": 900}, duration_s=60, seed=1)
    >>> hot.total_throttled > 0
    True
    """
    check_number("background_wcu", background_wcu, low=0)
    for name, value in (("duration_s", duration_s), ("n_keys", n_keys)):
        check_int(name, value, low=1)
    n = len(table.partitions)
    starts = [p.start for p in table.partitions]
    keys_per = np.bincount([bisect.bisect_right(starts, stable_hash64(f"user:{i}")) - 1 for i in range(n_keys)],
                           minlength=n)
    hot = np.zeros(n)
    for key, rate in (hot_keys or {}).items():
        hot[table.partition_index(key)] += check_number(f"hot_keys[{key!r}]", rate, low=0)
    share = table.share_wcu
    bucket = share * (BURST_WINDOW_S if burst else 1)
    env, log = simpy.Environment(), []
    env.process(_second_loop(env, background_wcu * keys_per / n_keys, hot, table.wcu, bucket, share, adaptive,
                             as_numpy_rng(seed, "dynamodb:requests"), poisson, log))
    env.run(until=duration_s)
    demand = np.array([d for d, _ in log]).sum(axis=0)
    served = np.array([s for _, s in log]).sum(axis=0)
    return ThrottleResult(duration_s, tuple(int(x) for x in demand), tuple(int(x) for x in served),
                          tuple(int(x) for x in demand - served),
                          tuple(int((d - s).sum()) for d, s in log), share)
