"""Lab 11's test bench: a five-node cluster of the student's Raft nodes, clients, and a fault schedule.

A wind tunnel for a protocol: the same airframe (the student's node class) is
put through a scripted storm (a nemesis schedule of partitions, crashes,
pauses, loss and delay) while clients keep asking it to store and read keys.
Everything is drawn from one seed, so a run that breaks can be flown again,
event for event, and drawn as a space-time diagram.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labsupport.agreement.raft_invariants import RaftVerdict, check_raft, final_logs, parse_note
from labsupport.checks import check_int, check_number, check_type, out_of_range
from labsupport.labkits.raftlab import ClientReply, Command
from labsupport.seeds import Seed, derive_rng
from labsupport.sim import History, LogNormal, Node, Simulation, TraceEvent

__all__ = ["LabClient", "RaftRun", "make_script", "run_cluster", "NODES", "KEYS"]

NODES = ("n1", "n2", "n3", "n4", "n5")
KEYS = ("x", "y")
LATENCY = LogNormal(median_s=0.01, sigma=0.5)  # non-FIFO links with varied delays: messages overtake each other


class LabClient(Node):
    """Runs ``script`` (rows ``(at_s, op, key, value)``) against the cluster, one request at a time.

    Each request is sent to the node the client believes leads; an ``ok=False`` answer's
    ``leader`` hint, or silence for ``timeout_s``, moves it on to another node, and it retries
    with the same ``seq`` until some leader answers ``ok=True``. Every operation is recorded in the
    simulation's history (a ``put`` as a ``write``, a ``get`` as a ``read``).

    Examples
    --------
    >>> LabClient("c1", NODES, [(0.0, "put", "x", "c1:1")]).leader
    'n1'
    """

    def __init__(self, name: str, cluster, script, *, timeout_s: float = 0.5):
        super().__init__(name)
        check_number("timeout_s", timeout_s, low=0, low_open=True)
        self.cluster, self.script, self.timeout_s = tuple(cluster), tuple(script), timeout_s
        self.leader, self.seq, self._answer = self.cluster[0], 0, None

    def start(self):
        history = self.sim.history
        for at_s, op, key, value in self.script:
            if at_s > self.now:
                yield self.sleep(at_s - self.now)
            self.seq += 1
            command = Command(self.name, self.seq, op, key, value)
            op_id = history.invoke(self.name, "write" if op == "put" else "read", value if op == "put" else None,
                                   at=self.now, key=key)
            while True:
                self._answer = self.env.event()
                self.send(self.leader, "client_request", command)
                answer = yield from self.wait(self._answer, self.timeout_s)
                if answer is not None and answer.ok:
                    history.complete(op_id, answer.result, at=self.now)
                    break
                self._move_on(answer)
                if answer is not None:
                    yield self.sleep(0.05)  # a node that knows no leader yet: give the election time

    def _move_on(self, answer: ClientReply | None) -> None:
        hint = None if answer is None else answer.leader
        if hint in self.cluster and hint != self.leader:
            self.leader = hint
        else:
            self.leader = self.cluster[(self.cluster.index(self.leader) + 1) % len(self.cluster)]

    def on_client_reply(self, msg):
        answer = msg.payload
        if self._answer is not None and not self._answer.triggered and getattr(answer, "seq", None) == self.seq:
            self._answer.succeed(ClientReply(*answer))


def make_script(name: str, n_ops: int, *, start_s: float = 0.5, seed: Seed = None) -> list[tuple]:
    """A client's ``(at_s, op, key, value)`` rows: puts of unique values and gets on :data:`KEYS`.

    Examples
    --------
    >>> make_script("c1", 3, seed=1)  # doctest: +NORMALIZE_WHITESPACE
    [(0.5, 'get', 'y', None), (0.6, 'put', 'x', 'c1:2'), (0.7, 'put', 'y', 'c1:3')]
    """
    check_int("n_ops", n_ops, low=0)
    check_number("start_s", start_s, low=0)
    rng = derive_rng(seed, f"raftlab-script:{name}")
    rows = []
    for i in range(1, n_ops + 1):
        op = "put" if rng.random() < 0.5 else "get"
        rows.append((round(start_s + 0.1 * (i - 1), 6), op, rng.choice(KEYS), f"{name}:{i}" if op == "put" else None))
    return rows


@dataclass(frozen=True)
class RaftRun:
    """What one run left behind: its trace and client history, and how to run it again.

    Attributes
    ----------
    trace : tuple of TraceEvent
    history : History
    logs : dict
        Each node's durable log at the end (``storage["log"]``; empty if the nodes keep none).
    schedule : str
        The fault schedule, one fault per line (empty: no faults).
    seed : int
    duration_s : float
    """

    trace: tuple[TraceEvent, ...]
    history: History
    logs: dict
    schedule: str
    seed: Any
    duration_s: float

    def leaders(self) -> list[tuple[float, str, int]]:
        """``(time, node, term)`` for each election won, in order."""
        return [(e.time, e.node, fields["term"]) for e, what, fields in self._notes() if what == "leader"]

    def applied(self) -> list[tuple[float, str, int, int, str]]:
        """``(time, node, index, term, command)`` for each entry applied, in order."""
        return [(e.time, e.node, fields["index"], fields["term"], fields["cmd"])
                for e, what, fields in self._notes() if what == "apply"]

    def _notes(self):
        for e in self.trace:
            if e.event == "note" and e.detail.startswith("raft "):
                yield (e, *parse_note(e.detail))

    def verdict(self) -> RaftVerdict:
        """The Raft referee's report: every invariant, and linearizability if clients ran."""
        history = self.history if len(self.history) else None
        return check_raft(self.trace, history, logs=self.logs)


def run_cluster(node_class, nemesis=None, *, n_clients: int = 0, n_ops: int = 0, duration_s: float = 10.0,
                seed: Seed = None) -> RaftRun:
    """Run five ``node_class`` nodes (``n1`` .. ``n5``) under ``nemesis`` with ``n_clients`` clients.

    Each client runs ``n_ops`` operations (:func:`make_script`); the run stops at ``duration_s``.
    ``nemesis`` is a :class:`labsupport.sim.nemesis.Nemesis` (None: no faults).
    """
    check_type("node_class", node_class, type)
    if not issubclass(node_class, Node):
        raise out_of_range("node_class", node_class, "a subclass of RaftLabNode (a kernel Node)")
    check_int("n_clients", n_clients, low=0, high=10)
    check_int("n_ops", n_ops, low=0)
    check_number("duration_s", duration_s, low=0, low_open=True)
    sim = Simulation(seed=seed, latency=LATENCY)
    for name in NODES:
        sim.add(node_class(name, list(NODES)))
    for i in range(1, n_clients + 1):
        client = f"c{i}"
        sim.add(LabClient(client, NODES, make_script(client, n_ops, seed=sim.seed)))
    if nemesis is not None:
        nemesis.apply(sim)
    sim.run(until=duration_s)
    return RaftRun(tuple(sim.trace), sim.history, final_logs(sim), "" if nemesis is None else str(nemesis), sim.seed, duration_s)
