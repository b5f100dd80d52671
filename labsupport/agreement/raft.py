"""Raft: a replicated log that survives crashes and partitions (Ongaro & Ousterhout, 2014).

Picture a committee that keeps minutes. One member chairs (the **leader**);
only the chair writes new lines into the minutes and reads them out to the
others (**AppendEntries**), and a line becomes binding (**committed**) once a
majority has copied it. If the chair falls silent, a member who has waited a
random while stands for election (**RequestVote**) in a new **term**; members
vote at most once per term, and only for a candidate whose minutes are at
least as complete as their own. Everything a member must not forget (the
term, whom it voted for, the minutes) is written to durable storage before
it answers; the rest it may lose in a crash (``forgets_on_crash = True``).

This module is the consensus core, on :class:`~labsupport.agreement.raft_durable.DurableNode`
(replies wait for the writes they depend on); :mod:`labsupport.agreement.raft_kv` puts a
key-value store and retrying clients on top. Each node makes its role and
applied entries visible by the convention of
:mod:`labsupport.agreement.raft_invariants`, so the referee there can check
any run.

``mistakes`` switches on the classic errors, to show that the checks catch them:

* ``"vote_without_log_check"``: grant a vote without the up-to-date-log check;
* ``"commit_old_terms"``: commit an earlier term's entry by counting replicas
  (the paper's Figure 8);
* ``"forget_vote"``: do not persist the term and vote (a restarted node may
  vote twice in one term);
* ``"stale_reads"`` and ``"no_dedup"`` are key-value mistakes
  (:mod:`labsupport.agreement.raft_kv`).

Examples
--------
Three nodes elect a leader and commit two commands.

>>> from labsupport.sim import Simulation
>>> sim = Simulation(seed=4, latency=0.01)
>>> names = ("n1", "n2", "n3")
>>> nodes = [sim.add(RaftNode(name, names, election_timeout_s=(0.15, 0.3))) for name in names]
>>> sim.run(until=1.0)
>>> leader = next(n for n in nodes if n.role == "leader")
>>> leader.propose("put x 1"), leader.propose("put x 2")
(2, 3)
>>> sim.run(until=2.0)
>>> [n.commit_index for n in nodes]
[3, 3, 3]
"""

from __future__ import annotations

from typing import Any, NamedTuple

from labsupport.agreement.raft_durable import DurableNode
from labsupport.agreement.raft_invariants import Entry, announce_apply, announce_leader
from labsupport.checks import check_choice, check_number, check_type, out_of_range
from labsupport.sim.trace import NodeId

__all__ = ["RaftNode", "RequestVote", "Vote", "AppendEntries", "Appended", "MISTAKES", "NOOP"]

MISTAKES = ("vote_without_log_check", "commit_old_terms", "forget_vote", "stale_reads", "no_dedup")
NOOP = "noop"  # the entry a new leader appends so that earlier terms' entries commit
BATCH = 64  # most entries sent in one AppendEntries


class RequestVote(NamedTuple):
    term: int
    candidate: NodeId
    last_index: int
    last_term: int


class Vote(NamedTuple):
    term: int
    granted: bool


class AppendEntries(NamedTuple):
    term: int
    leader: NodeId
    prev_index: int
    prev_term: int
    entries: tuple
    commit: int


class Appended(NamedTuple):
    term: int
    success: bool
    match: int  # on success: the last index the follower now holds from the leader
    retry: int  # on failure: the index the leader should try next


class RaftNode(DurableNode):
    """One Raft server; ``cluster`` names every server, itself included.

    Parameters
    ----------
    name : str
    cluster : sequence of str
    election_timeout_s : (float, float)
        A follower that hears from no leader for a time drawn uniformly from
        this range (on its own clock) stands for election.
    heartbeat_s : float
        How often a leader sends AppendEntries when it has nothing new.
    noop : bool
        A new leader appends a no-op entry of its term (so earlier entries commit).
    mistakes : iterable of str
        Classic errors to switch on (:data:`MISTAKES`).
    """

    def __init__(self, name: NodeId, cluster, *, election_timeout_s=(0.15, 0.3), heartbeat_s: float = 0.05,
                 noop: bool = True, mistakes=()):
        super().__init__(name)
        self.cluster = tuple(check_type("cluster", cluster, (tuple, list)))
        if name not in self.cluster:
            raise out_of_range("cluster", self.cluster, f"names including {name!r}", why="leaves out the node itself")
        low, high = election_timeout_s
        check_number("election_timeout_s[0]", low, low=0, low_open=True)
        check_number("election_timeout_s[1]", high, low=low)
        self.timeout_s = (low, high)
        self.heartbeat_s = check_number("heartbeat_s", heartbeat_s, low=0, low_open=True)
        self.noop = noop
        self.mistakes = frozenset(check_choice("mistakes", m, MISTAKES) for m in mistakes)
        self.peers = tuple(n for n in self.cluster if n != name)
        self.majority = len(self.cluster) // 2 + 1
        # durable (loaded from storage when the node starts or recovers)
        self.term, self.voted_for, self.entries = 0, None, []
        # volatile
        self.role, self.leader_id, self.commit_index, self.last_applied = "follower", None, 0, 0
        self.votes: set[NodeId] = set()
        self.next_index: dict[NodeId, int] = {}  # the first entry each follower may lack
        self.match_index: dict[NodeId, int] = {}  # the last entry each follower is known to hold
        self.sent: dict[NodeId, int] = {}  # the last entry sent to each follower (a pipeline: not yet acknowledged)
        self._deadline, self._armed, self._rng = 0.0, False, None
        self._durable = 0  # how many of our entries are on disk: a leader counts itself only for those
        self._cuts = 0  # conflict truncations so far: a write of entries since cut away makes nothing durable

    # -- starting, and coming back from storage ------------------------------------------
    def start(self):
        self._load()

    def on_recover(self):
        self._load()

    def _load(self) -> None:
        store = self.storage
        self.term, self.voted_for = store.get("term", 0), store.get("voted_for")
        self.entries = [store[f"log.{i}"] for i in range(1, store.get("log_len", 0) + 1)]
        self._durable = len(self.entries)
        self._rng = self.sim.rng(f"raft-timeout:{self.name}:{self.incarnation}")
        self._reset_deadline()

    def raft_log(self) -> list[Entry]:
        """The log, by the convention of :mod:`~labsupport.agreement.raft_invariants`."""
        return list(self.entries)

    # -- durable writes (DurableNode.say sends nothing before what it depends on is on disk) ---
    def _persist_state(self) -> None:
        if "forget_vote" not in self.mistakes:
            self.write(term=self.term, voted_for=self.voted_for)

    def _persist_log(self, first: int) -> None:
        """Write entries from index ``first`` on, and the log's length (a truncation writes the length alone)."""
        length = len(self.entries)
        items = {f"log.{i}": self.entries[i - 1] for i in range(first, length + 1)}
        self._durable = min(self._durable, first - 1)
        event = self.write(log_len=length, **items)
        if event.triggered:
            self._durable = length
            return
        event.callbacks.append(self.guarded(self._now_durable, length, self._cuts))

    def _now_durable(self, length: int, cuts: int) -> None:
        if self._cuts == cuts:  # no conflict has cut those entries away since they were written
            self._durable = max(self._durable, length)
            if self.role == "leader":
                self._advance_commit()


    # -- terms and timers ---------------------------------------------------------------
    def _last(self) -> tuple[int, int]:
        return len(self.entries), (self.entries[-1].term if self.entries else 0)

    def _see_term(self, term: int) -> None:
        if term > self.term:
            self.term, self.voted_for = term, None
            self._persist_state()
            self._become_follower()

    def _become_follower(self) -> None:
        if self.role != "follower":
            self.role = "follower"
            self._reset_deadline()

    def _reset_deadline(self) -> None:
        timeout = self._rng.uniform(*self.timeout_s)
        self._deadline = self.clock() + timeout
        if not self._armed:
            self._armed = True
            self.set_local_timer(timeout, self._election_due)

    def _election_due(self) -> None:
        left = self._deadline - self.clock()
        if self.role == "leader":
            self._armed = False
        elif left > 1e-9:
            self.set_local_timer(left, self._election_due)
        else:
            self._armed = False
            self._stand()

    # -- elections ----------------------------------------------------------------------
    def _stand(self) -> None:
        self.role, self.leader_id = "candidate", None
        self.term, self.voted_for, self.votes = self.term + 1, self.name, {self.name}
        self._persist_state()
        self._reset_deadline()
        last_index, last_term = self._last()
        ask = RequestVote(self.term, self.name, last_index, last_term)
        for peer in self.peers:
            self.say(peer, "request_vote", ask)

    def on_request_vote(self, msg) -> None:
        ask = msg.payload
        self._see_term(ask.term)
        last_index, last_term = self._last()
        up_to_date = (ask.last_term, ask.last_index) >= (last_term, last_index)
        grant = (ask.term == self.term and self.voted_for in (None, ask.candidate)
                 and (up_to_date or "vote_without_log_check" in self.mistakes))
        if grant:
            self.voted_for = ask.candidate
            self._persist_state()
            self._reset_deadline()
        self.say(msg.src, "vote", Vote(self.term, grant))

    def on_vote(self, msg) -> None:
        vote = msg.payload
        self._see_term(vote.term)
        if self.role != "candidate" or vote.term != self.term or not vote.granted:
            return
        self.votes.add(msg.src)
        if len(self.votes) >= self.majority:
            self._lead()

    def _lead(self) -> None:
        self.role, self.leader_id = "leader", self.name
        announce_leader(self, self.term, len(self.entries))
        self.next_index = {p: len(self.entries) + 1 for p in self.peers}
        self.match_index = {p: 0 for p in self.peers}
        self.sent = {p: len(self.entries) for p in self.peers}
        if self.noop:
            self.propose(NOOP)
        self._heartbeat(self.term)

    def _heartbeat(self, term: int) -> None:
        if self.role == "leader" and self.term == term:
            for peer in self.peers:
                self._replicate(peer)
            self.set_local_timer(self.heartbeat_s, self._heartbeat, term)

    # -- replication ----------------------------------------------------------------------
    def propose(self, command: Any) -> int | None:
        """Append ``command`` to the log if this node leads; return its index (None if not leader)."""
        if self.role != "leader":
            return None
        self.entries.append(Entry(self.term, command))
        self._persist_log(len(self.entries))
        for peer in self.peers:
            self._send_new(peer)
        self._advance_commit()
        return len(self.entries)

    def _replicate(self, peer: NodeId, first: int | None = None) -> None:
        """Send ``peer`` the entries from ``first`` (default: the first it may lack) on, at most BATCH of them."""
        prev = (self.next_index[peer] if first is None else first) - 1
        entries = tuple(self.entries[prev:prev + BATCH])
        prev_term = self.entries[prev - 1].term if prev else 0
        self.sent[peer] = max(self.sent[peer], prev + len(entries)) if first is not None else prev + len(entries)
        self.say(peer, "append_entries",
                  AppendEntries(self.term, self.name, prev, prev_term, entries, self.commit_index))

    def _send_new(self, peer: NodeId) -> None:
        """Send what has not been sent yet (the heartbeat resends whatever was lost)."""
        if self.sent[peer] < len(self.entries):
            self._replicate(peer, max(self.next_index[peer], self.sent[peer] + 1))

    def on_append_entries(self, msg) -> None:
        ae = msg.payload
        self._see_term(ae.term)
        if ae.term < self.term:
            self.say(msg.src, "appended", Appended(self.term, False, 0, 0))
            return
        self.role, self.leader_id = "follower", ae.leader  # a candidate that hears the leader steps down
        self._reset_deadline()
        prev = ae.prev_index
        if prev > len(self.entries) or (prev and self.entries[prev - 1].term != ae.prev_term):
            self.say(msg.src, "appended", Appended(self.term, False, 0, self._retry_from(ae.prev_index)))
            return
        changed = None
        for offset, entry in enumerate(ae.entries):
            index = ae.prev_index + 1 + offset
            if index <= len(self.entries) and self.entries[index - 1].term != entry.term:
                del self.entries[index - 1:]  # a conflict: drop it and everything after
                self._cuts += 1
            if index > len(self.entries):
                self.entries.append(entry)
                changed = index if changed is None else changed
        if changed is not None:
            self._persist_log(changed)
        match = ae.prev_index + len(ae.entries)
        if min(ae.commit, match) > self.commit_index:  # never past what this message showed to match
            self.commit_index = min(ae.commit, match)
            self._apply_committed()
        self.say(msg.src, "appended", Appended(self.term, True, match, 0))

    def _retry_from(self, prev_index: int) -> int:
        """Where the leader should back up to: past our log's end, or to the first entry of the clashing term."""
        if prev_index > len(self.entries):
            return len(self.entries) + 1
        clash = self.entries[prev_index - 1].term
        first = prev_index
        while first > 1 and self.entries[first - 2].term == clash:
            first -= 1
        return first

    def on_appended(self, msg) -> None:
        reply = msg.payload
        self._see_term(reply.term)
        if self.role != "leader" or reply.term != self.term:
            return
        peer = msg.src
        if reply.success:
            if reply.match > self.match_index[peer]:
                self.match_index[peer] = reply.match
                self._advance_commit()
            self.next_index[peer] = max(self.next_index[peer], reply.match + 1)
            self._send_new(peer)
        else:  # back up to the follower's hint; a hint past next_index answers an older message
            self.next_index[peer] = max(1, min(self.next_index[peer], reply.retry))
            self._replicate(peer)

    def _advance_commit(self) -> None:
        """Commit the highest index a majority holds, if its entry is of this term (or the mistake is on)."""
        for index in range(len(self.entries), self.commit_index, -1):
            if self.entries[index - 1].term != self.term and "commit_old_terms" not in self.mistakes:
                break  # entries of earlier terms commit only beneath one of this term
            holders = (self._durable >= index) + sum(1 for m in self.match_index.values() if m >= index)
            if holders >= self.majority:
                self.commit_index = index
                self._apply_committed()
                return

    # -- applying --------------------------------------------------------------------------
    def _apply_committed(self) -> None:
        while self.last_applied < self.commit_index:
            self.last_applied += 1
            entry = self.entries[self.last_applied - 1]
            announce_apply(self, self.last_applied, entry)
            self.apply(self.last_applied, entry)

    def apply(self, index: int, entry: Entry) -> None:
        """Hook: a committed entry reaches the state machine (a subclass overrides it)."""
