"""Two-phase commit: all participants commit a transaction, or none does.

A wedding officiant asks each partner "do you?"; only after both have said
yes does she declare them married, and once a partner has said yes they may
not walk away while she speaks. **Two-phase commit** (2PC) runs a
distributed transaction the same way. In the first phase the
**coordinator** sends *prepare* to every **participant**; a participant that
can commit locks the keys, writes a durable **prepare record** and votes
yes, after which it may no longer decide on its own. In the second phase the
coordinator writes its decision durably (the **commit point**) and tells
everyone.

The price is **blocking**: a participant that voted yes and then hears
nothing cannot commit (another may have voted no) nor abort (the coordinator
may have decided commit). It keeps its locks and asks the coordinator again
and again until it answers. Here the coordinator uses **presumed abort**: if
it restarts and finds no durable decision, it decides abort.

Both roles set ``forgets_on_crash``: after a crash a node keeps only what it
wrote with ``persist``. A participant that does not persist its prepare
record (``persist_prepare=False``, the classic mistake) forgets that it
promised, and the transaction commits on some participants only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, NamedTuple, Sequence

from labsupport.checks import check_int, check_number, check_type, out_of_range
from labsupport.seeds import Seed
from labsupport.sim import Node, Simulation
from labsupport.sim.nemesis import Nemesis

__all__ = ["Prepare", "Vote", "Decision", "Inquiry", "Coordinator", "Participant", "TwoPhaseRun",
           "run_two_phase_commit"]

TXID = "t1"


class Prepare(NamedTuple):
    """Phase one: can you commit these writes?"""

    txid: str
    writes: dict


class Vote(NamedTuple):
    txid: str
    yes: bool


class Decision(NamedTuple):
    """Phase two: the outcome, sent to every participant (and to any that asks)."""

    txid: str
    commit: bool


class Inquiry(NamedTuple):
    """A blocked participant asks: what did you decide?"""

    txid: str


class Participant(Node):
    """Holds some keys; votes, then applies what the coordinator decides.

    Durable storage: ``"log"`` maps a transaction to ``("prepared", writes)``
    or ``("done", commit)``; ``"data"`` holds the committed values.

    Examples
    --------
    One participant refuses, so the other, which voted yes, aborts too:

    >>> from labsupport.sim import Simulation
    >>> sim = Simulation(seed=1, latency=0.01)
    >>> _ = sim.add(Coordinator("coordinator", {"p1": {"x": 1}, "p2": {"y": 2}}))
    >>> p1, p2 = sim.add(Participant("p1", inquiry_s=0.5)), sim.add(Participant("p2", refuse=True))
    >>> sim.run()
    >>> p1.storage["data"], p1.storage["log"]
    ({}, {'t1': ('done', False)})
    """

    forgets_on_crash = True

    def __init__(self, name: str, *, coordinator: str = "coordinator", refuse: bool = False,
                 persist_prepare: bool = True, inquiry_s: float = 0.5):
        super().__init__(name)
        self.coordinator, self.refuse, self.persist_prepare = coordinator, bool(refuse), bool(persist_prepare)
        self.inquiry_s = check_number("inquiry_s", inquiry_s, low=0, low_open=True)
        self.pending: dict[str, dict] = {}  # volatile: prepared, undecided transactions -> writes

    def on_recover(self) -> None:
        for txid, (state, writes) in self.storage.get("log", {}).items():
            if state == "prepared":  # promised before the crash: still bound, so ask
                self.pending[txid] = writes
                self._inquire(txid)

    def on_prepare(self, msg):
        txid, writes = msg.payload
        if self.refuse:
            self.log(f"no {txid}")
            self.reply(msg, "vote", Vote(txid, False))
            return
        self.pending[txid] = dict(writes)
        if self.persist_prepare:
            yield self.persist(log={**self.storage.get("log", {}), txid: ("prepared", dict(writes))})
        self.log(f"yes {txid}")
        self.reply(msg, "vote", Vote(txid, True))
        self.set_timer(self.inquiry_s, self._inquire, txid)

    def _inquire(self, txid: str) -> None:
        if txid in self.pending:
            self.send(self.coordinator, "inquiry", Inquiry(txid))
            self.set_timer(self.inquiry_s, self._inquire, txid)

    def on_decision(self, msg):
        txid, commit = msg.payload
        if txid not in self.pending:
            return  # already applied, or never promised (a forgetful participant after a crash)
        data = dict(self.storage.get("data", {}))
        if commit:
            data.update(self.pending[txid])
        yield self.persist(data=data, log={**self.storage.get("log", {}), txid: ("done", commit)})
        del self.pending[txid]
        self.log(f"{'commit' if commit else 'abort'} {txid}")


class Coordinator(Node):
    """Runs one transaction at ``start_s``: prepare, collect votes, log the decision, tell everyone.

    Durable storage: ``"log"`` maps the transaction to ``"begun"``, ``"commit"`` or ``"abort"``.

    Examples
    --------
    >>> from labsupport.sim import Simulation
    >>> sim = Simulation(seed=1, latency=0.01)
    >>> c = sim.add(Coordinator("coordinator", {"p1": {"x": 1}}, start_s=0.0, vote_timeout_s=1.0))
    >>> p = sim.add(Participant("p1", inquiry_s=0.5))
    >>> sim.run()
    >>> p.storage["data"], c.storage["log"]
    ({'x': 1}, {'t1': 'commit'})
    """

    forgets_on_crash = True

    def __init__(self, name: str, writes: Mapping[str, dict], *, start_s: float = 0.1, vote_timeout_s: float = 1.0):
        super().__init__(name)
        self.writes = {p: dict(w) for p, w in writes.items()}
        self.start_s = check_number("start_s", start_s, low=0)
        self.vote_timeout_s = check_number("vote_timeout_s", vote_timeout_s, low=0, low_open=True)

    def start(self):
        yield self.sleep(self.start_s)
        yield self.persist(log={TXID: "begun"})
        events = [self.request(p, "prepare", Prepare(TXID, w)) for p, w in self.writes.items()]
        votes = yield from self.collect(events, len(events), self.vote_timeout_s)
        commit = len(votes) == len(events) and all(v.payload.yes for v in votes)
        yield from self._decide(commit)

    def _decide(self, commit: bool):
        yield self.persist(log={TXID: "commit" if commit else "abort"})  # the commit point
        self.log("commit" if commit else "abort")
        for p in self.writes:
            self.send(p, "decision", Decision(TXID, commit))

    def on_recover(self):
        state = self.storage.get("log", {}).get(TXID)
        if state == "begun":  # crashed before deciding: presumed abort
            yield from self._decide(False)
        elif state is not None:
            for p in self.writes:
                self.send(p, "decision", Decision(TXID, state == "commit"))

    def on_inquiry(self, msg) -> None:
        state = self.storage.get("log", {}).get(msg.payload.txid)
        if state in ("commit", "abort"):
            self.reply(msg, "decision", Decision(msg.payload.txid, state == "commit"))
        # otherwise still collecting votes: the participant will ask again


@dataclass(frozen=True)
class TwoPhaseRun:
    """What one 2PC run did.

    Attributes
    ----------
    decision : str or None
        The coordinator's durable decision at the end ("commit", "abort"; None: never decided).
    outcome : dict
        Per participant: "commit", "abort", or None (never learned the outcome).
    blocked_s : dict
        Per participant that voted yes: seconds from its vote until it learned the outcome (None: still blocked).
    atomic : bool
        Every participant either holds the values the coordinator's decision implies or still holds a
        durable prepare record (it will apply the decision once it learns it); none learned another outcome.
    data : dict
        Per participant, its durable committed values.
    trace : list
    """

    decision: str | None
    outcome: dict
    blocked_s: dict
    atomic: bool
    data: dict
    trace: list


def run_two_phase_commit(n_participants: int = 3, *, nemesis: Nemesis | None = None, refuse: Sequence[str] = (),
                         persist_prepare: bool = True, latency_s: float = 0.01, storage_latency_s: float = 0.005,
                         until_s: float = 6.0, seed: Seed = None) -> TwoPhaseRun:
    """Run one transaction that writes ``x<i> = 1`` on participant ``p<i>``, under the ``nemesis`` given.

    The nodes are ``"coordinator"`` and ``"p1"``, ``"p2"``, ...; ``refuse`` names participants that vote no.

    Examples
    --------
    >>> run_two_phase_commit(3, seed=1).outcome
    {'p1': 'commit', 'p2': 'commit', 'p3': 'commit'}

    The coordinator crashes after the participants voted yes, before its decision is durable,
    and restarts at 3 s: the participants hold their locks until then, and the restarted
    coordinator, finding no decision, aborts.

    >>> from labsupport.sim.nemesis import Crash
    >>> crash = Nemesis([Crash(node="coordinator", at_s=0.132, restart_s=3.0)])
    >>> run = run_two_phase_commit(3, nemesis=crash, seed=1)
    >>> run.decision, run.blocked_s
    ('abort', {'p1': 2.9, 'p2': 2.9, 'p3': 2.9})
    """
    check_int("n_participants", n_participants, low=1)
    check_number("latency_s", latency_s, low=0)
    check_number("storage_latency_s", storage_latency_s, low=0)
    check_number("until_s", until_s, low=0, low_open=True)
    check_type("nemesis", nemesis, (Nemesis, type(None)))
    names = [f"p{i}" for i in range(1, n_participants + 1)]
    for name in refuse:
        if name not in names:
            raise out_of_range("refuse", name, f"participant names among {names}", why="is not a participant")
    sim = Simulation(seed=seed, latency=latency_s, storage_latency=storage_latency_s)
    sim.add(Coordinator("coordinator", {p: {f"x{p[1:]}": 1} for p in names}))
    for p in names:
        sim.add(Participant(p, refuse=p in refuse, persist_prepare=persist_prepare))
    if nemesis is not None:
        nemesis.apply(sim)
    sim.run(until=until_s)
    return _summarise(sim, names)


def _summarise(sim: Simulation, names: list[str]) -> TwoPhaseRun:
    state = sim.nodes["coordinator"].storage.get("log", {}).get(TXID)
    decision = state if state in ("commit", "abort") else None
    outcome, blocked, data = {}, {}, {}
    for p in names:
        notes = [(e.time, e.detail) for e in sim.events("note", p)]
        voted = next((t for t, d in notes if d == f"yes {TXID}"), None)
        said = {f"commit {TXID}": "commit", f"abort {TXID}": "abort", f"no {TXID}": "abort"}  # a no vote aborts
        learned = next(((t, said[d]) for t, d in notes if d in said), None)
        outcome[p] = learned[1] if learned else None
        if voted is not None:
            blocked[p] = round(learned[0] - voted, 6) if learned else None
        data[p] = dict(sim.nodes[p].storage.get("data", {}))
    expected = {p: ({f"x{p[1:]}": 1} if decision == "commit" else {}) for p in names}

    def consistent(p: str) -> bool:  # applied the decision, or still durably bound to apply it later
        still_bound = sim.nodes[p].storage.get("log", {}).get(TXID, ("",))[0] == "prepared"
        return outcome[p] in (None, decision) and (data[p] == expected[p] or still_bound)

    atomic = all(consistent(p) for p in names)
    return TwoPhaseRun(decision, outcome, blocked, atomic, data, list(sim.trace))
