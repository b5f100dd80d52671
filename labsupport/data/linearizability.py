"""Is a history linearizable? The Wing & Gong search with Lowe's memoisation, for registers.

A history is linearizable if every operation can be given a single instant,
somewhere between its invocation and its response, at which it takes effect,
so that the operations, replayed one at a time in the order of those
instants, give exactly the results the clients saw (Herlihy & Wing, 1990).
Think of a referee watching a relay race through a frosted window: they only
see when each runner entered and left the window, and must decide whether
there is *some* order of hand-overs that explains what every runner carried.

The checker tries to build such an order from the front: any operation
invoked before the earliest outstanding response may go next, if the
register allows its result; when an operation's response deadline arrives
and it could not be placed, the search backtracks (Wing & Gong, 1993). Lowe
("Testing for linearizability", 2017) adds the idea that makes it practical:
remember every (set of linearized operations, register value) already
explored and never explore it twice.

Where AWS does this: DynamoDB strongly consistent reads and S3's strong
read-after-write consistency are promises about such histories; tools in
the Knossos / Porcupine family check them in tests of real systems.

Notes
-----
Register model: ``read`` returns the current value, ``write(v)`` sets it,
``cas((expected, new))`` returns True and sets ``new`` if the value equals
``expected``, else returns False. An operation that never returned
(``complete_s`` is infinite) may have taken effect at any time after its
invocation, or not at all (Herlihy & Wing's completion rule): a pending
read is dropped, a pending write or cas may be placed anywhere after its
invocation or omitted. ``a`` precedes ``b`` in real time iff
``a.complete_s < b.invoke_s``; equal times count as overlapping.

Linearizability is local (Herlihy & Wing, Theorem 1), so each key is checked
on its own and the per-key orders are merged through linearization points.

Complexity: deciding linearizability is NP-complete in general (Gibbons &
Korach, 1997). With memoisation the search visits about one configuration
per (prefix of the history, subset of the <= c operations open at that point,
register value), so ``O(n * 2**c * V)`` configurations for ``n`` operations,
concurrency ``c`` and ``V`` distinct values; each costs ``O(c + n/64)``
(scanning candidates, hashing the linearized-set bitmask). Every pending
write stays open forever and adds 1 to ``c``. Histories of a few hundred
operations at concurrency about 5 take milliseconds to tens of milliseconds.

Search limit: because the worst case is exponential, ``max_explored`` caps
the configurations visited per key (a million by default; 22 overlapping
writes and an impossible read take about 20 s to reach it on one core).
A key whose search hits the cap gets the verdict *unknown*: its
``linearizable`` is None, never True, so an unknown never counts as a pass,
and the history's verdict is unknown unless another key is definitely not
linearizable (then it is False).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from labsupport.checks import check_choice, check_hashable, check_int, check_type, out_of_range
from labsupport.sim.history import Operation

__all__ = ["KeyVerdict", "LinearizabilityResult", "register_step", "check_linearizable"]

OpId = int
KINDS = ("read", "write", "cas")
MAX_EXPLORED = 1_000_000  # configurations per key before the verdict is "unknown"


def register_step(value: Any, op: Operation) -> tuple[bool, Any]:
    """The sequential register: can ``op`` return its result now, and what value follows?

    A pending operation (no result) may take effect; a pending ``cas`` only
    matters if it succeeds, because a failed one changes nothing.

    Examples
    --------
    >>> from labsupport.sim.history import Operation
    >>> register_step(None, Operation(0, "a", "write", 5, 0.0, 1.0, "ok"))
    (True, 5)
    >>> register_step(5, Operation(1, "b", "cas", (4, 6), 0.0, 1.0, True))
    (False, 5)
    """
    if op.kind == "read":
        return (op.pending or op.result == value), value
    if op.kind == "write":
        return True, op.arg
    expected, new = op.arg
    if op.pending or op.result is True:
        return value == expected, new if value == expected else value
    return value != expected, value


@dataclass(frozen=True)
class KeyVerdict:
    """The verdict for one key.

    Attributes
    ----------
    key : str
    linearizable : bool or None
        None when the search hit its limit first: unknown, which is not a pass.
    order : tuple of int
        The witness (op_ids in linearization order) if linearizable, else the
        longest linearizable prefix the search found.
    points : tuple of float
        A linearization point for each op in ``order`` (its invocation or
        later, never after its response).
    blocked : int or None
        The operation that could not be placed after ``order`` (None if
        linearizable or unknown).
    value : Any
        The register value after ``order``.
    omitted : tuple of int
        Pending operations left out of the witness (they never took effect).
    explored : int
        Distinct (linearized set, value) configurations visited.
    """

    key: str
    linearizable: bool | None
    order: tuple[OpId, ...]
    points: tuple[float, ...]
    blocked: OpId | None
    value: Any
    omitted: tuple[OpId, ...]
    explored: int


@dataclass(frozen=True)
class LinearizabilityResult:
    """Whether a whole history is linearizable, key by key.

    Attributes
    ----------
    linearizable : bool or None
        True with a witness, False with a counterexample, None (unknown, not
        a pass) when the search limit was hit on some key and no key failed.
    order : tuple of int
        A witness over all keys (op_ids), empty if not linearizable.
    keys : tuple of KeyVerdict
        One verdict per key, sorted by key.
    operations : dict
        The checked operations by op_id, to explain verdicts.
    """

    linearizable: bool | None
    order: tuple[OpId, ...]
    keys: tuple[KeyVerdict, ...]
    operations: dict[OpId, Operation] = field(repr=False)
    max_explored: int | None = None

    @property
    def verdict(self) -> str:
        """``"linearizable"``, ``"not linearizable"`` or ``"unknown"`` (search limit hit)."""
        return {True: "linearizable", False: "not linearizable", None: "unknown"}[self.linearizable]

    @property
    def counterexample(self) -> KeyVerdict | None:
        """The first key that is definitely not linearizable, or None."""
        return next((v for v in self.keys if v.linearizable is False), None)

    def explain(self) -> str:
        """One paragraph saying why the history is, or is not, linearizable."""
        bad = self.counterexample
        if bad is None and self.linearizable is None:
            stuck = [v.key for v in self.keys if v.linearizable is None]
            return (f"unknown (not a pass): the search explored max_explored={self.max_explored} "
                    f"configurations on key {stuck[0]!r} without deciding; "
                    f"{len(stuck)} key(s) undecided, none found not linearizable")
        if bad is None:
            return f"linearizable: {len(self.order)} operations in order {list(self.order)}"
        ops = self.operations
        prefix = ", ".join(_describe(ops[i]) for i in bad.order) or "nothing"
        return (f"key {bad.key!r} is not linearizable: after the longest linearizable "
                f"prefix found ({prefix}) the register holds {bad.value!r}, and "
                f"{_describe(ops[bad.blocked])}, which had to take effect before it "
                f"returned at t={ops[bad.blocked].complete_s}, cannot; no other order "
                "of the operations works either")


def _describe(op: Operation) -> str:
    arg = "" if op.kind == "read" else repr(op.arg)
    shown = "pending" if op.pending else repr(op.result)
    return f"op {op.op_id} {op.kind}({arg}) by {op.client} -> {shown}"


def _validate(ops: Iterable[Operation]) -> list[Operation]:
    checked, seen = [], set()
    for op in ops:
        check_type("history item", op, Operation)
        if op.op_id in seen:
            raise out_of_range("op_id", op.op_id, "unique op_ids", why="appears twice")
        seen.add(op.op_id)
        check_choice(f"op {op.op_id}: kind", op.kind, KINDS)
        if op.kind == "cas":
            check_type(f"op {op.op_id}: cas arg", op.arg, (tuple, list))
            if len(op.arg) != 2:
                raise out_of_range(f"op {op.op_id}: cas arg", op.arg, "a pair (expected, new)", why="is not a pair")
            if not op.pending:
                check_type(f"op {op.op_id}: cas result", op.result, bool)
        if not op.complete_s >= op.invoke_s:  # a response comes after its invocation
            raise out_of_range(f"op {op.op_id}: complete_s", op.complete_s, "complete_s >= invoke_s",
                               why=f"is before invoke_s={op.invoke_s}")
        check_hashable(f"op {op.op_id}: value", op.arg if op.kind != "cas" else tuple(op.arg),
                       "register values must be hashable (use tuples, not lists)")
        checked.append(op)
    return checked


def _check_initial(initial: Any) -> None:
    check_hashable("initial", initial, "register values must be hashable")
    if initial != initial:  # NaN: a read compares the value it returns with ==, and NaN equals nothing
        raise out_of_range("initial", initial, "a value equal to itself (any number but NaN, a string, ...)",
                           why="never equals itself, so no read could return it")


def _search(ops: list[Operation], initial: Any, limit: int | None):
    """Wing & Gong backtracking over a linked list of call/return entries, with Lowe's cache.

    Returns (linearizable, order, blocked, value, explored) with indices into
    ``ops``; linearizable is None if more than ``limit`` configurations were needed.
    """
    events = sorted([(op.invoke_s, 0, i) for i, op in enumerate(ops)]
                    + [(op.complete_s, 1, i) for i, op in enumerate(ops) if not op.pending])
    size, head = len(events), len(events)
    nxt = list(range(1, size + 1)) + [0]  # entry -> next entry; -1 ends the list
    nxt[size - 1 if size else head] = -1
    prv = [head] + list(range(size - 1)) + [-1]
    call, ret = [-1] * len(ops), [-1] * len(ops)
    for e, (_, is_return, i) in enumerate(events):
        (ret if is_return else call)[i] = e

    def unlink(e):
        nxt[prv[e]] = nxt[e]
        if nxt[e] != -1:
            prv[nxt[e]] = prv[e]

    def relink(e):
        nxt[prv[e]] = e
        if nxt[e] != -1:
            prv[nxt[e]] = e

    value, linearized, stack, seen = initial, 0, [], set()
    best, blocked, best_value = None, None, initial
    entry = nxt[head]
    while entry != -1:  # reaching the end leaves only pending calls: omit them
        _, is_return, i = events[entry]
        if not is_return:
            ok, after = register_step(value, ops[i])
            config = (linearized | (1 << i), after)
            if ok and config not in seen:
                if limit is not None and len(seen) >= limit:
                    return None, best or [], None, best_value, len(seen)
                seen.add(config)
                stack.append((i, value))
                linearized, value = config
                unlink(call[i])
                if ret[i] != -1:
                    unlink(ret[i])
                entry = nxt[head]
            else:
                entry = nxt[entry]
            continue
        if best is None or len(stack) > len(best):  # op i's deadline: nothing fits before it
            best, blocked, best_value = [j for j, _ in stack], i, value
        if not stack:
            return False, best, blocked, best_value, len(seen)
        i, value = stack.pop()
        linearized &= ~(1 << i)
        if ret[i] != -1:
            relink(ret[i])
        relink(call[i])
        entry = nxt[call[i]]
    return True, [j for j, _ in stack], None, value, len(seen)


def _check_key(key: str, ops: list[Operation], initial: Any, limit: int | None) -> KeyVerdict:
    live = [op for op in ops if not (op.pending and op.kind == "read")]
    ok, order, blocked, value, explored = _search(live, initial, limit)
    order_ids = tuple(live[i].op_id for i in order)
    points, point = [], float("-inf")
    for i in order:  # the latest invocation so far: never after this op's response
        point = max(point, live[i].invoke_s)
        points.append(point)
    placed = set(order_ids)
    omitted = tuple(op.op_id for op in ops if ok and op.op_id not in placed)
    return KeyVerdict(key, ok, order_ids, tuple(points),
                      None if blocked is None else live[blocked].op_id, value, omitted, explored)


def check_linearizable(history: Iterable[Operation], *, initial: Any = None,
                       max_explored: int | None = MAX_EXPLORED) -> LinearizabilityResult:
    """Check a register history for linearizability, one key at a time.

    Parameters
    ----------
    history : History or iterable of Operation
        Operations with kinds ``"read"``, ``"write"`` or ``"cas"``.
    initial : hashable
        The value of every register before the first write.
    max_explored : int or None
        At most this many configurations are explored per key (None: no
        limit); a key that needs more gets the verdict unknown
        (``linearizable`` None), which never counts as a pass.

    Returns
    -------
    LinearizabilityResult
        With a witness order when linearizable, else the longest linearizable
        prefix found and the operation that could not be placed; ``verdict``
        names which of the three outcomes it is.

    Examples
    --------
    The new-old inversion: once a read has returned the new value, a later
    read may not return the old one.

    >>> from labsupport.sim.history import History
    >>> h = History.from_tuples([
    ...     ("w", "write", 1, 0.0, 10.0, "ok"),
    ...     ("a", "read", None, 1.0, 2.0, 1),
    ...     ("b", "read", None, 3.0, 4.0, 0)])
    >>> check_linearizable(h, initial=0).linearizable
    False
    >>> print(check_linearizable(h, initial=0).explain())
    key 'x' is not linearizable: after the longest linearizable prefix found
    (op 0 write(1) by w -> 'ok', op 1 read() by a -> 1) the register holds 1,
    and op 2 read() by b -> 0, which had to take effect before it returned
    at t=4.0, cannot; no other order of the operations works either

    Had the second read returned 1 (or the first 0), a witness exists:

    >>> h = History.from_tuples([
    ...     ("w", "write", 1, 0.0, 10.0, "ok"),
    ...     ("a", "read", None, 1.0, 2.0, 0),
    ...     ("b", "read", None, 3.0, 4.0, 1)])
    >>> result = check_linearizable(h, initial=0)
    >>> result.linearizable, result.order
    (True, (1, 0, 2))

    A search limit too small to decide gives "unknown", never a pass:

    >>> check_linearizable(h, initial=0, max_explored=1).verdict
    'unknown'
    """
    ops = _validate(history)
    if max_explored is not None:
        check_int("max_explored", max_explored, low=1)
    _check_initial(initial)
    by_key: dict[str, list[Operation]] = {}
    for op in sorted(ops, key=lambda o: (o.invoke_s, o.op_id)):
        by_key.setdefault(op.key, []).append(op)
    verdicts = tuple(_check_key(k, by_key[k], initial, max_explored) for k in sorted(by_key, key=str))
    found = {v.linearizable for v in verdicts}
    ok = False if False in found else None if None in found else True
    merged = sorted((point, n, pos, op_id) for n, v in enumerate(verdicts)
                    for pos, (op_id, point) in enumerate(zip(v.order, v.points)))
    order = tuple(op_id for *_, op_id in merged) if ok else ()
    return LinearizabilityResult(ok, order, verdicts, {op.op_id: op for op in ops}, max_explored)
