"""Measurement helpers and theory: counted by hand, brute-forced, and compared."""

import math

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.data.hashing.analysis import assign, compare_with_theory, load_stats, movement, node_loads
from labsupport.data.hashing.ring import HashRing
from labsupport.stable_hash import hash_mod_n
from labsupport.data.hashing.theory import (
    mod_n_join_fraction,
    mod_n_leave_fraction,
    optimal_join_fraction,
    optimal_leave_fraction,
    ring_load_cv,
    ring_share_cv,
    uniform_load_cv,
)


def test_loads_and_stats_by_hand():
    assignment = {"k1": "a", "k2": "a", "k3": "a", "k4": "b"}
    assert node_loads(assignment, nodes=["a", "b", "c"]) == {"a": 3, "b": 1, "c": 0}
    s = load_stats(assignment, nodes=["a", "b"])
    assert (s.num_keys, s.num_nodes, s.mean, s.max_load, s.min_load) == (4, 2, 2.0, 3, 1)
    assert s.max_over_mean == 1.5 and s.cv == pytest.approx(0.5)
    with pytest.raises(ValueError, match="both empty"):
        load_stats({})


def test_movement_by_hand():
    before = {"k1": "a", "k2": "b", "k3": "a", "k4": "b"}
    after = {"k1": "a", "k2": "c", "k3": "b", "k4": "b"}
    m = movement(before, after, joined="c", left="a")
    assert (m.num_keys, m.moved, m.fraction) == (4, 2, 0.5)
    assert m.sources == {"b": 1, "a": 1} and m.destinations == {"c": 1, "b": 1}
    assert m.only_to_joined is False and m.only_from_left is False
    assert movement(before, before, joined="c").only_to_joined is True
    assert movement(before, after).only_to_joined is None
    with pytest.raises(ValueError, match="same keys"):
        movement(before, {"k1": "a"})
    with pytest.raises(ValueError, match="before is empty"):
        movement({}, {})


@settings(max_examples=60, deadline=None, database=None)
@given(n=st.integers(min_value=1, max_value=12), space=st.integers(min_value=1, max_value=400))
def test_mod_n_theory_counts_every_hash_value(n, space):
    moved = sum(h % n != h % (n + 1) for h in range(space))
    assert mod_n_join_fraction(n, hash_space=space) == pytest.approx(moved / space, abs=1e-15)
    if space % (n * (n + 1)) == 0:
        assert mod_n_join_fraction(n, hash_space=space) == pytest.approx(n / (n + 1), abs=1e-15)


def test_mod_n_theory_on_the_real_hash_space():
    for n in (1, 2, 9, 99):
        assert abs(mod_n_join_fraction(n) - n / (n + 1)) < n * (n + 1) / 2**64 + 1e-15
    assert mod_n_leave_fraction(10) == mod_n_join_fraction(9)


def test_mod_n_measured_against_exact_theory():
    keys = [f"k{i}" for i in range(20000)]
    for n in (3, 10):
        m = movement(assign(lambda k: hash_mod_n(k, n), keys), assign(lambda k: hash_mod_n(k, n + 1), keys), joined=n)
        p = mod_n_join_fraction(n)
        assert abs(m.fraction - p) <= 5 * math.sqrt(p * (1 - p) / len(keys))
        assert m.only_to_joined is False  # mod n is not consistent


def test_ring_leave_moves_only_the_leavers_keys():
    keys = [f"k{i}" for i in range(5000)]
    ring = HashRing([f"n{i}" for i in range(8)], vnodes=100)
    before = assign(ring.lookup, keys)
    m = movement(before, assign(ring.remove_node("n3").lookup, keys), left="n3")
    assert m.only_from_left is True
    assert m.moved == node_loads(before)["n3"]
    # The leaver's share is Beta(v, 7v) around 1/8: sd ~ 0.0118 for v=100.
    assert abs(m.fraction - optimal_leave_fraction(8)) < 5 * 0.0118 + 5 * math.sqrt(0.125 * 0.875 / 5000)


def test_theory_values_and_limits():
    assert optimal_join_fraction(9) == 0.1 and optimal_leave_fraction(4) == 0.25
    assert ring_share_cv(10, 100) == pytest.approx(math.sqrt(9 / 1001))
    assert ring_share_cv(10**9, 100) == pytest.approx(0.1, rel=1e-6)  # the 1/sqrt(v) limit
    assert ring_share_cv(1, 50) == 0  # one node owns everything
    assert ring_load_cv(10, 100, 10**12) == pytest.approx(ring_share_cv(10, 100), rel=1e-6)
    assert uniform_load_cv(10, 9000) == pytest.approx(math.sqrt(9 / 9000))
    # With no unevenness from the ring, the ring formula reduces to the uniform one.
    c2 = ring_share_cv(10, 100) ** 2
    assert ring_load_cv(10, 100, 500) ** 2 == pytest.approx(c2 + (9 - c2) / 500)
    for bad in (lambda: optimal_join_fraction(0), lambda: optimal_leave_fraction(1),
                lambda: ring_share_cv(3, 0), lambda: uniform_load_cv(3, 0)):
        with pytest.raises(ValueError, match=">= 1|>= 2"):
            bad()


def test_uniform_load_cv_matches_simulation():
    keys = [f"k{i}" for i in range(3000)]
    n, trials, cv2 = 10, 30, 0.0
    for t in range(trials):
        cv2 += load_stats(assign(lambda k: hash_mod_n(f"{t}/{k}", n), keys), range(n)).cv ** 2
    measured, theory = math.sqrt(cv2 / trials), uniform_load_cv(n, len(keys))
    # CV^2 * m is ~ chi-square(9)/... ; 30 trials: rms within 15%.
    assert abs(measured - theory) / theory < 0.15


def test_compare_with_theory_rows_agree_within_tolerance():
    rows = compare_with_theory(num_nodes=6, vnodes=100, num_keys=3000, trials=2, seed=7)
    assert len(rows) == 12
    by_name = {r.quantity: r for r in rows}
    for scheme in ("ring", "rendezvous", "jump"):
        assert by_name[f"{scheme}: share of moved keys to newcomer"].measured == 1.0
        assert by_name[f"{scheme}: fraction moved on join"].rel_error < 0.3
    assert by_name["mod n: fraction moved on join"].rel_error < 0.03
    assert abs(by_name["mod n: share of moved keys to newcomer"].measured - 1 / 6) < 0.05
    for r in rows:
        assert r.rel_error == abs(r.measured - r.theory) / abs(r.theory)
    assert compare_with_theory(num_nodes=3, num_keys=200, trials=1, seed=7) == compare_with_theory(
        num_nodes=3, num_keys=200, trials=1, seed=7
    )
    with pytest.raises(ValueError, match="trials=0 .*>= 1"):
        compare_with_theory(trials=0, seed=0)
