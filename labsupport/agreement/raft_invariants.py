"""What a correct Raft run must never do, checked from the flight recorder.

A referee at a football match does not read the players' minds: they watch
what happens on the pitch and blow the whistle when a rule is broken. These
checks are that referee for Raft (Ongaro & Ousterhout, 2014): they read a
run's trace (and its client history) and name the first rule broken, the
node, the term, the index and the time, so the run can be replayed from its
seed and looked at.

The convention a Raft node follows (the reference in
:mod:`labsupport.agreement.raft` and Lab 11's student nodes alike)
--------------------------------------------------------------------------
A node makes two things visible, as trace notes written with
:meth:`labsupport.sim.Node.log` (the helpers below write them):

``raft leader term=T last=I``
    :func:`announce_leader`: the node has just become leader of term ``T``,
    with ``I`` entries in its log (the index of its last entry; 0 if empty).
``raft apply index=I term=E cmd=C``
    :func:`announce_apply`: the node has just applied the log entry at index
    ``I`` (1-based), which was created in term ``E``, to its state machine;
    ``C`` is the command as one line of text, the same text on every node
    for the same command (``str`` of the command record).

A node writes the apply notes in index order, once per index per
incarnation (after a restart from durable storage it may apply from index
1 again: that is not a violation as long as it applies the same entries).
For the log-matching check, :func:`final_logs` collects each node's log at
the end of a run: from a method ``raft_log()`` if the node has one (a
sequence of ``(term, command)`` pairs, index 1 first), else from durable
storage under ``storage["log"]``. (Do not keep the log in ``self.log``:
that name is :meth:`~labsupport.sim.Node.log`, which writes notes.)

The invariants (the paper's Figure 3)
-------------------------------------
* **Election safety**: at most one leader per term.
* **Log matching**: if two logs hold an entry with the same index and term,
  the logs are identical up to that index (:func:`check_log_matching`, on the
  logs at the end of a run).
* **Leader completeness**: an entry applied before a leader of a later term
  took office is in that leader's log (checked on its length: an applied
  index beyond the new leader's last index is a violation).
* **State-machine safety**: no two nodes apply different entries at one index.
* And for the key-value store on top: the client history is
  **linearizable** (:func:`labsupport.data.linearizability.check_linearizable`);
  a verdict that is not a definite yes (a search limit hit: "unknown") never
  counts as a pass.

Examples
--------
>>> from labsupport.sim import TraceEvent
>>> trace = [TraceEvent(1.0, "note", "n1", detail=leader_note(1, 0)),
...          TraceEvent(1.5, "note", "n1", detail=apply_note(1, 1, "put x 1")),
...          TraceEvent(1.6, "note", "n2", detail=apply_note(1, 1, "put x 2"))]
>>> print(check_raft(trace).explain())  # doctest: +NORMALIZE_WHITESPACE
state-machine safety broken at t=1.6: n2 applied index 1 as term 1 'put x 2',
but n1 applied term 1 'put x 1' there at t=1.5
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

from labsupport.checks import check_int, check_type
from labsupport.data.linearizability import check_linearizable
from labsupport.sim.trace import NodeId, TraceEvent

__all__ = [
    "Entry", "Violation", "RaftVerdict",
    "leader_note", "apply_note", "announce_leader", "announce_apply", "parse_note", "final_logs",
    "check_election_safety", "check_state_machine_safety", "check_leader_completeness",
    "check_log_matching", "check_history", "check_raft",
]

INVARIANTS = ("election safety", "log matching", "leader completeness", "state-machine safety", "linearizability")


class _EntryFields(NamedTuple):
    term: int
    command: Any


class Entry(_EntryFields):
    """One log entry: the term in which a leader created it (an int >= 0), and the command.

    Examples
    --------
    >>> Entry(2, "put x 1")
    Entry(term=2, command='put x 1')
    """

    __slots__ = ()

    def __new__(cls, term: int, command: Any):
        return super().__new__(cls, check_int("term", term, low=0), command)


class Violation(NamedTuple):
    """One broken invariant: which, when (simulated seconds; None for end-of-run checks), and what happened."""

    invariant: str
    time: float | None
    detail: str

    def __str__(self) -> str:
        when = "" if self.time is None else f" at t={self.time:g}"
        return f"{self.invariant} broken{when}: {self.detail}"


@dataclass(frozen=True)
class RaftVerdict:
    """The referee's report on one run.

    Attributes
    ----------
    ok : bool
        True only if every invariant checked holds (and the history check gave a definite yes).
    violations : tuple of Violation
        In the order found: by invariant, then by time.
    checked : tuple of str
        The invariants that were checked.
    leaders : int
        Leader notes seen (one per term won).
    applied : int
        Apply notes seen.
    """

    ok: bool
    violations: tuple[Violation, ...]
    checked: tuple[str, ...]
    leaders: int
    applied: int

    def broken(self) -> tuple[str, ...]:
        """The names of the invariants broken, without repeats, in :data:`INVARIANTS` order."""
        names = {v.invariant for v in self.violations}
        return tuple(name for name in INVARIANTS if name in names)

    def explain(self) -> str:
        """The first violation in words, or what held."""
        if self.violations:
            return str(self.violations[0])
        return (f"every invariant held ({', '.join(self.checked)}): "
                f"{self.leaders} leader elections, {self.applied} entries applied")


# -- the convention: writing and reading notes ------------------------------------------
def leader_note(term: int, last_index: int) -> str:
    """The note a node writes when it becomes leader of ``term`` with ``last_index`` log entries.

    Examples
    --------
    >>> leader_note(3, 7)
    'raft leader term=3 last=7'
    """
    return f"raft leader term={check_int('term', term, low=0)} last={check_int('last_index', last_index, low=0)}"


def apply_note(index: int, term: int, command: Any) -> str:
    """The note a node writes when it applies the entry at ``index`` (of ``term``) to its state machine.

    Examples
    --------
    >>> apply_note(5, 2, "put x 1")
    'raft apply index=5 term=2 cmd=put x 1'
    """
    text = str(command).replace("\n", " ")
    return f"raft apply index={check_int('index', index, low=1)} term={check_int('term', term, low=0)} cmd={text}"


def announce_leader(node, term: int, last_index: int) -> None:
    """Write :func:`leader_note` into ``node``'s trace (call it once, on winning an election).

    Examples
    --------
    >>> from labsupport.sim import Node, Simulation
    >>> class Winner(Node):
    ...     def start(self):
    ...         announce_leader(self, 1, 0)
    ...         announce_apply(self, 1, Entry(1, "put x 1"))
    >>> sim = Simulation(seed=1)
    >>> _ = sim.add(Winner("n1"))
    >>> sim.run()
    >>> [e.detail for e in sim.events("note")]
    ['raft leader term=1 last=0', 'raft apply index=1 term=1 cmd=put x 1']
    """
    node.log(leader_note(term, last_index))


def announce_apply(node, index: int, entry: Entry) -> None:
    """Write :func:`apply_note` for ``entry`` (an :class:`Entry` or a ``(term, command)`` pair) at ``index``.

    Call it as each entry is applied to the state machine, in index order
    (the example of :func:`announce_leader` calls both).
    """
    term, command = entry
    node.log(apply_note(index, term, command))


def parse_note(text: str) -> tuple[str, dict[str, Any]] | None:
    """Read a Raft note: ``("leader", {"term", "last"})``, ``("apply", {"index", "term", "cmd"})``, or None.

    Examples
    --------
    >>> parse_note('raft apply index=5 term=2 cmd=put x 1')
    ('apply', {'index': 5, 'term': 2, 'cmd': 'put x 1'})
    >>> parse_note('raft leader term=3 last=0')
    ('leader', {'term': 3, 'last': 0})
    >>> parse_note('got 42') is None
    True
    """
    if not text.startswith("raft "):
        return None
    what, _, rest = text[5:].partition(" ")
    try:
        if what == "leader":
            fields = dict(part.split("=", 1) for part in rest.split())
            return "leader", {"term": int(fields["term"]), "last": int(fields["last"])}
        if what == "apply":
            head, _, cmd = rest.partition(" cmd=")
            fields = dict(part.split("=", 1) for part in head.split())
            return "apply", {"index": int(fields["index"]), "term": int(fields["term"]), "cmd": cmd}
    except (KeyError, ValueError):
        pass
    raise ValueError(f"malformed Raft note {text!r}; write notes with leader_note() and apply_note()")


def _notes(trace: Iterable[TraceEvent], what: str) -> list[tuple[TraceEvent, dict[str, Any]]]:
    found = []
    for event in trace:
        if event.event == "note" and event.detail.startswith("raft "):
            parsed = parse_note(event.detail)
            if parsed[0] == what:
                found.append((event, parsed[1]))
    return found


def final_logs(sim) -> dict[NodeId, list[Entry]]:
    """Each node's log at the end of a run: ``node.raft_log()``, else ``storage["log"]`` (else left out).

    Examples
    --------
    >>> from labsupport.sim import Node, Simulation
    >>> class Keeper(Node):
    ...     def raft_log(self):
    ...         return [(1, "put x 1")]
    >>> sim = Simulation(seed=1)
    >>> _ = sim.add(Keeper("n1")), sim.add(Node("n2"))
    >>> final_logs(sim)
    {'n1': [Entry(term=1, command='put x 1')]}
    """
    logs = {}
    for name, node in sorted(sim.nodes.items()):
        storage = getattr(node, "storage", None)
        if callable(getattr(node, "raft_log", None)):
            logs[name] = [Entry(*entry) for entry in node.raft_log()]
        elif storage is not None and "log" in storage:
            logs[name] = [Entry(*entry) for entry in storage["log"]]
    return logs


# -- the invariants ---------------------------------------------------------------------
def check_election_safety(trace: Iterable[TraceEvent]) -> list[Violation]:
    """At most one leader per term: a second node announcing the same term is a violation.

    Examples
    --------
    >>> from labsupport.sim import TraceEvent
    >>> t = [TraceEvent(1.0, "note", "a", detail=leader_note(2, 0)),
    ...      TraceEvent(2.0, "note", "b", detail=leader_note(2, 0))]
    >>> [str(v) for v in check_election_safety(t)]
    ['election safety broken at t=2: b became leader of term 2, which a already won at t=1']
    """
    winner: dict[int, TraceEvent] = {}
    found = []
    for event, note in _notes(trace, "leader"):
        first = winner.setdefault(note["term"], event)
        if first.node != event.node:
            found.append(Violation("election safety", event.time,
                                   f"{event.node} became leader of term {note['term']}, which {first.node} "
                                   f"already won at t={first.time:g}"))
    return found


def check_state_machine_safety(trace: Iterable[TraceEvent]) -> list[Violation]:
    """No two nodes apply different entries (term and command) at the same index."""
    first: dict[int, tuple[TraceEvent, int, str]] = {}
    found = []
    for event, note in _notes(trace, "apply"):
        seen = first.setdefault(note["index"], (event, note["term"], note["cmd"]))
        if (seen[1], seen[2]) != (note["term"], note["cmd"]):
            found.append(Violation("state-machine safety", event.time,
                                   f"{event.node} applied index {note['index']} as term {note['term']} "
                                   f"{note['cmd']!r}, but {seen[0].node} applied term {seen[1]} {seen[2]!r} "
                                   f"there at t={seen[0].time:g}"))
    return found


def check_leader_completeness(trace: Iterable[TraceEvent]) -> list[Violation]:
    """A leader of term T holds every entry applied before it took office by a leader of a term below T.

    An entry applied at time t0 was committed by a leader whose term is at most the
    highest term announced by t0; a leader of a higher term, elected after t0,
    must have at least that many entries.
    """
    events = sorted([(e.time, 0, e, n) for e, n in _notes(trace, "leader")]
                    + [(e.time, 1, e, n) for e, n in _notes(trace, "apply")], key=lambda row: (row[0], row[1]))
    top_term, committed = 0, []  # committed: (index, bound on the committing term, event)
    highest: dict[int, tuple[int, TraceEvent]] = {}
    found = []
    for _, is_apply, event, note in events:
        if is_apply:
            if note["index"] > highest.get(top_term, (0, None))[0]:
                highest[top_term] = (note["index"], event)
            continue
        for bound, (index, applied) in highest.items():
            if bound < note["term"] and index > note["last"]:
                found.append(Violation("leader completeness", event.time,
                                       f"{event.node} became leader of term {note['term']} with {note['last']} "
                                       f"entries, but index {index} was already applied by {applied.node} at "
                                       f"t={applied.time:g}"))
                break
        top_term = max(top_term, note["term"])
    return found


def check_log_matching(logs: Mapping[NodeId, Sequence[Entry]]) -> list[Violation]:
    """Two logs with an entry of the same index and term are identical up to that index.

    Examples
    --------
    >>> good = {"a": [Entry(1, "x"), Entry(2, "y")], "b": [Entry(1, "x"), Entry(3, "z")]}
    >>> check_log_matching(good)
    []
    >>> bad = {"a": [Entry(1, "x"), Entry(2, "y")], "b": [Entry(1, "w"), Entry(2, "y")]}
    >>> print(check_log_matching(bad)[0])
    log matching broken: a and b both hold term 2 at index 2 but differ at index 1
    """
    check_type("logs", logs, Mapping)
    names = sorted(logs)
    found = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            la, lb = list(logs[a]), list(logs[b])
            last_same = max((k for k in range(min(len(la), len(lb))) if la[k].term == lb[k].term), default=-1)
            differ = next((k for k in range(last_same + 1) if la[k] != lb[k]), None)
            if differ is not None:
                found.append(Violation("log matching", None,
                                       f"{a} and {b} both hold term {la[last_same].term} at index {last_same + 1} "
                                       f"but differ at index {differ + 1}"))
    return found


def check_history(history) -> list[Violation]:
    """The key-value history is linearizable; an "unknown" verdict (search limit hit) is a violation too."""
    result = check_linearizable(history)
    if result.linearizable is True:
        return []
    if result.linearizable is False:
        return [Violation("linearizability", None, result.explain())]
    why = f"the checker could not decide, which is not a pass: {result.explain()}"
    return [Violation("linearizability", None, why)]


def check_raft(trace: Iterable[TraceEvent], history=None, *, logs: Mapping[NodeId, Sequence[Entry]] | None = None
               ) -> RaftVerdict:
    """Check every Raft invariant on a run: its trace, and if given, its client history and final logs.

    Parameters
    ----------
    trace : iterable of TraceEvent
        ``sim.trace``, with the notes of the convention in the module docstring.
    history : History, optional
        The clients' key-value operations (``sim.history``), checked for linearizability.
    logs : mapping of node name to a sequence of Entry, optional
        The logs at the end of the run (:func:`final_logs`), checked for log matching.

    Returns
    -------
    RaftVerdict
    """
    trace = list(trace)
    violations = (check_election_safety(trace) + check_state_machine_safety(trace)
                  + check_leader_completeness(trace))
    checked = ["election safety", "leader completeness", "state-machine safety"]
    if logs is not None:
        violations += check_log_matching(logs)
        checked.insert(1, "log matching")
    if history is not None:
        violations += check_history(history)
        checked.append("linearizability")
    return RaftVerdict(not violations, tuple(violations), tuple(checked),
                       len(_notes(trace, "leader")), len(_notes(trace, "apply")))
