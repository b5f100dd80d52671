"""Lab 11's staged scenes: one student node among scripted peers, each scene aimed at one rule of Raft.

A flight simulator's emergency drills: instead of waiting for a storm to
happen to produce an engine failure at take-off, the instructor stages it.
Here the other four nodes are puppets run by the kit, which say exactly what
the scene needs (a rival candidate asking for a vote in the same term, an old
leader's entry that a new leader must not commit by counting), and the scene
reports, from the trace alone, which rule the student's node ``n1`` broke.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labsupport.agreement.raft_invariants import check_history, parse_note
from labsupport.checks import check_int, check_type, out_of_range
from labsupport.labkits.protocol import lab_node, protocol_lab
from labsupport.labkits.raftlab import AppendEntries, AppendReply, Command, Entry, RequestVote, Vote
from labsupport.labkits.raftlab_runs import LabClient
from labsupport.seeds import Seed
from labsupport.sim import Constant, Node, Simulation, TraceEvent

__all__ = ["Puppet", "Scene", "run_split_vote", "run_stale_candidate", "run_commit_rule", "run_vote_after_restart",
           "run_stale_read"]

NODES = ("n1", "n2", "n3", "n4", "n5")
OLD = Command("c0", 1, "put", "x", "old")  # the entry an earlier leader left behind
NEW = Command("c1", 1, "put", "y", "new")  # the entry a client asks the new leader for


class Puppet(Node):
    """A scripted peer: sends ``script`` rows ``(at_s, dst, kind, payload)`` and answers like an honest follower.

    It keeps a log (``entries``) and a term, grants a vote to any candidate of a newer term whose
    log is at least as up to date as its own, accepts ``append_entries`` that pass the consistency
    check, and remembers every message it received in ``inbox`` as ``(time, src, kind, payload)``.

    Examples
    --------
    >>> Puppet("n3", entries=[Entry(1, OLD)], term=1).term
    1
    """

    def __init__(self, name: str, *, script=(), entries=(), term: int = 0):
        super().__init__(name)
        check_int("term", term, low=0)
        self.script, self.entries, self.term, self.inbox = tuple(script), list(entries), term, []

    def start(self):
        for at_s, dst, kind, payload in self.script:
            if at_s > self.now:
                yield self.sleep(at_s - self.now)
            self.send(dst, kind, payload)

    def deliver(self, msg):
        self.inbox.append((self.now, msg.src, msg.kind, msg.payload))
        super().deliver(msg)

    def on_request_vote(self, msg):
        ask = RequestVote(*msg.payload)
        last_term = self.entries[-1].term if self.entries else 0
        granted = ask.term > self.term and (ask.last_log_term, ask.last_log_index) >= (last_term, len(self.entries))
        self.term = max(self.term, ask.term)
        self.reply(msg, "vote", Vote(self.term, granted))

    def on_append_entries(self, msg):
        append = AppendEntries(*msg.payload)
        prev = append.prev_log_index
        if append.term < self.term or prev > len(self.entries) or (
                prev and self.entries[prev - 1].term != append.prev_log_term):
            self.reply(msg, "append_reply", AppendReply(max(self.term, append.term), False, 0))
            return
        self.term = append.term
        del self.entries[prev:]
        self.entries.extend(Entry(*e) for e in append.entries)
        self.reply(msg, "append_reply", AppendReply(self.term, True, len(self.entries)))

    def on_vote(self, msg):
        pass  # a puppet never campaigns: a vote for it means nothing

    def on_append_reply(self, msg):
        pass

    def on_client_reply(self, msg):
        pass


@dataclass(frozen=True)
class Scene:
    """A staged run: its trace, what it stages, the seed, the rules the student's node broke, how to run it again."""

    trace: tuple[TraceEvent, ...]
    schedule: str
    seed: Any
    problems: tuple[str, ...]
    call: str = ""

    def report(self) -> str:
        """The problems, what the scene staged and how to run it again; or that the node passed."""
        if not self.problems:
            return f"every check held in the scene: {self.schedule}"
        return "\n".join([f"{len(self.problems)} problem(s) on seed {self.seed}; the first: {self.problems[0]}",
                          f"scene: {self.schedule}", f"run it again: {self.call}"])


def _stage(node_class, puppets, *, seed: Seed, crashed=()) -> Simulation:
    check_type("node_class", node_class, type)
    if not issubclass(node_class, Node):
        raise out_of_range("node_class", node_class, "a subclass of RaftLabNode (a kernel Node)")
    sim = Simulation(seed=seed, latency=Constant(0.01))
    sim.add(lab_node(node_class)("n1", list(NODES)))
    for puppet in puppets:
        sim.add(puppet)
    for name in crashed:
        sim.crash(name, at=0.0)
    return sim


def _votes(sim: Simulation) -> list[tuple[float, str, Vote]]:
    """``(time, candidate, vote)`` for each vote n1 sent to a puppet."""
    return [(t, puppet.name, Vote(*payload)) for puppet in sim.nodes.values() if isinstance(puppet, Puppet)
            for t, src, kind, payload in puppet.inbox if src == "n1" and kind == "vote"]


@protocol_lab
def run_split_vote(node_class, *, seed: Seed = None) -> Scene:
    """Two candidates, n2 and n3, ask ``n1`` for its vote in the same term: it may grant at most one."""
    script = "n2 and n3 both ask n1 for its vote in term 5 (empty logs), 10 ms apart"
    asks = [Puppet(name, script=[(0.05 + 0.01 * i, "n1", "request_vote", RequestVote(5, name, 0, 0))])
            for i, name in enumerate(("n2", "n3"))]
    sim = _stage(node_class, asks + [Puppet("n4"), Puppet("n5")], seed=seed)
    sim.run(until=0.2)
    votes = _votes(sim)
    granted = [c for _, c, v in votes if v.granted and v.term == 5]
    problems = [f"n1 voted twice in term 5: for {' and '.join(granted)}"] if len(granted) > 1 else []
    if not votes:
        problems.append("n1 answered neither request_vote")
    return Scene(tuple(sim.trace), script, sim.seed, tuple(problems), f"run_split_vote(NodeClass, seed={seed!r})")


@protocol_lab
def run_stale_candidate(node_class, *, seed: Seed = None) -> Scene:
    """n1 holds an entry of term 1; n3 (empty log) must not get its vote for term 2, n4 (same log) must."""
    script = ("n2, leader of term 1, gives n1 one entry; then n3 (empty log) and n4 (the same entry) "
              "each ask n1 for its vote in term 2")
    leader = Puppet("n2", script=[(0.02, "n1", "append_entries", AppendEntries(1, "n2", 0, 0, (Entry(1, OLD),), 0))])
    stale = Puppet("n3", script=[(0.1, "n1", "request_vote", RequestVote(2, "n3", 0, 0))])
    fresh = Puppet("n4", entries=[Entry(1, OLD)], script=[(0.15, "n1", "request_vote", RequestVote(2, "n4", 1, 1))])
    sim = _stage(node_class, [leader, stale, fresh, Puppet("n5")], seed=seed)
    sim.run(until=0.25)
    votes = {c: v.granted for _, c, v in _votes(sim) if v.term == 2}
    problems = []
    if votes.get("n3"):
        problems.append("n1 voted for n3 in term 2 although n3's log (empty) is behind n1's (index 1, term 1)")
    if not votes.get("n4"):
        problems.append("n1 refused (or never answered) n4, whose log is as up to date as its own, in term 2")
    return Scene(tuple(sim.trace), script, sim.seed, tuple(problems), f"run_stale_candidate(NodeClass, seed={seed!r})")


@protocol_lab
def run_commit_rule(node_class, *, seed: Seed = None) -> Scene:
    """n1 wins term 2 holding an old entry of term 1; it may commit that entry only with one of term 2.

    n3 and n4 hold the same old entry and acknowledge it, so by counting it sits on a majority
    (n1, n3, n4) from n1's first heartbeat: a leader that commits it then breaks Raft's commit rule
    (the paper's Figure 8). At 2 s a client asks n1 for a put; once that term-2 entry is on a
    majority, both entries commit, and the client gets its answer.
    """
    script = ("n2 (leader of term 1) gives n1 an entry, then n2 and n5 are down; n3 and n4 already hold "
              "that entry; n1 becomes leader of term 2; at 2.0 s client c1 asks n1 to put y=new")
    puppets = [Puppet("n2", script=[(0.01, "n1", "append_entries", AppendEntries(1, "n2", 0, 0, (Entry(1, OLD),), 0))]),
               Puppet("n3", entries=[Entry(1, OLD)], term=1), Puppet("n4", entries=[Entry(1, OLD)], term=1),
               Puppet("n5"), Puppet("c0"), Puppet("c1", script=[(2.0, "n1", "client_request", NEW)])]
    sim = _stage(node_class, puppets, seed=seed, crashed=("n5",))
    sim.crash("n2", at=0.015)
    sim.run(until=3.0)
    stored = []  # times at which a puppet stored n1's entry of term 2
    for name in ("n3", "n4"):
        for t, src, kind, payload in sim.nodes[name].inbox:
            if src == "n1" and kind == "append_entries" and any(Entry(*e).term == 2 for e in payload[4]):
                stored.append(t)
                break
    majority_s = max(stored) if len(stored) == 2 else None  # n1, n3 and n4: three of five
    problems, applied = [], {}
    for e in sim.trace:
        note = parse_note(e.detail) if e.event == "note" and e.node == "n1" else None
        if note and note[0] == "apply":
            applied.setdefault(note[1]["index"], e.time)
    if 1 in applied and (majority_s is None or applied[1] < majority_s):
        problems.append(f"n1 committed index 1 (an entry of term 1) at t={applied[1]:g} while leader of term 2, "
                        "before any entry of term 2 was stored on a majority: only entries of the leader's own "
                        "term commit by counting replicas")
    if not {1, 2} <= set(applied):
        problems.append("n1 never applied both entries after c1's put of term 2 reached a majority")
    if not any(kind == "client_reply" and payload[1] for _, _, kind, payload in sim.nodes["c1"].inbox):
        problems.append("client c1 never got an ok answer to its put")
    return Scene(tuple(sim.trace), script, sim.seed, tuple(problems), f"run_commit_rule(NodeClass, seed={seed!r})")


@protocol_lab
def run_vote_after_restart(node_class, *, seed: Seed = None) -> Scene:
    """n1 votes for n2 in term 5, crashes and restarts; n3 then asks for its vote in term 5: it must refuse."""
    script = "n2 asks n1 for its vote in term 5; n1 crashes at 0.1 s and restarts at 0.15 s; n3 asks for term 5"
    puppets = [Puppet("n2", script=[(0.05, "n1", "request_vote", RequestVote(5, "n2", 0, 0))]),
               Puppet("n3", script=[(0.2, "n1", "request_vote", RequestVote(5, "n3", 0, 0))]),
               Puppet("n4"), Puppet("n5")]
    sim = _stage(node_class, puppets, seed=seed)
    sim.crash("n1", at=0.1)
    sim.recover("n1", at=0.15)
    sim.run(until=0.3)
    granted = [c for _, c, v in _votes(sim) if v.granted and v.term == 5]
    problems = []
    if "n2" not in granted:
        problems.append("n1 did not grant n2 its vote in term 5 (the first request in that term)")
    elif "n3" in granted:
        problems.append("after its restart n1 voted for n3 in term 5 although it had voted for n2 in term 5 "
                        "before the crash: the term and the vote must be durable before the reply")
    return Scene(tuple(sim.trace), script, sim.seed, tuple(problems), f"run_vote_after_restart(NodeClass, seed={seed!r})")


@protocol_lab
def run_stale_read(node_class, *, seed: Seed = None) -> Scene:
    """n1 leads term 1 and commits a put; cut off from the majority, it must not answer a get from its own store.

    The four others are honest followers until 2 s; then the network splits ``{n1, c2}`` from the
    rest, and the majority side commits a newer put of the same key (written into the history as
    client ``c3``'s, completed at 3 s). Client c2, on n1's side, asks n1 for the key at 3.5 s: a
    leader that answers from its own store returns the old value, which no linearizable store may.
    """
    script = ("n1 leads term 1 and commits c1's put x=old-leader's; at 2 s {n1, c2} are cut off from the rest, "
              "whose majority commits c3's put x=majority's by 3 s; at 3.5 s c2 asks n1 for x")
    clients = [LabClient("c1", ["n1"], [(0.8, "put", "x", "old-leader's")]),
               LabClient("c2", ["n1"], [(3.5, "get", "x", None)])]
    sim = _stage(node_class, [Puppet(name) for name in NODES[1:]] + clients, seed=seed)

    def majority_side_writes(at_s: float, op_id=None):
        if op_id is None:
            sim.at(at_s + 0.5, majority_side_writes, at_s + 0.5, sim.history.invoke("c3", "write", "majority's",
                                                                                      at=at_s, key="x"))
        else:
            sim.history.complete(op_id, "ok", at=at_s)

    sim.partition({"n1", "c2"}, set(NODES[1:]) | {"c1"}, at=2.0)
    sim.at(2.5, majority_side_writes, 2.5)
    sim.run(until=5.0)
    problems = [] if not sim.history.operations[0].pending else ["n1 never committed c1's put before the split"]
    problems += [f"a read from a leader cut off from the majority: {v.detail}" for v in check_history(sim.history)]
    return Scene(tuple(sim.trace), script, sim.seed, tuple(problems), f"run_stale_read(NodeClass, seed={seed!r})")
