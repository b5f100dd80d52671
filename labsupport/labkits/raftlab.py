"""The kit for Lab 11: Raft's messages, a node skeleton's plumbing and the clients that use the cluster.

A relay race with a rule book: the runners (the student's nodes) decide who
carries the baton (who leads) and what gets written in the shared log; the
kit hands them the rule book's forms (the message records below, which every
node and every test reads by field name), a stopwatch (a seeded, randomized
election timer) and a notary (:meth:`RaftLabNode.apply`, which executes a
committed command on the node's key-value store and notes it in the trace).
The kit never decides anything a Raft node must decide.

What a node makes visible, and the invariant checks read, are the trace notes
of the Raft referee's convention (:mod:`labsupport.agreement.raft_invariants`),
written by the kit's own methods: :meth:`RaftLabNode.became_leader` and
:meth:`RaftLabNode.apply`. A node that keeps its log durably under
``storage["log"]`` also has its final log checked for log matching.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from labsupport.agreement.raft_invariants import Entry, announce_apply, announce_leader
from labsupport.checks import check_choice, check_int, check_type, out_of_range
from labsupport.sim import Node

__all__ = ["Command", "Entry", "RequestVote", "Vote", "AppendEntries", "AppendReply", "ClientReply",
           "RaftLabNode"]


class _CommandFields(NamedTuple):
    client: str
    seq: int
    op: str
    key: str
    value: Any = None


class Command(_CommandFields):
    """A client's command: ``op`` is ``"put"`` (store ``value`` under ``key``) or ``"get"`` (read ``key``).

    ``client`` and ``seq`` (1, 2, ...) name the request: a client's retry of one request keeps its
    ``seq``, so a command applied twice is executed once (:meth:`RaftLabNode.apply` keeps the last
    ``seq`` and result per client).

    Examples
    --------
    >>> Command("c1", 1, "put", "x", "c1:1")
    Command(client='c1', seq=1, op='put', key='x', value='c1:1')
    """

    __slots__ = ()

    def __new__(cls, client: str, seq: int, op: str, key: str, value: Any = None):
        check_type("client", client, str)
        check_int("seq", seq, low=1)
        check_choice("op", op, ("put", "get"))
        check_type("key", key, str)
        return super().__new__(cls, client, seq, op, key, value)


class RequestVote(NamedTuple):
    """Payload of ``request_vote``: a candidate for ``term`` asks for a vote, showing its last log entry."""

    term: int
    candidate: str
    last_log_index: int
    last_log_term: int


class Vote(NamedTuple):
    """Payload of ``vote``: the voter's current term and whether it granted its vote."""

    term: int
    granted: bool


class AppendEntries(NamedTuple):
    """Payload of ``append_entries``: the leader's entries after ``prev_log_index`` (none: a heartbeat).

    Log indices count from 1; ``prev_log_index = 0`` (with ``prev_log_term = 0``) means "from the start".
    """

    term: int
    leader: str
    prev_log_index: int
    prev_log_term: int
    entries: tuple
    leader_commit: int


class AppendReply(NamedTuple):
    """Payload of ``append_reply``: the follower's term, whether it accepted, and the last index it now matches."""

    term: int
    success: bool
    match_index: int


class ClientReply(NamedTuple):
    """Payload of ``client_reply``: the answer to the client's request ``seq``.

    ``ok=False`` means "not done here": ``leader`` names the node that may be leader (or None).
    """

    seq: int
    ok: bool
    result: Any = None
    leader: str | None = None


class RaftLabNode(Node):
    """The plumbing under a lab Raft node; subclass it and write the handlers.

    A node is built as ``MyNode(name, peers)`` where ``peers`` names every node of the cluster
    (itself included). It forgets everything but ``self.storage`` when it crashes: on a restart
    the kernel calls ``__init__`` again and then ``on_recover``.

    Examples
    --------
    >>> from labsupport.sim import Simulation
    >>> node = Simulation(seed=1).add(RaftLabNode("n1", ["n1", "n2", "n3"]))
    >>> node.peers, node.majority
    (['n2', 'n3'], 2)
    >>> node.apply(1, Entry(1, Command("c1", 1, "put", "x", "five")))
    'ok'
    >>> node.apply(2, Entry(1, Command("c1", 2, "get", "x")))
    'five'
    >>> node.apply(3, Entry(1, Command("c1", 2, "get", "x")))  # a retried request: executed once
    'five'
    """

    forgets_on_crash = True
    ELECTION_TIMEOUT_S = (0.3, 0.6)  # each election timer waits a uniform draw from this range
    HEARTBEAT_S = 0.1  # how often a leader should send append_entries when it has nothing new

    def __init__(self, name: str, peers):
        super().__init__(name)
        members = sorted(peers)
        if name not in members:
            raise out_of_range("peers", members, f"a list of node names that includes {name!r}")
        self.peers = [p for p in members if p != name]
        self.majority = len(members) // 2 + 1
        self.kv: dict[str, Any] = {}  # the key-value store: changed only by apply
        self.last_applied = 0
        self._sessions: dict[str, tuple[int, Any]] = {}  # client -> (last seq executed, its result)
        self._timer_epoch = 0
        self._timer_rng = None  # drawn from the seed, the name and the incarnation on first use

    # -- timers --------------------------------------------------------------
    def reset_election_timer(self) -> None:
        """Start a fresh randomized election timer; :meth:`on_election_timeout` runs when it expires.

        Calling it again (on a heartbeat, on granting a vote) cancels the previous one.
        """
        self._timer_epoch += 1
        low, high = self.ELECTION_TIMEOUT_S
        if self._timer_rng is None:
            self._timer_rng = self.sim.rng(f"raft-timer:{self.name}:{self.incarnation}")
        delay_s = low + (high - low) * self._timer_rng.random()
        self.set_timer(delay_s, self._election_timer, self._timer_epoch)

    def stop_election_timer(self) -> None:
        """Cancel the election timer (a leader does not time itself out)."""
        self._timer_epoch += 1

    def _election_timer(self, epoch: int) -> None:
        if epoch == self._timer_epoch:
            self.on_election_timeout()

    def on_election_timeout(self) -> None:
        """Override: no heartbeat came in time, so start an election."""

    # -- what the checks see -------------------------------------------------
    def became_leader(self, term: int, last_index: int) -> None:
        """Call this once when the node wins the election for ``term`` with ``last_index`` entries in its log."""
        check_int("term", term, low=1)
        announce_leader(self, term, last_index)

    def apply(self, index: int, entry: Entry) -> Any:
        """Execute committed log entry ``index`` on ``self.kv`` and return its result.

        Entries must be applied in order, each once per life of the node (after a crash the store
        is empty again and is rebuilt from index 1). A ``put`` returns ``"ok"``, a ``get`` the value
        (None if the key was never written). A command whose ``seq`` this client has already had
        executed returns the remembered result and changes nothing.
        """
        check_int("index", index, low=1)
        if index != self.last_applied + 1:
            raise out_of_range("index", index, f"{self.last_applied + 1}, the next entry to apply",
                               why="skips or repeats an entry")
        check_type("entry", entry, Entry)
        self.last_applied = index
        command = entry.command
        announce_apply(self, index, entry)
        check_type("entry.command", command, Command)
        done = self._sessions.get(command.client)
        if done is not None and command.seq <= done[0]:
            return done[1] if command.seq == done[0] else None
        result = "ok" if command.op == "put" else self.kv.get(command.key)
        if command.op == "put":
            self.kv[command.key] = command.value
        self._sessions[command.client] = (command.seq, result)
        return result

