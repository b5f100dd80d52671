"""Merkle trees, anti-entropy, and probabilistically bounded staleness against their closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.data.quorum import (bucket_of, build_tree, diff_trees, expected_hashes_exchanged,
                               expected_order_statistic, p_stale, run_anti_entropy, run_staleness,
                               simulate_random_quorums, simulate_wars)

# --------------------------------------------------------------------------- Merkle trees

items = st.dictionaries(st.text("abcdefgh", min_size=1, max_size=4), st.text("0123", min_size=1, max_size=2),
                        max_size=30)


@settings(max_examples=80, deadline=None)
@given(items, items, st.integers(0, 5))
def test_the_walk_finds_exactly_the_buckets_that_hold_differing_keys(a, b, depth):
    differing = {k for k in set(a) | set(b) if a.get(k) != b.get(k)}
    d = diff_trees(build_tree(a, depth), build_tree(b, depth))
    assert set(d.buckets) == {bucket_of(k, depth) for k in differing}
    assert d.hashes_exchanged <= 1 + 2 * len(differing) * depth
    assert d.rounds == (depth + 1 if differing else 1)


def test_trees_of_different_depths_cannot_be_compared():
    with pytest.raises(ValueError, match="same depth"):
        diff_trees(build_tree({}, 2), build_tree({}, 3))
    with pytest.raises(ValueError, match="depth"):
        build_tree({}, 40)


def test_expected_hashes_matches_a_monte_carlo_of_random_keys():
    rng = np.random.default_rng(5)
    depth, differing = 5, 6
    base = {f"k{i}": "v" for i in range(300)}
    counts = []
    for _ in range(300):
        changed = dict(base)
        for i in rng.choice(300, differing, replace=False):
            changed[f"k{i}"] = "w"
        counts.append(diff_trees(build_tree(base, depth), build_tree(changed, depth)).hashes_exchanged)
    assert np.mean(counts) == pytest.approx(expected_hashes_exchanged(depth, differing), rel=0.03)


def test_anti_entropy_on_the_kernel_agrees_with_the_pure_walk_and_converges():
    for divergent in (0, 1, 5):
        res = run_anti_entropy(keys=120, divergent=divergent, depth=4, seed=divergent)
        assert res.converged
        assert (res.stats.buckets == ()) == (divergent == 0)
        assert res.stats.keys_received + res.stats.keys_sent < 120 or divergent == 0
        assert res.trace == run_anti_entropy(keys=120, divergent=divergent, depth=4, seed=divergent).trace


# --------------------------------------------------------------------------- staleness


@pytest.mark.parametrize("n, r, w, k", [(3, 1, 1, 1), (3, 1, 2, 1), (5, 2, 2, 1), (3, 1, 1, 3)])
def test_random_quorum_simulation_matches_the_closed_form(n, r, w, k):
    trials = 20_000
    p = p_stale(n, r, w, k=k)
    se = (p * (1 - p) / trials) ** 0.5
    assert abs(simulate_random_quorums(n, r, w, trials=trials, k=k, seed=n + r + w + k) - p) < 4 * se + 1e-12


def test_closed_form_values():
    assert p_stale(3, 2, 2) == 0.0
    assert p_stale(5, 1, 1) == pytest.approx(4 / 5)
    with pytest.raises(ValueError, match="k="):
        p_stale(3, 1, 1, k=0)


@given(st.sampled_from([(3, 2, 2), (3, 1, 3), (5, 3, 3), (5, 2, 4)]), st.integers(0, 1000))
@settings(max_examples=10, deadline=None)
def test_strict_quorums_are_never_stale_under_wars(nrw, seed):
    res = simulate_wars(*nrw, t_s=[0.0], trials=2000, write_mean_s=0.01, ack_mean_s=0.001, read_mean_s=0.001,
                        response_mean_s=0.001, seed=seed)
    assert res.p_consistent == (1.0,)


def test_wars_freshness_grows_with_time_and_stays_above_the_no_propagation_bound():
    res = simulate_wars(3, 1, 1, t_s=[0.0, 0.002, 0.01, 0.1], trials=20_000, write_mean_s=0.002, ack_mean_s=0.001,
                        read_mean_s=0.001, response_mean_s=0.001, seed=3)
    p = res.p_consistent
    assert p[0] < p[1] < p[2] < p[3] and p[3] > 0.999
    assert p[0] > 1 - p_stale(3, 1, 1)  # by commit time the write has reached at least W replicas


def test_the_kernel_store_and_the_wars_model_agree():
    for t_s in (0.0, 0.001):
        kernel = run_staleness(3, 1, 1, t_s=t_s, trials=400, seed=9)
        model = simulate_wars(3, 1, 1, t_s=[t_s], trials=100_000, write_mean_s=0.001, ack_mean_s=0.001,
                              read_mean_s=0.001, response_mean_s=0.001, seed=9)
        p = model.p_consistent[0]
        assert abs(kernel.p_consistent - p) < 4 * (p * (1 - p) / 400) ** 0.5


def test_quorum_latency_is_an_order_statistic():
    for r in (1, 3):
        run = run_staleness(3, r, 1, trials=300, request_mean_s=0.001, reply_mean_s=0.0, seed=r)
        theory = expected_order_statistic(r, 3, 0.001)
        assert run.read_latency_s == pytest.approx(theory, rel=0.15)
    draws = np.sort(np.random.default_rng(1).exponential(1.0, (50_000, 5)), axis=1)
    theory = [expected_order_statistic(k, 5, 1.0) for k in range(1, 6)]
    assert draws.mean(axis=0) == pytest.approx(theory, rel=0.02)


def test_bad_arguments():
    with pytest.raises(TypeError, match="seed"):
        simulate_random_quorums(3, 1, 1, trials=10, seed="x")
    with pytest.raises(ValueError, match="trials"):
        simulate_random_quorums(3, 1, 1, trials=0, seed=0)
    with pytest.raises(ValueError, match="write_mean_s"):
        simulate_wars(3, 1, 1, t_s=[0], trials=10, write_mean_s=-1, ack_mean_s=0, read_mean_s=0, response_mean_s=0, seed=0)
    with pytest.raises(ValueError, match="choose 1 <= k <= 3"):
        expected_order_statistic(4, 3, 1.0)
