"""Tests for labsupport.availability.isolation.sharding: combinatorics against the Builders' Library numbers and simulation."""

import itertools
import math
from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.availability.isolation.sharding import (
    assign_plain_shards, assign_shuffle_shards, expected_full_overlaps, overlap_distribution,
    overlap_probability, run_poison_customer, shard_count,
)


def _within_3_sigma(observed: float, p: float, n: int) -> bool:
    return abs(observed - p) <= 3 * math.sqrt(p * (1 - p) / n) + 1e-12


def test_published_numbers():
    assert shard_count(8, 2) == 28                               # Builders' Library example
    assert shard_count(100, 5) == 75_287_520                     # "about 75 million"
    assert 100 / shard_count(100, 5) == pytest.approx(0.0000013, rel=0.03)   # percent of customers
    assert overlap_probability(8, 2, 2) == pytest.approx(1 / 28)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 9), data=st.data())
def test_overlap_distribution_matches_enumeration(n, data):
    k = data.draw(st.integers(1, n))
    mine = set(range(k))
    counts = Counter(len(mine & set(s)) for s in itertools.combinations(range(n), k))
    total = math.comb(n, k)
    dist = overlap_distribution(n, k)
    assert sum(dist) == pytest.approx(1.0)
    for j, p in enumerate(dist):
        assert p == pytest.approx(counts[j] / total)
    assert sum(j * p for j, p in enumerate(dist)) == pytest.approx(k * k / n)   # hypergeometric mean


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 30), data=st.data(), customers=st.integers(1, 40), seed=st.integers(0, 10**6))
def test_assignment_gives_valid_shards(n, data, customers, seed):
    k = data.draw(st.integers(1, n))
    shards = assign_shuffle_shards(customers, n, k, seed=seed)
    assert len(shards) == customers
    for s in shards:
        assert len(s) == k == len(set(s)) and list(s) == sorted(s) and all(0 <= w < n for w in s)
    assert shards == assign_shuffle_shards(customers, n, k, seed=seed)


def test_unique_assignment_uses_every_shard_once():
    shards = assign_shuffle_shards(28, 8, 2, unique=True, seed=3)
    assert len(set(shards)) == 28
    with pytest.raises(ValueError, match="customers"):
        assign_shuffle_shards(29, 8, 2, unique=True, seed=0)


def test_shards_are_drawn_uniformly():
    counts = Counter(assign_shuffle_shards(28_000, 8, 2, seed=8))
    assert len(counts) == 28
    assert all(abs(c - 1000) < 5 * math.sqrt(1000) for c in counts.values())


def test_plain_shards_are_fixed_partitions():
    shards = assign_plain_shards(200, 8, 2, seed=1)
    assert set(shards) == {(0, 1), (2, 3), (4, 5), (6, 7)}
    with pytest.raises(ValueError, match="shard_size"):
        assign_plain_shards(10, 8, 3, seed=0)


@pytest.mark.parametrize("n, k, customers", [(8, 2, 10_000), (16, 4, 10_000), (100, 5, 20_000)])
def test_poison_shuffle_matches_closed_form(n, k, customers):
    r = run_poison_customer(customers, n, k, scheme="shuffle", seed=5)
    dist = overlap_distribution(n, k)
    assert r.expected_fully_affected == pytest.approx(dist[-1])
    assert r.expected_partially_affected == pytest.approx(1 - dist[0] - dist[-1])
    assert _within_3_sigma(r.fully_affected, dist[-1], customers - 1)
    assert _within_3_sigma(r.partially_affected, 1 - dist[0] - dist[-1], customers - 1)
    assert r.fully_affected + r.partially_affected + r.unaffected == pytest.approx(1.0)
    assert sum(r.overlap_counts) == customers - 1


def test_poison_blast_radius_none_vs_plain_vs_shuffle():
    none = run_poison_customer(4000, 8, 2, scheme="none", seed=2)
    plain = run_poison_customer(4000, 8, 2, scheme="plain", seed=2)
    shuffle = run_poison_customer(4000, 8, 2, scheme="shuffle", seed=2)
    assert none.fully_affected == 1.0
    assert none.expected_fully_affected == 1.0 and plain.expected_fully_affected == 0.25
    assert _within_3_sigma(plain.fully_affected, plain.expected_fully_affected, 3999)
    assert plain.partially_affected == 0.0
    assert shuffle.fully_affected < 0.5 * plain.fully_affected
    # Builders' Library: 1/4 of customers with plain sharding, 1/28 with shuffle sharding
    assert plain.fully_affected / shuffle.fully_affected == pytest.approx(7, rel=0.35)


def test_expected_full_overlaps_matches_count():
    # 20 trials: mean number of customers holding the poisoned shard vs (c - 1) / C(n, k);
    # Poisson(26.8) per trial, so the mean's sd is 1.16 (4.3 %); tolerance 15 % is 3.5 sd.
    observed = sum(run_poison_customer(1500, 8, 3, seed=s).overlap_counts[-1] for s in range(20)) / 20
    expected = expected_full_overlaps(8, 3, 1500)
    assert expected == pytest.approx(1499 / 56)
    assert observed == pytest.approx(expected, rel=0.15)


@pytest.mark.parametrize("call, match", [
    (lambda: shard_count(8, 9), "shard_size"),
    (lambda: shard_count(8, 0), "shard_size"),
    (lambda: shard_count(0, 1), "workers"),
    (lambda: overlap_probability(8, 2, 3), "overlap"),
    (lambda: expected_full_overlaps(8, 2, 0), "customers"),
    (lambda: run_poison_customer(10, 8, 2, scheme="random", seed=0), "scheme"),
    (lambda: run_poison_customer(1, 8, 2, seed=0), "customers"),
])
def test_bad_input_names_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()
