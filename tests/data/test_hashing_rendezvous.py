"""Rendezvous (HRW) hashing: elections, joins and leaves, weights by the logarithmic method."""

import math

import pytest
from hypothesis import assume, given, settings, strategies as st

from labsupport.data.hashing.rendezvous import RendezvousHash
from labsupport.data.hashing.theory import optimal_join_fraction

NAMES = st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=8, unique=True)
KEYS = st.lists(st.one_of(st.text(max_size=12), st.binary(max_size=12)), min_size=1, max_size=40)
WEIGHT = st.floats(min_value=0.1, max_value=10)
PROPS = settings(max_examples=40, deadline=None, database=None)


@PROPS
@given(nodes=NAMES, keys=KEYS, weighted=st.booleans(), data=st.data())
def test_lookup_is_the_highest_score_and_a_member(nodes, keys, weighted, data):
    weights = {n: data.draw(WEIGHT) for n in nodes} if weighted else None
    hrw = RendezvousHash(nodes, weights=weights)
    for key in keys:
        scores = hrw.scores(key)
        winner = hrw.lookup(key)
        assert winner in nodes
        assert scores[winner] == max(scores.values())


@PROPS
@given(nodes=NAMES, newcomer=st.text(min_size=1, max_size=8), keys=KEYS, weighted=st.booleans(), data=st.data())
def test_a_joining_node_takes_keys_only_for_itself(nodes, newcomer, keys, weighted, data):
    assume(newcomer not in nodes)
    weights = {n: data.draw(WEIGHT) for n in nodes} if weighted else None
    before = RendezvousHash(nodes, weights=weights)
    after = before.add_node(newcomer, weight=data.draw(WEIGHT) if weighted else 1)
    for key in keys:
        assert after.lookup(key) in (before.lookup(key), newcomer)


@PROPS
@given(nodes=NAMES, index=st.integers(min_value=0), keys=KEYS)
def test_a_leaving_nodes_keys_go_elsewhere_and_others_stay(nodes, index, keys):
    assume(len(nodes) >= 2)
    leaver = nodes[index % len(nodes)]
    before = RendezvousHash(nodes)
    after = before.remove_node(leaver)
    for key in keys:
        old, new = before.lookup(key), after.lookup(key)
        if old == leaver:
            assert new != leaver and new in after.nodes
        else:
            assert new == old


@PROPS
@given(nodes=NAMES, keys=KEYS, data=st.data())
def test_preference_lists_are_the_ranking_without_repeats(nodes, keys, data):
    hrw = RendezvousHash(nodes)
    n = data.draw(st.integers(min_value=1, max_value=len(nodes)))
    for key in keys:
        prefs = hrw.preference_list(key, n)
        assert len(prefs) == n == len(set(prefs)) and set(prefs) <= set(nodes)
        assert prefs[0] == hrw.lookup(key)
        scores = hrw.scores(key)
        assert [scores[p] for p in prefs] == sorted(scores.values(), reverse=True)[:n]


@PROPS
@given(nodes=NAMES, keys=KEYS, index=st.integers(min_value=0))
def test_removing_a_node_just_deletes_it_from_every_ranking(nodes, keys, index):
    assume(len(nodes) >= 2)
    leaver = nodes[index % len(nodes)]
    before, after = RendezvousHash(nodes), RendezvousHash(nodes).remove_node(leaver)
    for key in keys:
        full = before.preference_list(key, len(nodes))
        assert after.preference_list(key, len(nodes) - 1) == [x for x in full if x != leaver]


def test_equal_weights_rank_exactly_as_no_weights():
    nodes = [f"n{i}" for i in range(7)]
    plain = RendezvousHash(nodes)
    doubled = RendezvousHash(nodes, weights=dict.fromkeys(nodes, 2.0))
    mixed = RendezvousHash(nodes + ["heavy"], weights={"heavy": 5})
    for i in range(500):
        key = f"k{i}"
        assert doubled.preference_list(key, 7) == plain.preference_list(key, 7)
        # Adding a weighted node switches to log scores; old nodes keep their order.
        assert [x for x in mixed.preference_list(key, 8) if x != "heavy"] == plain.preference_list(key, 7)


def test_unweighted_shares_are_uniform():
    nodes = [f"cache-{i}" for i in range(8)]
    hrw, m = RendezvousHash(nodes), 24000
    counts = dict.fromkeys(nodes, 0)
    for i in range(m):
        counts[hrw.lookup(f"obj-{i}")] += 1
    p = 1 / len(nodes)
    sd = math.sqrt(m * p * (1 - p))
    assert max(abs(c - m * p) for c in counts.values()) <= 5 * sd


def test_weighted_shares_follow_the_logarithmic_method():
    # P(node i wins) = w_i / sum(w) exactly under the random-oracle model.
    weights = {"a": 1, "b": 2, "c": 3, "d": 0.5}
    hrw, m = RendezvousHash(weights, weights=weights), 24000
    counts = dict.fromkeys(weights, 0)
    for i in range(m):
        counts[hrw.lookup(f"obj-{i}")] += 1
    total = sum(weights.values())
    for node, w in weights.items():
        p = w / total
        assert abs(counts[node] - m * p) <= 5 * math.sqrt(m * p * (1 - p)), (node, counts[node], m * p)


@settings(max_examples=8, deadline=None, database=None, derandomize=True)
@given(n=st.integers(min_value=1, max_value=20), salt=st.integers(min_value=0, max_value=10**6))
def test_join_moves_one_over_n_plus_one(n, salt):
    # Each key moves iff the newcomer outscores n others: probability 1/(n+1),
    # independently per key; tolerance 5 binomial standard deviations.
    m = 3000
    before = RendezvousHash([f"s{salt}-{i}" for i in range(n)])
    after = before.add_node(f"s{salt}-new")
    moved = sum(before.lookup(k) != after.lookup(k) for k in (f"{salt}:{i}" for i in range(m))) / m
    p = optimal_join_fraction(n)
    assert abs(moved - p) <= 5 * math.sqrt(p * (1 - p) / m)


def test_instances_are_immutable():
    hrw = RendezvousHash(["a", "b"])
    bigger = hrw.add_node("c", weight=2)
    assert hrw.nodes == ("a", "b") and "c" not in hrw and bigger.weights == {"a": 1, "b": 1, "c": 2}
    assert len(bigger.remove_node("c")) == 2


def test_bad_input_is_rejected_with_the_parameter_named():
    with pytest.raises(ValueError, match="nodes is empty"):
        RendezvousHash([])
    with pytest.raises(ValueError, match="duplicate name 'x'"):
        RendezvousHash(["x", "x"])
    for bad in (0, -1, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="choose weight of .* > 0"):
            RendezvousHash(["a"], weights={"a": bad})
    with pytest.raises(TypeError, match="weight of 'a' must be a number"):
        RendezvousHash(["a"], weights={"a": "heavy"})
    hrw = RendezvousHash(["a", "b"])
    with pytest.raises(ValueError, match=r"n=3 .*choose 1 <= n <= 2"):
        hrw.preference_list("k", 3)
    with pytest.raises(ValueError, match="already present"):
        hrw.add_node("a")
    with pytest.raises(ValueError, match="not present"):
        hrw.remove_node("z")
    with pytest.raises(ValueError, match="keep at least 1 node"):
        RendezvousHash(["a"]).remove_node("a")
    with pytest.raises(TypeError, match="key must be str or bytes"):
        hrw.lookup(3.5)
