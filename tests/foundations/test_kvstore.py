"""Conditional writes never lose an update; unconditional read-modify-writes do when they overlap."""

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.foundations.kvstore import run_lost_update


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 4), st.integers(0, 10_000))
def test_conditional_writes_never_lose_an_update(clients, increments, seed):
    r = run_lost_update(clients=clients, increments=increments, conditional=True, seed=seed)
    assert r.final_value == r.expected == clients * increments
    assert r.lost_updates == 0


def test_overlapping_plain_writes_lose_updates_and_the_history_shows_why():
    r = run_lost_update(clients=4, increments=5, conditional=False, seed=1)
    assert r.lost_updates > 0
    writes = [op.arg for op in r.history if op.kind == "write"]
    assert len(writes) == 20 and len(set(writes)) < 20  # the same value was written more than once


def test_one_client_alone_loses_nothing_even_without_conditions():
    r = run_lost_update(clients=1, increments=10, conditional=False, seed=3)
    assert (r.final_value, r.retries) == (10, 0)


def test_same_seed_same_trace():
    assert run_lost_update(clients=3, seed=5).trace == run_lost_update(clients=3, seed=5).trace


@pytest.mark.parametrize("kwargs, match", [(dict(clients=0), "clients=0"), (dict(increments=0), "increments=0"),
                                           (dict(latency_s=0), "latency_s=0")])
def test_bad_input_names_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        run_lost_update(**kwargs)
