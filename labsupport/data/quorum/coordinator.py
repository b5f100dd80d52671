"""The quorum coordinator: send to the preference list, wait for R or W answers.

A coordinator is a pollster who must hear from R of the N people on a list
before reporting, and who does not care which R answer first. For a write it
needs W confirmations; for a read it merges the R answers it got (keeping
concurrent versions as siblings), and may then fix the replicas that
answered with something older (**read repair**). If some of the N do not
answer and the quorum is **sloppy**, it asks the next names down the list
instead, telling each whom it stands in for (a **hint**). Here the client
itself coordinates, as Dynamo's client-driven coordination does (DeCandia et
al., "Dynamo", SOSP 2007, sections 4.5 and 6.4).

With ``write_back=True`` a read first writes what it is about to return to
W replicas and waits for their acks, as in the read of Attiya, Bar-Noy and
Dolev ("Sharing Memory Robustly in Message-Passing Systems", JACM 1995):
once a read has returned a value, every later read quorum meets a replica
that has it. For a single writer whose writes are totally ordered, that
makes the register linearizable; plain R + W > N does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from labsupport.checks import check_int, check_number
from labsupport.sim import Node
from labsupport.data.quorum.config import check_quorum
from labsupport.data.quorum.replica import Put
from labsupport.data.quorum.versions import Clock, Version, advance, as_clock, merge_clocks, reconcile

__all__ = ["Op", "OpRecord", "QuorumClient", "UNAVAILABLE", "read_result"]

UNAVAILABLE = "unavailable"  # what a client records when fewer than R (or W) replicas answered


@dataclass(frozen=True)
class Op:
    """One scripted client operation: at ``at_s`` (or as soon as the previous one returns)."""

    at_s: float
    kind: str  # "get" or "put"
    key: str
    value: Any = None

    def __post_init__(self):
        check_number("at_s", self.at_s, low=0)


@dataclass(frozen=True)
class OpRecord:
    """What one operation did, for tables and explanations."""

    kind: str
    key: str
    start_s: float
    end_s: float
    result: Any
    replied: tuple[str, ...]  # replicas whose answers counted, in arrival order
    hinted: tuple[tuple[str, str], ...]  # (stand-in, intended replica) pairs used


def read_result(versions: Sequence[Version]) -> Any:
    """What a read returns: None if nothing was written, the value, or a sorted tuple of siblings.

    Examples
    --------
    >>> read_result([]), read_result([Version((("a", 1),), "milk")])
    (None, 'milk')
    >>> read_result([Version((("b", 1),), "eggs"), Version((("a", 1),), "milk")])
    ('eggs', 'milk')
    """
    values = [v.value for v in versions]
    if not values:
        return None
    return values[0] if len(values) == 1 else tuple(sorted(values, key=repr))


class QuorumClient(Node):
    """A client that coordinates its own quorum reads and writes on a ring of :class:`StorageNode`.

    Parameters
    ----------
    name : str
    ring : HashRing
        Gives each key's preference list; its first ``n`` nodes are the home replicas.
    n, r, w : int
        Replication factor and quorum sizes (validated by :func:`check_quorum`).
    script : sequence of Op
        Operations to run in order.
    timeout_s : float
        How long to wait for a quorum before giving up (or, if sloppy, trying stand-ins).
    sloppy : bool
        Use the next healthy nodes on the preference list, with hints, when home replicas are silent.
    read_repair : bool
        After a plain read, push the newest versions to replicas that answered with older ones.
    write_back : bool
        ABD-style read: write the result back to W replicas before returning it.
    seen : mapping of str to Clock, optional
        The clock of what this client has already read or written, per key: a
        client that wrote ``x`` before goes on from there (its counter
        continues from its own entry), so its next write supersedes the old one.
    suspect_s : float
        How long a silent replica is skipped before it is tried again.
    """

    def __init__(self, name: str, ring, *, n: int, r: int, w: int, script: Sequence[Op] = (),
                 timeout_s: float = 0.05, sloppy: bool = False, read_repair: bool = True,
                 write_back: bool = False, suspect_s: float = 0.3, seen: Mapping[str, Clock] | None = None):
        super().__init__(name)
        check_int("n", n, low=1)
        check_int("r", r, low=1, high=n)
        check_int("w", w, low=1, high=n)
        check_quorum(n, r, w)
        if n > len(ring):
            raise ValueError(f"N={n} exceeds the ring's {len(ring)} nodes; choose N <= {len(ring)}")
        check_number("timeout_s", timeout_s, low=0, low_open=True)
        check_number("suspect_s", suspect_s, low=0)
        self.ring, self.n, self.r, self.w = ring, n, r, w
        self.script, self.timeout_s, self.sloppy = tuple(script), timeout_s, sloppy
        self.read_repair, self.write_back, self.suspect_s = read_repair, write_back, suspect_s
        self.contexts: dict[str, Clock] = {key: as_clock(clock) for key, clock in (seen or {}).items()}
        self.counter = max((count for clock in self.contexts.values() for node, count in clock if node == name),
                           default=0)
        self.suspected: dict[str, float] = {}  # node -> suspected until
        self.records: list[OpRecord] = []
        self.repairs: list[tuple[float, str, str]] = []  # (time, replica, key)

    def start(self):
        for op in self.script:
            if op.at_s > self.now:
                yield self.sleep(op.at_s - self.now)
            if op.kind == "get":
                yield from self.get(op.key)
            elif op.kind == "put":
                yield from self.put(op.key, op.value)
            else:
                raise ValueError(f"op kind {op.kind!r}; choose 'get' or 'put'")

    # -- choosing replicas ---------------------------------------------------
    def targets(self, key: str) -> list[tuple[str, str | None]]:
        """``(node, hint)`` pairs for ``key``: the home replicas, or for a sloppy quorum the first N healthy."""
        prefs = self.ring.preference_list(key, len(self.ring))
        home = prefs[:self.n]
        if not self.sloppy:
            return [(node, None) for node in home]
        healthy = [p for p in prefs if self.suspected.get(p, -1.0) <= self.now][:self.n]
        standing_in = dict(zip([p for p in healthy if p not in home], [h for h in home if h not in healthy]))
        return [(node, standing_in.get(node)) for node in healthy]

    def _quorum(self, key: str, kind: str, payload, need: int):
        """Generator: ask the targets, wait for ``need`` answers.

        Returns the replies (a dict that keeps filling with late ones until
        the requests are forgotten), the hints used, and the requests sent.
        """
        replies: dict[str, Any] = {}
        used: list[tuple[str, str]] = []
        sent: list = []
        for _attempt in range(2 if self.sloppy else 1):
            asked = [(node, hint) for node, hint in self.targets(key) if node not in replies]
            events = []
            for node, hint in asked:
                event = self.request(node, kind, payload(hint))
                event.callbacks.append(lambda e: replies.setdefault(e.value.src, e.value))
                events.append(event)
                if hint:
                    used.append((node, hint))
            sent += events
            yield from self.collect(events, min(need - len(replies), len(events)), self.timeout_s)
            if len(replies) >= need:
                break
            for node, _ in asked:
                if node not in replies:
                    self.suspected[node] = self.now + self.suspect_s
        return replies, tuple(used), sent

    def _forget_all(self, requests) -> None:
        """Late replies to ``requests`` are no longer read: stop waiting for them."""
        for event in requests:
            self.forget(event)

    # -- operations ------------------------------------------------------------
    def put(self, key: str, value: Any):
        """Generator: write ``value`` with a clock that descends from this client's context for ``key``."""
        history, start = self.sim.history, self.now
        op = history.invoke(self.name, "write", value, at=start, key=key)
        self.counter += 1
        version = Version(advance(self.contexts.get(key, ()), self.name, self.counter), value)
        replies, hinted, sent = yield from self._quorum(key, "put", lambda hint: Put(key, (version,), hint), self.w)
        result = "ok" if len(replies) >= self.w else UNAVAILABLE
        self.contexts[key] = version.clock
        history.complete(op, result, at=self.now)
        self.records.append(OpRecord("put", key, start, self.now, result, tuple(replies), hinted))
        self._forget_all(sent)
        return result

    def get(self, key: str):
        """Generator: read ``key`` from R replicas; returns the value, siblings, None, or UNAVAILABLE."""
        history, start = self.sim.history, self.now
        op = history.invoke(self.name, "read", None, at=start, key=key)
        replies, hinted, sent = yield from self._quorum(key, "get", lambda hint: key, self.r)
        answered = dict(replies)
        result, repairing = UNAVAILABLE, False
        if len(answered) >= self.r:
            versions = reconcile(v for msg in answered.values() for v in msg.payload.versions)
            result = read_result(versions)
            if versions:
                self.contexts[key] = merge_clocks(*(v.clock for v in versions))
            if self.write_back and versions:
                acks, more, written = yield from self._quorum(key, "put", lambda hint: Put(key, versions, hint),
                                                              self.w)
                hinted += more
                result = result if len(acks) >= self.w else UNAVAILABLE
                self._forget_all(written)
            elif self.read_repair:
                self.spawn(self._repair(key, replies, sent))
                repairing = True
        history.complete(op, result, at=self.now)
        self.records.append(OpRecord("get", key, start, self.now, result, tuple(answered), hinted))
        if not repairing:
            self._forget_all(sent)
        return result

    def _repair(self, key: str, replies: dict, sent: list):
        yield self.sleep(self.timeout_s)  # let the slower replicas' answers arrive too
        home = self.ring.preference_list(key, self.n)
        newest = reconcile(v for msg in replies.values() for v in msg.payload.versions)
        for node in sorted(replies):
            if node in home and set(reconcile(replies[node].payload.versions)) != set(newest):
                self.send(node, "put", Put(key, newest))
                self.repairs.append((self.now, node, key))
                self.log(f"read repair {key} on {node}")
        self._forget_all(sent)
