"""Failover of a primary database to its standby, and how it goes wrong: split brain.

A night shift hands over to the day shift: the day shift must not start
before the night shift has really left, or two people sign the same orders.
Here a primary database server ``db-a`` serves clients and replicates every
write to a standby ``db-b`` in another Availability Zone, synchronously (the
client's acknowledgement waits for the standby) or asynchronously (shipped in
batches). A ``monitor`` watches the primary's heartbeats with a failure
detector; when it suspects the primary it **promotes** the standby (a new
**epoch**) and points a DNS name at it; clients cache DNS answers for the
record's TTL and reconnect when the answer changes. Recovery time is
detection + (lease wait) + promotion + DNS update + TTL + reconnect.

When the primary is only cut off or paused, not dead, a naive monitor makes
a second primary: **split brain**. Two defences are modelled:

* **leases**: the primary serves only while it holds a lease, renewed with
  each heartbeat and measured on its own (possibly drifting) clock; the
  monitor stops renewing once it suspects, and waits ``lease_s * (1 +
  drift_bound)`` after its last grant before promoting;
* **fencing**: every replicated write carries its epoch and a server's
  storage refuses epochs older than the newest it has seen, answering
  ``fenced``; the stale primary then steps down. Without fencing, a
  promoted server simply stops consuming the old replication stream, so
  the stale primary sees only timeouts and carries on.

The shape follows RDS Multi-AZ DB instance deployments (a synchronous
standby in another zone, failover by a DNS change; AWS documents typical
failover times of 60-120 s and recommends client DNS caching of at most
60 s). Analysis of the resulting client history lives in
:mod:`labsupport.availability.failover.analysis`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

from labsupport.seeds import Seed
from labsupport.checks import check_int, check_number, check_type
from labsupport.availability.failover.analysis import lost_writes, split_brain, worst_outages
from labsupport.availability.failover.config import FailoverConfig, Faults, recovery_budget
from labsupport.sim import Exponential, History, Node, Simulation
from labsupport.sim.trace import TraceEvent

__all__ = ["FailoverConfig", "Faults", "Replicate", "Committed", "DnsAnswer", "DbServer", "FailoverMonitor", "Dns", "DbClient",
           "FailoverResult", "run_failover", "recovery_budget"]


class Replicate(NamedTuple):
    """Payload of ``replicate``: ``values`` written by the primary of ``epoch``."""

    epoch: int
    values: list[str]


class Committed(NamedTuple):
    """Payload of an ``ok`` answer to a write: which server committed it, in which epoch."""

    server: str
    epoch: int


class DnsAnswer(NamedTuple):
    """Payload of an ``answer`` to ``resolve``: where the name points, and for how long a client may cache it."""

    target: str
    ttl_s: float


class DbServer(Node):
    """A database server: primary, standby or demoted; its log is its copy of the data.

    Examples
    --------
    >>> DbServer("db-a", peer="db-b", monitor="monitor", primary=True, config=FailoverConfig()).role
    'primary'
    """

    def __init__(self, name, *, peer, monitor, primary, config, clock_rate=1.0, pauses=()):
        check_type("config", config, FailoverConfig)
        check_number("clock_rate", clock_rate, low=0, low_open=True)  # as Faults.clock_rate
        super().__init__(name)
        self.peer, self.monitor, self.config = peer, monitor, config
        self.role, self.epoch = ("primary" if primary else "standby"), 1
        self.replicate_to = peer if primary else None
        self.clock_rate, self.pauses = clock_rate, tuple(pauses)
        self.entries: list[str] = []
        self.queue: list[str] = []  # acknowledged, not yet shipped (asynchronous replication)
        self.lease_until = config.lease_s if (primary and config.lease_s) else -math.inf  # local clock

    def local_time(self) -> float:
        return self.now * self.clock_rate

    def _stall(self):
        while (end := next((s + d for s, d in self.pauses if s <= self.now < s + d), None)) is not None:
            yield self.sleep(end - self.now)

    def _leased(self) -> bool:
        return self.config.lease_s is None or self.local_time() < self.lease_until

    def start(self):
        self.spawn(self._shipper())
        while True:
            yield from self._stall()
            if self.role == "primary":
                self.spawn(self._beat())
            yield self.sleep(self.config.heartbeat_interval_s)

    def _beat(self):
        sent = self.local_time()
        reply = yield from self.wait(self.request(self.monitor, "heartbeat", self.epoch), self.config.heartbeat_interval_s)
        if reply is not None and reply.kind == "lease" and self.role == "primary":
            self.lease_until = max(self.lease_until, sent + self.config.lease_s)
        elif reply is not None and reply.kind == "demote":
            self._step_down(reply.payload, "demoted by monitor")

    def _step_down(self, epoch, why):
        if self.role == "primary":
            self.log(f"steps down: {why}")
        self.role, self.epoch, self.queue = "demoted", max(self.epoch, epoch), []

    def on_write(self, msg):
        yield from self._stall()
        if self.role != "primary" or not self._leased():
            self.reply(msg, "error", "no lease" if self.role == "primary" else f"{self.role}")
            return
        yield self.sleep(self.config.commit_s)
        yield from self._stall()  # a pause here acts on a lease checked before it
        self.entries.append(msg.payload)
        if self.replicate_to is None or self.config.replication == "async":
            if self.replicate_to is not None:
                self.queue.append(msg.payload)
            self.reply(msg, "ok", Committed(self.name, self.epoch))
            return
        answer = yield from self.wait(self.request(self.replicate_to, "replicate", Replicate(self.epoch, [msg.payload])),
                                      self.config.request_timeout_s)
        if answer is not None and answer.kind == "ack":
            self.reply(msg, "ok", Committed(self.name, self.epoch))
        elif answer is not None and answer.kind == "fenced":
            self._step_down(answer.payload, f"fenced by epoch {answer.payload}")
            self.reply(msg, "error", "fenced")
        else:
            self.reply(msg, "error", "standby did not answer")

    def _shipper(self):
        while True:
            yield self.sleep(self.config.async_batch_s)
            yield from self._stall()
            if self.role != "primary" or not self.queue or self.replicate_to is None:
                continue
            batch, self.queue = self.queue, []
            answer = yield from self.wait(self.request(self.replicate_to, "replicate", Replicate(self.epoch, batch)),
                                          self.config.request_timeout_s)
            if answer is None and self.role == "primary":
                self.queue = batch + self.queue  # try again with the next batch
            elif answer is not None and answer.kind == "fenced":
                self._step_down(answer.payload, f"fenced by epoch {answer.payload}")

    def on_replicate(self, msg):
        shipped = msg.payload
        if self.config.fencing and shipped.epoch < self.epoch:
            self.reply(msg, "fenced", self.epoch)  # the stale primary learns it has been replaced
        elif self.role == "primary":
            pass  # a promoted server no longer consumes a replication stream; the sender just times out
        else:
            self.entries.extend(shipped.values)
            self.reply(msg, "ack")

    def on_promote(self, msg):
        yield from self._stall()
        yield self.sleep(self.config.promotion_s)
        self.role, self.epoch, self.replicate_to = "primary", msg.payload, None
        if self.config.lease_s is not None:
            self.lease_until = self.local_time() + self.config.lease_s
        self.log(f"promoted, epoch {self.epoch}")
        self.reply(msg, "promoted", self.epoch)


class FailoverMonitor(Node):
    """Detects a silent primary, waits out its lease, promotes the standby and updates DNS."""

    def __init__(self, name, *, primary, standby, dns, config):
        super().__init__(name)
        self.primary, self.standby, self.dns, self.config = primary, standby, dns, config
        self.epoch, self.detector, self.arrivals = 1, config.detector(), 0
        self.last_grant_s = 0.0
        self.suspecting = False
        self.failovers: list[dict] = []

    def on_heartbeat(self, msg):
        if msg.src != self.primary:
            self.reply(msg, "demote", self.epoch)
            return
        self.arrivals += 1
        self.detector.heartbeat(self.now)
        if self.config.lease_s is not None and not self.suspecting:
            self.last_grant_s = self.now
            self.reply(msg, "lease")
        else:
            self.reply(msg, "ack")
        self.set_timer(self.detector.deadline_s() - self.now, self._check, self.arrivals)

    def _check(self, arrivals):
        if arrivals == self.arrivals and not self.suspecting:
            self.suspecting = True
            self.log(f"suspects {self.primary}")
            self.spawn(self._failover())

    def _failover(self):
        record = {"suspected_s": self.now}
        self.failovers.append(record)
        if self.config.lease_s is not None:
            wait = self.last_grant_s + self.config.lease_s * (1 + self.config.drift_bound) - self.now
            if wait > 0:
                yield self.sleep(wait)
            if not self.detector.suspects(self.now):  # heartbeats came back while we waited
                record["aborted_s"], self.suspecting = self.now, False
                self.log("failover aborted")
                return
        self.epoch += 1
        record["promote_s"] = self.now
        reply = yield from self.wait(self.request(self.standby, "promote", self.epoch), 10 * self.config.promotion_s + 10)
        if reply is None:
            record["aborted_s"], self.suspecting = self.now, False
            return
        record["promoted_s"] = self.now
        self.primary, self.standby = self.standby, self.primary
        self.detector = self.config.detector()
        self.last_grant_s, self.suspecting = self.now, False
        self.send(self.dns, "update", self.primary)


class Dns(Node):
    """One DNS record: ``resolve`` answers ``(target, ttl_s)``; ``update`` takes effect after a delay."""

    def __init__(self, name, target, *, ttl_s, update_s):
        super().__init__(name)
        self.target, self.ttl_s, self.update_s = target, ttl_s, update_s
        self.changes: list[tuple[float, str]] = []

    def on_resolve(self, msg):
        self.reply(msg, "answer", DnsAnswer(self.target, self.ttl_s))

    def on_update(self, msg):
        self.set_timer(self.update_s, self._apply, msg.payload)

    def _apply(self, target):
        self.target = target
        self.changes.append((self.now, target))
        self.log(f"now points at {target}")


class DbClient(Node):
    """Writes unique values in a loop; caches DNS for its TTL; reconnects when the answer changes."""

    def __init__(self, name, *, dns, config, write_interval_s, stop_s):
        super().__init__(name)
        self.dns, self.config, self.write_interval_s, self.stop_s = dns, config, write_interval_s, stop_s
        self.cached, self.expires, self.connected, self.seq = None, -math.inf, None, 0

    def start(self):
        cfg, history = self.config, self.sim.history
        rng = self.sim.rng(f"phase:{self.name}")
        yield self.sleep(rng.uniform(0, self.write_interval_s))
        first = True
        while self.now < self.stop_s:
            if self.now >= self.expires:
                answer = yield from self.wait(self.request(self.dns, "resolve"), cfg.request_timeout_s)
                if answer is None:
                    continue
                ttl = answer.payload.ttl_s * (rng.random() if first else 1.0)  # clients' caches start at random ages
                self.cached, self.expires, first = answer.payload.target, self.now + ttl, False
            if self.cached != self.connected:
                yield self.sleep(cfg.reconnect_s)
                self.connected = self.cached
            value = f"{self.name}:{self.seq}"
            self.seq += 1
            op = history.invoke(self.name, "write", value, at=self.now)
            reply = yield from self.wait(self.request(self.connected, "write", value), cfg.request_timeout_s)
            if reply is not None and reply.kind == "ok":
                history.complete(op, ("ok",) + tuple(reply.payload), at=self.now)
                yield self.sleep(self.write_interval_s)
            else:
                history.complete(op, "timeout" if reply is None else reply.payload, at=self.now)
                yield self.sleep(cfg.retry_s)


@dataclass(frozen=True)
class FailoverResult:
    """What one run measured; ``history`` and ``trace`` keep the raw record."""

    config: FailoverConfig
    faults: Faults
    failovers: tuple[dict, ...]  # suspected_s, promote_s, promoted_s or aborted_s
    dns_changes: tuple[tuple[float, str], ...]
    outages_s: dict[str, float]  # per client: longest time between two successful writes
    acked: int
    lost: tuple[str, ...]  # acknowledged writes missing from the final primary's log
    two_primaries_s: float  # how long stale-epoch acknowledgements continued after a newer epoch's first
    stale_acks: int
    final_primary: str
    history: History = field(repr=False)
    trace: tuple[TraceEvent, ...] = field(repr=False)

    @property
    def worst_outage_s(self) -> float:
        return max(self.outages_s.values())

    @property
    def mean_outage_s(self) -> float:
        return sum(self.outages_s.values()) / len(self.outages_s)

    @property
    def split_brain(self) -> bool:
        return self.stale_acks > 0


def run_failover(config: FailoverConfig = FailoverConfig(), faults: Faults = Faults(crash_s=60.0), *,
                 clients: int = 6, write_interval_s: float = 0.5, duration_s: float = 150.0,
                 seed: Seed = None) -> FailoverResult:
    """Run the Multi-AZ pair, a monitor, DNS and ``clients`` writers through ``faults``.

    Examples
    --------
    >>> r = run_failover(FailoverConfig(replication="sync"), Faults(crash_s=40.0), duration_s=100, seed=1)
    >>> r.final_primary, len(r.lost), r.split_brain
    ('db-b', 0, False)
    >>> 20 < r.worst_outage_s < 35
    True
    >>> run_failover(clients=0, seed=0)
    Traceback (most recent call last):
    ...
    ValueError: clients=0 is out of range; choose clients >= 1
    """
    check_int("clients", clients, low=1)
    check_number("write_interval_s", write_interval_s, low=0, low_open=True)
    check_number("duration_s", duration_s, low=0, low_open=True)
    sim = Simulation(seed=seed, latency=Exponential(mean_extra_s=0.0005, base_s=0.0005))
    a = sim.add(DbServer("db-a", peer="db-b", monitor="monitor", primary=True, config=config,
                         clock_rate=faults.clock_rate, pauses=faults.pauses))
    b = sim.add(DbServer("db-b", peer="db-a", monitor="monitor", primary=False, config=config))
    monitor = sim.add(FailoverMonitor("monitor", primary="db-a", standby="db-b", dns="dns", config=config))
    dns = sim.add(Dns("dns", "db-a", ttl_s=config.dns_ttl_s, update_s=config.dns_update_s))
    names = [f"c{i}" for i in range(1, clients + 1)]
    for name in names:
        sim.add(DbClient(name, dns="dns", config=config, write_interval_s=write_interval_s, stop_s=duration_s))
    if faults.heartbeat_loss:
        sim.network.configure("db-a", "monitor", loss=faults.heartbeat_loss)
    if faults.crash_s is not None:
        sim.crash("db-a", at=faults.crash_s)
    if faults.partition is not None:
        start, end = faults.partition
        sim.partition({"db-a"}, {"monitor", "db-b"} if faults.partition_standby else {"monitor"}, at=start)
        sim.heal(at=end)
    sim.run(until=duration_s)
    final = monitor.primary
    report = split_brain(sim.history)
    return FailoverResult(
        config=config, faults=faults, failovers=tuple(monitor.failovers), dns_changes=tuple(dns.changes),
        outages_s=worst_outages(sim.history, end_s=duration_s),
        acked=sum(1 for op in sim.history if isinstance(op.result, tuple)),
        lost=lost_writes(sim.history, (a if final == "db-a" else b).entries),
        two_primaries_s=report.overlap_s, stale_acks=report.stale_acks, final_primary=final,
        history=sim.history, trace=tuple(sim.trace))
