"""A key-value store replicated by Raft, and clients that retry until a leader answers.

A bank's branches keep one shared ledger: a customer hands a slip to any
clerk; a clerk who is not the head clerk points to the one who is; the head
clerk enters the slip in the ledger, and answers once a majority of branches
have copied the line. Each slip carries the customer's number and a running
count, so a slip handed in twice (the customer heard nothing and tried
again) is entered once: the store remembers each client's last request and
its answer. Reads go through the ledger too, so an old head clerk cut off
from the others cannot answer from stale pages.

The clients' operations are recorded in ``sim.history`` as register
operations (a put is a ``write``, a get a ``read``, with ``key=``), the form
:func:`labsupport.data.linearizability.check_linearizable` reads.

Examples
--------
>>> run = run_raft_kv(3, 20, seed=3)
>>> sum(1 for op in run.history if not op.pending), run.leaders
(20, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, Sequence

from labsupport.agreement.raft import NOOP, RaftNode
from labsupport.agreement.raft_invariants import Entry, final_logs
from labsupport.checks import check_int, check_number, check_type
from labsupport.seeds import Seed
from labsupport.sim import History, Node, Simulation, TraceEvent, Uniform
from labsupport.sim.trace import NodeId

__all__ = ["Command", "ClientRequest", "ClientReply", "RaftKV", "KVClient", "RaftKVRun", "run_raft_kv"]


class Command(NamedTuple):
    """One client operation, as it travels in the log: ``seq`` counts the client's requests."""

    client: str
    seq: int
    op: str  # "put" or "get"
    key: str
    value: Any = None

    def __str__(self) -> str:
        what = f"put {self.key}={self.value}" if self.op == "put" else f"get {self.key}"
        return f"{what} ({self.client}#{self.seq})"


class ClientRequest(NamedTuple):
    command: Command


class ClientReply(NamedTuple):
    ok: bool
    result: Any
    leader: NodeId | None  # where to try next when ``ok`` is False


class RaftKV(RaftNode):
    """A Raft server whose state machine is a key-value store with duplicate detection."""

    def __init__(self, name: NodeId, cluster, **options: Any):
        super().__init__(name, cluster, **options)
        self.data: dict[str, Any] = {}
        self.done: dict[str, tuple[int, Any]] = {}  # client -> (last seq applied, its result)
        self.waiting: dict[tuple[str, int], Any] = {}  # (client, seq) -> the request to answer

    def on_client_request(self, msg) -> None:
        cmd = msg.payload.command
        if self.role != "leader":
            self.reply(msg, "client_reply", ClientReply(False, None, self.leader_id))
            return
        if cmd.op == "get" and "stale_reads" in self.mistakes:  # answers from memory: maybe no longer leader
            self.reply(msg, "client_reply", ClientReply(True, self.data.get(cmd.key), self.name))
            return
        seq, result = self.done.get(cmd.client, (0, None))
        if cmd.seq <= seq and "no_dedup" not in self.mistakes:  # applied already: answer again, not apply
            if cmd.seq == seq:
                self.reply(msg, "client_reply", ClientReply(True, result, self.name))
            return
        first_ask = (cmd.client, cmd.seq) not in self.waiting
        self.waiting[(cmd.client, cmd.seq)] = msg
        if first_ask or not any(e.command == cmd for e in self.entries[self.commit_index:]):
            self.propose(cmd)

    def apply(self, index: int, entry: Entry) -> None:
        cmd = entry.command
        if cmd == NOOP:
            return
        seq, result = self.done.get(cmd.client, (0, None))
        if cmd.seq > seq or "no_dedup" in self.mistakes:
            if cmd.op == "put":
                self.data[cmd.key], result = cmd.value, "ok"
            else:
                result = self.data.get(cmd.key)
            self.done[cmd.client] = (cmd.seq, result)
        elif cmd.seq < seq:
            return
        msg = self.waiting.pop((cmd.client, cmd.seq), None)
        if msg is not None:
            self.reply(msg, "client_reply", ClientReply(True, result, self.name))


class KVClient(Node):
    """Invokes ``ops`` one after another, retrying each (same ``seq``) until some leader answers it.

    Examples
    --------
    >>> sim = Simulation(seed=2, latency=0.01)
    >>> names = ("n1", "n2", "n3")
    >>> for name in names:
    ...     _ = sim.add(RaftKV(name, names))
    >>> _ = sim.add(KVClient("c1", names, [("put", "x", 1), ("get", "x", None)], timeout_s=0.3))
    >>> sim.run(until=2.0)
    >>> [(op.kind, op.result) for op in sim.history]
    [('write', 'ok'), ('read', 1)]
    """

    def __init__(self, name: str, servers: Sequence[NodeId], ops: Sequence[tuple[str, str, Any]], *,
                 timeout_s: float = 0.3, think_s: float = 0.0):
        super().__init__(name)
        self.servers, self.ops = tuple(servers), tuple(ops)
        self.timeout_s = check_number("timeout_s", timeout_s, low=0, low_open=True)
        self.think_s = check_number("think_s", think_s, low=0)
        self.finished_s: float | None = None  # when the last operation completed

    def start(self):
        history, target, turn = self.sim.history, self.servers[0], 0
        for seq, (op, key, value) in enumerate(self.ops, start=1):
            if self.think_s:
                yield self.sleep(self.think_s)
            op_id = history.invoke(self.name, "write" if op == "put" else "read", value, at=self.now, key=key)
            cmd = Command(self.name, seq, op, key, value)
            while True:
                reply = yield from self.wait(self.request(target, "client_request", ClientRequest(cmd)),
                                             self.timeout_s)
                if reply is not None and reply.payload.ok:
                    history.complete(op_id, reply.payload.result, at=self.now)
                    break
                if reply is not None and reply.payload.leader not in (None, target):
                    target = reply.payload.leader
                    continue
                turn += 1
                target = self.servers[turn % len(self.servers)]
                if reply is not None:  # nobody knows a leader yet: give an election time to finish
                    yield self.sleep(self.timeout_s / 3)
        self.finished_s = self.now


@dataclass(frozen=True)
class RaftKVRun:
    """What one run of the replicated store left behind."""

    trace: tuple[TraceEvent, ...]
    history: History
    logs: dict[NodeId, list[Entry]]
    leaders: int  # elections won
    end_s: float  # simulated seconds until the last client finished (or the limit)
    messages: int  # messages sent


def _workload(rng, n_ops: int, n_clients: int, n_keys: int) -> list[list[tuple[str, str, Any]]]:
    per_client: list[list[tuple[str, str, Any]]] = [[] for _ in range(n_clients)]
    for i in range(n_ops):
        key = f"k{rng.randrange(n_keys)}"
        op = ("put", key, i) if rng.random() < 0.5 else ("get", key, None)
        per_client[i % n_clients].append(op)
    return per_client


def run_raft_kv(n_nodes: int = 5, n_ops: int = 100, *, n_clients: int = 5, n_keys: int = 3, nemesis=None,
                latency=Uniform(0.001, 0.01), loss: float = 0.0, storage_latency=0.0, clock_drift: float = 0.0,
                think_s: float = 0.0, limit_s: float = 60.0, mistakes=(), options: dict | None = None,
                seed: Seed = None) -> RaftKVRun:
    """Run ``n_ops`` random puts and gets from ``n_clients`` clients against ``n_nodes`` Raft servers.

    Parameters
    ----------
    n_nodes, n_ops : int
    n_clients, n_keys : int
    nemesis : Nemesis, optional
        Faults applied to the servers (``labsupport.sim.nemesis``); clients are never faulted.
    latency, loss :
        The network's default links (a non-constant latency reorders messages).
    storage_latency, clock_drift :
        How long a durable write takes, and the bound on each node's clock drift rate.
    think_s : float
        Each client waits this long before each operation (spreads the operations over the faults).
    limit_s : float
        Stop at this simulated time even if clients still wait. Otherwise the run goes on until every
        client has finished and the nemesis has healed (so crashed servers have restarted).
    mistakes : iterable of str
        :data:`labsupport.agreement.raft.MISTAKES` to switch on.
    options : dict, optional
        More keyword arguments for every :class:`RaftKV` (``election_timeout_s``, ``heartbeat_s``).
    seed : int, random.Random or None
    """
    check_int("n_nodes", n_nodes, low=1)
    check_int("n_ops", n_ops, low=0)
    check_int("n_clients", n_clients, low=1)
    check_int("n_keys", n_keys, low=1)
    check_number("limit_s", limit_s, low=0, low_open=True)
    options = dict(check_type("options", options, dict) if options is not None else {})
    sim = Simulation(seed=seed, latency=latency, loss=loss, storage_latency=storage_latency,
                     clock_drift=clock_drift)
    names = tuple(f"n{i}" for i in range(1, n_nodes + 1))
    for name in names:
        sim.add(RaftKV(name, names, mistakes=mistakes, **options))
    plan = _workload(sim.rng("raft-kv workload"), n_ops, n_clients, n_keys)
    clients = [sim.add(KVClient(f"c{i}", names, ops, think_s=think_s)) for i, ops in enumerate(plan, start=1)]
    if nemesis is not None:
        nemesis.apply(sim)
    step_s, settle_s = 0.5, (nemesis.heal_s if nemesis is not None else 0.0)  # run on until the faults are over
    while sim.now < limit_s and (sim.now < settle_s or not all(c.finished_s is not None for c in clients)):
        sim.run(until=min(limit_s, sim.now + step_s))
    trace = tuple(sim.trace)
    end_s = max((c.finished_s if c.finished_s is not None else sim.now) for c in clients)
    return RaftKVRun(trace, sim.history, final_logs(sim),
                     sum(1 for e in trace if e.event == "note" and e.detail.startswith("raft leader")),
                     end_s, sum(1 for e in trace if e.event == "send"))
