"""Is a history sequentially consistent? A search over interleavings of the clients' programs.

A history is sequentially consistent if the operations of all clients can be
put in one sequence that keeps each client's own operations in the order it
issued them and replays to exactly the results the clients saw (Lamport, "How
to make a multiprocessor computer that correctly executes multiprocess
programs", 1979). Unlike linearizability, real time between *different*
clients does not count: a read that starts after another client's write has
returned may still be placed before it. Picture two pen pals whose letters
each arrive in the order they were posted, though nobody can say how one
pen pal's letters interleave with the other's.

The checker walks the interleavings depth first, one client's next operation
at a time, and remembers every (position in each client's program, value of
every register) it has explored so that none is explored twice. A read that
can return its result now is taken at once and alone (it changes nothing,
so nothing is lost by not trying it later), which removes most of the branching.

Notes
-----
Same histories and register model as
:func:`~labsupport.data.linearizability.check_linearizable`; a pending read is
dropped, a pending write or cas (always a client's last operation) may be
placed or omitted. Sequential consistency is *not* local: each key can be
sequentially consistent on its own while the whole history is not (the
store-buffering example below), so all keys are searched together.

Complexity: deciding sequential consistency is NP-complete (Gibbons & Korach,
1997). The search visits at most ``prod(n_c + 1) * V**K`` configurations for
clients with ``n_c`` operations each and ``K`` keys of ``V`` values; as for
linearizability, ``max_explored`` caps it and a capped search is *unknown*
(``consistent`` None), which never counts as a pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from labsupport.checks import check_int
from labsupport.data.linearizability import (MAX_EXPLORED, _check_initial, _describe, _validate,
                                             check_linearizable, register_step)
from labsupport.sim.history import Operation

__all__ = ["SequentialResult", "check_sequential"]

State = tuple[tuple[int, ...], tuple[Any, ...]]  # (next op of each client, value of each key)


@dataclass(frozen=True)
class SequentialResult:
    """Whether a whole history is sequentially consistent.

    Attributes
    ----------
    consistent : bool or None
        True with a witness, False if no interleaving works, None (unknown,
        not a pass) if the search hit ``max_explored`` first.
    order : tuple of int
        The witness (op_ids) if consistent, else the longest prefix found.
    blocked : tuple of int
        When not consistent: each client's next operation after the longest
        prefix, none of which could return its result there.
    explored : int
        Distinct configurations visited (by the linearizability search, when
        its witness serves: a linearizable history is sequentially consistent).
    operations : dict
        The checked operations by op_id, to explain verdicts.
    """

    consistent: bool | None
    order: tuple[int, ...]
    blocked: tuple[int, ...]
    explored: int
    operations: dict[int, Operation] = field(repr=False)

    @property
    def verdict(self) -> str:
        """``"sequentially consistent"``, ``"not sequentially consistent"`` or ``"unknown"``."""
        return {True: "sequentially consistent", False: "not sequentially consistent",
                None: "unknown"}[self.consistent]

    def explain(self) -> str:
        """One paragraph saying why the history is, or is not, sequentially consistent."""
        ops = self.operations
        if self.consistent:
            return f"sequentially consistent: {len(self.order)} operations in order {list(self.order)}"
        if self.consistent is None:
            return (f"unknown (not a pass): {self.explored} configurations explored "
                    "without deciding; raise max_explored or shorten the history")
        prefix = ", ".join(_describe(ops[i]) for i in self.order) or "nothing"
        stuck = "; ".join(_describe(ops[i]) for i in self.blocked)
        return (f"not sequentially consistent: after the longest prefix found ({prefix}) "
                f"no client's next operation can return its result ({stuck}), "
                "and no other interleaving of the clients' programs works either")


def _programs(ops: list[Operation]) -> list[list[Operation]]:
    """Each client's operations in the order it issued them; pending reads dropped."""
    by_client: dict[str, list[Operation]] = {}
    for op in sorted(ops, key=lambda o: (o.invoke_s, o.op_id)):
        if not (op.pending and op.kind == "read"):
            by_client.setdefault(op.client, []).append(op)
    return [by_client[c] for c in sorted(by_client, key=str)]


def _observes(op: Operation) -> bool:
    """A completed read, or a cas that failed: it looks at the register and leaves it as it is."""
    return not op.pending and (op.kind == "read" or (op.kind == "cas" and op.result is False))


def _moves(state: State, programs, slot) -> Iterator[tuple[State, int | None]]:
    """Every next step: some client's next operation takes effect (or, if pending, is omitted).

    A next operation that only observes and can return its result now is
    the only step tried: taking it now changes no register and only moves
    its own client on, so if any interleaving works, one that takes it now does.
    """
    positions, values = state
    for c, program in enumerate(programs):
        if positions[c] < len(program) and _observes(program[positions[c]]):
            op = program[positions[c]]
            if register_step(values[slot[op.key]], op)[0]:
                yield (positions[:c] + (positions[c] + 1,) + positions[c + 1:], values), op.op_id
                return
    waiting = sorted((program[positions[c]].invoke_s, c) for c, program in enumerate(programs)
                     if positions[c] < len(program))
    for _, c in waiting:  # earliest invocation first: real time is usually a good guess
        program = programs[c]
        op = program[positions[c]]
        advanced = positions[:c] + (positions[c] + 1,) + positions[c + 1:]
        ok, after = register_step(values[slot[op.key]], op)
        if ok:
            k = slot[op.key]
            yield (advanced, values[:k] + (after,) + values[k + 1:]), op.op_id
        if op.pending:
            yield (advanced, values), None


def _search(programs, slot, initial, limit):
    """Depth-first over interleavings; returns (verdict, order, blocked, explored)."""
    start: State = (tuple(0 for _ in programs), tuple(initial for _ in slot))
    ends = tuple(len(p) for p in programs)
    seen, path, best, best_state = {start}, [], [], start
    stack = [(start, _moves(start, programs, slot))]
    while stack:
        state, moves = stack[-1]
        if state[0] == ends:
            return True, [i for i in path if i is not None], (), len(seen)
        for after, op_id in moves:
            if after in seen:
                continue
            if limit is not None and len(seen) >= limit:
                return None, [i for i in best if i is not None], (), len(seen)
            seen.add(after)
            path.append(op_id)
            stack.append((after, _moves(after, programs, slot)))
            break
        else:
            if sum(state[0]) > sum(best_state[0]):
                best, best_state = list(path), state
            stack.pop()
            if path:
                path.pop()
    blocked = tuple(p[n].op_id for p, n in zip(programs, best_state[0]) if n < len(p))
    return False, [i for i in best if i is not None], blocked, len(seen)


def check_sequential(history: Iterable[Operation], *, initial: Any = None,
                     max_explored: int | None = MAX_EXPLORED) -> SequentialResult:
    """Check a register history for sequential consistency, all keys together.

    Parameters
    ----------
    history : History or iterable of Operation
        Operations with kinds ``"read"``, ``"write"`` or ``"cas"``.
    initial : hashable
        The value of every register before the first write.
    max_explored : int or None
        At most this many configurations are explored (None: no limit); a
        search that needs more gives the verdict unknown (``consistent``
        None), which never counts as a pass.

    Returns
    -------
    SequentialResult

    Examples
    --------
    A read that starts after a write returned yet misses it is not
    linearizable, but it is sequentially consistent: the reader can be
    placed first.

    >>> from labsupport.sim.history import History
    >>> h = History.from_tuples([("w", "write", 1, 0.0, 1.0, "ok"),
    ...                          ("r", "read", None, 2.0, 3.0, 0)])
    >>> result = check_sequential(h, initial=0)
    >>> result.verdict, result.order
    ('sequentially consistent', (1, 0))

    Store buffering: each client writes its own key, then reads the other's
    and sees the initial value. Each key alone is fine; the whole is not,
    because one of the two writes must come first.

    >>> from labsupport.sim.history import Operation
    >>> sb = [Operation(0, "a", "write", 1, 0.0, 1.0, "ok", "x"),
    ...       Operation(1, "b", "write", 1, 0.0, 1.0, "ok", "y"),
    ...       Operation(2, "a", "read", None, 2.0, 3.0, 0, "y"),
    ...       Operation(3, "b", "read", None, 2.0, 3.0, 0, "x")]
    >>> check_sequential(sb, initial=0).verdict
    'not sequentially consistent'
    >>> [check_sequential([o for o in sb if o.key == k], initial=0).verdict for k in "xy"]
    ['sequentially consistent', 'sequentially consistent']
    """
    ops = _validate(history)
    if max_explored is not None:
        check_int("max_explored", max_explored, low=1)
    _check_initial(initial)
    programs = _programs(ops)
    by_id = {op.op_id: op for op in ops}
    witness = _linearizable_witness(ops, programs, initial, max_explored)
    if witness is not None:
        return SequentialResult(True, witness.order, (), sum(v.explored for v in witness.keys), by_id)
    thin_air = _thin_air_read(ops, initial)
    if thin_air is not None:
        return SequentialResult(False, (), (thin_air,), 0, by_id)
    slot = {key: n for n, key in enumerate(sorted({op.key for op in ops}, key=str))}
    ok, order, blocked, explored = _search(programs, slot, initial, max_explored)
    return SequentialResult(ok, tuple(order), blocked, explored, by_id)


def _linearizable_witness(ops, programs, initial, limit):
    """The linearizability checker's result, if it found a witness that keeps every client's own order.

    A linearizable history is sequentially consistent, and its witness is a
    sequential witness unless a client's operations touch or overlap in time
    (then real time does not fix their order, and the search decides).
    """
    result = check_linearizable(ops, initial=initial, max_explored=limit)
    if not result.linearizable:
        return None
    place = {op_id: n for n, op_id in enumerate(result.order)}
    for program in programs:
        placed = [place[op.op_id] for op in program if op.op_id in place]
        if placed != sorted(placed):
            return None
    return result


def _thin_air_read(ops, initial):
    """A completed read of a value no write to its key could have produced, or None."""
    written = {(op.key, op.arg) for op in ops if op.kind == "write"}
    written |= {(op.key, op.arg[1]) for op in ops if op.kind == "cas"}
    for op in ops:
        if op.kind == "read" and not op.pending and op.result != initial and (op.key, op.result) not in written:
            return op.op_id
    return None
