"""Figure 8 of the Raft paper, replayed on the kernel: why a leader may not count replicas of an old term's entry.

A line in the committee's minutes that a majority has copied looks safe. It
is not, if it was written by an earlier chair: a member whose minutes end
with a line from a *later* term can still win an election (its minutes count
as more up to date) and make everyone replace that line. Ongaro & Ousterhout
(2014, section 5.4.2 and Figure 8) show the schedule; this module plays it
with five nodes, fixed election timeouts (so that the script, not chance,
decides who stands), and explicit partitions and crashes:

1. ``s1`` leads term 1; ``x=1`` commits everywhere.
2. Cut off with ``s2``, ``s1`` appends ``x=2`` at index 2; only ``s2`` copies it. ``s1`` crashes.
3. ``s5`` wins term 2 with the votes of ``s3`` and ``s4`` and appends ``x=3`` at index 2, alone; it crashes.
4. The network heals; ``s1`` restarts, wins term 3 and copies ``x=2`` to ``s3`` and ``s4``: a majority holds it.
   **The unsafe rule commits it now**, and ``s1`` applies ``x=2`` at index 2.
5. ``s1`` crashes; ``s5`` restarts and wins term 4 (its last entry, of term 2, beats their term-1 entry),
   and overwrites index 2 with ``x=3`` everywhere; it then appends ``x=4`` in its own term, which commits.

With the unsafe rule, index 2 is applied as ``x=2`` by some nodes and as
``x=3`` by others: state-machine safety is broken. With Raft's rule, ``x=2``
was never committed (no entry of term 3 was on a majority), so nobody applied
it, and replacing it breaks nothing.

Examples
--------
>>> unsafe = run_figure8(unsafe_commit=True, seed=1)
>>> sorted(set(unsafe.applied_at(2).values()))
['x=2', 'x=3']
>>> safe = run_figure8(seed=1)
>>> sorted(set(safe.applied_at(2).values()))
['x=3']
"""

from __future__ import annotations

from dataclasses import dataclass

from labsupport.agreement.raft import RaftNode
from labsupport.agreement.raft_invariants import parse_note
from labsupport.seeds import Seed
from labsupport.sim import Simulation, TraceEvent

__all__ = ["FIGURE8_NODES", "FIGURE8_STEPS", "Figure8Run", "run_figure8", "diagram_trace"]

FIGURE8_NODES = ("s1", "s2", "s3", "s4", "s5")
LATENCY_S = 0.01
# Only s1 and s5 ever stand for election: the others wait far longer than the script lasts.
TIMEOUTS_S = {"s1": 0.1, "s2": 5.0, "s3": 5.0, "s4": 5.0, "s5": 0.2}
# (time in seconds, what happens): the schedule of the module docstring.
FIGURE8_STEPS = (
    (0.20, "propose x=1 at s1"),
    (0.40, "partition s1,s2 | s3,s4,s5"),
    (0.41, "propose x=2 at s1"),
    (0.50, "crash s1"),
    (0.70, "heal"),
    (0.70, "partition s5 | s1,s2,s3,s4"),
    (0.71, "propose x=3 at s5"),
    (0.75, "crash s5"),
    (0.80, "heal"),
    (0.80, "recover s1"),
    (1.20, "crash s1"),
    (1.20, "recover s5"),
    (1.80, "propose x=4 at s5"),
)
END_S = 2.2


@dataclass(frozen=True)
class Figure8Run:
    """The trace of one replay, and which rule the leaders used."""

    unsafe_commit: bool
    trace: tuple[TraceEvent, ...]

    def diagram_trace(self, index: int = 2) -> list[TraceEvent]:
        """The trace for a space-time diagram: no heartbeats, short notes, apply notes for ``index`` only."""
        return diagram_trace(self.trace, indexes=(index,))

    def applied_at(self, index: int) -> dict[str, str]:
        """Node -> the command it applied at ``index`` (the last time, if it applied it twice)."""
        applied = {}
        for event in self.trace:
            if event.event == "note" and event.detail.startswith("raft apply"):
                note = parse_note(event.detail)[1]
                if note["index"] == index:
                    applied[event.node] = note["cmd"]
        return dict(sorted(applied.items()))


def diagram_trace(trace, *, indexes=None, heartbeats: bool = False) -> list[TraceEvent]:
    """``trace`` made readable on a space-time diagram.

    AppendEntries and their replies (dozens a second) are left out unless ``heartbeats``; a leader
    note reads "leader, term 3", an apply note "applies x=2 at 2", and only apply notes at
    ``indexes`` are kept (None: all).

    Examples
    --------
    >>> from labsupport.sim import TraceEvent
    >>> from labsupport.agreement.raft_invariants import leader_note
    >>> [e.detail for e in diagram_trace([TraceEvent(0.1, "note", "s1", detail=leader_note(3, 0))])]
    ['leader, term 3']
    """
    kept = []
    for event in trace:
        if not heartbeats and event.kind in ("append_entries", "appended"):
            continue
        if event.event == "note" and event.detail.startswith("raft "):
            what, note = parse_note(event.detail)
            if what == "leader":
                event = event._replace(detail=f"leader, term {note['term']}")
            elif indexes is None or note["index"] in indexes:
                event = event._replace(detail=f"applies {note['cmd']} at {note['index']}")
            else:
                continue
        kept.append(event)
    return kept


def _do(sim: Simulation, step: str) -> None:
    words = step.split()
    if words[0] == "propose":
        sim.nodes[words[3]].propose(words[1])
    elif words[0] == "partition":
        sim.partition(*(set(side.split(",")) for side in step[len("partition "):].split(" | ")))
    elif words[0] == "heal":
        sim.heal()
    elif words[0] == "crash":
        sim.crash(words[1])
    else:
        sim.recover(words[1])


def run_figure8(*, unsafe_commit: bool = False, seed: Seed = None) -> Figure8Run:
    """Replay the Figure 8 schedule with Raft's commit rule, or with the unsafe one (``unsafe_commit=True``).

    Nothing in the schedule is random (fixed timeouts, constant latency); ``seed`` is there by convention.
    """
    sim = Simulation(seed=seed, latency=LATENCY_S)
    mistakes = ("commit_old_terms",) if unsafe_commit else ()
    for name in FIGURE8_NODES:
        timeout = TIMEOUTS_S[name]
        sim.add(RaftNode(name, FIGURE8_NODES, election_timeout_s=(timeout, timeout), noop=False,
                         mistakes=mistakes))
    for time_s, step in FIGURE8_STEPS:
        sim.at(time_s, _do, sim, step)
    sim.run(until=END_S)
    return Figure8Run(bool(unsafe_commit), tuple(sim.trace))
