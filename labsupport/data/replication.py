"""Leader–follower replication: one copy takes the writes, the others follow its log.

A newsroom has one editor who decides what goes into the paper; printing
plants in other cities receive the pages over a wire and print them a little
later. Readers near a plant get yesterday's edition a few minutes sooner or
later than others, and if the editor's office burns down, a plant can take
over, but pages still on the wire are gone. In leader–follower replication
the **leader** applies each write to its log and ships the entry to its
**followers**. A **synchronous** follower must confirm an entry before the
leader acknowledges the write; an **asynchronous** one is told and not waited
for. The delay between a write committing on the leader and being applied on
a follower is the **replication lag**.

Where AWS does this: RDS read replicas are asynchronous ("Amazon RDS copies
them asynchronously to the read replica", RDS User Guide, *Working with DB
instance read replicas*), while a Multi-AZ DB instance deployment keeps "a
synchronous standby replica in a different Availability Zone" (RDS User
Guide, *Multi-AZ DB instance deployments*) that a failover promotes.

Notes
-----
Every entry carries the sender's name and followers accept entries only from
the leader they follow, so a crashed leader's messages still in flight cannot
corrupt the new leader's log (a minimal form of epochs/fencing). Failover is
done by a :class:`FailoverMonitor` (like RDS's control plane): after
``misses`` unanswered heartbeats it promotes the follower with the longest
log; the others discard entries the new leader lacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, Sequence

from labsupport.checks import check_choice, check_int, check_number, check_numbers
from labsupport.seeds import Seed
from labsupport.data.session_guarantees import Anomaly, monotonic_read_violations, read_your_writes_violations
from labsupport.sim import Constant, Exponential, History, Node, Simulation, TraceEvent

__all__ = ["Write", "Entry", "Read", "Value", "Replica", "Writer", "SessionClient", "FailoverMonitor", "READ_POLICIES",
           "FailoverResult", "ReadsResult", "run_failover", "run_replica_reads", "ryw_violation_theory"]

READ_POLICIES = ("leader", "random_follower", "sticky_follower", "session")


class Write(NamedTuple):
    """Payload of ``write``: set ``key`` to ``value``."""

    key: str
    value: Any


class Entry(NamedTuple):
    """One log entry, and the payload of ``replicate``: position ``seq`` (1, 2, ...) sets ``key`` to ``value``."""

    seq: int
    key: str
    value: Any


class Read(NamedTuple):
    """Payload of ``read``: ``key``, answered once the replica has applied ``min_position`` entries."""

    key: str
    min_position: int


class Value(NamedTuple):
    """Payload of a ``value`` answer: what the replica holds for the key, and how many entries it has applied."""

    value: Any
    position: int


class Replica(Node):
    """A copy of the data: the leader when ``leader`` is None, else a follower of ``leader``.

    As leader it waits for every synchronous follower's ack before answering
    a write, and queues each entry for ``ship_delay_s`` before sending it to
    an asynchronous follower (the backlog of an asynchronous replication
    stream; entries still queued when the leader crashes are never sent).

    Examples
    --------
    >>> Replica("leader", async_followers=["f1"], ship_delay_s=0.03).role
    'leader'
    """

    def __init__(self, name: str, *, leader: str | None = None, sync_followers: Sequence[str] = (),
                 async_followers: Sequence[str] = (), ship_delay_s: float = 0.0, ack_timeout_s: float = 1.0):
        check_number("ship_delay_s", ship_delay_s, low=0)
        check_number("ack_timeout_s", ack_timeout_s, low=0, low_open=True)
        super().__init__(name)
        self.role = "leader" if leader is None else "follower"
        self.leader = leader
        self.sync_followers, self.async_followers = tuple(sync_followers), tuple(async_followers)
        self.ship_delay_s, self.ack_timeout_s = ship_delay_s, ack_timeout_s
        self.entries: list[Entry] = []  # entry.seq = position in the log
        self.data: dict[str, Any] = {}
        self.commit_s: dict[int, float] = {}  # as leader: when each seq was committed
        self.applied_s: dict[int, float] = {}  # as follower: when each seq was applied
        self.discarded = 0  # entries dropped because a new leader did not have them
        self._buffer: dict[int, Entry] = {}
        self._parked: list = []

    @property
    def position(self) -> int:
        """How many log entries this replica has applied."""
        return len(self.entries)

    def _apply(self, entry: Entry) -> None:
        self.entries.append(entry)
        self.data[entry.key] = entry.value

    # -- as leader -------------------------------------------------------
    def on_write(self, msg):
        if self.role != "leader":
            self.reply(msg, "not_leader", self.leader)
            return None
        write = msg.payload
        entry = Entry(self.position + 1, write.key, write.value)
        self._apply(entry)
        self.commit_s[entry.seq] = self.now
        for follower in self.async_followers:  # queued for ship_delay_s; a crash loses the queue
            if self.ship_delay_s:
                self.set_timer(self.ship_delay_s, self.send, follower, "replicate", entry)
            else:
                self.send(follower, "replicate", entry)
        if not self.sync_followers:
            self.reply(msg, "ok", entry.seq)
            return None
        return self._ack_when_synced(msg, entry)

    def _ack_when_synced(self, msg, entry):
        acks = yield from self.collect(self.multicast(self.sync_followers, "replicate", entry),
                                       len(self.sync_followers), self.ack_timeout_s)
        if len(acks) < len(self.sync_followers):
            self.log("sync follower silent: acknowledging anyway")
        self.reply(msg, "ok", entry.seq)

    def on_ping(self, msg):
        self.reply(msg, "pong")

    # -- as follower -----------------------------------------------------
    def on_replicate(self, msg):
        if msg.src != self.leader:
            return  # not from the leader this replica follows (e.g. a deposed leader)
        self._buffer[msg.payload.seq] = msg.payload
        while self.position + 1 in self._buffer:
            entry = self._buffer.pop(self.position + 1)
            self._apply(entry)
            self.applied_s[entry.seq] = self.now
        self._release_parked()
        self.reply(msg, "ack", self.position)

    def on_read(self, msg):
        read = msg.payload
        if self.position >= read.min_position:
            self.reply(msg, "value", Value(self.data.get(read.key), self.position))
        else:
            self._parked.append(msg)  # a session read waits until this replica has caught up

    def _release_parked(self) -> None:
        ready = [m for m in self._parked if self.position >= m.payload.min_position]
        self._parked = [m for m in self._parked if self.position < m.payload.min_position]
        for m in ready:
            self.reply(m, "value", Value(self.data.get(m.payload.key), self.position))

    # -- failover ----------------------------------------------------------
    def on_position(self, msg):
        self.reply(msg, "position", self.position)

    def on_promote(self, msg):
        self.role, self.leader = "leader", None
        self.sync_followers, self.async_followers = (), tuple(msg.payload)
        for follower in self.async_followers:
            self.send(follower, "follow", self.position)
        self.log(f"promoted at position {self.position}")
        self.reply(msg, "promoted", self.position)

    def on_follow(self, msg):
        keep = msg.payload
        self.discarded += max(0, self.position - keep)
        self.entries = self.entries[:keep]
        self.data = {entry.key: entry.value for entry in self.entries}
        self.leader, self._buffer = msg.src, {}


class Writer(Node):
    """Writes 1, 2, 3, ... to key ``key`` every ``interval_s`` until ``until_s``, always to the current leader.

    Examples
    --------
    >>> Writer("client", "leader", interval_s=0.02, until_s=1.0, timeout_s=0.05).interval_s
    0.02
    """

    def __init__(self, name: str, leader: str, *, interval_s: float, until_s: float, timeout_s: float,
                 key: str = "x"):
        check_number("interval_s", interval_s, low=0, low_open=True)
        check_number("until_s", until_s, low=0)
        check_number("timeout_s", timeout_s, low=0, low_open=True)
        super().__init__(name)
        self.leader, self.interval_s, self.until_s, self.timeout_s, self.key = leader, interval_s, until_s, timeout_s, key

    def start(self):
        history, value = self.sim.history, 0
        while self.now + self.interval_s <= self.until_s:
            tick = self.now + self.interval_s
            value += 1
            op = history.invoke(self.name, "write", value, at=self.now, key=self.key)
            reply = yield from self.wait(self.request(self.leader, "write", Write(self.key, value)), self.timeout_s)
            history.complete(op, reply.kind if reply else "timeout", at=self.now)
            yield self.sleep(max(0.0, tick - self.now))

    def on_new_leader(self, msg):
        self.leader = msg.payload


class SessionClient(Node):
    """Writes a fresh value, then reads it back ``reads_per_write`` times, ``writes`` times over.

    ``read_from`` is one of :data:`READ_POLICIES`: the leader; a random
    follower per read; one follower for the whole session; or a random
    follower that answers only once it has applied everything this client
    has seen (a session token, the log position).

    Examples
    --------
    >>> SessionClient("c1", "leader", ["f1"], read_from="leader", writes=3, reads_per_write=1, think_s=0.05,
    ...               key="k1", first_value=1000).writes
    3
    """

    def __init__(self, name: str, leader: str, followers: Sequence[str], *, read_from: str, writes: int,
                 reads_per_write: int, think_s: float, key: str, first_value: int):
        check_choice("read_from", read_from, READ_POLICIES)
        check_int("writes", writes, low=1)
        check_int("reads_per_write", reads_per_write, low=0)
        check_number("think_s", think_s, low=0, low_open=True)
        check_int("first_value", first_value)
        super().__init__(name)
        self.leader, self.followers, self.read_from = leader, tuple(followers), read_from
        self.writes, self.reads_per_write, self.think_s = writes, reads_per_write, think_s
        self.key, self.first_value, self.seen = key, first_value, 0

    def start(self):
        rng, history = self.sim.rng(f"session:{self.name}"), self.sim.history
        sticky = rng.choice(self.followers)
        for i in range(self.writes):
            op = history.invoke(self.name, "write", self.first_value + i, at=self.now, key=self.key)
            reply = yield self.request(self.leader, "write", Write(self.key, self.first_value + i))
            history.complete(op, reply.kind, at=self.now)
            self.seen = max(self.seen, reply.payload)
            for _ in range(self.reads_per_write):
                target = {"leader": self.leader, "sticky_follower": sticky}.get(self.read_from) or rng.choice(self.followers)
                token = self.seen if self.read_from == "session" else 0
                op = history.invoke(self.name, "read", None, at=self.now, key=self.key)
                reply = yield self.request(target, "read", Read(self.key, token))
                history.complete(op, reply.payload.value, at=self.now)
                self.seen = max(self.seen, reply.payload.position) if self.read_from == "session" else self.seen
            yield self.sleep(rng.expovariate(1 / self.think_s))


class FailoverMonitor(Node):
    """Heartbeats the leader; after ``misses`` silent beats promotes the most up-to-date follower.

    Examples
    --------
    >>> FailoverMonitor("monitor", "leader", ["f1"], clients=["client"], heartbeat_s=0.05, misses=3).misses
    3
    """

    def __init__(self, name: str, leader: str, followers: Sequence[str], *, clients: Sequence[str],
                 heartbeat_s: float, misses: int):
        check_number("heartbeat_s", heartbeat_s, low=0, low_open=True)
        check_int("misses", misses, low=1)
        super().__init__(name)
        self.leader, self.followers, self.clients = leader, tuple(followers), tuple(clients)
        self.heartbeat_s, self.misses = heartbeat_s, misses
        self.promoted: str | None = None
        self.promoted_s: float | None = None

    def start(self):
        missed = 0
        while missed < self.misses:
            reply = yield from self.wait(self.request(self.leader, "ping"), self.heartbeat_s)
            missed = 0 if reply else missed + 1
            if reply:
                yield self.sleep(self.heartbeat_s)
        replies = yield from self.collect(self.multicast(self.followers, "position"), len(self.followers),
                                          self.heartbeat_s)
        positions = {m.src: m.payload for m in replies}
        best = max(sorted(positions), key=lambda name: positions[name])
        others = [f for f in self.followers if f != best]
        yield from self.wait(self.request(best, "promote", others), self.heartbeat_s)
        self.promoted, self.promoted_s = best, self.now
        for client in self.clients:
            self.send(client, "new_leader", best)


@dataclass(frozen=True)
class FailoverResult:
    """What a leader crash and failover cost."""

    mode: str
    crash_s: float
    promoted: str
    failover_s: float  # crash to promotion
    acknowledged: int  # writes acknowledged to the client, over the whole run
    lost: tuple[int, ...]  # acknowledged writes missing from the new leader's log
    rpo_s: float  # age at the crash of the oldest lost acknowledged write (0 if none lost)
    write_latency_s: float  # mean latency of acknowledged writes before the crash
    trace: tuple[TraceEvent, ...]
    history: History


def _check_delays(follower_delay_s, client_delay_s) -> None:
    """Mean one-way delays: at least one follower, every delay > 0 seconds."""
    check_numbers("follower_delay_s", follower_delay_s, low=0, low_open=True)
    check_number("client_delay_s", client_delay_s, low=0, low_open=True)


def run_failover(mode: str = "async", *, follower_delay_s: Sequence[float] = (0.002, 0.002),
                 ship_delay_s: float = 0.03, client_delay_s: float = 0.001, write_interval_s: float = 0.02,
                 crash_at_s: float | None = None, heartbeat_s: float = 0.05, misses: int = 3,
                 duration_s: float = 1.0, seed: Seed = None) -> FailoverResult:
    """Crash the leader while a client writes steadily; fail over and count what was lost.

    ``mode="sync"`` makes the first follower synchronous (like a Multi-AZ
    standby) and the others asynchronous; ``"async"`` makes every follower
    asynchronous (like read replicas). One-way delays are constant:
    ``follower_delay_s[i]`` between the leader and follower ``i``,
    ``client_delay_s`` elsewhere; asynchronous entries first wait
    ``ship_delay_s`` in the leader's outbound queue. The crash comes at
    ``crash_at_s`` (default: uniformly in ``[0.5, 0.5 + write_interval_s)``
    seconds, drawn from ``seed``), so averaging over seeds averages over its
    phase. An asynchronous failover loses the acknowledged writes committed
    in the last ``ship_delay_s`` before the crash, ``ship_delay_s /
    write_interval_s`` of them on average (Little's law: the queue's length).

    Examples
    --------
    >>> r = run_failover("async", seed=1)
    >>> r.promoted, r.lost, round(r.rpo_s, 4)
    ('f1', (25, 26), 0.0298)
    >>> run_failover("sync", seed=1).lost
    ()
    """
    check_choice("mode", mode, ("sync", "async"))
    _check_delays(follower_delay_s, client_delay_s)
    check_number("ship_delay_s", ship_delay_s, low=0)
    for name, value in (("write_interval_s", write_interval_s), ("heartbeat_s", heartbeat_s),
                        ("duration_s", duration_s)):
        check_number(name, value, low=0, low_open=True)
    if crash_at_s is not None:
        check_number("crash_at_s", crash_at_s)
    check_int("misses", misses, low=1)
    round_trip_s = 2 * client_delay_s + (2 * follower_delay_s[0] if mode == "sync" else 0)
    if write_interval_s <= round_trip_s:
        raise ValueError(f"write_interval_s={write_interval_s} must exceed a write's round trip ({round_trip_s} s)")
    sim = Simulation(seed=seed, latency=Constant(client_delay_s), fifo=True)
    crash_s = crash_at_s if crash_at_s is not None else 0.5 + sim.rng("crash").uniform(0, write_interval_s)
    if not 0 < crash_s < duration_s:
        raise ValueError(f"crash_at_s={crash_s} must fall inside the run, 0 < crash_at_s < duration_s={duration_s}")
    followers = [f"f{i + 1}" for i in range(len(follower_delay_s))]
    sync = followers[:1] if mode == "sync" else []
    leader = sim.add(Replica("leader", sync_followers=sync, async_followers=[f for f in followers if f not in sync],
                             ship_delay_s=ship_delay_s, ack_timeout_s=heartbeat_s))
    replicas = [sim.add(Replica(f, leader="leader")) for f in followers]
    for f, delay in zip(followers, follower_delay_s):
        sim.network.configure("leader", f, latency=Constant(delay))
    sim.add(Writer("client", "leader", interval_s=write_interval_s, until_s=duration_s,
                   timeout_s=max(heartbeat_s, 2 * round_trip_s)))
    monitor = sim.add(FailoverMonitor("monitor", "leader", followers, clients=["client"], heartbeat_s=heartbeat_s,
                                      misses=misses))
    sim.crash("leader", at=crash_s)
    sim.run()
    new_leader = next(r for r in replicas if r.name == monitor.promoted)
    kept = {value for _, _, value in new_leader.entries}
    acked = [op for op in sim.history if op.kind == "write" and op.result == "ok"]
    lost = tuple(op.arg for op in acked if op.arg not in kept)
    committed = {value: leader.commit_s[seq] for seq, _, value in leader.entries}
    rpo = crash_s - min(committed[v] for v in lost) if lost else 0.0
    before = [op.complete_s - op.invoke_s for op in acked if op.complete_s <= crash_s]
    return FailoverResult(mode, crash_s, monitor.promoted, monitor.promoted_s - crash_s, len(acked), lost,
                          rpo, sum(before) / len(before), tuple(sim.trace), sim.history)


@dataclass(frozen=True)
class ReadsResult:
    """Reads from replicas and the session guarantees they broke."""

    read_from: str
    reads: int
    read_your_writes: tuple[Anomaly, ...]
    monotonic_reads: tuple[Anomaly, ...]
    read_latency_s: float  # mean
    lag_s: dict[str, tuple[float, ...]]  # per follower: apply time minus commit time, per entry
    trace: tuple[TraceEvent, ...]
    history: History
    rank: dict[Any, int]  # each value's position in the leader's log


def run_replica_reads(read_from: str = "random_follower", *, clients: int = 2, writes: int = 50,
                      reads_per_write: int = 1, follower_delay_s: Sequence[float] = (0.001, 0.005),
                      client_delay_s: float = 0.001, think_s: float = 0.05, seed: Seed = None) -> ReadsResult:
    """Clients write a value and read it back from a replica chosen by ``read_from``.

    One-way delays are exponential with the given means: ``follower_delay_s[i]``
    between the leader and follower ``i``, ``client_delay_s`` between clients
    and replicas. Each client writes its own key.

    Examples
    --------
    >>> r = run_replica_reads("random_follower", writes=40, seed=3)
    >>> len(r.read_your_writes) > 0, len(run_replica_reads("leader", writes=40, seed=3).read_your_writes)
    (True, 0)
    """
    _check_delays(follower_delay_s, client_delay_s)
    check_int("clients", clients, low=1)
    check_int("writes", writes, low=1)
    check_int("reads_per_write", reads_per_write, low=0)
    check_number("think_s", think_s, low=0, low_open=True)
    sim = Simulation(seed=seed, latency=Exponential(client_delay_s), fifo=True)
    followers = [f"f{i + 1}" for i in range(len(follower_delay_s))]
    leader = sim.add(Replica("leader", async_followers=followers))
    replicas = [sim.add(Replica(f, leader="leader")) for f in followers]
    for f, delay in zip(followers, follower_delay_s):
        sim.network.configure("leader", f, latency=Exponential(delay))
    for c in range(clients):
        sim.add(SessionClient(f"c{c + 1}", "leader", followers, read_from=read_from, writes=writes,
                              reads_per_write=reads_per_write, think_s=think_s, key=f"k{c + 1}",
                              first_value=1000 * (c + 1)))
    sim.run()
    rank = {value: seq for seq, _, value in leader.entries}
    reads = [op for op in sim.history if op.kind == "read"]
    lag = {r.name: tuple(r.applied_s[s] - leader.commit_s[s] for s in sorted(r.applied_s)) for r in replicas}
    return ReadsResult(read_from, len(reads), tuple(read_your_writes_violations(sim.history, rank)),
                       tuple(monotonic_read_violations(sim.history, rank)),
                       sum(op.complete_s - op.invoke_s for op in reads) / max(1, len(reads)), lag,
                       tuple(sim.trace), sim.history, rank)


def ryw_violation_theory(follower_delay_s: Sequence[float], client_delay_s: float) -> float:
    """Probability that a read sent to a random follower right after the write's ack misses the write.

    With exponential one-way delays, the follower applies the write after
    ``X ~ Exp(mean m_f)`` and the read reaches it after the ack and the read
    request, ``Y1 + Y2`` with ``Yi ~ Exp(mean m_c)``; it misses the write when
    ``X > Y1 + Y2``, which happens with probability ``(m_f / (m_f + m_c))**2``.
    Averaged over followers chosen uniformly (queueing behind earlier
    messages on a link is ignored: think times are long).

    Examples
    --------
    >>> ryw_violation_theory([0.001, 0.005], 0.001)
    0.4722222222222222
    """
    _check_delays(follower_delay_s, client_delay_s)
    return sum((m / (m + client_delay_s)) ** 2 for m in follower_delay_s) / len(follower_delay_s)
