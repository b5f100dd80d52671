"""Tests for labsupport.services.ec2: packing promises, placement group rules, failure probabilities."""

import itertools
import math

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.services.ec2 import (
    MAX_PARTITIONS_PER_AZ, MAX_SPREAD_PER_AZ, PACKING_STRATEGIES, blast_radius, loss_probability, lower_bound,
    pack, place_group, run_failures,
)

sizes_st = st.lists(st.integers(1, 16), min_size=1, max_size=25)


def optimum(sizes, capacity):
    """Fewest bins, by trying every assignment (tiny inputs only)."""
    n = len(sizes)
    for bins in range(1, n + 1):
        for assignment in itertools.product(range(bins), repeat=n):
            loads = [0] * bins
            for s, b in zip(sizes, assignment):
                loads[b] += s
            if max(loads) <= capacity:
                return bins
    return n


@settings(max_examples=60, deadline=None)
@given(sizes=sizes_st, strategy=st.sampled_from(PACKING_STRATEGIES))
def test_every_packing_is_valid_and_no_better_than_the_bound(sizes, strategy):
    p = pack(sizes, 16, strategy)
    assert sorted(i for b in p.bins for i in b) == list(range(len(sizes)))
    assert all(sum(sizes[i] for i in b) == load <= 16 for b, load in zip(p.bins, p.loads))
    assert p.n_bins >= lower_bound(sizes, 16)
    assert p.n_bins <= 2 * sum(sizes) / 16 + 1        # any-fit: no two bins are both at most half full


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 10), min_size=1, max_size=6))
def test_decreasing_heuristics_meet_their_worst_case_guarantees(sizes):
    opt = optimum(sizes, 10)
    assert pack(sizes, 10, "first_fit_decreasing").n_bins <= 11 / 9 * opt + 6 / 9
    assert pack(sizes, 10, "best_fit_decreasing").n_bins <= 11 / 9 * opt + 6 / 9
    assert pack(sizes, 10, "first_fit").n_bins <= math.floor(1.7 * opt)


def test_first_fit_can_be_beaten_by_sorting_first():
    sizes = [2, 2, 2, 2, 8, 8, 8, 8]                  # small items first fill bins the big ones need
    assert pack(sizes, 10, "first_fit").n_bins == 5 and pack(sizes, 10, "first_fit_decreasing").n_bins == 4


@pytest.mark.parametrize("sizes, capacity, match", [([1], 0, "capacity"), ([1], -4, "capacity"),
                                                    ([5], 4, "sizes"), ([0], 4, "sizes")])
def test_bad_packing_input(sizes, capacity, match):
    with pytest.raises(ValueError, match=match):
        pack(sizes, capacity)
    with pytest.raises(ValueError, match="unknown strategy"):
        pack([1], 2, "next_fit")


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 40), partitions=st.integers(1, MAX_PARTITIONS_PER_AZ), racks=st.integers(7, 14),
       hosts=st.integers(1, 6))
def test_partitions_never_share_a_rack_and_are_balanced(n, partitions, racks, hosts):
    slots = place_group(n, "partition", n_racks=racks, hosts_per_rack=hosts, partitions=partitions)
    partition_of = [i % partitions for i in range(n)]
    for (a, pa), (b, pb) in itertools.combinations(zip(slots, partition_of), 2):
        if pa != pb:
            assert a[0] != b[0]
    counts = [partition_of.count(p) for p in range(partitions)]
    assert max(counts) - min(counts) <= 1


def test_cluster_and_spread_rules():
    cluster = place_group(6, "cluster", hosts_per_rack=4, rack=2)
    assert {r for r, _ in cluster} == {2} and blast_radius(cluster) == {"rack": 6, "host": 2}
    spread = place_group(MAX_SPREAD_PER_AZ, "spread")
    assert len({r for r, _ in spread}) == 7 and blast_radius(spread) == {"rack": 1, "host": 1}
    for args, match in (((8, "spread"), "at most 7"), ((3, "spread", 2), "n_racks"),
                        ((3, "partition", 10, 4, 8), "partitions"), ((3, "ring"), "unknown placement")):
        n, strategy, *rest = args
        kwargs = dict(zip(("n_racks", "hosts_per_rack", "partitions"), rest))
        with pytest.raises(ValueError, match=match):
            place_group(n, strategy, **kwargs)
    with pytest.raises(ValueError, match="n_instances"):
        place_group(0, "cluster")


@settings(max_examples=40, deadline=None)
@given(pr=st.floats(0, 1), ph=st.floats(0, 1), r=st.integers(1, 5))
def test_loss_probability_closed_forms(pr, ph, r):
    spread = place_group(r, "spread")
    cluster = place_group(r, "cluster", hosts_per_rack=r)
    assert loss_probability(spread, p_rack=pr, p_host=ph) == pytest.approx((1 - (1 - pr) * (1 - ph)) ** r)
    assert loss_probability(cluster, p_rack=pr, p_host=ph) == pytest.approx(pr + (1 - pr) * ph ** r)
    assert loss_probability(spread, p_rack=pr, p_host=ph) <= loss_probability(cluster, p_rack=pr, p_host=ph) + 1e-12


@pytest.mark.parametrize("strategy", ["cluster", "spread", "partition"])
def test_monte_carlo_agrees_with_the_exact_probability(strategy):
    slots = place_group(3, strategy, hosts_per_rack=3)
    r = run_failures(slots, p_rack=0.2, p_host=0.1, hosts_per_rack=3, trials=6000, seed=5)
    se = math.sqrt(r.theory * (1 - r.theory) / r.trials)
    assert abs(r.p_lost_all - r.theory) <= 4 * se
    assert r.mean_lost == pytest.approx(3 * (1 - 0.8 * 0.9), abs=0.05)   # each instance is down w.p. 0.28
    assert r == run_failures(slots, p_rack=0.2, p_host=0.1, hosts_per_rack=3, trials=6000, seed=5)
    with pytest.raises(ValueError, match="p_rack"):
        run_failures(slots, p_rack=1.5, p_host=0.1, seed=0)
