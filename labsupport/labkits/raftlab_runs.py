"""Lab 11's test bench: a five-node cluster of the student's Raft nodes, clients, and a fault schedule.

A wind tunnel for a protocol: the same airframe (the student's node class) is
put through a scripted storm (a nemesis schedule of partitions, crashes,
pauses, loss and delay) while clients keep asking it to store and read keys.
Everything is drawn from one seed, so a run that breaks can be flown again,
event for event, and drawn as a space-time diagram.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from labsupport.agreement.raft_invariants import RaftVerdict, check_raft, final_logs, parse_note
from labsupport.checks import check_choice, check_int, check_number, check_type, out_of_range
from labsupport.labkits.protocol import PropertyFailure, lab_node, protocol_lab
from labsupport.labkits.raftlab import ClientReply, Command
from labsupport.seeds import Seed, derive_rng
from labsupport.sim import History, LogNormal, Node, Simulation, TraceEvent

__all__ = ["LabClient", "RaftRun", "make_script", "run_cluster", "run_leader_cut_off", "run_part", "lab_schedule",
           "expect_ok", "PUBLIC_SCHEDULES", "NODES", "KEYS"]

NODES = ("n1", "n2", "n3", "n4", "n5")
KEYS = ("x", "y")
SETTLE_S = 4.0  # seconds at the end of a run with no fault: every operation invoked before them must complete
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


def make_script(name: str, n_ops: int, *, start_s: float = 0.5, gap_s: float = 0.1, seed: Seed = None) -> list[tuple]:
    """A client's ``(at_s, op, key, value)`` rows: puts of unique values and gets on :data:`KEYS`.

    Examples
    --------
    >>> make_script("c1", 3, seed=1)  # doctest: +NORMALIZE_WHITESPACE
    [(0.5, 'put', 'x', 'c1:1'), (0.6, 'get', 'x', None), (0.7, 'get', 'x', None)]
    """
    check_int("n_ops", n_ops, low=0)
    check_number("start_s", start_s, low=0)
    check_number("gap_s", gap_s, low=0)
    rng = derive_rng(seed, f"raftlab-script:{name}")
    rows = []
    for i in range(1, n_ops + 1):
        op = "put" if rng.random() < 0.5 else "get"
        rows.append((round(start_s + gap_s * (i - 1), 6), op, rng.choice(KEYS), f"{name}:{i}" if op == "put" else None))
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
    extra : tuple of str
        Problems the scenario found itself (a leader that was never replaced, say).
    call : str
        The call that runs it again (with your node class in place of ``NodeClass``).
    """

    trace: tuple[TraceEvent, ...]
    history: History
    logs: dict
    schedule: str
    seed: Any
    duration_s: float
    extra: tuple[str, ...] = ()
    call: str = ""

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

    def problems(self) -> list[str]:
        """What went wrong: each broken invariant, and operations that never finished although the faults ended.

        A client operation invoked more than :data:`SETTLE_S` before the end of the run must have completed:
        the faults of every lab schedule end by then, so a correct cluster elects a leader and answers.
        """
        found = [str(v) for v in self.verdict().violations] + list(self.extra)
        stuck = [op for op in self.history if op.pending and op.invoke_s < self.duration_s - SETTLE_S]
        if stuck:
            op = stuck[0]
            found.append(f"liveness broken: {len(stuck)} client operation(s) never completed after the faults "
                         f"ended, the first {op.client}'s {op.kind} of {op.key!r} invoked at t={op.invoke_s:g}")
        return found

    def report(self) -> str:
        """The problems, the schedule and how to replay the run; or that every check held."""
        problems = self.problems()
        if not problems:
            return "every check held: " + self.verdict().explain()
        lines = [f"{len(problems)} problem(s) on seed {self.seed}; the first: {problems[0]}"]
        if self.call:
            lines.append(f"run it again: {self.call}")
        lines.append("schedule:" if self.schedule else "schedule: no faults")
        lines += ["  " + line for line in self.schedule.splitlines()]
        return "\n".join(lines)

    def verdict(self) -> RaftVerdict:
        """The Raft referee's report: every invariant, and linearizability if clients ran."""
        history = self.history if len(self.history) else None
        return check_raft(self.trace, history, logs=self.logs)


@protocol_lab
def run_cluster(node_class, nemesis=None, *, n_clients: int = 0, n_ops: int = 0, gap_s: float = 0.1,
                duration_s: float = 10.0, seed: Seed = None, call: str = "") -> RaftRun:
    """Run five ``node_class`` nodes (``n1`` .. ``n5``) under ``nemesis`` with ``n_clients`` clients.

    Each client runs ``n_ops`` operations ``gap_s`` apart (:func:`make_script`); the run stops at ``duration_s``.
    ``nemesis`` is a :class:`labsupport.sim.nemesis.Nemesis` (None: no faults).

    Examples
    --------
    The kit's bare node never campaigns, so nobody leads and the client's operation never completes:

    >>> from labsupport.labkits.raftlab import RaftLabNode
    >>> class Silent(RaftLabNode):
    ...     def on_client_request(self, msg):
    ...         pass
    >>> run = run_cluster(Silent, n_clients=1, n_ops=1, duration_s=6.0, seed=1)
    >>> run.leaders(), [op.pending for op in run.history]
    ([], [True])
    """
    check_type("node_class", node_class, type)
    if not issubclass(node_class, Node):
        raise out_of_range("node_class", node_class, "a subclass of RaftLabNode (a kernel Node)")
    check_int("n_clients", n_clients, low=0, high=10)
    check_int("n_ops", n_ops, low=0)
    check_number("duration_s", duration_s, low=0, low_open=True)
    sim = Simulation(seed=seed, latency=LATENCY)
    node_class = lab_node(node_class)
    for name in NODES:
        sim.add(node_class(name, list(NODES)))
    for i in range(1, n_clients + 1):
        client = f"c{i}"
        sim.add(LabClient(client, NODES, make_script(client, n_ops, gap_s=gap_s, seed=sim.seed)))
    if nemesis is not None:
        nemesis.apply(sim)
    sim.run(until=duration_s)
    schedule = "" if nemesis is None else str(nemesis)
    return RaftRun(tuple(sim.trace), sim.history, final_logs(sim), schedule, sim.seed, duration_s, call=call)


@protocol_lab
def run_leader_cut_off(node_class, *, cut_at_s: float = 2.0, seed: Seed = None) -> RaftRun:
    """Elect a leader, cut it off from the other four at ``cut_at_s`` for 3 s, then heal.

    A correct cluster has a leader by 2 s, and a new one among the four within 1.5 s of the cut
    (the run's :meth:`RaftRun.problems` say so when not).

    Examples
    --------
    >>> from labsupport.labkits.raftlab import RaftLabNode
    >>> run_leader_cut_off(RaftLabNode, cut_at_s=2.0, seed=1).problems()
    ['liveness broken: no leader elected by t=2']
    """
    check_number("cut_at_s", cut_at_s, low=1.0, high=5.0)
    sim = Simulation(seed=seed, latency=LATENCY)
    node_class = lab_node(node_class)
    for name in NODES:
        sim.add(node_class(name, list(NODES)))
    run = {}

    def cut():
        won = [(e.node, parse_note(e.detail)[1]["term"]) for e in sim.trace
               if e.event == "note" and e.detail.startswith("raft leader")]
        run["old"] = won[-1] if won else None
        if won:
            sim.partition({won[-1][0]}, set(NODES) - {won[-1][0]})
            sim.heal(at=cut_at_s + 3.0)

    sim.at(cut_at_s, cut)
    sim.run(until=cut_at_s + 6.0)
    old = run["old"]
    schedule = (f"isolate the leader {old[0]} (term {old[1]}) from {cut_at_s:g} s to {cut_at_s + 3:g} s"
                if old else "no leader by the time of the cut")
    trace = tuple(sim.trace)
    extra = [] if old else [f"liveness broken: no leader elected by t={cut_at_s:g}"]
    if old and not any(e.node != old[0] and cut_at_s < e.time <= cut_at_s + 1.5 and e.event == "note"
                       and e.detail.startswith("raft leader") and parse_note(e.detail)[1]["term"] > old[1]
                       for e in trace):
        extra.append(f"liveness broken: no new leader among the other four within 1.5 s of cutting off {old[0]}")
    return RaftRun(trace, sim.history, final_logs(sim), schedule, sim.seed, cut_at_s + 6.0, tuple(extra),
                   f"run_leader_cut_off(NodeClass, cut_at_s={cut_at_s!r}, seed={seed!r})")


#: What each part's schedules may do: Part B's nodes keep nothing durable yet, so only Part C crashes them.
KINDS = {"A": ("partition", "isolate", "loss", "delay", "pause"), "B": ("partition", "isolate", "loss", "delay", "pause"),
         "C": ("partition", "isolate", "crash", "pause", "loss", "delay", "skew")}
FAULTS_S = 8.0  # every schedule's faults end by then; runs last FAULTS_S + 6 s
PUBLIC_SCHEDULES = ("calm", "partitions", "crashes", "pauses", "lossy")


def lab_schedule(part: str, schedule):
    """The nemesis of ``schedule`` for ``part`` (``"A"``, ``"B"``, ``"C"``): a public name or a random schedule's seed.

    The public names are :data:`PUBLIC_SCHEDULES` (``"crashes"`` only in Part C); an int picks the
    seeded random schedule ``Nemesis.random(NODES, duration_s=8.0, seed=schedule, kinds=KINDS[part])``.
    ``"calm"`` is None: no faults.
    """
    from labsupport.sim.nemesis import Crash, Delay, Loss, Nemesis, Partition, Pause

    check_choice("part", part, tuple(KINDS))
    if isinstance(schedule, int) and not isinstance(schedule, bool):
        return Nemesis.random(list(NODES), duration_s=FAULTS_S, seed=schedule, kinds=KINDS[part])
    check_choice("schedule", schedule, PUBLIC_SCHEDULES if part == "C" else
                 tuple(s for s in PUBLIC_SCHEDULES if s != "crashes"))
    if schedule == "calm":
        return None
    if schedule == "partitions":
        return Nemesis([Partition(start_s=1.0, end_s=3.0, shape="majority"),
                        Partition(start_s=4.0, end_s=5.5, shape="halves"),
                        Partition(start_s=6.0, end_s=7.5, shape="bridge")])
    if schedule == "crashes":
        return Nemesis([Crash(node="n1", at_s=1.0, restart_s=2.5), Crash(node="n2", at_s=1.5, restart_s=3.0),
                        Crash(node="n3", at_s=4.0, restart_s=4.5), Crash(node="n4", at_s=4.2, restart_s=6.0),
                        Crash(node="n5", at_s=6.5, restart_s=7.0)])
    if schedule == "pauses":
        return Nemesis([Pause(node=name, at_s=1.0 + 1.3 * i, duration_s=1.0) for i, name in enumerate(NODES)])
    return Nemesis([Loss(start_s=0.0, end_s=FAULTS_S, probability=0.2), Delay(start_s=2.0, end_s=5.0, latency=0.2)])


@protocol_lab
def run_part(node_class, part: str, schedule, *, seed: Seed = None) -> RaftRun:
    """Run ``node_class`` under ``part``'s ``schedule`` (see :func:`lab_schedule`) for 14 s.

    Part A runs no clients, and a run must see an election won within 3 s (2 s, and only one, with no
    faults); Parts B and C run three clients of 25 operations each, one every 0.3 s
    (or as soon as the one before completes), so they meet the faults of the first 8 s. The run's
    :meth:`RaftRun.report` names what broke and the call that replays it.
    """
    nemesis = lab_schedule(part, schedule)
    clients = 0 if part == "A" else 3
    run = run_cluster(node_class, nemesis, n_clients=clients, n_ops=25, gap_s=0.3, duration_s=FAULTS_S + 6.0,
                      seed=seed, call=f"run_part(NodeClass, {part!r}, {schedule!r}, seed={seed!r})")
    won = run.leaders()
    if nemesis is None and (len(won) != 1 or won[0][0] > 2.0):
        run = replace(run, extra=run.extra + (f"liveness broken: with no faults, exactly one election should be won, "
                                              f"within 2 s; won (time, node, term): {won}",))
    elif part == "A" and (not won or won[0][0] > 3.0):
        run = replace(run, extra=run.extra + ("liveness broken: no election won in the first 3 s (a majority can "
                                              "always elect under these schedules)",))
    return run


def expect_ok(run) -> None:
    """Raise :class:`~labsupport.labkits.protocol.PropertyFailure` with the run's report if anything broke.

    ``run`` is a :class:`RaftRun` or a staged :class:`~labsupport.labkits.raftlab_scenes.Scene`; the
    message names the broken rule, the schedule, the seed and the call that runs it again.
    """
    from labsupport.labkits.raftlab_scenes import Scene

    check_type("run", run, (RaftRun, Scene))  # a student's object is neither: only the lab's own runs are judged
    if run.problems() if type(run) is RaftRun else run.problems:
        raise PropertyFailure(run.report())
