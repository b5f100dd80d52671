"""Placing instances on hosts and racks: bin packing, placement groups, and what a failure takes out.

A removals firm packs furniture into vans: it wants few vans (bin packing),
but it also decides what must *not* travel together. Never put both copies
of the only key to the house in one van. Amazon EC2 makes both decisions
when it launches instances: it packs instances onto physical hosts, and a
placement group tells it how to arrange a group of your instances on racks,
each rack having its own network and power source.

- **cluster**: pack the group close together (here: one rack) for low latency;
- **spread**: every instance on a distinct rack, at most seven running
  instances per Availability Zone per group;
- **partition**: up to seven partitions per Availability Zone, each with its
  own racks; instances are spread evenly over the partitions.

References: Amazon EC2 User Guide, "Placement strategies for your placement
groups" and "Placement group rules and limitations". The packing heuristics
are textbook (Johnson 1973; first fit uses at most ``floor(1.7 OPT)`` bins,
Dósa & Sgall 2013; first fit decreasing at most ``11/9 OPT + 6/9``, Dósa 2007).
Which algorithm EC2 itself uses to pick hosts is not public; ours is a model.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Sequence

from labsupport.checks import check_int, check_number, check_numbers, check_probability
from labsupport.seeds import Seed, as_rng

__all__ = [
    "PACKING_STRATEGIES", "PLACEMENT_STRATEGIES", "MAX_SPREAD_PER_AZ", "MAX_PARTITIONS_PER_AZ",
    "Packing", "pack", "lower_bound", "Rack", "place_group", "blast_radius",
    "loss_probability", "FailureResult", "run_failures",
]

PACKING_STRATEGIES = ("first_fit", "best_fit", "first_fit_decreasing", "best_fit_decreasing")
PLACEMENT_STRATEGIES = ("cluster", "spread", "partition")
MAX_SPREAD_PER_AZ = 7  # running instances per Availability Zone per spread placement group
MAX_PARTITIONS_PER_AZ = 7  # partitions per Availability Zone in a partition placement group

Slot = tuple[int, int]  # (rack, host) an instance runs on


def _check_sizes(sizes: Sequence[float], capacity: float) -> None:
    capacity = check_number("capacity", capacity, low=0, low_open=True)  # for example vCPUs per host
    check_numbers("sizes", sizes, low=0, low_open=True, high=capacity, nonempty=False)


@dataclass(frozen=True)
class Packing:
    """Which items went into which bin: ``bins[j]`` lists item indices; ``loads[j]`` their total size."""

    bins: tuple[tuple[int, ...], ...]
    loads: tuple[float, ...]
    capacity: float

    @property
    def n_bins(self) -> int:
        return len(self.bins)

    @property
    def utilisation(self) -> float:
        return sum(self.loads) / (self.capacity * max(1, self.n_bins))


def pack(sizes: Sequence[float], capacity: float, strategy: str = "first_fit") -> Packing:
    """Pack items of ``sizes`` into bins of ``capacity`` with one of :data:`PACKING_STRATEGIES`.

    First fit puts each item into the first bin with room; best fit into the
    fullest bin with room; the *decreasing* variants first sort the items,
    largest first. Each bin is a host, each item an instance's vCPUs.

    Examples
    --------
    >>> pack([5, 4, 3, 3, 2, 2, 1], 8, "first_fit").bins
    ((0, 2), (1, 3, 6), (4, 5))
    >>> pack([5, 4, 3, 3, 2, 2, 1], 8, "best_fit_decreasing").n_bins, lower_bound([5, 4, 3, 3, 2, 2, 1], 8)
    (3, 3)
    >>> pack([1], 8, "worst_fit")
    Traceback (most recent call last):
    ...
    ValueError: unknown strategy 'worst_fit'; choose one of first_fit, best_fit, first_fit_decreasing, best_fit_decreasing
    """
    if strategy not in PACKING_STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of {', '.join(PACKING_STRATEGIES)}")
    _check_sizes(sizes, capacity)
    order = list(range(len(sizes)))
    if strategy.endswith("decreasing"):
        order.sort(key=lambda i: -sizes[i])
    bins: list[list[int]] = []
    loads: list[float] = []
    eps = 1e-9 * capacity
    for i in order:
        fits = [j for j, load in enumerate(loads) if load + sizes[i] <= capacity + eps]
        if not fits:
            bins.append([i])
            loads.append(sizes[i])
            continue
        j = fits[0] if strategy.startswith("first") else max(fits, key=lambda b: (loads[b], -b))
        bins[j].append(i)
        loads[j] += sizes[i]
    return Packing(tuple(tuple(b) for b in bins), tuple(loads), float(capacity))


def lower_bound(sizes: Sequence[float], capacity: float) -> int:
    """No packing can use fewer than ``ceil(sum(sizes) / capacity)`` bins.

    Examples
    --------
    >>> lower_bound([0.5] * 5, 1)
    3
    """
    _check_sizes(sizes, capacity)
    return math.ceil(sum(sizes) / capacity - 1e-9)


@dataclass(frozen=True)
class Rack:
    """A rack in one Availability Zone: ``hosts`` hosts that share its network and power."""

    zone: str
    hosts: int


def _racks(n_racks: int, hosts_per_rack: int) -> None:
    for name, value in (("n_racks", n_racks), ("hosts_per_rack", hosts_per_rack)):
        check_int(name, value, low=1)


def place_group(n_instances: int, strategy: str, *, n_racks: int = 10, hosts_per_rack: int = 4,
                partitions: int = 3, rack: int = 0) -> tuple[Slot, ...]:
    """Where each of ``n_instances`` instances of one placement group runs, in one Availability Zone.

    Returns ``(rack, host)`` per instance. ``cluster`` fills the hosts of one
    rack (``rack``) in turn; ``spread`` gives every instance its own rack;
    ``partition`` gives each of ``partitions`` partitions its own racks and
    deals the instances out over the partitions like cards; inside a
    partition they fill the hosts of one rack before the next.

    Examples
    --------
    >>> place_group(4, "cluster", hosts_per_rack=2)
    ((0, 0), (0, 1), (0, 0), (0, 1))
    >>> place_group(3, "spread")
    ((0, 0), (1, 0), (2, 0))
    >>> place_group(8, "spread")
    Traceback (most recent call last):
    ...
    ValueError: a spread placement group runs at most 7 instances per Availability Zone, not 8
    """
    _racks(n_racks, hosts_per_rack)
    check_int("n_instances", n_instances, low=1)
    check_int("rack", rack, low=0)  # the upper bounds depend on the strategy: below
    check_int("partitions", partitions, low=1)
    if strategy == "cluster":
        check_int("rack", rack, low=0, high=n_racks - 1)
        return tuple((rack, i % hosts_per_rack) for i in range(n_instances))
    if strategy == "spread":
        if n_instances > MAX_SPREAD_PER_AZ:
            raise ValueError(f"a spread placement group runs at most {MAX_SPREAD_PER_AZ} instances per "
                             f"Availability Zone, not {n_instances}")
        if n_instances > n_racks:
            raise ValueError(f"spread needs {n_instances} distinct racks but the zone has n_racks={n_racks}")
        return tuple((i, 0) for i in range(n_instances))
    if strategy == "partition":
        # at most MAX_PARTITIONS_PER_AZ per Availability Zone, and no more than n_racks
        check_int("partitions", partitions, low=1, high=min(MAX_PARTITIONS_PER_AZ, n_racks))
        racks_of = [list(range(p, n_racks, partitions)) for p in range(partitions)]
        slots, used = [], [0] * partitions
        for i in range(n_instances):
            p = i % partitions
            k, used[p] = used[p], used[p] + 1
            racks = racks_of[p]
            slots.append((racks[(k // hosts_per_rack) % len(racks)], k % hosts_per_rack))
        return tuple(slots)
    raise ValueError(f"unknown placement strategy {strategy!r}; choose one of {', '.join(PLACEMENT_STRATEGIES)}")


def blast_radius(slots: Sequence[Slot]) -> dict[str, int]:
    """The most instances of the group that one rack failure, or one host failure, takes down.

    Examples
    --------
    >>> blast_radius(place_group(6, "partition", partitions=3))
    {'rack': 2, 'host': 1}
    """
    per_rack = [sum(1 for r, _ in slots if r == rack) for rack in {r for r, _ in slots}]
    per_host = [slots.count(s) for s in set(slots)]
    return {"rack": max(per_rack), "host": max(per_host)}


def loss_probability(slots: Sequence[Slot], *, p_rack: float, p_host: float) -> float:
    """Exact probability that every instance in ``slots`` is down, racks and hosts failing independently.

    An instance is down when its rack or its host fails. Condition on which
    of the racks in use fail: each rack that stays up still loses its
    replicas only if all their distinct hosts fail.

    Examples
    --------
    >>> round(loss_probability([(0, 0), (1, 0)], p_rack=0.01, p_host=0.02), 8)   # (1 - 0.99 * 0.98) ** 2
    0.00088804
    >>> round(loss_probability([(0, 0), (0, 1)], p_rack=0.01, p_host=0.02), 8)   # 0.01 + 0.99 * 0.02 ** 2
    0.010396
    """
    check_probability("p_rack", p_rack)
    check_probability("p_host", p_host)
    hosts = {rack: len({h for r, h in slots if r == rack}) for rack in {r for r, _ in slots}}
    total = 0.0
    for down in itertools.product((False, True), repeat=len(hosts)):
        p = 1.0
        for (rack, n_hosts), failed in zip(sorted(hosts.items()), down):
            p *= p_rack if failed else (1 - p_rack) * p_host ** n_hosts
        total += p
    return total


@dataclass(frozen=True)
class FailureResult:
    """Monte Carlo over independent rack and host failures, for one placement."""

    trials: int
    lost_all: int  # trials in which every instance was down
    mean_lost: float  # mean number of instances down per trial
    theory: float  # loss_probability(...)

    @property
    def p_lost_all(self) -> float:
        return self.lost_all / self.trials


def run_failures(slots: Sequence[Slot], *, p_rack: float, p_host: float, n_racks: int = 10,
                 hosts_per_rack: int = 4, trials: int = 20_000, seed: Seed = None) -> FailureResult:
    """Draw which racks and hosts fail in each of ``trials`` independent trials; count the damage.

    Examples
    --------
    >>> r = run_failures(place_group(3, "cluster"), p_rack=0.05, p_host=0.05, trials=4000, seed=1)
    >>> round(r.theory, 5), abs(r.p_lost_all - r.theory) < 0.01
    (0.05012, True)
    """
    _racks(n_racks, hosts_per_rack)
    theory = loss_probability(slots, p_rack=p_rack, p_host=p_host)
    check_int("trials", trials, low=1)
    rng = as_rng(seed)
    lost_all, lost = 0, 0
    for _ in range(trials):
        rack_down = [rng.random() < p_rack for _ in range(n_racks)]
        host_down = [[rng.random() < p_host for _ in range(hosts_per_rack)] for _ in range(n_racks)]
        down = sum(1 for r, h in slots if rack_down[r] or host_down[r][h])
        lost += down
        lost_all += down == len(slots)
    return FailureResult(trials, lost_all, lost / trials, theory)
