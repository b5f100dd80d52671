"""A database primary with a synchronous standby, readable standbys, or asynchronous read replicas.

A notary who will not hand back a signed contract until a colleague in
another town has filed a copy (synchronous replication) never loses a
contract when the office burns down; a notary who posts copies afterwards
(asynchronous replication) answers faster, but a fire destroys whatever
was still in the post. Amazon RDS offers both kinds, and this module runs
them on :mod:`labsupport.sim`:

- ``"multi_az_instance"``: the primary waits for a **synchronous standby** in
  another zone before it acknowledges a write; the standby serves no reads;
- ``"multi_az_cluster"``: the writer waits for **one of two readable
  standbys** (semisynchronous); the standbys also serve reads;
- ``"single_az"``: no standby.

Any of them may add ``n_replicas`` **read replicas**, updated asynchronously
after the acknowledgement. Every readable node is one FIFO server that
applies changes and serves reads in arrival order (service times exponential,
mean ``apply_s``), and a read sees the changes applied when it arrived; a change's **lag** is the time from the primary shipping
it to the node having applied it. With Poisson traffic each readable node is an M/M/1
queue, so its mean lag is ``L + s / (1 - rho)`` with ``rho = (reads per node
+ writes) * s``. If the primary fails, a node can take over with the changes
it holds: all acknowledged writes for a synchronous standby, and on average
``write rate * (lag - L)`` fewer for an asynchronous replica (Little's law).
In this model a replica holds a change once it has applied it.

References (Amazon RDS User Guide): "Multi-AZ DB instance deployments"
(synchronous standby in another zone, no read traffic); "Failing over a
Multi-AZ DB instance" (typically 60-120 s); "Multi-AZ DB cluster deployments"
(a writer and two readable standbys in three zones, a change commits once at
least one reader acknowledges it; failover typically under 35 s); "Working
with DB instance read replicas" and "Promoting a read replica to be a
standalone DB instance" (asynchronous; promotion takes minutes).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import NamedTuple

import simpy

from labsupport.seeds import Seed
from labsupport.checks import check_int, check_number
from labsupport.sim import Constant, Message, Node, Simulation

__all__ = ["DEPLOYMENTS", "Change", "Rows", "DbNode", "ReplicationResult", "mm1_lag_s", "run_replication"]

DEPLOYMENTS = ("single_az", "multi_az_instance", "multi_az_cluster")


def mm1_lag_s(*, write_rate_per_s: float, reads_per_node_per_s: float, apply_s: float,
              latency_s: float) -> float:
    """Mean lag of a readable node: one network hop plus an M/M/1 sojourn (inf if overloaded).

    Examples
    --------
    >>> round(mm1_lag_s(write_rate_per_s=50, reads_per_node_per_s=100, apply_s=0.004, latency_s=0.001), 4)
    0.011
    """
    for name, value in (("write_rate_per_s", write_rate_per_s), ("reads_per_node_per_s", reads_per_node_per_s),
                        ("apply_s", apply_s), ("latency_s", latency_s)):
        check_number(name, value, low=0)
    rho = (write_rate_per_s + reads_per_node_per_s) * apply_s
    return float("inf") if rho >= 1 else latency_s + apply_s / (1 - rho)


class Change(NamedTuple):
    """Payload of ``replicate`` and ``replicate_async``: change number ``lsn``, committed at ``committed_s``."""

    lsn: int
    committed_s: float


class Rows(NamedTuple):
    """Payload of a ``rows`` answer: the newest change the read saw, and the newest the reader knew of."""

    seen: int
    known: int


class _Read(NamedTuple):
    """A read queued at a replica, with the snapshot (last applied change) it will see."""

    msg: Message
    seen: int


class DbNode(Node):
    """One database instance; ``role`` is "primary", "standby", "reader" (readable standby) or "replica".

    Examples
    --------
    >>> DbNode("db-a", "primary", sync=["db-b"], need=1).need
    1
    """

    def __init__(self, name, role, *, sync=(), need=0, replicas=(), apply_s=0.004, timeout_s=1.0):
        check_int("need", need, low=0)  # synchronous acknowledgements a commit waits for
        check_number("apply_s", apply_s, low=0, low_open=True)
        check_number("timeout_s", timeout_s, low=0, low_open=True)
        super().__init__(name)
        self.role, self.sync, self.need, self.replicas = role, list(sync), need, list(replicas)
        self.apply_s, self.timeout_s = apply_s, timeout_s
        self.lsn = 0  # primary: last committed change; others: last change applied (what reads see)
        self.held = 0  # the last change this node would keep if it took over
        self.lags: list[float] = []
        self.queue = None

    def start(self):
        if self.role in ("reader", "replica"):
            self.queue, rng = simpy.Store(self.env), self.sim.rng(f"service:{self.name}")
            while True:
                job = yield self.queue.get()
                yield self.sleep(rng.expovariate(1 / self.apply_s))
                if isinstance(job, Change):
                    self.lsn = max(self.lsn, job.lsn)
                    self.held = max(self.held, job.lsn) if self.role == "replica" else self.held
                    self.lags.append(self.now - job.committed_s)
                else:  # a read sees the changes applied when it arrived (a snapshot), however long it queued
                    self.reply(job.msg, "rows", Rows(job.seen, job.msg.payload))

    def on_write(self, msg):
        if self.role != "primary":
            self.reply(msg, "read_only")
            return
        self.lsn += 1
        lsn = self.lsn
        if self.sync:
            acks = yield from self.collect(self.multicast(self.sync, "replicate", Change(lsn, self.now)), self.need,
                                           self.timeout_s)
            if len(acks) < self.need:
                self.reply(msg, "timeout")
                return
        for name in self.replicas:
            self.send(name, "replicate_async", Change(lsn, self.now))
        self.reply(msg, "committed", lsn)

    def on_replicate(self, msg):
        """Synchronous copy: durable on receipt, acknowledged at once; a reader applies it later."""
        change = msg.payload
        self.held = max(self.held, change.lsn)
        self.reply(msg, "ack")
        if self.role == "reader":
            self.queue.put(change)
        else:
            self.lsn = max(self.lsn, change.lsn)

    def on_replicate_async(self, msg):
        self.queue.put(msg.payload)

    def on_read(self, msg):
        """``msg.payload`` is the newest change the reader knows was acknowledged; it is echoed back."""
        if self.role in ("reader", "replica"):
            self.queue.put(_Read(msg, self.lsn))
        else:
            self.reply(msg, "not_readable" if self.role == "standby" else "rows", Rows(self.lsn, msg.payload))


class Workload(Node):
    """Poisson writes to the primary and Poisson reads spread round robin over the readable nodes."""

    def __init__(self, name, *, write_rate_per_s, read_rate_per_s, readers, duration_s, every_s, watch):
        super().__init__(name)
        self.write_rate, self.read_rate, self.readers = write_rate_per_s, read_rate_per_s, readers
        self.duration_s, self.every_s, self.watch = duration_s, every_s, watch
        self.write_s: list[float] = []
        self.acked: list[int] = []  # acknowledged change numbers, kept sorted
        self.exposed: dict[str, list[int]] = {n: [] for n in watch}
        self.reads: dict[str, list[bool]] = {n: [] for n in readers}  # True when the read missed a write

    def start(self):
        self.spawn(self._reads())
        self.spawn(self._snapshots())
        rng = self.sim.rng("writes")
        while True:
            yield self.sleep(rng.expovariate(self.write_rate))
            if self.now >= self.duration_s:
                return
            self.spawn(self._write())

    def _write(self):
        t = self.now
        reply = yield from self.wait(self.request("db-a", "write"), 1.0)
        if reply is not None and reply.kind == "committed":
            self.write_s.append(self.now - t)
            bisect.insort(self.acked, reply.payload)

    def _reads(self):
        if not self.read_rate:
            return
        rng, i = self.sim.rng("reads"), 0
        while True:
            yield self.sleep(rng.expovariate(self.read_rate))
            if self.now >= self.duration_s:
                return
            self.send(self.readers[i % len(self.readers)], "read", self.acked[-1] if self.acked else 0)
            i += 1

    def on_rows(self, msg):
        rows = msg.payload
        self.reads[msg.src].append(rows.seen < rows.known)

    def _snapshots(self):
        """Every ``every_s``: how many acknowledged writes each candidate for promotion does not hold."""
        nodes = self.sim.nodes
        while self.now + self.every_s < self.duration_s:
            yield self.sleep(self.every_s)
            if not nodes["db-a"].alive:
                return
            for name in self.watch:
                self.exposed[name].append(self.lacking(nodes[name].held))

    def lacking(self, held: int) -> int:
        """Acknowledged writes newer than change ``held``."""
        return len(self.acked) - bisect.bisect_right(self.acked, held)


@dataclass(frozen=True)
class ReplicationResult:
    """Per-node lag and exposure (acknowledged writes a node does not hold), measured and predicted."""

    deployment: str
    writes_acked: int
    mean_write_s: float
    lag_s: dict  # readable node -> mean measured lag
    lag_theory_s: dict
    exposed: dict  # candidate -> mean number of acknowledged writes it lacks
    exposed_theory: dict
    lost_on_failover: dict  # candidate -> acknowledged writes lost if it had taken over at crash_at_s
    stale_read_fraction: dict  # readable node -> fraction of reads that missed an acknowledged write


def run_replication(deployment: str = "multi_az_instance", *, n_replicas: int = 1, write_rate_per_s: float = 50,
                    read_rate_per_s: float = 100, duration_s: float = 60, apply_s: float = 0.004,
                    latency_s: float = 0.001, crash_at_s: float | None = None,
                    seed: Seed = None) -> ReplicationResult:
    """Run ``deployment`` under Poisson writes and reads; optionally crash the primary at ``crash_at_s``.

    Examples
    --------
    >>> r = run_replication("multi_az_instance", n_replicas=1, duration_s=20, crash_at_s=19, seed=1)
    >>> r.lost_on_failover["db-b"], r.lost_on_failover["db-r1"] >= 0, round(r.mean_write_s, 4)
    (0, True, 0.004)
    """
    if deployment not in DEPLOYMENTS:
        raise ValueError(f"unknown deployment {deployment!r}; choose one of {', '.join(DEPLOYMENTS)}")
    check_int("n_replicas", n_replicas, low=0, high=15)
    for name, value in (("write_rate_per_s", write_rate_per_s), ("duration_s", duration_s),
                        ("apply_s", apply_s), ("latency_s", latency_s)):
        check_number(name, value, low=0, low_open=True)
    check_number("read_rate_per_s", read_rate_per_s, low=0)
    if crash_at_s is not None:
        check_number("crash_at_s", crash_at_s, low=0)
    sync = {"single_az": [], "multi_az_instance": ["db-b"], "multi_az_cluster": ["db-b", "db-c"]}[deployment]
    replicas = [f"db-r{i + 1}" for i in range(n_replicas)]
    readers = (sync if deployment == "multi_az_cluster" else []) + replicas
    if read_rate_per_s and not readers:
        raise ValueError("no readable node: a Multi-AZ DB instance standby serves no reads; "
                         "add n_replicas >= 1 or use deployment='multi_az_cluster'")
    sim = Simulation(seed=seed, latency=Constant(latency_s))
    sim.add(DbNode("db-a", "primary", sync=sync, need=1 if sync else 0, replicas=replicas, apply_s=apply_s))
    for name in sync:
        sim.add(DbNode(name, "reader" if deployment == "multi_az_cluster" else "standby", apply_s=apply_s))
    for name in replicas:
        sim.add(DbNode(name, "replica", apply_s=apply_s))
    watch = sync + replicas
    load = sim.add(Workload("app", write_rate_per_s=write_rate_per_s, read_rate_per_s=read_rate_per_s,
                            readers=readers, duration_s=duration_s, every_s=0.02, watch=watch))
    lost = {}
    if crash_at_s is not None:
        sim.crash("db-a", at=crash_at_s)
        sim.at(crash_at_s, lambda: lost.update({n: load.lacking(sim.nodes[n].held) for n in watch}))
    sim.run(until=duration_s + 1.0)
    per_node = read_rate_per_s / len(readers) if readers else 0.0
    theory = mm1_lag_s(write_rate_per_s=write_rate_per_s, reads_per_node_per_s=per_node, apply_s=apply_s,
                       latency_s=latency_s)
    lag = {n: sum(sim.nodes[n].lags) / max(1, len(sim.nodes[n].lags)) for n in readers}
    exposed = {n: sum(load.exposed[n]) / max(1, len(load.exposed[n])) for n in watch}
    exposed_theory = {n: 0.0 if n in sync else write_rate_per_s * (theory - latency_s) for n in watch}
    stale = {n: sum(load.reads[n]) / max(1, len(load.reads[n])) for n in readers}
    return ReplicationResult(deployment, len(load.acked), sum(load.write_s) / max(1, len(load.write_s)), lag,
                             {n: theory for n in readers}, exposed, exposed_theory, lost, stale)
