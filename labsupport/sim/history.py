"""Client operation histories, in the form consistency checkers read.

A history is what a set of clients saw: for every operation, when it was
invoked, when (if ever) it completed, and what it returned. Like a lab
notebook kept by each client, it says nothing about what happened inside
the system, which is exactly why a checker can judge any implementation by it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Iterator

__all__ = ["Operation", "History", "PENDING"]

PENDING = math.inf  # completion time of an operation that never returned


@dataclass(frozen=True)
class Operation:
    """One client operation on a shared object.

    Attributes
    ----------
    op_id : int
        Position of the invocation in the history (0, 1, 2, ...).
    client : str
        Who invoked it; one client has at most one operation outstanding.
    kind : str
        The operation, for a register ``"read"`` or ``"write"``; for a
        compare-and-set ``"cas"``.
    arg : Any
        The argument: the value written, ``(expected, new)`` for ``"cas"``,
        None for a read.
    invoke_s, complete_s : float
        Simulated times of invocation and response; ``complete_s`` is
        :data:`PENDING` (infinity) if no response ever came.
    result : Any
        What the operation returned (the value read, True/False for a
        ``cas``, ``"ok"`` for a write); None while pending.
    key : str
        The object operated on; checkers judge each key separately.
    """

    op_id: int
    client: str
    kind: str
    arg: Any
    invoke_s: float
    complete_s: float = PENDING
    result: Any = None
    key: str = "x"

    @property
    def pending(self) -> bool:
        """True if the operation never returned (it may or may not have taken effect)."""
        return self.complete_s == PENDING


@dataclass
class History:
    """A growing record of operations, appended to as clients invoke and complete them.

    Examples
    --------
    >>> h = History()
    >>> w = h.invoke("c1", "write", 1, at=0.0)
    >>> h.complete(w, "ok", at=0.5)
    >>> r = h.invoke("c2", "read", None, at=0.6)
    >>> h.complete(r, 1, at=0.9)
    >>> [(op.client, op.kind, op.result) for op in h]
    [('c1', 'write', 'ok'), ('c2', 'read', 1)]
    """

    operations: list[Operation] = field(default_factory=list)
    _outstanding: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def invoke(self, client: str, kind: str, arg: Any = None, *, at: float, key: str = "x") -> int:
        """Record an invocation and return its ``op_id``."""
        if client in self._outstanding:  # a set, not a scan: long runs stay linear
            raise ValueError(
                f"client {client!r} already has an operation outstanding; "
                "a client waits for one operation to complete before invoking the next"
            )
        op = Operation(len(self.operations), client, kind, arg, float(at), key=key)
        self.operations.append(op)
        self._outstanding[client] = op.op_id
        return op.op_id

    def complete(self, op_id: int, result: Any, *, at: float) -> None:
        """Record the response to operation ``op_id``."""
        op = self.operations[op_id]
        if not op.pending:
            raise ValueError(f"operation {op_id} already completed at {op.complete_s}")
        if at < op.invoke_s:
            raise ValueError(f"completion time {at} is before invocation time {op.invoke_s}")
        self.operations[op_id] = replace(op, complete_s=float(at), result=result)
        if self._outstanding.get(op.client) == op_id:
            del self._outstanding[op.client]

    def __iter__(self) -> Iterator[Operation]:
        return iter(self.operations)

    def __len__(self) -> int:
        return len(self.operations)

    @classmethod
    def from_tuples(cls, rows) -> "History":
        """Build a history from ``(client, kind, arg, invoke_s, complete_s, result)`` rows.

        Handy for writing a known history by hand in a test or a chapter;
        use ``math.inf`` (or :data:`PENDING`) as ``complete_s`` for an
        operation that never returned.

        Examples
        --------
        >>> h = History.from_tuples([("a", "write", 1, 0, 1, "ok"), ("b", "read", None, 2, 3, 1)])
        >>> len(h), h.operations[1].result
        (2, 1)
        """
        ops = []
        for i, (client, kind, arg, invoke_s, complete_s, result) in enumerate(rows):
            if complete_s < invoke_s:
                raise ValueError(f"row {i}: complete_s={complete_s} is before invoke_s={invoke_s}")
            ops.append(Operation(i, client, kind, arg, float(invoke_s), float(complete_s), result))
        return cls(ops)
