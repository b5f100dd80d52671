"""CAP and PACELC on the kernel: one replicated register, run as CP or as AP.

Picture three branch offices that keep the same ledger and lose their phone
lines to one office for an afternoon. The cut-off office can either stop
serving customers until the lines return (it chooses consistency, **CP**),
or keep serving from its own copy and let the copies disagree for a while
(it chooses availability, **AP**). Gilbert and Lynch ("Brewer's conjecture
and the feasibility of consistent, available, partition-tolerant web
services", 2002) proved there is no third way for a linearizable register.
Abadi ("Consistency tradeoffs in modern distributed database system design",
2012) added the other half, **PACELC**: even *else*, with no partition, a
consistent register pays in latency, because it must hear from other copies.

Both registers here run one client at each replica, which invokes reads and
writes of unique values at random moments:

- ``"cp"``: the ABD protocol of Attiya, Bar-Noy and Dolev (1995), with
  several writers: every read and write queries a majority for the newest
  timestamped value, then stores that value (or the new one) at a majority.
  A replica that cannot hear from a majority within ``timeout_s`` refuses; the
  operation is recorded as never having returned (it may still take effect).
- ``"ap"``: each replica reads and writes its own copy at once, sends each
  write to the others, and every ``sync_s`` sends its copy again (anti-entropy);
  the newest timestamp wins.

Notes
-----
Timestamps are ``(counter, replica)`` pairs, compared as tuples, so two
writers never tie. With one-way delay ``L`` on every link, an ABD operation
needs two round trips: ``4 L`` (see :func:`theory_latency_s`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable, NamedTuple

from labsupport.checks import check_choice, check_int, check_number, check_type, out_of_range
from labsupport.seeds import Seed
from labsupport.sim import History, Node, Operation, Simulation, TraceEvent
from labsupport.sim.nemesis import Nemesis

__all__ = ["MODES", "Stamped", "RegisterRun", "run_register", "theory_latency_s", "stale_reads"]

MODES = ("cp", "ap")
INITIAL = 0  # the register's value before any write


class Stamped(NamedTuple):
    """A value with the timestamp that orders it: ``(counter, replica)``."""

    ts: tuple[int, str]
    value: Any


class Replica(Node):
    """One copy of the register, with its own client; ``mode`` says what it does when cut off."""

    def __init__(self, name: str, peers: tuple[str, ...], *, mode: str, timeout_s: float, think_s: float,
                 sync_s: float, stop_s: float, settle_s: float, index: int):
        super().__init__(name)
        self.peers, self.mode, self.timeout_s, self.think_s = peers, mode, timeout_s, think_s
        self.sync_s, self.stop_s, self.settle_s, self.index = sync_s, stop_s, settle_s, index
        self.copy = Stamped((0, ""), INITIAL)
        self.writes = 0
        self.sessions = 0  # a refused operation never returned: its client is retired, a new one starts

    # -- the replica's side --------------------------------------------------
    def adopt(self, incoming: Stamped) -> None:
        if incoming.ts > self.copy.ts:
            self.copy = incoming

    def on_query(self, msg) -> None:
        self.reply(msg, "state", self.copy)

    def on_store(self, msg) -> None:
        self.adopt(msg.payload)
        self.reply(msg, "stored", None)

    def on_update(self, msg) -> None:
        self.adopt(msg.payload)

    # -- the client's side ---------------------------------------------------
    def start(self):
        rng = self.sim.rng(f"client {self.name}")
        if self.mode == "ap":
            self.set_timer(self.sync_s, self.sync)
        while True:
            yield self.sleep(rng.expovariate(1 / self.think_s))
            if self.now >= self.stop_s:
                break
            yield from self.operate(f"{self.name}/{self.sessions}", rng.random() < 0.5)
        yield self.sleep(self.settle_s - self.now)
        yield from self.operate(f"{self.name}/final", False)

    def operate(self, client: str, write: bool):
        """Invoke one read or write for ``client`` and record it in the history."""
        if write:
            self.writes += 1
            value = 100 * self.index + self.writes  # unique: checkers tell writes apart by value
            op = self.sim.history.invoke(client, "write", value, at=self.now)
            done = yield from (self.write_cp(value) if self.mode == "cp" else self.write_ap(value))
            result = "ok"
        else:
            op = self.sim.history.invoke(client, "read", None, at=self.now)
            result = yield from (self.read_cp() if self.mode == "cp" else self.read_ap())
            done = result is not None
        if done:
            self.sim.history.complete(op, result, at=self.now)
        else:
            self.sessions += 1

    def majority(self, kind: str, payload: Any):
        """Ask every peer; return the replies, or None if fewer than a majority (with this replica) came."""
        need = (len(self.peers) + 1) // 2 + 1 - 1
        events = [self.request(p, kind, payload) for p in self.peers]
        replies = yield from self.collect(events, need, self.timeout_s)
        return [r.payload for r in replies] if len(replies) >= need else None

    def read_cp(self):
        states = yield from self.majority("query", None)
        if states is None:
            return None
        self.adopt(max(states))
        stored = yield from self.majority("store", self.copy)  # write back: no later read sees older
        return None if stored is None else self.copy.value

    def write_cp(self, value: Any):
        states = yield from self.majority("query", None)
        if states is None:
            return False
        newest = max(states + [self.copy])
        self.adopt(Stamped((newest.ts[0] + 1, self.name), value))
        stored = yield from self.majority("store", self.copy)
        return stored is not None

    def read_ap(self):
        yield from ()
        return self.copy.value

    def write_ap(self, value: Any):
        yield from ()
        self.adopt(Stamped((self.copy.ts[0] + 1, self.name), value))
        for p in self.peers:
            self.send(p, "update", self.copy)
        return True

    def sync(self) -> None:
        for p in self.peers:
            self.send(p, "update", self.copy)
        self.set_timer(self.sync_s, self.sync)


@dataclass(frozen=True)
class RegisterRun:
    """One run of the replicated register: what the clients saw, the trace, and each copy at the end.

    Attributes
    ----------
    mode : str
    nodes : tuple of str
        The replicas, in drawing order.
    history : History
        Clients are named ``replica/session``; a session ends when an operation is refused.
    trace : tuple of TraceEvent
    refused, completed : int
        Operations that never returned (refused for want of a majority), and those that did.
    mean_latency_s : float
        Over the completed operations.
    copies : dict
        Each replica's value at the end.
    settled_s : float
        When the final reads were invoked.
    """

    mode: str
    nodes: tuple[str, ...]
    history: History
    trace: tuple[TraceEvent, ...]
    refused: int
    completed: int
    mean_latency_s: float
    copies: dict[str, Any]
    settled_s: float

    def by_replica(self) -> list:
        """The operations with each client renamed to its replica, for drawing on the replicas' lines."""
        return [replace(op, client=op.client.split("/")[0]) for op in self.history]


def run_register(mode: str, *, n_replicas: int = 3, partition: tuple[float, float] | None = None,
                 nemesis: Nemesis | None = None, duration_s: float = 2.0, latency_s: float = 0.01,
                 timeout_s: float = 0.1, think_s: float = 0.1, sync_s: float = 0.25,
                 seed: Seed = None) -> RegisterRun:
    """Run the register in ``mode`` (``"cp"`` or ``"ap"``); ``partition`` cuts the last replica off from the rest.

    ``nemesis`` (over replicas ``n1``, ``n2``, ...) adds any other fault
    schedule. Clients invoke operations until ``duration_s``; at
    ``settled_s``, ``timeout_s + 2 * sync_s`` after that or after the
    nemesis's last change if later, when the copies can have converged,
    each client reads once more (client ``replica/final``): the reads
    :func:`~labsupport.data.eventual.check_eventual` judges.

    Examples
    --------
    >>> cp = run_register("cp", partition=(0.5, 1.5), seed=1)
    >>> cp.refused > 0, cp.mode
    (True, 'cp')
    >>> ap = run_register("ap", partition=(0.5, 1.5), seed=1)
    >>> ap.refused, len(set(ap.copies.values())), ap.settled_s
    (0, 1, 2.6)
    """
    check_choice("mode", mode, MODES)
    check_int("n_replicas", n_replicas, low=2, high=9)
    duration_s = check_number("duration_s", duration_s, low=0, low_open=True)
    latency_s = check_number("latency_s", latency_s, low=0)
    timeout_s = check_number("timeout_s", timeout_s, low=0, low_open=True)
    think_s = check_number("think_s", think_s, low=0, low_open=True)
    sync_s = check_number("sync_s", sync_s, low=0, low_open=True)
    names = tuple(f"n{i + 1}" for i in range(n_replicas))
    if nemesis is not None:
        check_type("nemesis", nemesis, Nemesis)
    settled_s = max(duration_s, 0.0 if nemesis is None else nemesis.heal_s) + timeout_s + 2 * sync_s
    if partition is not None:
        start, end = (check_number("partition", t, low=0) for t in partition)
        if not start < end <= duration_s:
            raise out_of_range("partition", partition, f"(start_s, end_s) with start_s < end_s <= "
                               f"duration_s={duration_s}")
    sim = Simulation(seed=seed, latency=latency_s)
    for i, name in enumerate(names):
        sim.add(Replica(name, tuple(p for p in names if p != name), mode=mode, timeout_s=timeout_s,
                        think_s=think_s, sync_s=sync_s, stop_s=duration_s, settle_s=settled_s, index=i + 1))
    if partition is not None:
        sim.partition(set(names[:-1]), {names[-1]}, at=start)
        sim.heal(at=end)
    if nemesis is not None:
        nemesis.apply(sim)
    sim.run(until=settled_s + 2 * timeout_s)
    done = [op for op in sim.history if not op.pending]
    mean = sum(op.complete_s - op.invoke_s for op in done) / len(done) if done else float("nan")
    return RegisterRun(mode, names, sim.history, tuple(sim.trace), len(sim.history) - len(done), len(done),
                       mean, {n: sim.nodes[n].copy.value for n in names}, settled_s)


def theory_latency_s(mode: str, latency_s: float) -> float:
    """An operation's latency with no partition and one-way delay ``latency_s`` on every link (PACELC's "else").

    CP (ABD) needs two round trips to a majority, ``4 * latency_s``; AP answers from its own copy, 0.

    Examples
    --------
    >>> theory_latency_s("cp", 0.01), theory_latency_s("ap", 0.01)
    (0.04, 0.0)
    """
    check_choice("mode", mode, MODES)
    latency_s = check_number("latency_s", latency_s, low=0)
    return 4 * latency_s if mode == "cp" else 0.0


def stale_reads(history: Iterable[Operation]) -> list[int]:
    """Reads that returned a value although a newer write had finished before they began.

    "Newer" in real time only: write ``w2`` started after the write of the
    value read had returned, and ``w2`` returned before the read started.
    Every such read breaks linearizability (not every violation is one);
    writes must write unique values, and the initial value counts as written
    before everything.

    Examples
    --------
    >>> h = History.from_tuples([("a", "write", 1, 0, 1, "ok"), ("a", "write", 2, 2, 3, "ok"),
    ...                          ("b", "read", None, 4, 5, 1), ("b", "read", None, 6, 7, 2)])
    >>> stale_reads(h)
    [2]
    """
    ops = list(history)
    writes = {op.arg: op for op in ops if op.kind == "write" and not op.pending}
    found = []
    for read in ops:
        if read.kind != "read" or read.pending:
            continue
        source = writes.get(read.result)
        done_s = source.complete_s if source is not None else float("-inf")
        if any(done_s < w.invoke_s and w.complete_s < read.invoke_s for w in writes.values()):
            found.append(read.op_id)
    return found
