"""An object store in three Availability Zones: data on storage nodes, a metadata index, and its caches.

A library keeps its books in three buildings (the storage nodes, one copy
in each zone) and a card catalogue saying which edition is current (the
metadata index). Readers consult photocopies of the catalogue kept in each
building (caches), which are brought up to date by a courier. A reader who
arrives before the courier is told about an old edition: a **stale read**.

S3 was eventually consistent in this sense for overwrites, deletes and lists
until December 2020; since then reads and lists see every acknowledged write.
AWS has published the outline of how (W. Vogels, "Diving Deep on S3
Consistency", All Things Distributed, 2021): a cache in front of the
persistence tier serves metadata, and a new **witness** component that
learns of every write lets the read path tell whether a cached entry may be
stale, in which case it is refreshed. The nodes below follow that outline;
their protocol, latencies and sizes are our own model, not S3's code.

Two modes, run on :mod:`labsupport.sim`:

- ``"eventual"``: a read is answered from the cache in the reader's zone,
  which the index updates after a random delay (exponential, mean
  ``propagation_mean_s``);
- ``"consistent"``: writes also tell the witness, and a read asks its cache
  and the witness in parallel, re-reading the index if the cache is behind.

References (Amazon S3 User Guide): "Amazon S3 data consistency model" (strong
read-after-write for PUT/DELETE, list consistency; no object locking for
concurrent writers, the latest timestamp wins) and "How to prevent object
overwrites with conditional writes" (``If-None-Match``, ``If-Match``; a
failed precondition is HTTP 412). "Data protection in Amazon S3" (objects
stored on multiple devices across at least three Availability Zones).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from labsupport.seeds import Seed
from labsupport.checks import check_int, check_number
from labsupport.stable_hash import stable_hash64
from labsupport.sim import Constant, Node, Simulation, TraceEvent

__all__ = ["MODES", "ZONES", "ObjectVersion", "replica_nodes", "stale_read_probability", "PreconditionFailed", "Bucket",
           "ConsistencyResult", "run_read_after_write"]

MODES = ("eventual", "consistent")
ZONES = ("a", "b", "c")
WRITE_KINDS = {"put", "store", "stored", "index_put", "index_ok", "witness_put", "witness_ok", "put_ok"}
READ_KINDS = {"get", "lookup", "meta", "witness_get", "index_get", "fetch", "data", "get_ok"}


def replica_nodes(key: str, nodes_per_zone: int = 2, zones=ZONES) -> list[str]:
    """The storage node in each zone that holds ``key``: the highest rendezvous hash in that zone.

    Examples
    --------
    >>> replica_nodes("photos/cat.jpg")
    ['disk-a1', 'disk-b0', 'disk-c1']
    """
    check_int("nodes_per_zone", nodes_per_zone, low=1)
    return [max((f"disk-{z}{i}" for i in range(nodes_per_zone)), key=lambda n: stable_hash64(f"{key}|{n}"))
            for z in zones]


def stale_read_probability(latency_s: float, propagation_mean_s: float, read_gap_max_s: float) -> float:
    """Chance that the eventual model's read-after-write is stale, in closed form.

    The cache update reaches the reader's cache ``D + 5L`` after the write
    starts (``D`` exponential with mean ``mu``); the read's lookup arrives
    ``8L + g`` after it (``g`` uniform on ``[0, G]``). The read is stale when
    ``D > 3L + g``: probability ``exp(-3L/mu) * (mu/G) * (1 - exp(-G/mu))``.

    Examples
    --------
    >>> round(stale_read_probability(0.001, 0.01, 0.02), 4)
    0.3203
    """
    check_number("latency_s", latency_s, low=0)
    check_number("propagation_mean_s", propagation_mean_s, low=0, low_open=True)
    check_number("read_gap_max_s", read_gap_max_s, low=0)
    mu, gap = propagation_mean_s, read_gap_max_s
    spread = 1.0 if gap == 0 else mu / gap * (1 - math.exp(-gap / mu))
    return math.exp(-3 * latency_s / mu) * spread


class PreconditionFailed(Exception):
    """A conditional write whose condition did not hold (S3 answers HTTP 412)."""

    status_code = 412


@dataclass
class Bucket:
    """A strongly consistent key -> (ETag, value) map with S3's conditional writes.

    Examples
    --------
    >>> b = Bucket()
    >>> tag = b.put("k", "v1", if_none_match=True)
    >>> b.put("k", "v2", if_none_match=True)
    Traceback (most recent call last):
    ...
    labsupport.services.s3.PreconditionFailed: If-None-Match: * failed, 'k' exists
    >>> b.put("k", "v2", if_match=tag), b.get("k")
    ('"2"', ('"2"', 'v2'))
    """

    objects: dict = field(default_factory=dict)
    writes: int = 0

    def __post_init__(self):
        check_int("writes", self.writes, low=0)  # the ETag counter

    def get(self, key: str):
        """``(etag, value)``, or KeyError if the key does not exist."""
        return self.objects[key]

    def put(self, key: str, value, *, if_none_match: bool = False, if_match: str | None = None) -> str:
        """Store ``value`` and return its new ETag. Without conditions the last writer wins."""
        if if_none_match and key in self.objects:
            raise PreconditionFailed(f"If-None-Match: * failed, {key!r} exists")
        if if_match is not None and self.objects.get(key, (None,))[0] != if_match:
            raise PreconditionFailed(f"If-Match: {if_match} failed for {key!r}")
        self.writes += 1
        etag = f'"{self.writes}"'
        self.objects[key] = (etag, value)
        return etag


class ObjectVersion(NamedTuple):
    """One version of one object: the payload of ``put``, ``store``, ``fetch``, ``index_put``,
    ``witness_put`` and ``cache_update``."""

    key: str
    version: int


class StorageNode(Node):
    def __init__(self, name):
        super().__init__(name)
        self.data: dict[ObjectVersion, str] = {}

    def on_store(self, msg):
        obj = msg.payload
        self.data[obj] = f"bytes of {obj.key} v{obj.version}"
        self.reply(msg, "stored")

    def on_fetch(self, msg):
        wanted = msg.payload
        self.reply(msg, "data", wanted.version if wanted in self.data else None)


class Index(Node):
    """The persistence tier: authoritative ``key -> version``; pushes updates to the caches later."""

    def __init__(self, name, caches, propagation_mean_s):
        super().__init__(name)
        self.meta, self.caches, self.mean, self.rng = {}, caches, propagation_mean_s, None

    def on_index_put(self, msg):
        obj = msg.payload
        self.meta[obj.key] = max(obj.version, self.meta.get(obj.key, 0))
        self.reply(msg, "index_ok")
        self.rng = self.rng or self.sim.rng("propagation")
        for cache in self.caches:
            self.set_timer(self.rng.expovariate(1 / self.mean), self.send, cache, "cache_update", msg.payload)

    def on_index_get(self, msg):
        self.reply(msg, "meta", self.meta.get(msg.payload, 0))


class Cache(Node):
    """A zone's copy of the metadata, updated by the index after a delay."""

    def __init__(self, name):
        super().__init__(name)
        self.meta: dict = {}

    def on_cache_update(self, msg):
        obj = msg.payload
        self.meta[obj.key] = max(obj.version, self.meta.get(obj.key, 0))

    def on_lookup(self, msg):
        self.reply(msg, "meta", self.meta.get(msg.payload, 0))


class Witness(Cache):
    """Learns of every write before it is acknowledged; answers "what is the latest version?"."""

    def on_witness_put(self, msg):
        self.on_cache_update(msg)
        self.reply(msg, "witness_ok")

    on_witness_get = Cache.on_lookup


class FrontEnd(Node):
    """Takes client requests in one zone; writes to every replica, then the index (and the witness)."""

    def __init__(self, name, zone, mode, nodes_per_zone, timeout_s):
        super().__init__(name)
        self.zone, self.mode, self.per_zone, self.timeout_s = zone, mode, nodes_per_zone, timeout_s

    def on_put(self, msg):
        yield from self.collect(self.multicast(replica_nodes(msg.payload.key, self.per_zone), "store", msg.payload),
                                len(ZONES), self.timeout_s)
        meta = [self.request("index", "index_put", msg.payload)]
        if self.mode == "consistent":
            meta.append(self.request("witness", "witness_put", msg.payload))
        yield from self.collect(meta, len(meta), self.timeout_s)
        self.reply(msg, "put_ok")

    def on_get(self, msg):
        key = msg.payload
        asks = [self.request(f"cache-{self.zone}", "lookup", key)]
        if self.mode == "consistent":
            asks.append(self.request("witness", "witness_get", key))
        answers = {a.src: a.payload for a in (yield from self.collect(asks, len(asks), self.timeout_s))}
        cached, latest = answers[f"cache-{self.zone}"], max(answers.values())
        if cached < latest:  # the witness knows of a newer write: refresh from the index
            cached = (yield from self.wait(self.request("index", "index_get", key), self.timeout_s)).payload
        node = [n for n in replica_nodes(key, self.per_zone) if n[5] == self.zone][0]
        data = yield from self.wait(self.request(node, "fetch", ObjectVersion(key, cached)), self.timeout_s)
        self.reply(msg, "get_ok", data.payload if cached else 0)


class Client(Node):
    """Writes version 1, 2, ... of one key through one zone, and after each ack reads it through another."""

    def __init__(self, name, key, n_writes, read_gap_max_s, write_zone, read_zone):
        super().__init__(name)
        self.key, self.n, self.gap = key, n_writes, read_gap_max_s
        self.write_zone, self.read_zone = write_zone, read_zone
        self.write_s, self.read_s = [], []

    def start(self):
        history, rng = self.sim.history, self.sim.rng("read-gaps")
        for version in range(1, self.n + 1):
            op, t = history.invoke("writer", "write", version, at=self.now, key=self.key), self.now
            yield self.request(f"front-{self.write_zone}", "put", ObjectVersion(self.key, version))
            history.complete(op, "ok", at=self.now)
            self.write_s.append(self.now - t)
            yield self.sleep(rng.uniform(0, self.gap))
            op, t = history.invoke("reader", "read", None, at=self.now, key=self.key), self.now
            reply = yield self.request(f"front-{self.read_zone}", "get", self.key)
            history.complete(op, reply.payload, at=self.now)
            self.read_s.append(self.now - t)
            yield self.sleep(0.05)


@dataclass(frozen=True)
class ConsistencyResult:
    """What a read-after-write run measured: stale reads, latencies, messages per operation."""

    mode: str
    reads: int
    stale_reads: int
    theory_stale_fraction: float
    mean_write_s: float
    mean_read_s: float
    messages_per_write: float
    messages_per_read: float
    replicas: tuple[str, ...]
    trace: tuple[TraceEvent, ...] = field(repr=False)

    @property
    def stale_fraction(self) -> float:
        return self.stale_reads / self.reads


def run_read_after_write(mode: str = "eventual", *, n_writes: int = 1000, latency_s: float = 0.001,
                         propagation_mean_s: float = 0.01, read_gap_max_s: float = 0.02,
                         nodes_per_zone: int = 2, key: str = "photos/cat.jpg",
                         seed: Seed = None) -> ConsistencyResult:
    """Write a key ``n_writes`` times through zone a; after each acknowledgement read it through zone b.

    Examples
    --------
    >>> r = run_read_after_write("consistent", n_writes=50, seed=1)
    >>> r.stale_reads, r.replicas
    (0, ('disk-a1', 'disk-b0', 'disk-c1'))
    >>> run_read_after_write("eventual", n_writes=50, seed=1).stale_reads > 0
    True
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    check_int("n_writes", n_writes, low=1)
    stale_read_probability(latency_s, propagation_mean_s, read_gap_max_s)  # validates the times
    check_number("latency_s", latency_s, low=0, low_open=True)
    check_int("nodes_per_zone", nodes_per_zone, low=1)
    sim = Simulation(seed=seed, latency=Constant(latency_s))
    for z in ZONES:
        for i in range(nodes_per_zone):
            sim.add(StorageNode(f"disk-{z}{i}"))
        sim.add(Cache(f"cache-{z}"))
        sim.add(FrontEnd(f"front-{z}", z, mode, nodes_per_zone, timeout_s=1000 * latency_s))
    sim.add(Index("index", [f"cache-{z}" for z in ZONES], propagation_mean_s))
    if mode == "consistent":
        sim.add(Witness("witness"))
    client = sim.add(Client("client", key, n_writes, read_gap_max_s, "a", "b"))
    sim.run()
    reads = [op for op in sim.history if op.kind == "read"]
    stale = sum(op.result < op.op_id // 2 + 1 for op in reads)  # read k follows write k
    sends = Counter(e.kind for e in sim.trace if e.event == "send")
    theory = stale_read_probability(latency_s, propagation_mean_s, read_gap_max_s) if mode == "eventual" else 0.0
    return ConsistencyResult(
        mode, len(reads), stale, theory, sum(client.write_s) / n_writes, sum(client.read_s) / n_writes,
        sum(c for k, c in sends.items() if k in WRITE_KINDS) / n_writes,
        sum(c for k, c in sends.items() if k in READ_KINDS) / n_writes,
        tuple(replica_nodes(key, nodes_per_zone)), tuple(sim.trace))
