"""Seeded runs of the Dynamo-style store that the Quorums chapter and its tests read.

Each ``run_<scenario>`` builds a small cluster on the simulation kernel,
runs a scripted workload, and returns a frozen record of what happened:
the client history (for checkers), the trace (for space-time diagrams) and
the replicas' final contents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from labsupport.seeds import Seed, derive_rng
from labsupport.checks import check_int, check_number
from labsupport.data.hashing import HashRing
from labsupport.sim import Constant, Exponential, History, Simulation, TraceEvent
from labsupport.data.quorum.config import check_quorum
from labsupport.data.quorum.coordinator import Op, OpRecord, QuorumClient
from labsupport.data.quorum.merkle import expected_hashes_exchanged
from labsupport.data.quorum.replica import StorageNode, SyncStats
from labsupport.data.quorum.versions import Clock, Version

__all__ = ["add_replicas", "preload", "QuorumRun", "run_register", "run_new_old_inversion", "run_sloppy_quorum",
           "run_siblings", "run_read_repair", "AntiEntropyResult", "run_anti_entropy", "StalenessRun", "run_staleness"]


@dataclass(frozen=True)
class QuorumRun:
    """The record of one run: history, trace, replica contents, and what the clients did."""

    n: int
    r: int
    w: int
    nodes: tuple[str, ...]  # clients and replicas, in drawing order
    history: History
    trace: tuple[TraceEvent, ...]
    stores: dict[str, dict[str, tuple[Version, ...]]]
    hints: dict[str, dict[str, dict[str, tuple[Version, ...]]]]
    records: tuple[tuple[str, OpRecord], ...]  # (client, record)
    repairs: tuple[tuple[float, str, str], ...]  # (time, replica, key)
    handoffs: tuple[tuple[float, str, str, int], ...]  # (time, from, to, keys)

    @classmethod
    def from_simulation(cls, sim: Simulation, nodes: Sequence[str]) -> "QuorumRun":
        """The record of a finished run of ``sim``; ``nodes`` are the lines of its diagram, top to bottom.

        N, R and W are the clients' (they must agree).

        Examples
        --------
        >>> sim = Simulation(seed=0)
        >>> ring = add_replicas(sim, ["r1", "r2", "r3"])
        >>> _ = sim.add(QuorumClient("c", ring, n=3, r=2, w=2, script=[Op(0.0, "put", "x", "v1")]))
        >>> sim.run()
        >>> run = QuorumRun.from_simulation(sim, ["c", "r1", "r2", "r3"])
        >>> (run.n, run.r, run.w), [op.result for op in run.history]
        ((3, 2, 2), ['ok'])
        """
        storage = [x for x in sim.nodes.values() if isinstance(x, StorageNode)]
        clients = [x for x in sim.nodes.values() if isinstance(x, QuorumClient)]
        sizes = {(c.n, c.r, c.w) for c in clients}
        if len(sizes) != 1:
            raise ValueError(f"the clients' (N, R, W) are {sorted(sizes)}; a run needs exactly one")
        (n, r, w), = sizes
        return cls(
            n, r, w, tuple(nodes), sim.history, tuple(sim.trace),
            {s.name: dict(sorted(s.store.items())) for s in storage},
            {s.name: {i: dict(h) for i, h in sorted(s.hints.items())} for s in storage},
            tuple((c.name, rec) for c in clients for rec in c.records),
            tuple(sorted(rep for c in clients for rep in c.repairs)),
            tuple(sorted((t, s.name, to, k) for s in storage for t, to, k in s.handoffs)))


def add_replicas(sim: Simulation, names: Sequence[str], **node_kwargs) -> HashRing:
    """Add a :class:`StorageNode` for each name to ``sim``, on one ring (8 virtual nodes each); return the ring.

    ``node_kwargs`` go to every node (``timeout_s``, ``handoff_interval_s``, ...).

    Examples
    --------
    >>> sim = Simulation(seed=0)
    >>> ring = add_replicas(sim, ["r1", "r2", "r3"])
    >>> sorted(sim.nodes), ring.preference_list("x", 3)
    (['r1', 'r2', 'r3'], ['r2', 'r1', 'r3'])
    """
    ring = HashRing(names, vnodes=8)
    for name in names:
        sim.add(StorageNode(name, ring=ring, **node_kwargs))
    return ring


def preload(sim: Simulation, key: str, value, *, writer: str = "writer") -> Clock:
    """Every storage node in ``sim`` holds ``key = value``, as if ``writer`` had written it once; return its clock.

    Give the clock to the writer's client (``QuorumClient(..., seen={key: clock})``)
    so that its next write supersedes this one.

    Examples
    --------
    >>> sim = Simulation(seed=0)
    >>> ring = add_replicas(sim, ["r1", "r2"])
    >>> preload(sim, "x", "old"), sim.nodes["r2"].store["x"][0].value
    ((('writer', 1),), 'old')
    """
    version = Version(((writer, 1),), value)
    for node in sim.nodes.values():
        if isinstance(node, StorageNode):
            node.store[key] = (version,)
    return version.clock




def run_register(n: int = 3, r: int = 2, w: int = 2, *, write_back: bool = False, writes: int = 4,
                 readers: int = 2, reads: int = 4, mean_delay_s: float = 0.002, seed: Seed = None) -> QuorumRun:
    """One writer writes 1, 2, ..., ``writes`` to key ``x`` while ``readers`` clients read it.

    Operations start at random times (seeded); one-way delays are exponential
    with mean ``mean_delay_s``. No failures. The history is ready for
    :func:`~labsupport.data.linearizability.check_linearizable` with ``initial=None``.

    Examples
    --------
    >>> run = run_register(seed=1)
    >>> [op.kind for op in run.history][:3], len(run.history)
    (['read', 'read', 'write'], 12)
    """
    check_quorum(n, r, w)
    check_int("writes", writes, low=1)
    check_int("readers", readers, low=0)
    check_int("reads", reads, low=0)
    check_number("mean_delay_s", mean_delay_s, low=0, low_open=True)
    sim = Simulation(seed=seed, latency=Exponential(mean_delay_s))
    replicas = [f"r{i + 1}" for i in range(n)]
    ring = add_replicas(sim, replicas)
    rng = sim.rng("schedule")
    span = 4 * mean_delay_s * writes
    times = sorted(rng.uniform(0, span) for _ in range(writes))
    sim.add(QuorumClient("writer", ring, n=n, r=r, w=w, write_back=write_back, timeout_s=1.0,
                         script=[Op(t, "put", "x", v) for v, t in enumerate(times, 1)]))
    for i in range(readers):
        times = sorted(rng.uniform(0, span) for _ in range(reads))
        sim.add(QuorumClient(f"reader{i + 1}", ring, n=n, r=r, w=w, write_back=write_back, timeout_s=1.0,
                             script=[Op(t, "get", "x") for t in times]))
    sim.run()
    clients = ["writer"] + [f"reader{i + 1}" for i in range(readers)]
    return QuorumRun.from_simulation(sim, clients + replicas)


def run_new_old_inversion(write_back: bool = False, *, seed: Seed = None) -> QuorumRun:
    """The smallest history where R + W > N is not linearizable, and the ABD read that fixes it.

    N = 3, R = W = 2; every replica holds ``x = "old"``. The writer reaches r1
    at once but r2 and r3 only after 30 ms; reader A reaches r1 and r2 fast,
    reader B reaches r2 and r3 fast. A reads at 2 ms and sees "new" on r1;
    B reads at 10 ms, after A has returned, and its quorum {r2, r3} has only
    "old". With ``write_back=True`` A first writes "new" back to r1 and r2,
    so B's quorum meets it. Constant delays make the run exact.

    Examples
    --------
    >>> [(op.client, op.result) for op in run_new_old_inversion(seed=0).history]
    [('writer', 'ok'), ('reader_a', 'new'), ('reader_b', 'old')]
    >>> [(op.client, op.result) for op in run_new_old_inversion(write_back=True, seed=0).history]
    [('writer', 'ok'), ('reader_a', 'new'), ('reader_b', 'new')]
    """
    fast_s, slow_s = 0.001, 0.03
    sim = Simulation(seed=seed, latency=Constant(fast_s))
    replicas = ["r1", "r2", "r3"]
    ring = add_replicas(sim, replicas)
    old = preload(sim, "x", "old", writer="writer")
    clients = {"writer": [Op(0.0, "put", "x", "new")], "reader_a": [Op(0.002, "get", "x")],
               "reader_b": [Op(0.010, "get", "x")]}
    for name, script in clients.items():
        sim.add(QuorumClient(name, ring, n=3, r=2, w=2, write_back=write_back, timeout_s=0.1,
                             script=script, seen={"x": old}))
    for client, replica, delay in [("writer", "r2", slow_s), ("writer", "r3", slow_s),
                                   ("reader_a", "r3", slow_s + 0.01), ("reader_b", "r1", slow_s + 0.01)]:
        sim.network.configure(client, replica, latency=Constant(delay))
    sim.run()
    return QuorumRun.from_simulation(sim, ["writer", "reader_a", "r1", "r2", "r3", "reader_b"])


def run_sloppy_quorum(sloppy: bool = True, *, seed: Seed = None) -> QuorumRun:
    """Two of a key's three home replicas are cut off for 0.4 s while a client keeps writing.

    Five nodes; N = 3, R = W = 2. From 0.1 s to 0.5 s the client and the
    first home replica are separated from the other two. With a sloppy
    quorum the writes go to the next healthy nodes with hints, and those
    hand the versions over after the partition heals (every 0.1 s they try).

    Examples
    --------
    >>> [rec.result for _, rec in run_sloppy_quorum(True, seed=0).records]
    ['ok', 'ok', 'ok', 'book,pen,ink', 'book,pen,ink']
    >>> [rec.result for _, rec in run_sloppy_quorum(False, seed=0).records]
    ['ok', 'unavailable', 'unavailable', 'unavailable', 'book,pen,ink']
    """
    sim = Simulation(seed=seed, latency=Constant(0.002))
    names = [f"s{i + 1}" for i in range(5)]
    ring = add_replicas(sim, names, handoff_interval_s=0.1, timeout_s=0.05)
    prefs = ring.preference_list("cart", 5)
    script = [Op(0.02, "put", "cart", "book"), Op(0.15, "put", "cart", "book,pen"),
              Op(0.25, "put", "cart", "book,pen,ink"), Op(0.35, "get", "cart"), Op(0.8, "get", "cart")]
    sim.add(QuorumClient("client", ring, n=3, r=2, w=2, sloppy=sloppy, read_repair=False, timeout_s=0.05,
                         script=script))
    sim.partition({"client", prefs[0], prefs[3], prefs[4]}, set(prefs[1:3]), at=0.1)
    sim.heal(at=0.5)
    sim.run(until=1.0)
    return QuorumRun.from_simulation(sim, ["client"] + prefs)


def run_siblings(*, seed: Seed = None) -> QuorumRun:
    """Alice and Bob write the same cart at the same moment; Carol reads two siblings and merges them.

    Examples
    --------
    >>> [(client, rec.result) for client, rec in run_siblings(seed=0).records]
    [('alice', 'ok'), ('bob', 'ok'), ('carol', ('eggs', 'milk')), ('carol', 'ok'), ('carol', 'eggs+milk')]
    """
    sim = Simulation(seed=seed, latency=Constant(0.001))
    replicas = ["r1", "r2", "r3"]
    ring = add_replicas(sim, replicas)
    scripts = {"alice": [Op(0.0, "put", "cart", "milk")], "bob": [Op(0.0, "put", "cart", "eggs")],
               "carol": [Op(0.02, "get", "cart"), Op(0.03, "put", "cart", "eggs+milk"), Op(0.06, "get", "cart")]}
    for name, script in scripts.items():
        sim.add(QuorumClient(name, ring, n=3, r=2, w=2, script=script, timeout_s=0.05))
    sim.run()
    return QuorumRun.from_simulation(sim, ["alice", "bob", "r1", "r2", "r3", "carol"])


def run_read_repair(read_repair: bool = True, *, seed: Seed = None) -> QuorumRun:
    """r3 is down while "v2" is written; after it recovers, a read finds it stale and repairs it.

    Examples
    --------
    >>> run = run_read_repair(seed=0)
    >>> [(round(t, 3), node, key) for t, node, key in run.repairs], run.stores["r3"]["x"][0].value
    ([(0.102, 'r3', 'x')], 'v2')
    >>> run_read_repair(read_repair=False, seed=0).stores["r3"]["x"][0].value
    'v1'
    """
    sim = Simulation(seed=seed, latency=Constant(0.001))
    replicas = ["r1", "r2", "r3"]
    ring = add_replicas(sim, replicas)
    sim.add(QuorumClient("writer", ring, n=3, r=2, w=2, timeout_s=0.05, read_repair=read_repair,
                         script=[Op(0.0, "put", "x", "v1"), Op(0.01, "put", "x", "v2")]))
    sim.add(QuorumClient("reader", ring, n=3, r=2, w=2, timeout_s=0.05, read_repair=read_repair,
                         script=[Op(0.05, "get", "x")]))
    sim.crash("r3", at=0.005)
    sim.recover("r3", at=0.03)
    sim.run()
    return QuorumRun.from_simulation(sim, ["writer", "r1", "r2", "r3", "reader"])


@dataclass(frozen=True)
class AntiEntropyResult:
    """One Merkle-tree exchange between two replicas that disagree on a few keys."""

    keys: int
    divergent: int
    depth: int
    stats: SyncStats
    theory_hashes: float  # expected hashes exchanged for randomly placed divergent keys
    converged: bool
    messages: int
    trace: tuple[TraceEvent, ...]


def run_anti_entropy(keys: int = 200, divergent: int = 4, *, depth: int = 5, seed: Seed = None) -> AntiEntropyResult:
    """Replica b missed the last write to ``divergent`` of ``keys`` keys; a compares trees with b.

    Examples
    --------
    >>> res = run_anti_entropy(seed=1)
    >>> res.converged, res.stats.keys_received + res.stats.keys_sent < res.keys, res.stats.hashes_exchanged
    (True, True, 29)
    """
    check_int("divergent", divergent, low=0, high=check_int("keys", keys, low=0))
    sim = Simulation(seed=seed, latency=Constant(0.001))
    a = sim.add(StorageNode("a", tree_depth=depth))
    b = sim.add(StorageNode("b", tree_depth=depth))
    names = [f"item{i}" for i in range(keys)]
    stale = set(sim.rng("divergent").sample(names, divergent))
    for i, key in enumerate(names):
        a.store[key] = (Version((("w", 2 if key in stale else 1),), i),)
        b.store[key] = (Version((("w", 1),), i),)
    sim.at(0.0, a.spawn, a.anti_entropy("b"))
    sim.run()
    return AntiEntropyResult(keys, divergent, depth, a.syncs[0], expected_hashes_exchanged(depth, divergent),
                             a.store == b.store, sum(e.event == "send" for e in sim.trace), tuple(sim.trace))


BATCH = 50  # trials per simulation


@dataclass(frozen=True)
class StalenessRun:
    """Kernel measurement of t-visibility and quorum latencies (compare with :func:`simulate_wars`)."""

    n: int
    r: int
    w: int
    t_s: float
    trials: int
    p_consistent: float
    read_latency_s: float
    write_latency_s: float


class _Prober(QuorumClient):
    def __init__(self, *args, trials: int, t_s: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.trials, self.t_s, self.fresh = trials, t_s, 0

    def start(self):
        for i in range(self.trials):
            yield from self.put(f"k{i}", i)
            if self.t_s:
                yield self.sleep(self.t_s)
            self.fresh += (yield from self.get(f"k{i}")) == i


def run_staleness(n: int = 3, r: int = 1, w: int = 1, *, t_s: float = 0.0, trials: int = 500,
                  request_mean_s: float = 0.001, reply_mean_s: float = 0.001, seed: Seed = None) -> StalenessRun:
    """Write a fresh key, wait ``t_s`` after the write returns, read it: how often is the read fresh?

    Requests take exponential delays of mean ``request_mean_s``, replies of
    mean ``reply_mean_s`` (0 means instant), each message independently: the
    WARS model of :func:`~labsupport.data.quorum.staleness.simulate_wars` with
    write = read request and ack = response delays. No read repair.

    Examples
    --------
    >>> run = run_staleness(3, 1, 1, t_s=0.0, trials=300, seed=1)
    >>> 0.5 < run.p_consistent < 0.9
    True
    """
    check_quorum(n, r, w)
    check_number("t_s", t_s, low=0)
    check_number("request_mean_s", request_mean_s, low=0, low_open=True)
    check_number("reply_mean_s", reply_mean_s, low=0)
    check_int("trials", trials, low=1)
    fresh, reads, writes = 0, [], []
    for batch, start in enumerate(range(0, trials, BATCH)):  # short histories: History.invoke scans them
        sim = Simulation(seed=derive_rng(seed, f"staleness batch {batch}").getrandbits(32))
        replicas = [f"r{i + 1}" for i in range(n)]
        ring = add_replicas(sim, replicas)
        probe = sim.add(_Prober("client", ring, n=n, r=r, w=w, read_repair=False, timeout_s=1.0,
                                trials=min(BATCH, trials - start), t_s=t_s))
        for replica in replicas:
            sim.network.configure("client", replica, both_ways=False, latency=Exponential(request_mean_s))
            sim.network.configure(replica, "client", both_ways=False,
                                  latency=Exponential(reply_mean_s) if reply_mean_s else Constant(0.0))
        sim.run()
        fresh += probe.fresh
        reads += [op.complete_s - op.invoke_s for op in sim.history if op.kind == "read"]
        writes += [op.complete_s - op.invoke_s for op in sim.history if op.kind == "write"]
    return StalenessRun(n, r, w, t_s, trials, fresh / trials, sum(reads) / trials, sum(writes) / trials)
