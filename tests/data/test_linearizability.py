"""Tests for labsupport.data.linearizability: atomic registers pass, known anomalies fail,
and the fast checker agrees exactly with a brute-force search on small histories."""

from __future__ import annotations

import math
import random
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.data.linearizability import check_linearizable, register_step
from labsupport.sim.history import History, Operation

INF = math.inf
VALUES = (0, 1, 2)

# --------------------------------------------------------------------------- helpers


def build_history(spec, initial=0):
    """A history produced by a truly atomic register.

    ``spec`` rows: (client, gap, duration, fraction, kind, value, expected, key,
    pending, takes_effect). Each client runs its operations back to back; each
    operation takes effect at invoke + fraction * duration, and results come
    from applying the effective operations in that order to real registers.
    A pending operation ends its client's run.
    """
    clock, stopped, rows = {}, set(), []
    for client, gap, duration, fraction, kind, value, expected, key, pending, effect in spec:
        if client in stopped:
            continue
        invoke = clock.get(client, 0.0) + gap
        complete = INF if pending else invoke + duration
        clock[client] = invoke + duration
        if pending:
            stopped.add(client)
        point = invoke + fraction * duration if (effect or not pending) else None
        arg = None if kind == "read" else value if kind == "write" else (expected, value)
        rows.append([invoke, client, kind, arg, complete, key, point])
    regs, results = {}, {}
    effective = sorted((r[6], n) for n, r in enumerate(rows) if r[6] is not None)
    for _, n in effective:
        _, _, kind, arg, _, key, _ = rows[n]
        current = regs.get(key, initial)
        if kind == "read":
            results[n] = current
        elif kind == "write":
            regs[key], results[n] = arg, "ok"
        else:
            results[n] = current == arg[0]
            if results[n]:
                regs[key] = arg[1]
    order = sorted(range(len(rows)), key=lambda n: (rows[n][0], n))
    ops = []
    for op_id, n in enumerate(order):
        invoke, client, kind, arg, complete, key, _ = rows[n]
        result = None if complete == INF else results[n]
        ops.append(Operation(op_id, client, kind, arg, invoke, complete, result, key))
    return History(ops)


def brute_force(ops, initial=0):
    """Reference: try every subset of pending ops and every real-time-respecting order."""
    ops = list(ops)
    pending = [o for o in ops if o.pending]
    done = [o for o in ops if not o.pending]

    def step(value, o):
        if o.kind == "read":
            return o.pending or o.result == value, value
        if o.kind == "write":
            return True, o.arg
        hit = value == o.arg[0]
        if o.pending:
            return True, o.arg[1] if hit else value
        return o.result == hit, o.arg[1] if hit else value

    def search(remaining, regs):
        if not remaining:
            return True
        for o in remaining:
            if any(p.complete_s < o.invoke_s for p in remaining):
                continue  # something still unplaced had finished before o started
            ok, new = step(regs.get(o.key, initial), o)
            if ok and search([p for p in remaining if p is not o], {**regs, o.key: new}):
                return True
        return False

    return any(search(done + list(chosen), {})
               for r in range(len(pending) + 1) for chosen in combinations(pending, r))


def assert_valid_witness(history, result, initial=0):
    """Independent check of a witness: real-time order, replay, every completed op once."""
    ops = {o.op_id: o for o in history}
    order = result.order
    assert len(set(order)) == len(order)
    assert {i for i, o in ops.items() if not o.pending} <= set(order)
    for a, b in combinations(order, 2):  # a placed before b
        assert not ops[b].complete_s < ops[a].invoke_s
    regs = {}
    for i in order:
        ok, regs[ops[i].key] = register_step(regs.get(ops[i].key, initial), ops[i])
        assert ok, f"op {i} cannot return {ops[i].result!r} in the witness"
    for verdict in result.keys:
        for i, point in zip(verdict.order, verdict.points):
            assert ops[i].invoke_s <= point <= ops[i].complete_s
        assert list(verdict.points) == sorted(verdict.points)


def row_strategy(clients, keys, pending):
    return st.tuples(
        st.sampled_from(clients), st.integers(0, 4).map(lambda g: g / 2),
        st.integers(0, 6).map(lambda d: d / 2), st.floats(0, 1),
        st.sampled_from(("read", "read", "write", "cas")), st.sampled_from(VALUES),
        st.sampled_from(VALUES), st.sampled_from(keys),
        st.booleans() if pending else st.just(False), st.booleans())


def histories(max_ops, clients=("a", "b", "c"), keys=("x",), pending=True):
    return st.lists(row_strategy(clients, keys, pending), min_size=1, max_size=max_ops).map(
        build_history)


def random_history(n_ops, clients, seed, keys=("x",), pending_rate=0.0):
    rng = random.Random(seed)
    spec = [(f"c{rng.randrange(clients)}", rng.uniform(0, 1), rng.uniform(0.1, 4), rng.random(),
             rng.choice(("read", "read", "write", "cas")), rng.choice(VALUES),
             rng.choice(VALUES), rng.choice(keys), rng.random() < pending_rate, rng.random() < 0.5)
            for _ in range(n_ops)]
    return build_history(spec)


def mutate(history, index, new_result):
    ops = list(history)
    ops[index] = Operation(*[getattr(ops[index], f) for f in
                             ("op_id", "client", "kind", "arg", "invoke_s", "complete_s")],
                           new_result, ops[index].key)
    return History(ops)


def mutate_one(history, data):
    """The history with one completed read's or cas's result replaced by a drawn one."""
    completed = [i for i, o in enumerate(history) if not o.pending and o.kind != "write"]
    if not completed:
        return history
    i = data.draw(st.sampled_from(completed))
    new = data.draw(st.sampled_from((True, False)) if history.operations[i].kind == "cas"
                    else st.sampled_from(VALUES + (None,)))
    return mutate(history, i, new)


# --------------------------------------------------------------------------- properties


@settings(max_examples=200, deadline=None)
@given(histories(max_ops=25, keys=("x", "y")))
def test_atomic_register_histories_are_accepted_with_a_valid_witness(h):
    result = check_linearizable(h, initial=0)
    assert result.linearizable, result.explain()
    assert_valid_witness(h, result)


@settings(max_examples=250, deadline=None)
@given(histories(max_ops=7), st.data())
def test_mutated_results_agree_exactly_with_brute_force(h, data):
    h = mutate_one(h, data)
    result = check_linearizable(h, initial=0)
    assert result.linearizable == brute_force(h)
    if result.linearizable:
        assert_valid_witness(h, result)
    else:  # the reported prefix is itself a linearizable sequence, and misses the blocked op
        verdict = result.counterexample
        ops = {o.op_id: o for o in h}
        assert verdict.blocked not in verdict.order and not ops[verdict.blocked].pending
        value = 0
        for n, i in enumerate(verdict.order):
            ok, value = register_step(value, ops[i])
            assert ok
            assert all(not ops[j].complete_s < ops[i].invoke_s for j in verdict.order[n:])
        assert value == verdict.value


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 6), st.integers(0, 4),
                          st.sampled_from(("read", "write", "cas")), st.sampled_from(VALUES),
                          st.sampled_from(VALUES), st.booleans(), st.sampled_from("xy"),
                          st.booleans()), min_size=1, max_size=7))
def test_arbitrary_two_key_histories_agree_with_brute_force(rows):
    """Random results, two keys, pending ops: the brute force treats keys as one object."""
    ops = []
    for n, (client, start, length, kind, v, e, ok, key, pend) in enumerate(sorted(rows)):
        arg = None if kind == "read" else v if kind == "write" else (e, v)
        result = None if pend else {"read": e, "write": "ok", "cas": ok}[kind]
        ops.append(Operation(n, client, kind, arg, start, INF if pend else start + length,
                             result, key))
    assert check_linearizable(ops, initial=0).linearizable == brute_force(ops)


# --------------------------------------------------------------------------- classic anomalies


def test_read_of_a_value_never_written_is_rejected():
    h = History.from_tuples([("a", "write", 1, 0, 1, "ok"), ("b", "read", None, 2, 3, 7)])
    result = check_linearizable(h, initial=0)
    assert not result.linearizable
    assert result.counterexample.blocked == 1 and result.counterexample.order == (0,)


def test_stale_read_after_a_completed_write_is_rejected():
    h = History.from_tuples([("a", "write", 1, 0, 1, "ok"), ("b", "read", None, 2, 3, 0)])
    assert not check_linearizable(h, initial=0).linearizable
    overlapping = History.from_tuples([("a", "write", 1, 0, 2.5, "ok"),
                                       ("b", "read", None, 2, 3, 0)])
    assert check_linearizable(overlapping, initial=0).linearizable


def dynamo_history(write_back):
    """N=3 replicas, W=2, R=2 (R+W>N), last-writer-wins by timestamp, hand-scheduled.

    The write of 1 reaches replica A at t=1 and B only at t=9 (acked at t=10).
    Reader a asks {A, B} during [2, 3]; reader b asks {B, C} during [4, 5].
    With write-back (ABD), reader a first stores what it returns on {A, B}.
    """
    replicas = {"A": (0, 0), "B": (0, 0), "C": (0, 0)}  # (timestamp, value)
    replicas["A"] = (1, 1)
    rows = []
    seen = max(replicas["A"], replicas["B"])
    if write_back:
        replicas["B"] = seen
    rows.append(("a", "read", None, 2, 3, seen[1]))
    rows.append(("b", "read", None, 4, 5, max(replicas["B"], replicas["C"])[1]))
    replicas["B"] = (1, 1)
    return History.from_tuples([("w", "write", 1, 0, 10, "ok")] + rows)


def test_quorum_without_write_back_shows_the_new_old_inversion():
    h = dynamo_history(write_back=False)
    assert [o.result for o in h][1:] == [1, 0]
    result = check_linearizable(h, initial=0)
    assert not result.linearizable
    assert result.counterexample.blocked == 2  # reader b's old value
    assert "op 2 read() by b -> 0" in result.explain()
    fixed = check_linearizable(dynamo_history(write_back=True), initial=0)
    assert fixed.linearizable and fixed.order == (0, 1, 2)


def test_pending_write_may_take_effect_late_or_never():
    def hist(*reads):
        return History([Operation(0, "w", "write", 1, 0.0)] + [
            Operation(i + 1, c, "read", None, 2.0 * i + 1, 2.0 * i + 2, r)
            for i, (c, r) in enumerate(reads)])
    never = check_linearizable(hist(("a", 0), ("b", 0)), initial=0)
    assert never.linearizable and never.order in ((1, 2), (1, 2, 0))  # omitted or last
    assert set(never.order) | set(never.keys[0].omitted) == {0, 1, 2}
    assert check_linearizable(hist(("a", 0), ("b", 1)), initial=0).order == (1, 0, 2)
    assert not check_linearizable(hist(("a", 1), ("b", 0)), initial=0).linearizable
    late = History([Operation(0, "a", "read", None, 0.0, 1.0, 1),
                    Operation(1, "w", "write", 1, 2.0)])
    assert not check_linearizable(late, initial=0).linearizable


def test_pending_cas_and_pending_read():
    h = History([Operation(0, "a", "cas", (0, 5), 0.0),
                 Operation(1, "b", "read", None, 1.0, 2.0, 5),
                 Operation(2, "c", "read", None, 3.0)])
    result = check_linearizable(h, initial=0)
    assert result.linearizable and result.order == (0, 1) and result.keys[0].omitted == (2,)
    assert not check_linearizable(h, initial=1).linearizable  # cas(0, 5) cannot succeed


def test_keys_are_checked_separately_and_merged_in_real_time_order():
    rows = [Operation(0, "a", "write", 1, 0.0, 1.0, "ok", "x"),
            Operation(1, "b", "write", 2, 2.0, 3.0, "ok", "y"),
            Operation(2, "a", "read", None, 4.0, 5.0, 1, "x"),
            Operation(3, "b", "read", None, 4.0, 6.0, 0, "y")]
    result = check_linearizable(rows, initial=0)
    assert not result.linearizable and result.counterexample.key == "y"
    assert [v.linearizable for v in result.keys] == [True, False]
    rows[3] = Operation(3, "b", "read", None, 4.0, 6.0, 2, "y")
    result = check_linearizable(rows, initial=0)
    assert result.order == (0, 1, 2, 3)
    assert_valid_witness(History(rows), result)


def test_empty_history_and_bad_input():
    assert check_linearizable(History()).linearizable
    with pytest.raises(ValueError, match="kind='push'"):
        check_linearizable([Operation(0, "a", "push", 1, 0.0, 1.0, "ok")])
    with pytest.raises(TypeError, match="cas arg must be tuple or list, not int"):
        check_linearizable([Operation(0, "a", "cas", 1, 0.0, 1.0, True)])
    with pytest.raises(ValueError, match=r"\(expected, new\)"):
        check_linearizable([Operation(0, "a", "cas", (1,), 0.0, 1.0, True)])
    with pytest.raises(TypeError, match="cas result must be bool, not str"):
        check_linearizable([Operation(0, "a", "cas", (0, 1), 0.0, 1.0, "ok")])
    with pytest.raises(ValueError, match="twice"):
        check_linearizable([Operation(0, "a", "read", None, 0.0, 1.0, 0)] * 2)
    with pytest.raises(TypeError, match="unhashable"):
        check_linearizable([Operation(0, "a", "write", [1], 0.0, 1.0, "ok")])
    with pytest.raises(TypeError, match="Operation"):
        check_linearizable([("a", "read")])


# --------------------------------------------------------------------------- speed


@pytest.mark.parametrize("seed", [1, 2])
def test_a_few_hundred_operations_are_checked_both_ways(seed):
    # How long this takes is measured by 'make bench', not asserted here.
    h = random_history(400, clients=5, seed=seed, keys=("x",), pending_rate=0.01)
    result = check_linearizable(h, initial=0)
    assert result.linearizable
    assert_valid_witness(h, result)
    reads = [i for i, o in enumerate(h) if o.kind == "read" and not o.pending]
    bad = mutate(h, reads[len(reads) // 2], 99)  # one impossible read in the middle
    assert not check_linearizable(bad, initial=0).linearizable
