"""HashRing: the clockwise-successor rule, exact arcs, preference lists, joins and leaves."""

import math
from bisect import bisect_left

import pytest
from hypothesis import assume, given, settings, strategies as st

from labsupport.data.hashing.ring import HashRing
from labsupport.stable_hash import HASH_SPACE, stable_hash64
from labsupport.data.hashing.theory import optimal_join_fraction, ring_share_cv

NAMES = st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=8, unique=True)
KEYS = st.lists(st.one_of(st.text(max_size=12), st.binary(max_size=12)), min_size=1, max_size=40)
VNODES = st.integers(min_value=1, max_value=30)
PROPS = settings(max_examples=40, deadline=None, database=None)


def brute_force_owner(marks, h: int) -> str:
    """The definition, read literally: first mark at position >= h, else the first mark."""
    for position, node in marks:
        if position >= h:
            return node
    return marks[0][1]


def brute_force_prefs(marks, h: int, n: int) -> list:
    """Walk clockwise from the owner's mark, keeping the first n distinct nodes."""
    start = next((i for i, (position, _) in enumerate(marks) if position >= h), 0)
    chosen = []
    for _, node in marks[start:] + marks[:start]:
        if node not in chosen:
            chosen.append(node)
    return chosen[:n]


@PROPS
@given(nodes=NAMES, vnodes=VNODES, keys=KEYS)
def test_lookup_is_the_first_mark_clockwise_and_a_member(nodes, vnodes, keys):
    ring = HashRing(nodes, vnodes)
    marks = ring.points()
    for key in keys:
        owner = ring.lookup(key)
        assert owner in nodes
        assert owner == brute_force_owner(marks, stable_hash64(key))


@PROPS
@given(nodes=NAMES, vnodes=VNODES, newcomer=st.text(min_size=1, max_size=8), keys=KEYS)
def test_a_joining_node_takes_keys_only_for_itself(nodes, vnodes, newcomer, keys):
    assume(newcomer not in nodes)
    before = HashRing(nodes, vnodes)
    after = before.add_node(newcomer)
    for key in keys:
        assert after.lookup(key) in (before.lookup(key), newcomer)


@PROPS
@given(nodes=NAMES, vnodes=VNODES, index=st.integers(min_value=0), keys=KEYS)
def test_a_leaving_nodes_keys_go_elsewhere_and_others_stay(nodes, vnodes, index, keys):
    assume(len(nodes) >= 2)
    leaver = nodes[index % len(nodes)]
    before = HashRing(nodes, vnodes)
    after = before.remove_node(leaver)
    for key in keys:
        old, new = before.lookup(key), after.lookup(key)
        if old == leaver:
            assert new != leaver and new in after.nodes
        else:
            assert new == old


@PROPS
@given(nodes=NAMES, vnodes=VNODES, keys=KEYS, data=st.data())
def test_preference_lists_hold_distinct_physical_nodes(nodes, vnodes, keys, data):
    ring = HashRing(nodes, vnodes)
    marks = ring.points()
    n = data.draw(st.integers(min_value=1, max_value=len(nodes)))
    for key in keys:
        prefs = ring.preference_list(key, n)
        assert len(prefs) == n == len(set(prefs))
        assert set(prefs) <= set(nodes)
        assert prefs[0] == ring.lookup(key)
        assert prefs == brute_force_prefs(marks, stable_hash64(key), n)
        assert ring.preference_list(key, len(nodes))[:n] == prefs


@PROPS
@given(nodes=NAMES, vnodes=VNODES, keys=KEYS, index=st.integers(min_value=0))
def test_preference_list_after_a_failure_skips_only_the_failed_node(nodes, vnodes, keys, index):
    # Removing node X deletes X's marks and nothing else, so the clockwise
    # order of the other nodes is unchanged (Dynamo's "next node on the ring").
    assume(len(nodes) >= 2)
    leaver = nodes[index % len(nodes)]
    before, after = HashRing(nodes, vnodes), HashRing(nodes, vnodes).remove_node(leaver)
    for key in keys:
        full = before.preference_list(key, len(nodes))
        assert after.preference_list(key, len(nodes) - 1) == [x for x in full if x != leaver]


def test_preference_list_matches_the_definition_where_marks_repeat():
    # With 4 nodes x 40 marks, runs of marks of one node are common; the walk
    # must skip them (Dynamo, section 4.3) rather than list a node twice.
    ring = HashRing(["a", "b", "c", "d"], vnodes=40)
    marks = ring.points()
    assert any(marks[i][1] == marks[i + 1][1] for i in range(len(marks) - 1))
    for i in range(300):
        key = f"key-{i}"
        assert ring.preference_list(key, 3) == brute_force_prefs(marks, stable_hash64(key), 3)


def test_lookup_hash_at_arc_boundaries():
    ring = HashRing(["a", "b", "c"], vnodes=5)
    marks = ring.points()
    for (prev_pos, _), (pos, node) in zip(marks, marks[1:]):
        assert ring.lookup_hash(pos) == node  # a mark owns its own position
        assert ring.lookup_hash(prev_pos + 1) == node  # ... and everything after the previous mark
    assert ring.lookup_hash(0) == marks[0][1]
    assert ring.lookup_hash(HASH_SPACE - 1) == marks[0][1]  # wraps past the last mark


def test_a_key_hashing_exactly_onto_a_mark_belongs_to_that_mark():
    # Mark i of node "a" sits at stable_hash64("a#i"), so the key "a#i" lands on it.
    ring = HashRing(["a", "b", "c"], vnodes=20)
    for node in ring.nodes:
        for i in range(ring.vnode_count(node)):
            assert ring.lookup(f"{node}#{i}") == node
            assert ring.preference_list(f"{node}#{i}", 1) == [node]


def test_arc_lengths_are_exact():
    ring = HashRing(["a", "b", "c"], vnodes=7, weights={"c": 2})
    arcs = ring.arc_lengths()
    assert sum(arcs.values()) == HASH_SPACE
    positions = [p for p, _ in ring.points()]
    expected = dict.fromkeys("abc", 0)
    # Count each arc by its two ends, independently of the implementation's loop.
    for i, (position, node) in enumerate(ring.points()):
        start = positions[i - 1] + 1 if i else positions[-1] + 1 - HASH_SPACE
        expected[node] += position - start + 1
    assert arcs == expected
    assert ring.ownership() == {node: arc / HASH_SPACE for node, arc in expected.items()}


def test_ownership_predicts_the_share_of_keys():
    ring = HashRing(["a", "b", "c", "d"], vnodes=3)  # few marks: uneven on purpose
    m = 20000
    counts = dict.fromkeys(ring.nodes, 0)
    for i in range(m):
        counts[ring.lookup(f"key-{i}")] += 1
    for node, share in ring.ownership().items():
        sd = math.sqrt(m * share * (1 - share))
        assert abs(counts[node] - m * share) <= 5 * sd, (node, counts[node], share)


def test_share_cv_matches_the_beta_formula_not_just_one_over_sqrt_v():
    # A node's exact share is Beta(v, (n-1) v) under the random-oracle model,
    # so E[CV^2] = (n-1)/(n v + 1); the naive 1/v is 53% higher here.
    n, v, rings = 3, 20, 400
    cv2 = []
    for t in range(rings):
        shares = HashRing([f"r{t}-{i}" for i in range(n)], v).ownership().values()
        cv2.append(sum((s * n - 1) ** 2 for s in shares) / n)
    measured = math.sqrt(sum(cv2) / rings)
    exact = ring_share_cv(n, v)
    assert abs(measured - exact) / exact < 0.1
    assert abs(measured - exact) < abs(measured - 1 / math.sqrt(v))


@settings(max_examples=8, deadline=None, database=None, derandomize=True)
@given(n=st.integers(min_value=2, max_value=20), salt=st.integers(min_value=0, max_value=10**6))
def test_join_moves_about_one_over_n_plus_one(n, salt):
    # The newcomer's share is Beta(v, n v): sd = p * sqrt(n / ((n+1) v + 1)) with
    # p = 1/(n+1), plus binomial noise of m keys. Tolerance: 5 combined sd.
    v, m = 100, 5000
    nodes = [f"s{salt}-{i}" for i in range(n)]
    before = HashRing(nodes, v)
    after = before.add_node(f"s{salt}-new")
    keys = [f"{salt}:{i}" for i in range(m)]
    moved = sum(before.lookup(k) != after.lookup(k) for k in keys) / m
    p = optimal_join_fraction(n)
    sd = math.hypot(p * math.sqrt(n / ((n + 1) * v + 1)), math.sqrt(p * (1 - p) / m))
    assert abs(moved - p) <= 5 * sd


def test_weights_scale_virtual_nodes_and_shares():
    ring = HashRing(["small", "big"], vnodes=200, weights={"big": 3})
    assert ring.vnode_count("small") == 200 and ring.vnode_count("big") == 600
    share = ring.ownership()["big"]
    # Beta(600, 200): mean 0.75, sd ~0.015.
    assert abs(share - 0.75) < 0.075


def test_rings_are_immutable_and_order_independent():
    ring = HashRing(["a", "b", "c"], vnodes=10)
    marks = ring.points()
    bigger = ring.add_node("d")
    assert ring.points() == marks and "d" not in ring and "d" in bigger
    assert bigger.remove_node("d").points() == marks
    assert HashRing(["c", "a", "b"], vnodes=10).points() == marks
    assert len(bigger) == 4 and bigger.nodes == ("a", "b", "c", "d")


@pytest.mark.parametrize("vnodes", [0, -3])
def test_bad_vnodes(vnodes):
    with pytest.raises(ValueError, match=r"vnodes=-?\d+ .*vnodes >= 1"):
        HashRing(["a"], vnodes=vnodes)


def test_bad_input_is_rejected_with_the_parameter_named():
    with pytest.raises(ValueError, match="nodes is empty; give at least 1 node"):
        HashRing([])
    with pytest.raises(ValueError, match="duplicate name 'a'"):
        HashRing(["a", "b", "a"])
    with pytest.raises(TypeError, match="vnodes must be an int"):
        HashRing(["a"], vnodes=2.5)
    with pytest.raises(ValueError, match="weight of 'a'=0 is out of range; choose weight of 'a' > 0"):
        HashRing(["a"], weights={"a": 0})
    with pytest.raises(ValueError, match=r"weight 0.001 of 'a' gives 0 virtual nodes"):
        HashRing(["a"], vnodes=10, weights={"a": 0.001})
    with pytest.raises(ValueError, match="not in nodes"):
        HashRing(["a"], weights={"z": 1})
    ring = HashRing(["a", "b"], vnodes=4)
    for n in (0, 3):
        with pytest.raises(ValueError, match=rf"n={n} .*choose 1 <= n <= 2"):
            ring.preference_list("k", n)
    with pytest.raises(ValueError, match="already on the ring"):
        ring.add_node("a")
    with pytest.raises(ValueError, match="not on the ring"):
        ring.remove_node("z")
    with pytest.raises(ValueError, match="at least 1 node"):
        HashRing(["a"]).remove_node("a")
    with pytest.raises(ValueError, match=r"0 <= h <= 18446744073709551615"):
        ring.lookup_hash(HASH_SPACE)
    with pytest.raises(TypeError, match="key must be str or bytes"):
        ring.lookup(42)
    with pytest.raises(TypeError, match="node name must be str"):
        HashRing(["a", 2])


def test_lookup_uses_one_bisection_on_a_sorted_array():
    ring = HashRing([f"n{i}" for i in range(20)], vnodes=50)
    positions = [p for p, _ in ring.points()]
    assert positions == sorted(positions)
    owners = [node for _, node in ring.points()]
    for i in range(200):
        h = stable_hash64(f"x{i}")
        assert ring.lookup(f"x{i}") == owners[bisect_left(positions, h) % len(owners)]
