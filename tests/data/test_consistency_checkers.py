"""Tests for the sequential, causal and eventual checkers (labsupport.data.sequential, .causal,
.eventual): histories that satisfy each model and histories that do not, the strict hierarchy
linearizable > sequential > causal shown by histories that separate each pair, exact agreement
of the sequential checker with a brute force, and the unknown verdict when the search limit is hit."""

from __future__ import annotations

import math
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.data.causal import check_causal
from labsupport.data.eventual import check_eventual
from labsupport.data.linearizability import check_linearizable, register_step
from labsupport.data.sequential import check_sequential
from labsupport.sim.history import History, Operation
from tests.data.test_linearizability import histories, mutate_one

INF = math.inf


def op(i, client, kind, value, start, end, result=None, key="x"):
    arg = value if kind != "read" else None
    return Operation(i, client, kind, arg, float(start), float(end), result if kind != "write" else "ok", key)


def brute_force_sc(ops, initial=0):
    """Reference: every interleaving of the clients' programs, every subset of pending writes/cas."""
    ops = [o for o in ops if not (o.pending and o.kind == "read")]
    programs = {}
    for o in sorted(ops, key=lambda o: (o.invoke_s, o.op_id)):
        programs.setdefault(o.client, []).append(o)
    programs = list(programs.values())

    def search(pos, regs):
        if all(p == len(prog) for p, prog in zip(pos, programs)):
            return True
        for c, prog in enumerate(programs):
            if pos[c] == len(prog):
                continue
            o = prog[pos[c]]
            nxt = pos[:c] + (pos[c] + 1,) + pos[c + 1:]
            ok, new = register_step(regs.get(o.key, initial), o)
            if ok and search(nxt, {**regs, o.key: new}):
                return True
            if o.pending and search(nxt, regs):
                return True
        return False

    return search(tuple(0 for _ in programs), {})


# --------------------------------------------------------------------------- sequential consistency


@settings(max_examples=200, deadline=None)
@given(histories(max_ops=8, keys=("x", "y")), st.data())
def test_sequential_agrees_exactly_with_brute_force(h, data):
    h = mutate_one(h, data)
    result = check_sequential(h, initial=0)
    assert result.consistent == brute_force_sc(h)
    if result.consistent:  # the witness keeps each client's order and replays to the results seen
        ops = {o.op_id: o for o in h}
        regs = {}
        for i in result.order:
            ok, regs[ops[i].key] = register_step(regs.get(ops[i].key, 0), ops[i])
            assert ok
        assert {i for i, o in ops.items() if not o.pending} <= set(result.order)
        for a, b in combinations(result.order, 2):
            if ops[a].client == ops[b].client:
                assert (ops[a].invoke_s, a) < (ops[b].invoke_s, b)
    # linearizable implies sequentially consistent (when each client's program order is clear:
    # the linearizability checker counts a response and an invocation at the same time as overlapping)
    touching = any(a.client == b.client and a.complete_s >= b.invoke_s and a.op_id < b.op_id
                   for a, b in combinations(list(h), 2))
    if check_linearizable(h, initial=0).linearizable and not touching:
        assert result.consistent


def test_sequential_but_not_linearizable():
    h = History.from_tuples([("w", "write", 1, 0, 1, "ok"), ("r", "read", None, 2, 3, 0)])
    assert check_linearizable(h, initial=0).linearizable is False
    result = check_sequential(h, initial=0)
    assert result.consistent is True and result.order == (1, 0)


def test_store_buffering_is_per_key_sequential_but_not_sequential():
    sb = [op(0, "a", "write", 1, 0, 1, key="x"), op(1, "b", "write", 1, 0, 1, key="y"),
          op(2, "a", "read", None, 2, 3, 0, key="y"), op(3, "b", "read", None, 2, 3, 0, key="x")]
    result = check_sequential(sb, initial=0)
    assert result.consistent is False
    assert set(result.blocked) and "no client's next operation" in result.explain()
    for key in "xy":
        assert check_sequential([o for o in sb if o.key == key], initial=0).consistent
    assert check_causal(sb, initial=0).consistent  # causal allows it: the writes are concurrent


def test_one_client_reading_back_an_older_value_is_not_sequential():
    h = [op(0, "a", "write", 1, 0, 1), op(1, "a", "write", 2, 2, 3), op(2, "b", "read", None, 0, 9, 2),
         op(3, "b", "read", None, 10, 11, 1)]
    assert check_sequential(h, initial=0).consistent is False
    assert check_causal(h, initial=0).anomalies[0].pattern == "overwritten read"


def test_pending_write_may_be_omitted_or_placed():
    h = [Operation(0, "a", "write", 1, 0.0), op(1, "b", "read", None, 1, 2, 0)]
    assert check_sequential(h, initial=0).consistent
    h = [Operation(0, "a", "write", 1, 0.0), op(1, "b", "read", None, 1, 2, 1), op(2, "b", "read", None, 3, 4, 0)]
    assert check_sequential(h, initial=0).consistent is False


# --------------------------------------------------------------------------- causal consistency


def iriw():
    """Two writers, two readers who see the two concurrent writes in opposite orders."""
    return [op(0, "a", "write", 1, 0, 1), op(1, "b", "write", 2, 0, 1),
            op(2, "c", "read", None, 2, 3, 1), op(3, "c", "read", None, 4, 5, 2),
            op(4, "d", "read", None, 2, 3, 2), op(5, "d", "read", None, 4, 5, 1)]


def test_causal_but_not_sequential():
    assert check_causal(iriw(), initial=0).consistent
    assert check_sequential(iriw(), initial=0).consistent is False


def test_each_bad_pattern_is_found():
    thin_air = [op(0, "a", "write", 1, 0, 1), op(1, "b", "read", None, 2, 3, 7)]
    assert [a.pattern for a in check_causal(thin_air, initial=0).anomalies] == ["thin-air read"]
    # b reads y=1 before a writes it, a wrote y only after reading x=1 that b wrote after its read
    cycle = [op(0, "b", "read", None, 0, 1, 1, key="y"), op(1, "b", "write", 1, 2, 3, key="x"),
             op(2, "a", "read", None, 4, 5, 1, key="x"), op(3, "a", "write", 1, 6, 7, key="y")]
    assert {a.pattern for a in check_causal(cycle, initial=0).anomalies} == {"cyclic causal order"}
    reply_first = [op(0, "alice", "write", 1, 0, 1), op(1, "bob", "read", None, 2, 3, 1),
                   op(2, "bob", "write", 1, 4, 5, key="y"), op(3, "carol", "read", None, 6, 7, 1, key="y"),
                   op(4, "carol", "read", None, 8, 9, 0)]
    found = check_causal(reply_first, initial=0).anomalies
    assert [(a.pattern, a.op_id, a.writes) for a in found] == [("initial read after write", 4, (0,))]
    ok = reply_first[:4] + [op(4, "carol", "read", None, 8, 9, 1)]
    assert check_causal(ok, initial=0).consistent


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 6), st.integers(0, 4),
                          st.booleans(), st.integers(0, 4), st.sampled_from("xy"), st.booleans()),
                min_size=1, max_size=7))
def test_sequential_implies_causal_on_unique_value_histories(rows):
    """Random read/write histories, each value written once: never SC while causal fails."""
    ops, free, stopped = [], {}, set()
    for client, gap, length, is_write, v, key, pend in rows:
        if client in stopped:  # a client whose operation never returned invokes nothing more
            continue
        start, n = free.get(client, 0) + gap, len(ops)
        free[client] = start + length
        if is_write:
            stopped |= {client} if pend else set()
            ops.append(Operation(n, client, "write", n + 1, start, INF if pend else start + length,
                                 None if pend else "ok", key))
        else:
            ops.append(Operation(n, client, "read", None, start, start + length, v, key))
    if check_sequential(ops, initial=0).consistent:
        assert check_causal(ops, initial=0).consistent


def test_causal_rejects_what_it_cannot_judge():
    with pytest.raises(ValueError, match="written twice"):
        check_causal([op(0, "a", "write", 1, 0, 1), op(1, "b", "write", 1, 0, 1)], initial=0)
    with pytest.raises(ValueError, match="initial"):
        check_causal([op(0, "a", "write", 0, 0, 1)], initial=0)
    with pytest.raises(ValueError, match="cas"):
        check_causal([Operation(0, "a", "cas", (0, 1), 0.0, 1.0, True)], initial=0)


# --------------------------------------------------------------------------- eventual consistency


def test_eventual_converges_only_after_settling():
    h = History.from_tuples([("a", "write", 1, 0, 1, "ok"), ("b", "read", None, 2, 3, 0),
                             ("c", "read", None, 2, 3, 1), ("b", "read", None, 8, 9, 1),
                             ("c", "read", None, 8, 9, 1)])
    early = check_eventual(h, settled_s=1.5)
    assert not early.consistent and early.values == {"x": (0, 1)}
    assert check_eventual(h, settled_s=5).consistent
    assert not check_linearizable(h, initial=0).linearizable
    with pytest.raises(ValueError, match="after the last update"):
        check_eventual(h, settled_s=0.5)


# --------------------------------------------------------------------------- search limit


def many_concurrent_writes(n, bad):
    """n overlapping writes of distinct values, then two reads: of n twice, or (bad) of n and then 1.

    The checker cannot tell that the second read is impossible without trying
    every order of the writes: about 2**n configurations."""
    ops = [op(i, f"w{i}", "write", i + 1, 0, 10) for i in range(n)]
    reads = [n, 1] if bad else [n, n]
    ops += [op(n, "r", "read", None, 11, 12, reads[0]), op(n + 1, "r", "read", None, 13, 14, reads[1])]
    return ops


def test_a_search_that_hits_its_limit_is_unknown_never_a_pass():
    bad = many_concurrent_writes(8, bad=True)
    assert check_linearizable(bad, initial=0).linearizable is False
    capped = check_linearizable(bad, initial=0, max_explored=50)
    assert capped.linearizable is None and not capped.linearizable and capped.verdict == "unknown"
    assert capped.counterexample is None and capped.order == ()
    assert "unknown (not a pass)" in capped.explain() and "max_explored=50" in capped.explain()
    assert capped.keys[0].explored == 50
    small = check_linearizable(many_concurrent_writes(4, bad=False), initial=0, max_explored=50)
    assert small.verdict == "linearizable" and small.keys[0].explored < 50  # decided within the limit
    small_bad = check_linearizable(many_concurrent_writes(4, bad=True), initial=0, max_explored=50)
    assert small_bad.verdict == "not linearizable"
    assert check_sequential(bad, initial=0).consistent  # writers may be placed after the reads
    again = bad + [op(len(bad), "r", "read", None, 15, 16, 8)]  # ... but not w8 twice
    assert check_sequential(again, initial=0).consistent is False
    seq = check_sequential(again, initial=0, max_explored=50)
    assert seq.consistent is None and seq.verdict == "unknown" and "not a pass" in seq.explain()


def test_a_failing_key_outweighs_an_unknown_one():
    slow = many_concurrent_writes(8, bad=True)
    wrong = [Operation(100, "z", "write", 1, 0.0, 1.0, "ok", "y"), Operation(101, "z", "read", None, 2.0, 3.0, 5, "y")]
    result = check_linearizable(slow + wrong, initial=0, max_explored=50)
    assert result.linearizable is False and result.counterexample.key == "y"
    assert [v.linearizable for v in result.keys] == [None, False]


def test_long_histories_are_decided_within_a_small_limit():
    """A linearizable history's witness serves (if it keeps each client's order), and a read of a value
    nobody wrote refutes at once; without these a 1,000-operation history exhausts the search."""
    from tests.data.test_linearizability import mutate, random_history

    h = random_history(1000, clients=5, seed=2)
    assert check_sequential(h, initial=0, max_explored=100_000).consistent is True
    reads = [i for i, o in enumerate(h) if o.kind == "read" and not o.pending]
    bad = mutate(h, reads[len(reads) // 2], 99)
    result = check_sequential(bad, initial=0, max_explored=100_000)
    assert result.consistent is False and result.blocked == (bad.operations[reads[len(reads) // 2]].op_id,)
