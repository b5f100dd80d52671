"""Amdahl, the USL and a contended lock: the simulation matches Mean Value Analysis."""

import math

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.foundations.scalability import (
    amdahl_limit,
    amdahl_speedup,
    fit_usl,
    mva_throughput,
    run_contended_workers,
    usl_capacity,
    usl_peak,
)

NS = [1, 2, 4, 8, 16, 32]
THINK_S = 1.0
fractions = st.floats(min_value=0.0, max_value=0.999)
workers = st.integers(1, 200)


def sweep(lock_s, coherency_s, cycles, seed):
    """Simulated throughputs over NS, each run long enough for about ``cycles`` cycles."""
    out = []
    for n in NS:
        theory = mva_throughput(n, THINK_S, lock_s + coherency_s * (n - 1))
        out.append(run_contended_workers(n, THINK_S, lock_s, coherency_s=coherency_s,
                                         duration_s=cycles / theory, seed=seed + n))
    return out


@settings(max_examples=80, deadline=None)
@given(fractions, workers)
def test_amdahl_bounds_and_limit(p, n):
    s = amdahl_speedup(p, n)
    assert 1.0 - 1e-12 <= s <= min(n, amdahl_limit(p)) + 1e-9
    assert amdahl_speedup(p, n + 1) >= s
    assert amdahl_speedup(p, 10**12) == pytest.approx(amdahl_limit(p), rel=1e-6)


def test_amdahl_known_values():
    assert amdahl_limit(0.95) == pytest.approx(20.0)
    assert amdahl_limit(1.0) == math.inf
    assert amdahl_speedup(0.5, 2) == pytest.approx(4 / 3)


@settings(max_examples=80, deadline=None)
@given(workers, st.floats(0.0, 1.0), st.floats(0.0, 0.01))
def test_usl_reduces_to_amdahl_and_never_beats_linear(n, sigma, kappa):
    assert usl_capacity(n, sigma, kappa) <= n + 1e-9
    assert usl_capacity(n, sigma, 0.0) == pytest.approx(amdahl_speedup(1 - sigma, n))


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 0.5), st.floats(1e-5, 0.05))
def test_usl_peak_is_the_best_integer(sigma, kappa):
    best = usl_peak(sigma, kappa, integer=True)
    exact = usl_peak(sigma, kappa)
    assert abs(best - exact) < 1
    cap = usl_capacity(best, sigma, kappa)
    for m in range(max(1, best - 3), best + 4):
        assert cap >= usl_capacity(m, sigma, kappa) - 1e-12


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 0.3), st.floats(0.0, 0.01), st.floats(0.1, 1000.0))
def test_fit_recovers_noiseless_usl(sigma, kappa, x1):
    xs = [x1 * usl_capacity(n, sigma, kappa) for n in NS]
    s, k, fitted_x1 = fit_usl(NS, xs)
    assert s == pytest.approx(sigma, abs=1e-9)
    assert k == pytest.approx(kappa, abs=1e-9)
    assert fitted_x1 == pytest.approx(x1)


@settings(max_examples=60, deadline=None)
@given(workers, st.floats(0.0, 5.0), st.floats(0.001, 1.0))
def test_mva_respects_asymptotic_bounds(n, think_s, service_s):
    x = mva_throughput(n, think_s, service_s)
    assert x <= min(n / (think_s + service_s), 1 / service_s) * (1 + 1e-9)
    assert mva_throughput(n + 1, think_s, service_s) >= x * (1 - 1e-12)
    assert mva_throughput(1, think_s, service_s) == pytest.approx(1 / (think_s + service_s))


def test_simulation_matches_mva_within_3_percent():
    lock_s = 0.05  # saturation knee (1 + 0.05) / 0.05 = 21 workers lies inside NS
    for r in sweep(lock_s, 0.0, cycles=8_000, seed=100):
        theory = mva_throughput(r.n_workers, THINK_S, lock_s)
        assert r.throughput_per_s == pytest.approx(theory, rel=0.03), r
        # Utilisation law U = X S, checked against theory too.
        assert r.lock_utilisation == pytest.approx(theory * lock_s, rel=0.03), r
        # Response time law: time at the lock R = n / X - think, so the wait is R - S.
        wait_theory = r.n_workers / theory - THINK_S - lock_s
        assert r.mean_lock_wait_s == pytest.approx(wait_theory, rel=0.10, abs=2e-3), r  # waits near saturation are noisy


def test_same_seed_same_result_and_different_seed_differs():
    a = run_contended_workers(8, 1.0, 0.05, coherency_s=0.001, duration_s=200, seed=7)
    assert a == run_contended_workers(8, 1.0, 0.05, coherency_s=0.001, duration_s=200, seed=7)
    assert a != run_contended_workers(8, 1.0, 0.05, coherency_s=0.001, duration_s=200, seed=8)


def test_coherency_makes_throughput_peak_and_fall_and_usl_sees_kappa():
    lock_s, coherency_s = 0.02, 0.002
    with_cost = sweep(lock_s, coherency_s, cycles=6_000, seed=200)
    without = sweep(lock_s, 0.0, cycles=6_000, seed=200)
    xs = [r.throughput_per_s for r in with_cost]
    for r in with_cost:  # MVA still applies: the hold time just depends on n
        assert r.throughput_per_s == pytest.approx(
            mva_throughput(r.n_workers, THINK_S, r.mean_hold_s), rel=0.03)
    peak = xs.index(max(xs))
    assert 0 < peak < len(NS) - 1 and xs[-1] < 0.9 * xs[peak]
    assert with_cost[-1].lock_utilisation > 0.99  # saturated, and slower per hold
    _, kappa, _ = fit_usl(NS, xs)
    _, kappa_theory, _ = fit_usl(NS, [mva_throughput(n, THINK_S, lock_s + coherency_s * (n - 1)) for n in NS])
    assert kappa == pytest.approx(kappa_theory, rel=0.25) and kappa > 1e-3
    _, kappa0, _ = fit_usl(NS, [r.throughput_per_s for r in without])
    assert abs(kappa0) < 5e-4 and abs(kappa0) < 0.2 * kappa
    assert [r.throughput_per_s for r in without] == sorted(r.throughput_per_s for r in without)


def test_bad_input_names_the_parameter():
    cases = [
        (lambda: amdahl_speedup(1.5, 4), "parallel_fraction"),
        (lambda: amdahl_speedup(0.5, 0), "n="),
        (lambda: usl_capacity(4, -0.1, 0.0), "sigma"),
        (lambda: usl_capacity(4, 0.1, -1e-3), "kappa"),
        (lambda: mva_throughput(0, 1.0, 0.1), "n_workers"),
        (lambda: mva_throughput(2, -1.0, 0.1), "think_s"),
        (lambda: run_contended_workers(0, 1.0, 0.1, seed=0), "n_workers"),
        (lambda: run_contended_workers(2, 1.0, -0.1, seed=0), "lock_s"),
        (lambda: run_contended_workers(2, 1.0, 0.1, coherency_s=-1, seed=0), "coherency_s"),
        (lambda: run_contended_workers(2, 1.0, 0.1, duration_s=0, seed=0), "duration_s"),
        (lambda: fit_usl([2, 4, 8], [1, 2, 3]), "n=1"),
        (lambda: fit_usl([1, 2], [1, 2, 3]), "ns and throughputs"),
    ]
    for call, name in cases:
        with pytest.raises(ValueError, match=name):
            call()
