"""Session guarantees: what one client may expect from its own reads (Terry et al., 1994).

Picture a shopper who adds an item to the cart and, a moment later, looks at
the cart on another device: seeing the cart *without* the item is a broken
promise even if every copy of the cart eventually agrees. Terry, Demers,
Petersen, Spreitzer, Theimer and Welch ("Session Guarantees for Weakly
Consistent Replicated Data", PDIS 1994) named the promises a single client
session can be given when reads may go to lagging replicas:

- **read your writes**: a read sees every write the same client made before it;
- **monotonic reads**: a later read never returns an older version than an
  earlier read by the same client.

The checkers here judge a recorded :class:`~labsupport.sim.History` only,
like :func:`~labsupport.data.linearizability.check_linearizable`: they know
nothing about the system that produced it. To tell "older" from "newer" they
need the version order of each key's values (``rank``: for a leader-based
system, the position of each write in the leader's log); plain integers
that increase with every write need no rank. ``None`` is the value of a key
that was never written and ranks below everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from labsupport.checks import check_type
from labsupport.sim.history import Operation

__all__ = ["Anomaly", "read_your_writes_violations", "monotonic_read_violations"]


@dataclass(frozen=True)
class Anomaly:
    """One read that broke a session guarantee.

    Attributes
    ----------
    kind : str
        ``"read-your-writes"`` or ``"monotonic-reads"``.
    client, key : str
    op_id : int
        The offending read.
    expected : Any
        The value the read should have reflected at least (the client's own
        last write, or the newest value it had already read).
    got : Any
        What the read returned.
    """

    kind: str
    client: str
    key: str
    op_id: int
    expected: Any
    got: Any


def _position(value: Any, rank: Mapping[Any, int] | None) -> float:
    if value is None:
        return -1
    if rank is None:
        return value
    if value not in rank:
        raise ValueError(f"value {value!r} has no rank; rank must map every value written to its version number")
    return rank[value]


def _sessions(history: Iterable[Operation]) -> dict[str, list[Operation]]:
    """Each client's completed operations, in invocation order."""
    by_client: dict[str, list[Operation]] = {}
    for op in sorted(history, key=lambda o: (o.invoke_s, o.op_id)):
        if not check_type("history item", op, Operation).pending:
            by_client.setdefault(op.client, []).append(op)
    return by_client


def read_your_writes_violations(history: Iterable[Operation], rank: Mapping[Any, int] | None = None,
                                *, acknowledged: Any = "ok") -> list[Anomaly]:
    """Reads that missed an earlier write by the same client.

    A write counts once it was acknowledged (its result equals
    ``acknowledged``); a later read of that key by the same client must
    return that value or a newer one.

    Examples
    --------
    >>> from labsupport.sim import History
    >>> h = History.from_tuples([("c", "write", 2, 0, 1, "ok"), ("c", "read", None, 2, 3, 1)])
    >>> read_your_writes_violations(h)
    [Anomaly(kind='read-your-writes', client='c', key='x', op_id=1, expected=2, got=1)]
    """
    found = []
    for client, ops in sorted(_sessions(history).items()):
        written: dict[str, Any] = {}
        for op in ops:
            if op.kind == "write" and op.result == acknowledged:
                written[op.key] = op.arg
            elif op.kind == "read" and op.key in written:
                if _position(op.result, rank) < _position(written[op.key], rank):
                    found.append(Anomaly("read-your-writes", client, op.key, op.op_id, written[op.key], op.result))
    return found


def monotonic_read_violations(history: Iterable[Operation], rank: Mapping[Any, int] | None = None) -> list[Anomaly]:
    """Reads that returned an older version than an earlier read by the same client.

    Examples
    --------
    >>> from labsupport.sim import History
    >>> h = History.from_tuples([("c", "read", None, 0, 1, 5), ("c", "read", None, 2, 3, 4),
    ...                          ("c", "read", None, 4, 5, 5)])
    >>> [(a.op_id, a.expected, a.got) for a in monotonic_read_violations(h)]
    [(1, 5, 4)]
    """
    found = []
    for client, ops in sorted(_sessions(history).items()):
        newest: dict[str, Any] = {}
        for op in ops:
            if op.kind != "read":
                continue
            if op.key in newest and _position(op.result, rank) < _position(newest[op.key], rank):
                found.append(Anomaly("monotonic-reads", client, op.key, op.op_id, newest[op.key], op.result))
            elif op.key not in newest or _position(op.result, rank) > _position(newest[op.key], rank):
                newest[op.key] = op.result
    return found
