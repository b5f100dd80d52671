"""Reading a failover from what the clients saw: outages, lost writes, two primaries.

An auditor who was not in the building can still tell that two managers
signed orders on the same afternoon: the orders carry the signer's name and
the date of their appointment. Here every acknowledged write in the client
history carries the server that acknowledged it and that server's **epoch**
(the term of office the monitor gave it). Three questions are answered from
the history alone, without looking inside the servers:

* how long did each client go without a successful write (its outage)?
* which acknowledged writes are missing from the surviving copy (data lost)?
* did a server with an older epoch keep acknowledging after a newer epoch
  had started (two primaries at once: split brain)?
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from labsupport.checks import check_number
from labsupport.sim import History

__all__ = ["acknowledged", "lost_writes", "SplitBrainReport", "split_brain", "worst_outages"]


def acknowledged(history: History) -> list[tuple[float, str, str, int]]:
    """``(time, value, server, epoch)`` of every acknowledged write, in completion order.

    A write counts as acknowledged when its result is ``("ok", server, epoch)``.

    Examples
    --------
    >>> h = History()
    >>> op = h.invoke("c1", "write", "c1:0", at=0.0)
    >>> h.complete(op, ("ok", "db-a", 1), at=0.1)
    >>> acknowledged(h)
    [(0.1, 'c1:0', 'db-a', 1)]
    """
    acks = [(op.complete_s, op.arg, op.result[1], op.result[2]) for op in history
            if isinstance(op.result, tuple) and op.result and op.result[0] == "ok"]
    return sorted(acks, key=lambda a: (a[0], a[1]))


def lost_writes(history: History, surviving_log: Iterable[str]) -> tuple[str, ...]:
    """Acknowledged writes that the surviving copy does not hold: the data a failover lost.

    Examples
    --------
    >>> h = History.from_tuples([("c1", "write", "x", 0, 1, ("ok", "db-a", 1)),
    ...                          ("c1", "write", "y", 2, 3, ("ok", "db-a", 1)),
    ...                          ("c1", "write", "z", 4, 5, "timeout")])
    >>> lost_writes(h, ["x"])
    ('y',)
    """
    have = set(surviving_log)
    return tuple(value for _, value, _, _ in acknowledged(history) if value not in have)


@dataclass(frozen=True)
class SplitBrainReport:
    """Acknowledgements from an older epoch after a newer epoch had acknowledged its first write."""

    stale_acks: int
    overlap_s: float  # from the newer epoch's first acknowledgement to the last stale one
    servers: tuple[str, ...]  # every server that acknowledged a write, in order of first acknowledgement

    @property
    def detected(self) -> bool:
        return self.stale_acks > 0


def split_brain(history: History) -> SplitBrainReport:
    """Look for two primaries in a client history.

    Walk the acknowledgements in completion order, remembering the newest
    epoch seen and when it first acknowledged; an acknowledgement stamped
    with an older epoch after that moment means two servers were acting as
    primary at the same time.

    Examples
    --------
    >>> h = History.from_tuples([("c1", "write", "a", 0, 1, ("ok", "db-a", 1)),
    ...                          ("c2", "write", "b", 0, 5, ("ok", "db-b", 2)),
    ...                          ("c1", "write", "c", 2, 7, ("ok", "db-a", 1))])
    >>> split_brain(h)
    SplitBrainReport(stale_acks=1, overlap_s=2.0, servers=('db-a', 'db-b'))
    """
    newest, since = None, None
    stale, overlap, servers = 0, 0.0, []
    for t, _, server, epoch in acknowledged(history):
        if server not in servers:
            servers.append(server)
        if newest is None or epoch > newest:
            newest, since = epoch, t
        elif epoch < newest:
            stale += 1
            overlap = max(overlap, t - since)
    return SplitBrainReport(stale, overlap, tuple(servers))


def worst_outages(history: History, *, end_s: float) -> dict[str, float]:
    """For each client, the longest stretch without a successful write (from its first success to ``end_s``).

    Examples
    --------
    >>> h = History.from_tuples([("c1", "write", "a", 0, 1, ("ok", "db-a", 1)),
    ...                          ("c1", "write", "b", 1, 3, "timeout"),
    ...                          ("c1", "write", "c", 3, 9, ("ok", "db-b", 2))])
    >>> worst_outages(h, end_s=10.0)
    {'c1': 8.0}
    """
    check_number("end_s", end_s, low=0)
    successes: dict[str, list[float]] = {}
    clients = []
    for op in history:
        if op.client not in clients:
            clients.append(op.client)
        if isinstance(op.result, tuple) and op.result and op.result[0] == "ok":
            successes.setdefault(op.client, []).append(op.complete_s)
    out = {}
    for client in sorted(clients):
        times = sorted(successes.get(client, []))
        if not times:
            out[client] = end_s
            continue
        gaps = [b - a for a, b in zip(times, times[1:])] + [end_s - times[-1]]
        out[client] = max(gaps)
    return out
