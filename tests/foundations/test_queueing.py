"""Closed forms for M/M/1, M/M/c and the supermarket model agree with independent computations."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from labsupport.foundations.queueing import (
    UnstableQueueError, erlang_b, erlang_c, mm1_mean_number, mm1_mean_response_s,
    mm1_mean_wait_s, mm1_response_percentile_s, mm1_utilisation, mmc_mean_response_s,
    mmc_mean_wait_s, mmc_response_percentile_s, mmc_response_tail, mmc_wait_tail,
    offered_load, supermarket_mean_response, supermarket_queue_tail,
)

loads = st.floats(min_value=0.01, max_value=0.99)


def erlang_c_direct(c, a):
    """Erlang C from its defining sum, in log space (no recursion, no overflow)."""
    log_terms = [k * math.log(a) - math.lgamma(k + 1) for k in range(c)]
    log_tail = c * math.log(a) - math.lgamma(c + 1) + math.log(c / (c - a))
    top = max(log_terms + [log_tail])
    total = sum(math.exp(t - top) for t in log_terms) + math.exp(log_tail - top)
    return math.exp(log_tail - top) / total


# ---- M/M/1 -------------------------------------------------------------------------------

def test_mm1_textbook_values():
    assert mm1_utilisation(9.0, 10.0) == pytest.approx(0.9)
    assert mm1_mean_number(9.0, 10.0) == pytest.approx(9.0)
    assert mm1_mean_response_s(9.0, 10.0) == pytest.approx(1.0)
    assert mm1_mean_wait_s(9.0, 10.0) == pytest.approx(0.9)
    assert mm1_response_percentile_s(9.0, 10.0, 0.5) == pytest.approx(math.log(2))


@settings(max_examples=60, deadline=None)
@given(rho=loads, mu=st.floats(0.1, 1000.0), q=st.floats(0.01, 0.999))
def test_mm1_littles_law_and_exponential_quantile(rho, mu, q):
    lam = rho * mu
    assert mm1_mean_number(lam, mu) == pytest.approx(lam * mm1_mean_response_s(lam, mu))
    t = mm1_response_percentile_s(lam, mu, q)
    assert 1 - math.exp(-(mu - lam) * t) == pytest.approx(q)


# ---- Erlang B / C and M/M/c ----------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(c=st.integers(1, 25), a=st.floats(0.01, 40.0))
def test_erlang_b_recursion_matches_definition(c, a):
    direct = (a ** c / math.factorial(c)) / sum(a ** k / math.factorial(k) for k in range(c + 1))
    assert erlang_b(c, a) == pytest.approx(direct, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(c=st.integers(1, 1000), rho=loads)
def test_erlang_c_stable_up_to_1000_servers(c, rho):
    a = rho * c
    value = erlang_c(c, a)
    assert 0.0 <= value <= 1.0
    assert value == pytest.approx(erlang_c_direct(c, a), rel=1e-8, abs=1e-300)
    assert value >= erlang_b(c, a)       # waiting is likelier than being blocked


def test_erlang_c_known_values():
    assert erlang_c(1, 0.7) == pytest.approx(0.7)            # M/M/1: P(wait) = rho
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)          # (a^2/2!)(2/(2-a)) / (1 + a + same) = 1/3
    assert 0.96 < erlang_c(1000, 999.0) < 0.97


@settings(max_examples=40, deadline=None)
@given(rho=loads, mu=st.floats(0.1, 100.0), t=st.floats(0.0, 20.0))
def test_mmc_with_one_server_is_mm1(rho, mu, t):
    lam = rho * mu
    assert mmc_mean_response_s(lam, mu, 1) == pytest.approx(mm1_mean_response_s(lam, mu))
    assert mmc_response_tail(lam, mu, 1, t_s=t / mu) == pytest.approx(
        math.exp(-(mu - lam) * t / mu), rel=1e-6, abs=1e-12)


def test_mmc_tails_against_monte_carlo():
    lam, mu, c = 7.0, 1.0, 8
    rng = np.random.default_rng(5)
    n = 1_000_000
    p_wait = erlang_c(c, lam / mu)
    wait = np.where(rng.random(n) < p_wait, rng.exponential(1 / (c * mu - lam), n), 0.0)
    response = wait + rng.exponential(1 / mu, n)
    assert wait.mean() == pytest.approx(mmc_mean_wait_s(lam, mu, c), rel=0.02)
    assert (wait > 0.5).mean() == pytest.approx(mmc_wait_tail(lam, mu, c, t_s=0.5), rel=0.02)
    assert (response > 3.0).mean() == pytest.approx(mmc_response_tail(lam, mu, c, t_s=3.0), rel=0.02)
    assert np.quantile(response, 0.99) == pytest.approx(
        mmc_response_percentile_s(lam, mu, c, q=0.99), rel=0.02)


@settings(max_examples=40, deadline=None)
@given(c=st.integers(1, 200), rho=loads, q=st.floats(0.05, 0.999))
def test_mmc_percentile_inverts_tail(c, rho, q):
    t = mmc_response_percentile_s(rho * c, 1.0, c, q=q)
    assert mmc_response_tail(rho * c, 1.0, c, t_s=t) == pytest.approx(1 - q, rel=1e-6)


def test_mmc_tail_where_theta_equals_mu():
    # c mu - lambda == mu: the closed form's 0/0 case must match its neighbours.
    at = mmc_response_tail(1.0, 1.0, 2, t_s=2.0)
    near = mmc_response_tail(1.0 + 1e-6, 1.0, 2, t_s=2.0)
    assert at == pytest.approx(near, rel=1e-4)


# ---- supermarket ---------------------------------------------------------------------------

def test_supermarket_matches_mitzenmacher_sum():
    manual = sum(0.9 ** ((2 ** i - 2) / (2 - 1)) for i in range(1, 30))
    assert supermarket_mean_response(0.9, 2) == pytest.approx(manual, rel=1e-12)
    manual3 = sum(0.95 ** ((3 ** i - 3) / 2) for i in range(1, 30))
    assert supermarket_mean_response(0.95, 3) == pytest.approx(manual3, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(lam=loads, d=st.integers(1, 6))
def test_supermarket_is_littles_law_on_its_fixed_point(lam, d):
    # mean queue length = sum_{i>=1} P(queue >= i); time = length / lambda.
    length = sum(supermarket_queue_tail(lam, d, i) for i in range(1, 5000 if d == 1 else 60))
    assert supermarket_mean_response(lam, d) == pytest.approx(length / lam, rel=1e-6)


@settings(max_examples=40, deadline=None)
@given(lam=loads, d=st.integers(1, 8))
def test_more_choices_never_hurt(lam, d):
    assert supermarket_mean_response(lam, d + 1) <= supermarket_mean_response(lam, d)
    assert supermarket_mean_response(lam, 1) == pytest.approx(1 / (1 - lam))


@pytest.mark.parametrize("d", [2, 3])
def test_supermarket_grows_like_log_d(d):
    for gap in (1e-3, 1e-6, 1e-9, 1e-12):
        value = supermarket_mean_response(1 - gap, d)
        assert abs(value - math.log(1 / gap, d)) < 1.6


# ---- overload and bad input -----------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda: mm1_mean_response_s(10.0, 10.0),
    lambda: mm1_response_percentile_s(12.0, 10.0, 0.99),
    lambda: mm1_mean_number(10.0, 10.0),
    lambda: erlang_c(4, 4.0),
    lambda: mmc_mean_wait_s(8.0, 1.0, 8),
    lambda: mmc_response_tail(9.0, 1.0, 8, t_s=1.0),
    lambda: supermarket_mean_response(1.0, 2),
    lambda: supermarket_queue_tail(1.2, 2, 1),
])
def test_overload_raises_unstable(call):
    with pytest.raises(UnstableQueueError, match=r"rho=.* >= 1"):
        call()
    assert issubclass(UnstableQueueError, ValueError)


def test_offered_load_reports_overload_without_raising():
    assert offered_load(30.0, 10.0, c=2) == pytest.approx(1.5)


@pytest.mark.parametrize("call, name", [
    (lambda: mm1_mean_response_s(0.0, 1.0), "arrival_rate_per_s"),
    (lambda: mm1_mean_response_s(-1.0, 1.0), "arrival_rate_per_s"),
    (lambda: mm1_mean_response_s(1.0, 0.0), "service_rate_per_s"),
    (lambda: mmc_mean_wait_s(1.0, 1.0, 0), "c"),
    (lambda: erlang_b(3, -1.0), "offered_erlangs"),
    (lambda: mm1_response_percentile_s(1.0, 2.0, 1.0), "q"),
    (lambda: mm1_response_percentile_s(1.0, 2.0, 99), "q"),
    (lambda: supermarket_mean_response(0.5, 0), "d"),
    (lambda: mmc_wait_tail(1.0, 1.0, 2, t_s=-1.0), "t_s"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=rf"^{name}="):
        call()


def test_wrong_types_raise_type_error():
    with pytest.raises(TypeError, match="c must be an int"):
        erlang_c(2.5, 1.0)
    with pytest.raises(TypeError, match="arrival_rate_per_s"):
        mm1_mean_response_s("1", 2.0)


def test_a_percentile_computes_erlang_c_once_not_per_bisection_step(monkeypatch):
    """The auto-scaling widget asks for a p99 every simulated minute (issue 20): the bisection reuses the queue's
    Erlang C probability instead of recomputing it, O(c), at each of its ~50 steps; the answer is unchanged."""
    from labsupport.foundations import queueing

    calls = []
    original = queueing.erlang_b
    monkeypatch.setattr(queueing, "erlang_b", lambda c, a: calls.append(c) or original(c, a))
    p99 = queueing.mmc_response_percentile_s(900.0, 100.0, 12, q=0.99)
    assert len(calls) == 1
    assert queueing.mmc_response_tail(900.0, 100.0, 12, t_s=p99) == pytest.approx(0.01, rel=1e-9)
