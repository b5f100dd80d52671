"""Eventual consistency: once writes stop and the network heals, every read agrees.

Eventual consistency promises only convergence: "if no new updates are made
to the object, eventually all accesses will return the last updated value"
(Vogels, "Eventually consistent", 2009). Picture notice boards in several
offices, updated by post: on a given day two boards may disagree, but a week
after the last notice was sent they all show the same one. Nothing is
promised about reads *during* the updates, so the check looks only at reads
that start after a settling time the caller chooses (the last write's
completion plus the time replicas need to exchange it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

from labsupport.checks import check_number, check_type, out_of_range
from labsupport.sim.history import Operation

__all__ = ["EventualResult", "check_eventual"]


@dataclass(frozen=True)
class EventualResult:
    """Whether the reads after ``settled_s`` agree, key by key.

    Attributes
    ----------
    consistent : bool
    settled_s : float
    values : dict
        For each key read after ``settled_s``, the sorted distinct values
        returned (one value when converged).
    """

    consistent: bool
    settled_s: float
    values: dict[str, tuple[Any, ...]]

    @property
    def verdict(self) -> str:
        """``"converged"`` or ``"not converged"``."""
        return "converged" if self.consistent else "not converged"


def check_eventual(history: Iterable[Operation], *, settled_s: float) -> EventualResult:
    """Check that every completed read invoked at or after ``settled_s`` returns the same value per key.

    A write that starts at or after ``settled_s``, or returns after it, is
    an update still going on: then nothing is promised yet, and a
    ``ValueError`` says so. A write that never returned may take effect at
    any time: choose ``settled_s`` long enough after it.

    Examples
    --------
    >>> from labsupport.sim.history import History
    >>> h = History.from_tuples([("a", "write", 1, 0, 1, "ok"), ("b", "write", 2, 0, 1, "ok"),
    ...                          ("c", "read", None, 2, 3, 1), ("d", "read", None, 2, 3, 2),
    ...                          ("c", "read", None, 9, 10, 2), ("d", "read", None, 9, 10, 2)])
    >>> check_eventual(h, settled_s=1.5).values
    {'x': (1, 2)}
    >>> check_eventual(h, settled_s=8.0).verdict
    'converged'
    """
    settled_s = check_number("settled_s", settled_s, low=0)
    values: dict[str, set] = {}
    for op in history:
        check_type("history item", op, Operation)
        if op.kind != "read" and (op.invoke_s >= settled_s or settled_s < op.complete_s < math.inf):
            raise out_of_range("settled_s", settled_s, f"settled_s after the last update (op {op.op_id}, "
                               f"{op.kind} during [{op.invoke_s}, {op.complete_s}])",
                               why="is before an update ends; convergence is promised only after the last update")
        if op.invoke_s >= settled_s and not op.pending:
            values.setdefault(op.key, set()).add(op.result)
    shown = {k: tuple(sorted(v, key=repr)) for k, v in sorted(values.items())}
    return EventualResult(all(len(v) == 1 for v in shown.values()), float(settled_s), shown)
