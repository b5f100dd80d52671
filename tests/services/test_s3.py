"""Tests for labsupport.services.s3: placement across zones, conditional writes, stale reads with and without a witness."""

import math
import random

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.services.s3 import (
    ZONES, Bucket, PreconditionFailed, replica_nodes, run_read_after_write, stale_read_probability,
)


@settings(max_examples=50, deadline=None)
@given(key=st.text(min_size=1, max_size=20), per_zone=st.integers(1, 5))
def test_one_copy_in_every_zone(key, per_zone):
    nodes = replica_nodes(key, per_zone)
    assert [n[5] for n in nodes] == list(ZONES) and nodes == replica_nodes(key, per_zone)
    assert all(0 <= int(n[6:]) < per_zone for n in nodes)


def test_conditional_writes():
    b = Bucket()
    tag = b.put("k", 1, if_none_match=True)
    with pytest.raises(PreconditionFailed) as err:
        b.put("k", 2, if_none_match=True)
    assert err.value.status_code == 412
    with pytest.raises(PreconditionFailed):
        b.put("k", 2, if_match='"999"')
    assert b.put("k", 2, if_match=tag) != tag and b.get("k")[1] == 2


def increments(n_clients, schedule, conditional):
    """Each client adds one to a counter by read-modify-write; ``schedule`` interleaves their steps."""
    b = Bucket()
    b.put("n", 0)
    state = {c: "read" for c in range(n_clients)}
    seen = {}
    for c in schedule:
        c %= n_clients
        if state[c] == "read":
            seen[c] = b.get("n")
            state[c] = "write"
        elif state[c] == "write":
            try:
                b.put("n", seen[c][1] + 1, if_match=seen[c][0] if conditional else None)
                state[c] = "done"
            except PreconditionFailed:
                state[c] = "read"                  # read again and retry
    for c in range(n_clients):                    # let everyone finish
        while state[c] != "done":
            if state[c] == "read":
                seen[c], state[c] = b.get("n"), "write"
            else:
                try:
                    b.put("n", seen[c][1] + 1, if_match=seen[c][0] if conditional else None)
                    state[c] = "done"
                except PreconditionFailed:
                    state[c] = "read"
    return b.get("n")[1]


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 5), schedule=st.lists(st.integers(0, 4), max_size=30))
def test_if_match_never_loses_an_update(n, schedule):
    assert increments(n, schedule, conditional=True) == n


def test_last_writer_wins_loses_an_update():
    assert increments(2, [0, 1, 0, 1], conditional=False) == 1


def test_closed_form_limits():
    assert stale_read_probability(0.0, 0.01, 0.0) == 1.0
    assert stale_read_probability(0.001, 0.01, 0.0) == pytest.approx(math.exp(-0.3))
    assert stale_read_probability(0.001, 1e-6, 0.02) < 1e-100
    with pytest.raises(ValueError):
        stale_read_probability(0.001, 0.0, 0.02)


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 10**6), mean=st.sampled_from([0.002, 0.01, 0.05]))
def test_witness_prevents_every_stale_read(seed, mean):
    r = run_read_after_write("consistent", n_writes=60, propagation_mean_s=mean, seed=seed)
    assert r.stale_reads == 0 and r.reads == 60


def test_eventual_model_matches_the_closed_form_and_consistency_costs_messages():
    ev = run_read_after_write("eventual", n_writes=400, seed=11)
    se = math.sqrt(ev.theory_stale_fraction * (1 - ev.theory_stale_fraction) / ev.reads)
    assert abs(ev.stale_fraction - ev.theory_stale_fraction) <= 4 * se
    co = run_read_after_write("consistent", n_writes=400, seed=11)
    assert co.messages_per_write == ev.messages_per_write + 2 == 12
    assert ev.mean_read_s == pytest.approx(0.006) and 0.006 < co.mean_read_s < 0.008
    assert co.mean_write_s == pytest.approx(ev.mean_write_s)


def test_same_seed_same_trace_and_bad_input():
    a = run_read_after_write("eventual", n_writes=30, seed=4)
    assert a.trace == run_read_after_write("eventual", n_writes=30, seed=4).trace
    assert a.trace != run_read_after_write("eventual", n_writes=30, seed=5).trace
    with pytest.raises(ValueError, match="unknown mode"):
        run_read_after_write("linearizable", seed=0)
    with pytest.raises(ValueError, match="n_writes"):
        run_read_after_write(n_writes=0, seed=0)
    with pytest.raises(ValueError, match="nodes_per_zone"):
        replica_nodes("k", 0)
