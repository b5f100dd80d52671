"""Is a history causally consistent? Bad patterns in the causal order of a register history.

Causal consistency asks less than sequential consistency: clients may see
*concurrent* writes in different orders, but whatever one write could have
depended on must be visible before it (Ahamad, Neiger, Burns, Kohli and
Hutto, "Causal memory", 1995). Picture a discussion thread: two unrelated
posts may appear in either order, but nobody should see a reply before the
post it answers.

The causal order is the smallest transitive relation that contains each
client's program order and *reads-from* (a write comes before every read
that returned its value). For histories in which no value is written twice
to the same key, Bouajjani, Enea, Guerraoui and Hamza ("On verifying causal
consistency", POPL 2017) show that causal consistency fails exactly when one
of four bad patterns occurs, each found in polynomial time:

- ``thin-air read``: a read returns a value that no write wrote;
- ``cyclic causal order``: the causal order has a cycle (a client reads a
  value that is written only later in causal order);
- ``initial read after write``: a read returns the initial value although a
  write to that key causally precedes it;
- ``overwritten read``: a read returns the value of write ``w1`` although
  another write ``w2`` to the same key comes causally after ``w1`` and
  before the read.

Notes
-----
Kinds ``"read"`` and ``"write"`` only (a ``cas`` reads and writes at once,
outside this model). Every value written to a key must be unique and differ
from ``initial``; pending reads are dropped, pending writes kept (they may
have been read). Complexity ``O(n**2)`` with bit sets for ``n`` operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from labsupport.checks import out_of_range
from labsupport.data.linearizability import _check_initial, _validate
from labsupport.sim.history import Operation

__all__ = ["CausalAnomaly", "CausalResult", "check_causal"]

PATTERNS = ("thin-air read", "cyclic causal order", "initial read after write", "overwritten read")


@dataclass(frozen=True)
class CausalAnomaly:
    """One bad pattern: which, the read it concerns, and the writes involved.

    Attributes
    ----------
    pattern : str
        One of ``PATTERNS``.
    op_id : int
        The read (for a cycle: an operation on it).
    writes : tuple of int
        The write the read returned and the write that should have hidden it
        (``overwritten read``), the write that should have hidden the initial
        value, or nothing.
    """

    pattern: str
    op_id: int
    writes: tuple[int, ...] = ()


@dataclass(frozen=True)
class CausalResult:
    """Whether a history is causally consistent, with every bad pattern found."""

    consistent: bool
    anomalies: tuple[CausalAnomaly, ...]

    @property
    def verdict(self) -> str:
        """``"causally consistent"`` or ``"not causally consistent"``."""
        return "causally consistent" if self.consistent else "not causally consistent"

    def explain(self) -> str:
        """One line per bad pattern found."""
        if self.consistent:
            return "causally consistent: no bad pattern"
        return "\n".join(f"{a.pattern}: op {a.op_id}" + (f" (writes {list(a.writes)})" if a.writes else "")
                         for a in self.anomalies)


def _writes_by_value(ops: list[Operation], initial: Any) -> dict[tuple[str, Any], int]:
    found: dict[tuple[str, Any], int] = {}
    for op in ops:
        if op.kind != "write":
            continue
        if op.arg == initial or (op.key, op.arg) in found:
            raise out_of_range(f"op {op.op_id}: value", op.arg,
                               f"a value written once per key and different from initial={initial!r}",
                               why="is written twice or equals the initial value, so reads cannot tell writes apart")
        found[(op.key, op.arg)] = op.op_id
    return found


def _causal_past(ops: list[Operation], source: dict[int, int]) -> tuple[dict[int, int], list[int]]:
    """Bit set of causal predecessors of each op (Kahn's order), and the ops left on a cycle."""
    before: dict[int, list[int]] = {op.op_id: [] for op in ops}
    by_client: dict[str, list[Operation]] = {}
    for op in sorted(ops, key=lambda o: (o.invoke_s, o.op_id)):
        by_client.setdefault(op.client, []).append(op)
    for program in by_client.values():
        for a, b in zip(program, program[1:]):
            before[b.op_id].append(a.op_id)
    for read, write in source.items():
        before[read].append(write)
    waiting = {i: len(p) for i, p in before.items()}
    after: dict[int, list[int]] = {i: [] for i in before}
    for i, preds in before.items():
        for p in preds:
            after[p].append(i)
    ready = sorted(i for i, n in waiting.items() if n == 0)
    past: dict[int, int] = {}
    while ready:
        i = ready.pop()
        past[i] = 0
        for p in before[i]:
            past[i] |= past[p] | (1 << p)
        for j in after[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                ready.append(j)
    return past, sorted(set(before) - set(past))


def check_causal(history: Iterable[Operation], *, initial: Any = None) -> CausalResult:
    """Check a read/write register history for causal consistency.

    Parameters
    ----------
    history : History or iterable of Operation
        Reads and writes; each value is written at most once per key.
    initial : hashable
        The value of every register before the first write.

    Returns
    -------
    CausalResult

    Examples
    --------
    Alice posts (x=1); Bob reads the post and replies (y=1); Carol sees the
    reply, then reads no post at all: a reply before its post.

    >>> from labsupport.sim.history import Operation
    >>> h = [Operation(0, "alice", "write", 1, 0.0, 1.0, "ok", "x"),
    ...      Operation(1, "bob", "read", None, 2.0, 3.0, 1, "x"),
    ...      Operation(2, "bob", "write", 1, 4.0, 5.0, "ok", "y"),
    ...      Operation(3, "carol", "read", None, 6.0, 7.0, 1, "y"),
    ...      Operation(4, "carol", "read", None, 8.0, 9.0, 0, "x")]
    >>> result = check_causal(h, initial=0)
    >>> result.verdict
    'not causally consistent'
    >>> print(result.explain())
    initial read after write: op 4 (writes [0])

    Had Carol read the post (x=1), all is well.

    >>> check_causal(h[:4] + [Operation(4, "carol", "read", None, 8.0, 9.0, 1, "x")], initial=0).consistent
    True
    """
    ops = [op for op in _validate(history) if not (op.pending and op.kind == "read")]
    _check_initial(initial)
    for op in ops:
        if op.kind == "cas":
            raise out_of_range(f"op {op.op_id}: kind", op.kind, "'read' or 'write'",
                               why="reads and writes at once; the causal checker knows reads and writes only")
    writes = _writes_by_value(ops, initial)
    anomalies, source = [], {}
    for op in ops:
        if op.kind == "read" and op.result != initial:
            if (op.key, op.result) in writes:
                source[op.op_id] = writes[(op.key, op.result)]
            else:
                anomalies.append(CausalAnomaly("thin-air read", op.op_id))
    past, cycle = _causal_past(ops, source)
    anomalies += [CausalAnomaly("cyclic causal order", i) for i in cycle]
    by_id = {op.op_id: op for op in ops}
    for op in ops:
        if op.kind != "read" or op.op_id not in past:
            continue
        seen = [w for w in _bits(past[op.op_id])
                if by_id[w].kind == "write" and by_id[w].key == op.key]
        if op.result == initial and seen:
            anomalies.append(CausalAnomaly("initial read after write", op.op_id, (seen[-1],)))
        elif op.op_id in source:
            w1 = source[op.op_id]
            hiding = [w2 for w2 in seen if w2 != w1 and past[w2] >> w1 & 1]
            if hiding:
                anomalies.append(CausalAnomaly("overwritten read", op.op_id, (w1, hiding[0])))
    anomalies.sort(key=lambda a: (a.op_id, PATTERNS.index(a.pattern)))
    return CausalResult(not anomalies, tuple(anomalies))


def _bits(mask: int) -> list[int]:
    """The positions of the set bits, lowest first."""
    found, n = [], 0
    while mask:
        if mask & 1:
            found.append(n)
        mask >>= 1
        n += 1
    return found
