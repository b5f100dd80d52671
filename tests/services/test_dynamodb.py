"""Tests for labsupport.services.dynamodb: partition arithmetic, splits, and token-bucket throttling."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from labsupport.services.dynamodb import (
    BURST_WINDOW_S, MAX_WCU_PER_PARTITION, PARTITION_SIZE_GB, Table, partitions_needed, run_throttling,
    size_split_staircase, token_bucket_throttled,
)
from labsupport.stable_hash import HASH_SPACE, stable_hash64


def covers_hash_space(table):
    parts = table.partitions
    return parts[0].start == 0 and parts[-1].end == HASH_SPACE and all(
        a.end == b.start and a.start < a.end for a, b in zip(parts, parts[1:]))


def test_documented_numbers():
    assert (MAX_WCU_PER_PARTITION, BURST_WINDOW_S, PARTITION_SIZE_GB) == (1000, 300, 10.0)
    assert partitions_needed(rcu=1000, wcu=500) == 1          # the old guide's worked examples
    assert partitions_needed(rcu=1000, wcu=1000) == 2
    assert partitions_needed(rcu=5000, wcu=2000) == 4


@settings(max_examples=80, deadline=None)
@given(size=st.floats(0, 500), rcu=st.integers(0, 30_000), wcu=st.integers(0, 10_000))
def test_partitions_needed_is_the_least_sufficient_count(size, rcu, wcu):
    n = partitions_needed(size_gb=size, rcu=rcu, wcu=wcu)
    assert n * PARTITION_SIZE_GB >= size - 1e-9 and n >= rcu / 3000 + wcu / 1000 - 1e-9
    if n > 1:
        assert (n - 1) * PARTITION_SIZE_GB < size or (n - 1) < rcu / 3000 + wcu / 1000


@settings(max_examples=60, deadline=None)
@given(size=st.floats(0.1, 2000), n0=st.integers(1, 8))
def test_staircase_is_the_smallest_doubling_that_fits(size, n0):
    n = size_split_staircase(size, n0)
    k = round(math.log2(n / n0))
    assert n == n0 * 2 ** k and n * PARTITION_SIZE_GB >= size - 1e-9
    assert k == 0 or (n // 2) * PARTITION_SIZE_GB < size


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 6), ops=st.lists(st.tuples(st.booleans(), st.integers(0, 50)), max_size=12))
def test_splits_keep_the_hash_space_covered_and_route_every_key_home(n, ops):
    t = Table(partitions=n)
    for isolate, i in ops:
        if isolate:
            t.isolate(f"k{i}")
            p = t.partitions[t.partition_index(f"k{i}")]
            assert (p.start, p.end) == (stable_hash64(f"k{i}"), stable_hash64(f"k{i}") + 1)
        else:
            j = i % len(t.partitions)
            if t.partitions[j].end - t.partitions[j].start < 2:
                with pytest.raises(ValueError, match="strictly inside"):
                    t.split(j)
            else:
                t.split(j)
        assert covers_hash_space(t)
    for i in range(50):
        p = t.partitions[t.partition_index(f"k{i}")]
        assert p.start <= stable_hash64(f"k{i}") < p.end


def test_split_divides_data_by_width_and_rejects_bad_points():
    t = Table(partitions=1)
    t.grow(100_000, 4.0, np.random.default_rng(1))
    before = t.size_gb
    t.split(0)
    assert t.size_gb == pytest.approx(before) and t.partitions[0].size_gb == pytest.approx(before / 2)
    with pytest.raises(ValueError, match="strictly inside"):
        t.split(0, at=0)
    with pytest.raises(ValueError, match="index"):
        t.split(5)


def test_growth_splits_full_partitions_and_follows_the_staircase():
    t, rng = Table(partitions=1), np.random.default_rng(7)
    for _ in range(60):
        t.grow(250_000, 4.0, rng)
        assert all(p.size_gb <= PARTITION_SIZE_GB for p in t.partitions) and covers_hash_space(t)
    assert t.size_gb == pytest.approx(60 * 250_000 * 4 / 1024 / 1024)
    assert len(t.partitions) == size_split_staircase(t.size_gb) == 8     # 57 GB, far from a doubling


def test_provisioning_more_throughput_doubles_partitions():
    t = Table(partitions=4, rcu=5000, wcu=2000)
    assert t.provision(rcu=8000, wcu=2000) == 4 and len(t.partitions) == 8   # the old guide's example
    assert t.share_wcu == 250


@settings(max_examples=25, deadline=None)
@given(demand=st.integers(0, 1500), wcu=st.integers(100, 4000), duration=st.integers(1, 500),
       burst=st.booleans())
def test_simulation_matches_token_bucket_arithmetic_for_constant_demand(demand, wcu, duration, burst):
    t = Table(partitions=1, wcu=wcu)
    r = run_throttling(t, background_wcu=0, hot_keys={"hot": demand}, duration_s=duration, burst=burst,
                       adaptive=False, poisson=False, seed=0)
    expected = token_bucket_throttled(demand, wcu, duration, bucket=wcu * (BURST_WINDOW_S if burst else 1))
    assert r.total_throttled == expected          # integer rates: the arithmetic is exact


def test_hot_key_throttles_a_table_with_spare_capacity_and_isolation_relieves_it():
    t = Table(partitions=4, wcu=2000)
    calm = run_throttling(t, background_wcu=1000, duration_s=300, seed=3)
    hot = run_throttling(t, background_wcu=1000, hot_keys={"item:hot": 900}, duration_s=300, seed=3)
    rigid = run_throttling(t, background_wcu=1000, hot_keys={"item:hot": 900}, duration_s=300, adaptive=False,
                           seed=3)
    assert calm.total_throttled == 0 and sum(hot.demand) / 300 < 2000          # the table is not overloaded
    assert 0 < hot.total_throttled < rigid.total_throttled
    hot_partition = t.partition_index("item:hot")
    assert hot.throttled[hot_partition] == hot.total_throttled
    t.isolate("item:hot")
    split = run_throttling(t, background_wcu=1000, hot_keys={"item:hot": 900}, duration_s=300, seed=3)
    assert split.total_throttled < hot.total_throttled / 100
    assert run_throttling(t, background_wcu=1000, hot_keys={"item:hot": 1500}, duration_s=300,
                          seed=3).total_throttled >= 500 * 300 * 0.95   # one key cannot exceed 1,000 WCU


def test_same_seed_same_run_and_bad_input():
    t = Table(partitions=3, wcu=900)
    a = run_throttling(t, background_wcu=800, hot_keys={"x": 300}, duration_s=50, seed=9)
    assert a == run_throttling(t, background_wcu=800, hot_keys={"x": 300}, duration_s=50, seed=9)
    assert a != run_throttling(t, background_wcu=800, hot_keys={"x": 300}, duration_s=50, seed=10)
    for kwargs, match in (({"background_wcu": -1}, "background_wcu"), ({"duration_s": 0}, "duration_s"),
                          ({"hot_keys": {"x": -5}}, "hot_keys")):
        with pytest.raises(ValueError, match=match):
            run_throttling(t, **{"background_wcu": 1, **kwargs})
    with pytest.raises(ValueError, match="partitions"):
        Table(partitions=0)
    with pytest.raises(ValueError, match="wcu"):
        Table(wcu=-10)
