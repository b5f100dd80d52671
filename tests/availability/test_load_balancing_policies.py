"""Each policy keeps the promise its name makes, and any object with choose() plugs in."""

import random
from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.availability.load_balancing.farm import run_farm
from labsupport.availability.load_balancing.policies import (
    POLICY_NAMES, BalancerState, ConsistentHashAffinity, LeastOutstandingRequests,
    PowerOfChoices, RandomChoice, RoundRobin, WeightedRandom, WeightedRoundRobin, make_policy,
)

outstanding_lists = st.lists(st.integers(0, 6), min_size=1, max_size=12)


def picks(policy, targets, n, state=None, seed=0):
    rng = random.Random(seed)
    state = state or BalancerState()
    return [policy.choose(targets, state, rng) for _ in range(n)]


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 12), rounds=st.integers(1, 5))
def test_round_robin_gives_each_target_its_turn(n, rounds):
    counts = Counter(picks(RoundRobin(), list(range(n)), n * rounds))
    assert counts == {t: rounds for t in range(n)}


def test_random_is_roughly_uniform():
    counts = Counter(picks(RandomChoice(), list("abcd"), 20_000))
    assert set(counts) == set("abcd")
    assert all(abs(c / 20_000 - 0.25) < 0.02 for c in counts.values())


@settings(max_examples=40, deadline=None)
@given(weights=st.lists(st.integers(0, 6), min_size=1, max_size=8).filter(lambda w: sum(w) > 0))
def test_weighted_round_robin_is_exact_per_cycle(weights):
    targets = list(range(len(weights)))
    wrr = WeightedRoundRobin(dict(zip(targets, weights)))
    counts = Counter(picks(wrr, targets, 3 * sum(weights)))
    assert all(counts[t] == 3 * w for t, w in zip(targets, weights))


def test_weighted_round_robin_interleaves():
    sequence = "".join(picks(WeightedRoundRobin({"a": 5, "b": 1, "c": 1}), "abc", 14))
    for cycle in (sequence[:7], sequence[7:]):
        assert "aaa" not in cycle and cycle.count("a") == 5


def test_weighted_random_follows_weights_and_skips_zero():
    counts = Counter(picks(WeightedRandom({"a": 3, "b": 1, "c": 0}), "abc", 20_000))
    assert counts["c"] == 0
    assert counts["a"] / 20_000 == pytest.approx(0.75, abs=0.02)


@settings(max_examples=60, deadline=None)
@given(load=outstanding_lists, seed=st.integers(0, 2 ** 16))
def test_least_outstanding_picks_a_minimum(load, seed):
    target = LeastOutstandingRequests().choose(list(range(len(load))), BalancerState(load),
                                               random.Random(seed))
    assert load[target] == min(load)


def test_least_outstanding_breaks_ties_at_random():
    counts = Counter(picks(LeastOutstandingRequests(), list("abcd"), 400,
                           BalancerState({"a": 1, "b": 0, "c": 0, "d": 0})))
    assert set(counts) == {"b", "c", "d"}
    assert min(counts.values()) > 80


@settings(max_examples=60, deadline=None)
@given(load=st.lists(st.integers(0, 6), min_size=2, max_size=12, unique=True),
       seed=st.integers(0, 2 ** 16))
def test_two_choices_never_pick_the_unique_busiest(load, seed):
    targets = list(range(len(load)))
    target = PowerOfChoices(2).choose(targets, BalancerState(load), random.Random(seed))
    assert load[target] < max(load)


@pytest.mark.parametrize("d", [2, 3])
def test_power_of_d_finds_the_idle_target_with_probability_d_over_n(d):
    load = [5] * 10
    load[7] = 0
    counts = Counter(picks(PowerOfChoices(d), list(range(10)), 20_000, BalancerState(load)))
    assert counts[7] / 20_000 == pytest.approx(d / 10, abs=0.015)


def test_power_of_d_with_fewer_candidates_compares_all():
    state = BalancerState({"a": 2, "b": 1})
    assert set(picks(PowerOfChoices(3), "ab", 50, state)) == {"b"}


def test_consistent_hash_is_sticky_and_spread():
    ch, rng = ConsistentHashAffinity(), random.Random(0)
    owner = {k: ch.choose("abcd", BalancerState(key=k), rng) for k in range(2000)}
    again = {k: ch.choose("abcd", BalancerState(key=k), rng) for k in range(2000)}
    assert owner == again
    shares = Counter(owner.values())
    assert all(0.15 < c / 2000 < 0.35 for c in shares.values())


@settings(max_examples=20, deadline=None)
@given(gone=st.sampled_from("abcde"))
def test_consistent_hash_moves_only_the_departed_targets_keys(gone):
    ch, rng = ConsistentHashAffinity(vnodes=16), random.Random(0)
    before = {k: ch.choose("abcde", BalancerState(key=k), rng) for k in range(500)}
    rest = [t for t in "abcde" if t != gone]
    after = {k: ch.choose(rest, BalancerState(key=k), rng) for k in range(500)}
    assert all(after[k] == before[k] for k in before if before[k] != gone)


def test_consistent_hash_needs_a_key():
    with pytest.raises(ValueError, match="state.key"):
        ConsistentHashAffinity().choose("ab", BalancerState(), random.Random(0))


@pytest.mark.parametrize("policy", [RoundRobin(), RandomChoice(), LeastOutstandingRequests(),
                                    PowerOfChoices(2), WeightedRandom({"a": 1}),
                                    WeightedRoundRobin({"a": 1}), ConsistentHashAffinity()])
def test_every_policy_refuses_an_empty_candidate_list(policy):
    # A runtime-checkable Protocol accepts anything with a `choose`: check what choose does instead.
    assert picks(policy, ["a"], 3, BalancerState(key="k")) == ["a", "a", "a"]
    with pytest.raises(ValueError, match=r"targets=\[\] is empty"):
        policy.choose([], BalancerState(key="k"), random.Random(0))


@pytest.mark.parametrize("make, match", [
    (lambda: PowerOfChoices(0), r"^d=0"),
    (lambda: WeightedRandom({"a": -1}), r"weights\['a'\]=-1"),
    (lambda: WeightedRoundRobin({"a": float("nan")}), r"weights\['a'\]"),
    (lambda: WeightedRandom({}), "weights"),
    (lambda: ConsistentHashAffinity(vnodes=0), "vnodes"),
    (lambda: make_policy("fastest"), "unknown"),
])
def test_bad_configuration_is_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_weights_must_cover_candidates_and_not_all_be_zero():
    with pytest.raises(ValueError, match="has no weight"):
        WeightedRandom({"a": 1}).choose("ab", BalancerState(), random.Random(0))
    with pytest.raises(ValueError, match="weight 0"):
        WeightedRoundRobin({"a": 0, "b": 0}).choose("ab", BalancerState(), random.Random(0))


def test_every_named_policy_can_be_made():
    for name in POLICY_NAMES:
        assert callable(make_policy(name).choose)


def test_a_student_class_is_a_policy():
    class FirstTarget:
        def choose(self, targets, state, rng):
            return targets[0]

    assert picks(FirstTarget(), "xyz", 3) == ["x", "x", "x"]
    farm = run_farm(FirstTarget(), 3, 0.5, service_rate_per_s=1.0, n_requests=200, seed=0)
    assert farm.request_counts[0] == sum(farm.request_counts) > 0
