"""Asynchronous replication between AWS Regions: lag, lost writes, and conflicting writes.

Two branch offices keep copies of the same ledger and post each other their
new entries by courier. Each office writes locally and answers its customer
at once; the courier leaves a little later and takes a while to cross the
ocean. If one office burns down, the entries still waiting for the courier
are gone (the **recovery point**); if both offices amend the same account
before either courier arrives, the two amendments are **concurrent** and
someone must decide what the account says.

Each Region here is a node holding shopping carts (key -> set of items).
A local write adds one item: it reads the local cart, adds the item, and
acknowledges; the new version is shipped to the other Regions after an
exponential queueing delay (mean ``ship_delay_s``) and crosses a link with
its own delay. Every version carries two kinds of metadata, resolved side by
side on the same message stream:

* a timestamp (the Region's clock, possibly skewed) for **last writer wins**,
  which is what DynamoDB global tables in their default multi-Region eventual
  consistency mode use to settle concurrent writes to an item;
* a **version vector** (one counter per Region, compared with
  :func:`labsupport.foundations.clocks.happened_before`), which detects concurrency and
  keeps both versions as siblings whose items a reader merges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from labsupport.seeds import Seed
from labsupport.checks import check_int, check_number
from labsupport.foundations.clocks import concurrent, happened_before
from labsupport.sim import Exponential, Latency, Node, Simulation

__all__ = ["Version", "Shipped", "Region", "ReplicationRun", "run_replication", "lag_cdf", "lag_quantile_s"]


@dataclass(frozen=True)
class Version:
    """One version of one cart: its items, a timestamp and writer (LWW) and a version vector."""

    items: frozenset
    timestamp: float
    writer: str
    vector: tuple[tuple[str, int], ...]

    def vv(self) -> dict[str, int]:
        return dict(self.vector)


class Shipped(NamedTuple):
    """Payload of ``version``: an item written to ``key`` at ``written_s``, with its LWW and version-vector versions."""

    key: int
    item: str
    written_s: float
    lww_version: Version
    vv_version: Version


def _merge_vectors(versions) -> dict[str, int]:
    merged: dict[str, int] = {}
    for version in versions:
        for region, count in version.vector:
            merged[region] = max(merged.get(region, 0), count)
    return merged


class Region(Node):
    """A Region's replica: takes local writes, ships them, applies the other Regions' versions."""

    def __init__(self, name, peers, *, write_rate_per_s, keys, ship_delay_s, clock_skew_s, stop_s):
        super().__init__(name)
        self.peers, self.rate, self.keys = list(peers), write_rate_per_s, keys
        self.ship_delay_s, self.skew_s, self.stop_s = ship_delay_s, clock_skew_s, stop_s
        self.lww: dict[int, Version] = {}
        self.siblings: dict[int, list[Version]] = {}
        self.writes: list[tuple[float, str, int]] = []  # (time, item, key), acknowledged
        self.unshipped: dict[str, Shipped] = {}  # item -> its acknowledged version, waiting to be shipped
        self.applied: list[tuple[str, float, float]] = []  # (item, written_s, applied_s) of remote versions
        self.conflicts = 0  # siblings created: concurrent versions detected
        self.item_times: dict[str, float] = {}
        self.shipped_at: dict[str, float] = {}
        self.vectors: list[tuple[int, dict[str, int]]] = []  # (key, version vector) of each local write

    def start(self):
        rng = self.sim.rng(f"writes:{self.name}")
        n = 0
        while True:
            yield self.sleep(rng.expovariate(self.rate))
            if self.now >= self.stop_s:
                return
            self.write(rng.randrange(self.keys), f"{self.name}:{n}", rng)
            n += 1

    def write(self, key, item, rng):
        current = self.lww.get(key)
        items = (current.items if current else frozenset()) | {item}
        stamp = max(self.now + self.skew_s, (current.timestamp + 1e-6) if current else -math.inf)
        siblings = self.siblings.get(key, [])
        vector = _merge_vectors(siblings)
        vector[self.name] = vector.get(self.name, 0) + 1
        merged = frozenset().union(*(v.items for v in siblings)) | {item}
        self.lww[key] = Version(items, stamp, self.name, ())
        self.siblings[key] = [Version(merged, stamp, self.name, tuple(sorted(vector.items())))]
        self.writes.append((self.now, item, key))
        self.vectors.append((key, vector))
        self.unshipped[item] = Shipped(key, item, self.now, self.lww[key], self.siblings[key][0])
        self.item_times[item] = self.now
        self.set_timer(rng.expovariate(1 / self.ship_delay_s), self._ship, item)

    def _ship(self, item):
        shipped = self.unshipped.pop(item)
        self.shipped_at[item] = self.now
        for peer in self.peers:
            self.send(peer, "version", shipped)

    def on_version(self, msg):
        shipped = msg.payload
        key, lww_version, incoming = shipped.key, shipped.lww_version, shipped.vv_version
        self.applied.append((shipped.item, shipped.written_s, self.now))
        current = self.lww.get(key)
        if current is None or (lww_version.timestamp, lww_version.writer) > (current.timestamp, current.writer):
            self.lww[key] = lww_version
        kept, incoming_vv = [], incoming.vv()
        for sibling in self.siblings.get(key, []):
            sibling_vv = sibling.vv()
            if sibling_vv == incoming_vv or happened_before(incoming_vv, sibling_vv):
                return  # already have it, or something newer
            if not happened_before(sibling_vv, incoming_vv):
                kept.append(sibling)  # concurrent: keep both
        if kept:
            self.conflicts += 1
        self.siblings[key] = kept + [incoming]


@dataclass(frozen=True)
class ReplicationRun:
    """Lags, losses and conflict counts of one run; ``lags_s`` are write-to-apply times at remote Regions."""

    regions: tuple[str, ...]
    writes: int
    lags_s: tuple[float, ...]
    lost_on_failure: tuple[str, ...]  # acknowledged writes of the failed Region that never left it
    recovery_point_s: float  # how far before the failure the oldest lost write was acknowledged (0 if none)
    mean_backlog: float  # time-averaged number of acknowledged, unshipped writes per Region
    write_rate_per_s: float
    concurrent_pairs: int  # pairs of writes to one key in different Regions, neither seeing the other
    siblings_detected: int  # times a replica kept concurrent versions side by side
    lww_lost_items: int  # acknowledged items missing from the converged last-writer-wins carts
    lww_lost_by_region: dict[str, int]  # the same, by the Region that acknowledged the item
    vv_lost_items: int  # acknowledged items missing from the union of the converged siblings
    converged: bool  # every surviving replica ends with the same LWW carts and the same sibling sets


def run_replication(*, regions=("us-east-1", "eu-west-1"), write_rate_per_s: float = 20.0, keys: int = 200,
                    ship_delay_s: float = 0.5, link: Latency | float = Exponential(mean_extra_s=0.01, base_s=0.035),
                    clock_skew_s=None, duration_s: float = 120.0, fail_region: str | None = None,
                    fail_at_s: float | None = None, seed: Seed = None) -> ReplicationRun:
    """Replicate cart writes between Regions; optionally lose one Region at ``fail_at_s``.

    Examples
    --------
    >>> r = run_replication(duration_s=30, seed=1)
    >>> r.converged, r.vv_lost_items, r.concurrent_pairs > 0, r.lww_lost_items > 0
    (True, 0, True, True)
    >>> run_replication(keys=0, seed=0)
    Traceback (most recent call last):
    ...
    ValueError: keys=0 is out of range; choose keys >= 1
    """
    if len(set(regions)) < 2:
        raise ValueError(f"regions={regions!r}; need at least two distinct Regions")
    check_int("keys", keys, low=1)
    for name, value in (("write_rate_per_s", write_rate_per_s), ("ship_delay_s", ship_delay_s),
                        ("duration_s", duration_s)):
        check_number(name, value, low=0, low_open=True)
    if (fail_region is None) != (fail_at_s is None) or (fail_region is not None and fail_region not in regions):
        raise ValueError(f"fail_region={fail_region!r} and fail_at_s={fail_at_s!r}: give both (a Region in "
                         f"{list(regions)}) or neither")
    skews = dict(clock_skew_s or {})
    sim = Simulation(seed=seed, latency=link)
    nodes = {name: sim.add(Region(name, [p for p in regions if p != name], write_rate_per_s=write_rate_per_s,
                                  keys=keys, ship_delay_s=ship_delay_s, clock_skew_s=skews.get(name, 0.0),
                                  stop_s=duration_s)) for name in regions}
    if fail_region is not None:
        sim.crash(fail_region, at=fail_at_s)
    sim.run()  # until every shipped version has arrived
    lost, recovery_point = (), 0.0
    if fail_region is not None:
        failed = nodes[fail_region]
        lost = tuple(sorted(failed.unshipped, key=lambda item: (failed.unshipped[item].written_s, item)))
        if lost:
            recovery_point = fail_at_s - min(shipped.written_s for shipped in failed.unshipped.values())
    horizon = fail_at_s if fail_at_s is not None else duration_s
    backlog = sum(min(node.shipped_at.get(item, math.inf), horizon) - t
                  for node in nodes.values() for item, t in node.item_times.items() if t < horizon)
    survivors = [n for n in regions if n != fail_region]
    reference = nodes[survivors[0]]
    gone = set(lost)
    acked = {item for node in nodes.values() for _, item, _ in node.writes if item not in gone}
    lww_items = {item for v in reference.lww.values() for item in v.items}
    vv_items = {item for versions in reference.siblings.values() for v in versions for item in v.items}
    return ReplicationRun(
        regions=tuple(regions), writes=sum(len(n.writes) for n in nodes.values()),
        lags_s=tuple(applied - written for n in nodes.values() for _, written, applied in n.applied),
        lost_on_failure=lost, recovery_point_s=recovery_point,
        mean_backlog=backlog / (len(regions) * horizon), write_rate_per_s=write_rate_per_s,
        concurrent_pairs=_concurrent_pairs(nodes.values()),
        siblings_detected=sum(n.conflicts for n in nodes.values()),
        lww_lost_items=len(acked - lww_items),
        lww_lost_by_region={n: sum(1 for item in acked - lww_items if item.startswith(n + ":")) for n in regions},
        vv_lost_items=len(acked - vv_items),
        converged=all(nodes[n].lww == reference.lww and _sibling_sets(nodes[n]) == _sibling_sets(reference)
                      for n in survivors))


def _sibling_sets(node) -> dict[int, frozenset]:
    return {key: frozenset(versions) for key, versions in node.siblings.items()}


def _concurrent_pairs(nodes) -> int:
    """Pairs of writes to one key from different Regions whose version vectors are concurrent."""
    by_key: dict[int, list[tuple[str, dict[str, int]]]] = {}
    for node in nodes:
        for key, vector in node.vectors:
            by_key.setdefault(key, []).append((node.name, vector))
    pairs = 0
    for writes in by_key.values():
        for i, (region_a, u) in enumerate(writes):
            pairs += sum(1 for region_b, v in writes[i + 1:] if region_b != region_a and concurrent(u, v))
    return pairs


def lag_cdf(x_s: float, ship_delay_s: float, link: Exponential) -> float:
    """P(lag <= x): exponential queueing (mean ``ship_delay_s``) plus the link's base and exponential delay.

    Examples
    --------
    >>> round(lag_cdf(0.5, 0.5, Exponential(0.01, 0.035)), 4)
    0.5974
    """
    x = check_number("x_s", x_s) - link.base_s
    check_number("ship_delay_s", ship_delay_s, low=0, low_open=True)
    if x <= 0:
        return 0.0
    a, b = 1 / ship_delay_s, 1 / link.mean_extra_s
    if math.isclose(a, b):
        return 1 - math.exp(-a * x) * (1 + a * x)
    return 1 - (b * math.exp(-a * x) - a * math.exp(-b * x)) / (b - a)


def lag_quantile_s(q: float, ship_delay_s: float, link: Exponential) -> float:
    """The ``q`` quantile of the replication lag, by bisection on :func:`lag_cdf`.

    Examples
    --------
    >>> round(lag_quantile_s(0.5, 0.5, Exponential(0.01, 0.035)), 4)
    0.3916
    """
    check_number("q", q, low=0, low_open=True, high=1, high_open=True)
    check_number("ship_delay_s", ship_delay_s, low=0, low_open=True)
    low, high = link.base_s, link.base_s + 50 * (ship_delay_s + link.mean_extra_s)
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (mid, high) if lag_cdf(mid, ship_delay_s, link) < q else (low, mid)
    return (low + high) / 2
