"""Tests for labsupport.availability.retries: the blog's formulas, the SDK retry quota, the OCC experiment."""

import math
import random
import statistics

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.availability.retries import (
    BACKOFF_STRATEGIES, RetryBudget, backoff_delays_s, compare_backoff_strategies,
    decorrelated_jitter_delay_s, equal_jitter_delay_s, exponential_delay_s, full_jitter_delay_s,
    run_contention,
)

delays = st.floats(min_value=1e-4, max_value=10.0)


# --- formulas (Brooker 2015) -------------------------------------------------------------

def test_exponential_doubles_then_caps():
    assert [exponential_delay_s(a, 0.005, 2.0) for a in range(10)] == [
        0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.0]


def test_exponential_huge_attempt_is_cap_not_overflow():
    assert exponential_delay_s(10**6, 1.0, 30.0) == 30.0


@settings(max_examples=200, deadline=None)
@given(attempt=st.integers(0, 80), base=delays, extra=st.floats(1.0, 1000.0), seed=st.integers(0, 2**32))
def test_jitter_bounds(attempt, base, extra, seed):
    cap = base * extra
    top = exponential_delay_s(attempt, base, cap)
    assert top == min(cap, base * 2.0**attempt)
    assert 0.0 <= full_jitter_delay_s(attempt, base, cap, seed=seed) <= top
    assert top / 2 <= equal_jitter_delay_s(attempt, base, cap, seed=seed) <= top
    d = decorrelated_jitter_delay_s(base, base, cap, seed=seed)
    assert base <= d <= min(cap, 3 * base)


@settings(max_examples=100, deadline=None)
@given(base=delays, extra=st.floats(1.0, 1000.0), a=st.integers(0, 60))
def test_exponential_is_monotone(base, extra, a):
    cap = base * extra
    assert exponential_delay_s(a, base, cap) <= exponential_delay_s(a + 1, base, cap)


def test_jitter_means_match_uniform_theory():
    # full jitter ~ U(0, 0.8): mean 0.4; equal jitter ~ 0.4 + U(0, 0.4): mean 0.6;
    # decorrelated from prev=0.2 ~ U(0.1, 0.6): mean 0.35. 20000 draws: sd of mean < 0.002.
    rng = random.Random(5)
    n = 20000
    full = statistics.fmean(full_jitter_delay_s(3, 0.1, 1.0, seed=rng) for _ in range(n))
    equal = statistics.fmean(equal_jitter_delay_s(3, 0.1, 1.0, seed=rng) for _ in range(n))
    dec = statistics.fmean(decorrelated_jitter_delay_s(0.2, 0.1, 1.0, seed=rng) for _ in range(n))
    assert full == pytest.approx(0.4, abs=0.01)
    assert equal == pytest.approx(0.6, abs=0.01)
    assert dec == pytest.approx(0.35, abs=0.01)


def test_schedules():
    assert backoff_delays_s("exponential", 4, 0.1, cap_delay_s=1.0, seed=0) == (0.2, 0.4, 0.8, 1.0)
    assert backoff_delays_s("none", 3, 0.1, cap_delay_s=1.0, seed=0) == (0.0, 0.0, 0.0)
    assert backoff_delays_s("full_jitter", 5, 0.1, cap_delay_s=1.0, seed=3) == backoff_delays_s("full_jitter", 5, 0.1, cap_delay_s=1.0, seed=3)
    dec = backoff_delays_s("decorrelated_jitter", 30, 0.1, cap_delay_s=5.0, seed=3)
    prev = 0.1
    for d in dec:                     # each sleep walks from the previous one
        assert 0.1 <= d <= min(5.0, 3 * prev)
        prev = d


@pytest.mark.parametrize("call, match", [
    (lambda: exponential_delay_s(1, 0.0, 1.0), "base_delay_s"),
    (lambda: exponential_delay_s(1, -1.0, 1.0), "base_delay_s"),
    (lambda: exponential_delay_s(1, 0.1, 0.0), "cap_delay_s"),
    (lambda: exponential_delay_s(1, 0.5, 0.1), "cap_delay_s"),
    (lambda: exponential_delay_s(1, math.nan, 1.0), "base_delay_s"),
    (lambda: exponential_delay_s(-1, 0.1, 1.0), "attempt"),
    (lambda: decorrelated_jitter_delay_s(0.01, 0.1, 1.0, seed=0), "previous_delay_s"),
    (lambda: backoff_delays_s("linear", 3, 0.1, cap_delay_s=1.0, seed=0), "strategy"),
    (lambda: backoff_delays_s("none", -1, 0.1, cap_delay_s=1.0, seed=0), "retries"),
    (lambda: run_contention("full_jitter", clients=0, seed=0), "clients"),
    (lambda: compare_backoff_strategies(repeats=0, seed=0), "repeats"),
    (lambda: RetryBudget(capacity=0), "capacity"),
])
def test_bad_input_names_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- retry budget (AWS SDK standard retry quota) ------------------------------------------

def test_sdk_defaults_allow_100_retries_or_50_timeouts():
    b = RetryBudget()
    assert sum(1 for _ in range(200) if b.acquire()) == 100
    b = RetryBudget()
    assert sum(1 for _ in range(200) if b.acquire(timeout=True)) == 50


def test_release_refunds_retry_cost_or_one():
    b = RetryBudget(capacity=20)
    cost = b.acquire(timeout=True)
    assert (cost, b.tokens) == (10, 10)
    b.release(cost)
    assert b.tokens == 20              # capped at capacity
    b.acquire(); b.acquire()
    b.release(0)
    assert b.tokens == 11


@settings(max_examples=200, deadline=None)
@given(ops=st.lists(st.sampled_from(["retry", "timeout", "ok", "ok_after_retry"]), max_size=200),
       capacity=st.integers(1, 60))
def test_budget_matches_reference_and_stays_in_bounds(ops, capacity):
    b, tokens, last = RetryBudget(capacity=capacity), capacity, 0
    for op in ops:
        if op in ("retry", "timeout"):
            cost = 10 if op == "timeout" else 5
            got = b.acquire(timeout=op == "timeout")
            assert got == (cost if tokens >= cost else 0)
            tokens -= got
            last = got
        else:
            refund = last if op == "ok_after_retry" else 0
            b.release(refund)
            tokens = min(capacity, tokens + (refund or 1))
        assert b.tokens == tokens and 0 <= b.tokens <= capacity


# --- OCC contention experiment --------------------------------------------------------------

def test_same_seed_same_result_and_seed_matters():
    a = run_contention("decorrelated_jitter", clients=15, seed=4)
    assert a == run_contention("decorrelated_jitter", clients=15, seed=4)
    assert a != run_contention("decorrelated_jitter", clients=15, seed=5)


def test_single_client_writes_once():
    r = run_contention("exponential", clients=1, seed=0)
    assert r.calls == 1
    # read out, reply, write out, reply: four hops of ~10 ms
    assert r.completion_s == pytest.approx(0.040, abs=0.012)


@pytest.mark.parametrize("strategy", BACKOFF_STRATEGIES)
def test_timeline_accounts_for_every_call(strategy):
    r = run_contention(strategy, clients=12, seed=2, bin_s=0.01)
    assert sum(o * 0.01 for o in r.offered_per_s) == pytest.approx(r.calls)
    assert sum(g * 0.01 for g in r.goodput_per_s) == pytest.approx(12)   # exactly one win each
    assert r.queue_length[-1] == 0
    assert all(a >= b for a, b in zip(r.queue_length, r.queue_length[1:]))
    assert len(r.call_times_s) == r.calls and r.calls >= 12


def test_no_backoff_work_grows_faster_than_clients():
    # Blog: without backoff, time grows linearly with contention and work superlinearly (~N^2).
    calls = {n: statistics.fmean(run_contention("none", n, seed=s).calls for s in range(5)) for n in (20, 40)}
    times = {n: statistics.fmean(run_contention("none", n, seed=s).completion_s for s in range(5)) for n in (20, 40)}
    assert calls[40] / calls[20] > 2.5
    assert times[40] / times[20] < 2.2


def test_blog_qualitative_result_at_50_clients():
    """Brooker 2015: no-jitter backoff loses on work and time; Equal Jitter loses among the
    jittered; Full Jitter uses less work but slightly more time than Decorrelated Jitter."""
    t = compare_backoff_strategies(clients=50, repeats=10, seed=11)
    calls = {k: v[0] for k, v in t.items()}
    time = {k: v[1] for k, v in t.items()}
    for jittered in ("equal_jitter", "full_jitter", "decorrelated_jitter"):
        assert calls[jittered] < 0.7 * calls["exponential"]      # jitter cuts work by > 30 %
        assert time[jittered] < 0.25 * time["exponential"]       # ... and time many-fold
    assert calls["full_jitter"] < calls["equal_jitter"]
    assert time["equal_jitter"] > time["full_jitter"] > time["decorrelated_jitter"]
    assert calls["full_jitter"] < calls["decorrelated_jitter"]
