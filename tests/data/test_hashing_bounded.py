"""Bounded-load consistent hashing: caps, the clockwise overflow walk, exact capacities."""

import math
from bisect import bisect_left

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.data.hashing.bounded import assign_bounded, load_capacity, node_capacities
from labsupport.data.hashing.ring import HashRing
from labsupport.stable_hash import stable_hash64

NAMES = st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=6, unique=True)
KEYS = st.lists(st.text(max_size=10), min_size=0, max_size=80, unique=True)
EPS = st.sampled_from([0.01, 0.1, 0.25, 0.5, 1.0, 3.0])


def reference_assignment(ring: HashRing, keys, eps):
    """The algorithm as the paper states it, written independently of the module."""
    caps = {n: math.ceil((1 + eps) * len(keys) * w / sum(ring.weights.values()) - 1e-9)
            for n, w in ring.weights.items()}
    marks = ring.points()
    positions = [p for p, _ in marks]
    loads = dict.fromkeys(ring.nodes, 0)
    out = {}
    for key in keys:
        i = bisect_left(positions, stable_hash64(key))
        for step in range(len(marks)):
            node = marks[(i + step) % len(marks)][1]
            if loads[node] < caps[node]:
                break
        loads[node] += 1
        out[key] = node
    return out


@settings(max_examples=60, deadline=None, database=None)
@given(nodes=NAMES, vnodes=st.integers(min_value=1, max_value=8), keys=KEYS, eps=EPS)
def test_loads_never_exceed_capacity_and_every_key_is_placed(nodes, vnodes, keys, eps):
    ring = HashRing(nodes, vnodes)
    out = assign_bounded(ring, keys, eps)
    assert list(out.placement) == keys
    assert set(out.placement.values()) <= set(nodes)
    assert out.within_capacity
    cap = load_capacity(len(keys), len(nodes), eps)
    assert all(load <= cap for load in out.loads.values())
    assert sum(out.loads.values()) == len(keys)
    assert out.placement == reference_assignment(ring, keys, eps)


@settings(max_examples=30, deadline=None, database=None)
@given(nodes=NAMES, keys=KEYS, eps=EPS, data=st.data())
def test_weighted_capacities_cover_all_keys_and_are_respected(nodes, keys, eps, data):
    weights = {n: data.draw(st.sampled_from([0.5, 1, 2, 3])) for n in nodes}
    ring = HashRing(nodes, 4, weights=weights)
    out = assign_bounded(ring, keys, eps)
    assert sum(out.capacities.values()) >= (1 + eps) * len(keys) - 1e-9
    assert all(out.loads[n] <= out.capacities[n] for n in nodes)
    assert out.placement == reference_assignment(ring, keys, eps)


def test_max_load_guarantee_beats_the_plain_ring():
    # One mark per node (the paper's setting) gives a very uneven plain ring.
    ring = HashRing([f"n{i}" for i in range(10)], vnodes=1)
    keys = [f"k{i}" for i in range(5000)]
    plain = max(sum(1 for k in keys if ring.lookup(k) == n) for n in ring.nodes)
    for eps in (0.05, 0.25, 1.0):
        out = assign_bounded(ring, keys, eps)
        cap = load_capacity(len(keys), 10, eps)
        assert out.max_load <= cap < plain
        assert out.max_load / (len(keys) / 10) <= 1 + eps + 10 / len(keys)
    # Larger eps displaces fewer keys from their ring owner.
    displaced = [assign_bounded(ring, keys, eps).displaced for eps in (0.05, 0.25, 1.0)]
    assert displaced == sorted(displaced, reverse=True) and displaced[0] > 0


def test_a_generous_cap_changes_nothing():
    ring = HashRing(["a", "b", "c"], vnodes=50)
    keys = [f"k{i}" for i in range(300)]
    out = assign_bounded(ring, keys, eps=10)
    assert out.displaced == 0 and out.extra_probes == 0
    assert out.placement == {k: ring.lookup(k) for k in keys}


def test_capacities_are_exact_not_floating_point():
    # (1 + 0.1) * 10 / 1 is 11.000000000000002 in floating point; the cap is 11.
    assert load_capacity(10, 1, 0.1) == 11
    assert load_capacity(1000, 10, 0.1) == 110
    assert load_capacity(1001, 10, 0.1) == 111
    assert load_capacity(0, 4, 0.5) == 0
    assert load_capacity(7, 2, 1) == 7
    ring = HashRing(["a", "b", "c"], weights={"c": 2})
    assert node_capacities(ring, 40, 0.2) == {"a": 12, "b": 12, "c": 24}


def test_order_matters_and_the_first_key_always_gets_its_owner():
    ring = HashRing(["a", "b"], vnodes=1)
    keys = [f"k{i}" for i in range(20)]
    forward = assign_bounded(ring, keys, 0.1).placement
    backward = assign_bounded(ring, keys[::-1], 0.1).placement
    assert forward[keys[0]] == ring.lookup(keys[0])
    assert backward[keys[-1]] == ring.lookup(keys[-1])
    assert forward != backward


@pytest.mark.parametrize("eps", [0, -0.5])
def test_bad_eps(eps):
    with pytest.raises(ValueError, match=r"eps=.* choose eps > 0"):
        assign_bounded(HashRing(["a"]), ["k"], eps)
    with pytest.raises(ValueError, match=r"eps=.* choose eps > 0"):
        load_capacity(10, 2, eps)


def test_other_bad_input():
    ring = HashRing(["a", "b"])
    with pytest.raises(ValueError, match="not a finite number"):
        assign_bounded(ring, ["k"], float("nan"))
    with pytest.raises(ValueError, match="duplicate key 'k'"):
        assign_bounded(ring, ["k", "j", "k"], 0.1)
    with pytest.raises(TypeError, match="ring must be HashRing"):
        assign_bounded(["a", "b"], ["k"], 0.1)
    with pytest.raises(TypeError, match="key must be str or bytes"):
        assign_bounded(ring, [1, 2], 0.1)
    with pytest.raises(ValueError, match="num_nodes=0 .*>= 1"):
        load_capacity(10, 0, 0.1)
    with pytest.raises(ValueError, match="num_keys=-1"):
        load_capacity(-1, 2, 0.1)
