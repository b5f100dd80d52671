"""A Dynamo storage node: versions per key, hinted writes held for others, and anti-entropy.

A storage node is a pigeonhole cabinet: each key's slot holds the current
sibling versions. When a write arrives with a **hint** ("this was meant for
s2, which I could not reach"), the node keeps it in a separate drawer and
keeps trying to hand it over; once s2 answers, the hinted versions move to
s2 and leave the drawer (hinted handoff, DeCandia et al., "Dynamo", SOSP
2007, section 4.6). In the background two nodes compare Merkle trees over
the keys they both replicate and swap only the buckets that differ
(anti-entropy, section 4.7). A crash loses nothing: the store is on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from hashlib import blake2b
from typing import NamedTuple

from labsupport.checks import check_int, check_number
from labsupport.sim import Node
from labsupport.data.quorum.merkle import MAX_DEPTH, bucket_of, build_tree
from labsupport.data.quorum.versions import Version, reconcile

__all__ = ["Put", "Versions", "TreeQuery", "StorageNode", "SyncStats", "digest"]


class Put(NamedTuple):
    """Payload of ``put``: add ``versions`` to ``key``; ``hint_for`` names the node they were meant for, if any."""

    key: str
    versions: tuple[Version, ...]
    hint_for: str | None = None


class Versions(NamedTuple):
    """Payload of a ``versions`` answer to ``get`` (whose payload is the key): the key's sibling versions."""

    key: str
    versions: tuple[Version, ...]


class TreeQuery(NamedTuple):
    """Payload of ``tree``: the hashes wanted, at ``level`` of the Merkle tree, positions ``indices``."""

    level: int
    indices: tuple[int, ...]


def digest(versions: tuple[Version, ...]) -> str:
    """A short, stable fingerprint of a key's sibling versions (what Merkle leaves hash).

    Examples
    --------
    >>> digest((Version((("a", 1),), 5),)) == digest((Version((("a", 1),), 5),))
    True
    """
    return blake2b(repr(sorted(versions)).encode(), digest_size=8).hexdigest()


@dataclass(frozen=True)
class SyncStats:
    """One anti-entropy exchange, seen from the node that started it."""

    peer: str
    rounds: int  # tree levels compared, one round trip each
    hashes_exchanged: int  # hashes the peer sent
    buckets: tuple[int, ...]  # differing leaves
    keys_received: int
    keys_sent: int


class StorageNode(Node):
    """Holds ``key -> siblings``, accepts hinted writes, hands hints off, and runs anti-entropy.

    Parameters
    ----------
    name : str
    ring : HashRing, optional
        Used by anti-entropy to compare only keys both nodes replicate
        (among the first ``n`` of the key's preference list); None compares all keys.
    n : int
        Replication factor for that test.
    handoff_interval_s : float, optional
        How often to try delivering hinted writes; None never hands off.
    timeout_s : float
        How long to wait for a peer's answer.
    tree_depth : int
        Merkle tree depth for anti-entropy.

    Examples
    --------
    >>> StorageNode("r1", tree_depth=5).tree_depth
    5
    """

    def __init__(self, name: str, *, ring=None, n: int = 3, handoff_interval_s: float | None = None,
                 timeout_s: float = 0.05, tree_depth: int = 4):
        check_int("n", n, low=1)
        if handoff_interval_s is not None:  # None: never hands off
            check_number("handoff_interval_s", handoff_interval_s, low=0, low_open=True)
        check_number("timeout_s", timeout_s, low=0, low_open=True)
        check_int("tree_depth", tree_depth, low=0, high=MAX_DEPTH)
        super().__init__(name)
        self.ring, self.n, self.tree_depth = ring, n, tree_depth
        self.handoff_interval_s, self.timeout_s = handoff_interval_s, timeout_s
        self.store: dict[str, tuple[Version, ...]] = {}
        self.hints: dict[str, dict[str, tuple[Version, ...]]] = {}  # intended node -> key -> versions
        self.handoffs: list[tuple[float, str, int]] = []  # (time, to, keys) of completed handoffs
        self.syncs: list[SyncStats] = []

    # -- the store ---------------------------------------------------------
    def versions(self, key: str) -> tuple[Version, ...]:
        """Current siblings for ``key``, including hinted copies held for others."""
        held = [v for hinted in self.hints.values() for v in hinted.get(key, ())]
        return reconcile(self.store.get(key, ()) + tuple(held))

    def merge(self, key: str, versions, hint_for: str | None = None) -> None:
        """Add ``versions`` to the key's siblings (or to the hints held for ``hint_for``)."""
        shelf = self.store if hint_for in (None, self.name) else self.hints.setdefault(hint_for, {})
        shelf[key] = reconcile(shelf.get(key, ()) + tuple(versions))

    def on_get(self, msg):
        self.reply(msg, "versions", Versions(msg.payload, self.versions(msg.payload)))

    def on_put(self, msg):
        put = msg.payload
        self.merge(put.key, put.versions, put.hint_for)
        self.reply(msg, "stored", put.key)

    # -- hinted handoff ------------------------------------------------------
    def start(self):
        return self._handoff_loop() if self.handoff_interval_s else None

    def on_recover(self):
        return self.start()

    def _handoff_loop(self):
        while True:
            yield self.sleep(self.handoff_interval_s)
            for intended in sorted(self.hints):
                batch = dict(self.hints[intended])
                reply = yield from self.wait(self.request(intended, "handoff", batch), self.timeout_s)
                if reply is None:
                    continue
                held = self.hints[intended]
                for key, versions in batch.items():
                    if held.get(key) == versions:
                        del held[key]
                if not held:
                    del self.hints[intended]
                self.handoffs.append((self.now, intended, len(batch)))
                self.log(f"handed {len(batch)} hinted key(s) to {intended}")

    def on_handoff(self, msg):
        for key, versions in sorted(msg.payload.items()):
            self.merge(key, versions)
        self.reply(msg, "handoff_ok", len(msg.payload))

    # -- anti-entropy ----------------------------------------------------------
    def _shared(self, peer: str) -> dict[str, tuple[Version, ...]]:
        if self.ring is None:
            return dict(self.store)
        return {k: v for k, v in self.store.items() if peer in self.ring.preference_list(k, self.n)}

    def _tree(self, peer: str):
        return build_tree({k: digest(v) for k, v in self._shared(peer).items()}, self.tree_depth)

    def on_tree(self, msg):
        query = msg.payload
        hashes = self._tree(msg.src).levels[query.level]
        self.reply(msg, "hashes", tuple(hashes[i] for i in query.indices))

    def on_bucket_items(self, msg):
        wanted = set(msg.payload)
        self.reply(msg, "items", {k: v for k, v in sorted(self._shared(msg.src).items())
                                  if bucket_of(k, self.tree_depth) in wanted})

    def on_put_many(self, msg):
        for key, versions in sorted(msg.payload.items()):
            self.merge(key, versions)
        self.reply(msg, "stored", len(msg.payload))

    def anti_entropy(self, peer: str):
        """Generator: compare Merkle trees with ``peer`` level by level and swap the differing buckets.

        Returns the :class:`SyncStats` (also appended to :attr:`syncs`), or None if the peer went silent.
        """
        mine = self._tree(peer)
        frontier, exchanged, differing = [0], 0, []
        for level in range(self.tree_depth + 1):
            reply = yield from self.wait(self.request(peer, "tree", TreeQuery(level, tuple(frontier))), self.timeout_s)
            if reply is None:
                return None
            exchanged += len(frontier)
            differing = [i for i, h in zip(frontier, reply.payload) if mine.levels[level][i] != h]
            if not differing or level == self.tree_depth:
                break
            frontier = [child for i in differing for child in (2 * i, 2 * i + 1)]
        received = sent = 0
        if differing:
            reply = yield from self.wait(self.request(peer, "bucket_items", tuple(differing)), self.timeout_s)
            if reply is None:
                return None
            for key, versions in sorted(reply.payload.items()):
                self.merge(key, versions)
            ours = {k: v for k, v in sorted(self._shared(peer).items())
                    if bucket_of(k, self.tree_depth) in set(differing)}
            yield from self.wait(self.request(peer, "put_many", ours), self.timeout_s)
            received, sent = len(reply.payload), len(ours)
        stats = SyncStats(peer, level + 1, exchanged, tuple(differing), received, sent)
        self.syncs.append(stats)
        self.log(f"anti-entropy with {peer}: {exchanged} hashes, {received + sent} keys")
        return stats
