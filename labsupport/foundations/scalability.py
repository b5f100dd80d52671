"""Scalability: Amdahl's law, the Universal Scalability Law, and a contended lock.

A kitchen with one stove: adding cooks helps while they chop vegetables in
parallel, stops helping once they all queue for the stove (**contention**),
and hurts once every cook must also tell every other cook what is on the
stove (**coherency**). Amdahl's law models the first limit, Gunther's
Universal Scalability Law (USL) both. :func:`run_contended_workers` builds the
kitchen in simpy and :func:`mva_throughput` is the queueing theory it must
match.

Why a queueing network and not messages: the effect measured is the queue at the
lock, and its theory is mean-value analysis of a closed queueing network;
messages to a lock server (:mod:`labsupport.sim`) would only add a constant
delay to every cycle.

References
----------
* G. M. Amdahl, "Validity of the single processor approach to achieving large
  scale computing capabilities", AFIPS Spring Joint Computer Conference, 1967.
* N. J. Gunther, *Guerrilla Capacity Planning*, Springer, 2007, ch. 4-6
  (the USL and its fit by linearisation).
* M. Reiser and S. S. Lavenberg, "Mean-Value Analysis of Closed Multichain
  Queuing Networks", JACM 27(2), 1980.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import simpy

from labsupport.checks import check_int, check_number
from labsupport.seeds import Seed, as_rng

__all__ = [
    "amdahl_speedup",
    "amdahl_limit",
    "usl_capacity",
    "usl_peak",
    "fit_usl",
    "mva_throughput",
    "ContentionResult",
    "run_contended_workers",
]


def _workers(name: str, n: float) -> float:
    return check_number(name, n, low=1.0) if n != math.inf else math.inf


def amdahl_speedup(parallel_fraction: float, n: float) -> float:
    """Speedup on ``n`` processors when ``parallel_fraction`` of the work parallelises (Amdahl 1967).

    ``S(n) = 1 / ((1 - p) + p / n)``.

    Examples
    --------
    >>> round(amdahl_speedup(0.95, 8), 4)
    5.9259
    """
    p = check_number("parallel_fraction", parallel_fraction, low=0.0, high=1.0)
    n = check_number("n", n, low=1.0)
    return 1.0 / ((1.0 - p) + p / n)


def amdahl_limit(parallel_fraction: float) -> float:
    """The ceiling of Amdahl speedup as ``n`` grows without bound: ``1 / (1 - p)``.

    Examples
    --------
    >>> round(amdahl_limit(0.95), 6)
    20.0
    """
    p = check_number("parallel_fraction", parallel_fraction, low=0.0, high=1.0)
    return math.inf if p == 1.0 else 1.0 / (1.0 - p)


def usl_capacity(n: float, sigma: float, kappa: float) -> float:
    """Relative capacity ``C(n) = n / (1 + sigma (n - 1) + kappa n (n - 1))`` (Gunther's USL).

    ``sigma`` is contention (the serial fraction, as in Amdahl), ``kappa``
    coherency (pairwise exchange); with ``kappa = 0`` the USL is Amdahl's law.

    Examples
    --------
    >>> round(usl_capacity(8, 0.05, 0.0), 4) == round(amdahl_speedup(0.95, 8), 4)
    True
    >>> round(usl_capacity(32, 0.05, 0.002), 3)
    7.058
    """
    n = check_number("n", n, low=1.0)
    s = check_number("sigma", sigma, low=0.0, high=1.0)
    k = check_number("kappa", kappa, low=0.0)
    return n / (1.0 + s * (n - 1.0) + k * n * (n - 1.0))


def usl_peak(sigma: float, kappa: float, integer: bool = False) -> float:
    """Load at which USL capacity peaks: ``n* = sqrt((1 - sigma) / kappa)``.

    With ``integer=True``, the whole number of workers with the highest
    capacity: ``floor(n*)`` or ``ceil(n*)``, whichever is better (floor is
    not always right). ``kappa = 0`` means no peak: ``inf``.

    Examples
    --------
    >>> round(usl_peak(0.05, 0.002), 3)
    21.794
    >>> usl_peak(0.05, 0.002, integer=True)
    22
    """
    s = check_number("sigma", sigma, low=0.0, high=1.0)
    k = check_number("kappa", kappa, low=0.0)
    if k == 0.0:
        return math.inf
    peak = max(1.0, math.sqrt((1.0 - s) / k))
    if not integer:
        return peak
    lo, hi = math.floor(peak), math.ceil(peak)
    return max((lo, hi), key=lambda m: (usl_capacity(m, s, k), -m))


def fit_usl(ns: Sequence[float], throughputs: Sequence[float]) -> tuple[float, float, float]:
    """Fit ``(sigma, kappa, X1)`` of the USL to measured throughputs by linearisation.

    Gunther's method: ``X1`` is the mean throughput measured at ``n = 1``;
    ``C(n) = X(n) / X1``; then ``n / C(n) - 1 = sigma (n - 1) + kappa n (n - 1)``
    is linear in ``(n - 1, n (n - 1))`` and is solved by least squares
    through the origin (:func:`numpy.linalg.lstsq`).

    Negative estimates are returned as they are: they mean the data do not
    look like the USL (e.g. superlinear speedup) rather than a fitting error.
    A closed queue (:func:`mva_throughput`) saturates with a sharper knee than
    the USL's ``kappa = 0`` curve (Amdahl's law is its *synchronous* bound), so
    when the knee ``(think_s + service_s) / service_s`` lies inside the measured
    ``ns``, the fit reports a small ``kappa > 0`` even without coherency cost.

    Examples
    --------
    >>> ns = [1, 2, 4, 8, 16, 32]
    >>> xs = [100 * usl_capacity(n, 0.05, 0.002) for n in ns]
    >>> [round(v, 6) for v in fit_usl(ns, xs)]
    [0.05, 0.002, 100.0]
    """
    n = np.asarray(ns, dtype=float)
    x = np.asarray(throughputs, dtype=float)
    if n.ndim != 1 or n.shape != x.shape:
        raise ValueError(f"ns and throughputs must be 1-d of equal length, got {n.shape} and {x.shape}")
    if not (np.all(np.isfinite(n)) and np.all(n >= 1)):
        raise ValueError("ns must all be finite numbers >= 1")
    if not (np.all(np.isfinite(x)) and np.all(x > 0)):
        raise ValueError("throughputs must all be finite numbers > 0")
    if not np.any(n == 1):
        raise ValueError("ns must include n=1: the linearisation divides by X1, the throughput at n=1")
    if len(np.unique(n[n > 1])) < 2:
        raise ValueError("ns must include at least two distinct values above 1 to fit sigma and kappa")
    x1 = float(x[n == 1].mean())
    y = n / (x / x1) - 1.0
    design = np.column_stack([n - 1.0, n * (n - 1.0)])
    (sigma, kappa), *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(sigma), float(kappa), x1


def mva_throughput(n_workers: int, think_s: float, service_s: float) -> float:
    """Exact throughput of ``n_workers`` cycling between thinking and one FCFS queue (MVA).

    Mean Value Analysis (Reiser & Lavenberg 1980) for a closed product-form
    network of one delay station (mean ``think_s``) and one queueing station
    (mean ``service_s``, exponential): for ``k = 1..n``,
    ``R = service_s (1 + Q)``, ``X = k / (think_s + R)``, ``Q = X R``.

    Notes
    -----
    ``O(n)``. Bounds: ``X <= min(n / (think_s + service_s), 1 / service_s)``.

    Examples
    --------
    >>> round(mva_throughput(1, 1.0, 0.1), 4)
    0.9091
    >>> round(mva_throughput(32, 1.0, 0.1), 4)  # saturated: close to 1 / service_s
    10.0
    """
    n = check_int("n_workers", n_workers, low=1)
    z = check_number("think_s", think_s, low=0.0)
    s = check_number("service_s", service_s, low=0.0, low_open=True)
    q = x = 0.0
    for k in range(1, n + 1):
        r = s * (1.0 + q)
        x = k / (z + r)
        q = x * r
    return x


@dataclass(frozen=True)
class ContentionResult:
    """What :func:`run_contended_workers` measured after the warm-up."""

    n_workers: int
    throughput_per_s: float  # completed think+lock cycles per second
    mean_lock_wait_s: float  # mean time from requesting the lock to getting it
    lock_utilisation: float  # fraction of the measured window the lock was held
    completed: int  # cycles completed in the measured window
    measured_s: float  # length of the measured window (duration_s - warmup_s)
    mean_hold_s: float  # the mean hold time used: lock_s + coherency_s (n - 1)


def _worker(env, lock, rng, think_s, hold_s, warmup_s, stats):
    while True:
        yield env.timeout(rng.expovariate(1.0 / think_s) if think_s > 0 else 0.0)
        asked = env.now
        with lock.request() as req:
            yield req
            if asked >= warmup_s:
                stats["waits"].append(env.now - asked)
            stats["held_since"] = env.now
            yield env.timeout(rng.expovariate(1.0 / hold_s))
            stats["busy"] += max(0.0, env.now - max(stats["held_since"], warmup_s))
            stats["held_since"] = None
        if env.now >= warmup_s:
            stats["done"] += 1


def run_contended_workers(
    n_workers: int,
    think_s: float,
    lock_s: float,
    *,
    coherency_s: float = 0.0,
    duration_s: float = 1000.0,
    seed: Seed = None,
    warmup_s: float | None = None,
) -> ContentionResult:
    """Simulate ``n_workers`` looping: think, then hold ONE shared lock, then release.

    Think times are exponential with mean ``think_s``; lock holds exponential
    with mean ``lock_s + coherency_s * (n_workers - 1)``: the coherency term
    is the pairwise synchronisation that produces the USL's ``kappa``. The
    lock is a simpy ``Resource`` of capacity 1 (FIFO). Measurement starts
    after ``warmup_s`` (default 10% of ``duration_s``). With ``coherency_s =
    0`` this closed network is exactly what :func:`mva_throughput` solves.

    Examples
    --------
    >>> r = run_contended_workers(4, think_s=1.0, lock_s=0.1, duration_s=500, seed=1)
    >>> r == run_contended_workers(4, think_s=1.0, lock_s=0.1, duration_s=500, seed=1)
    True
    >>> abs(r.throughput_per_s / mva_throughput(4, 1.0, 0.1) - 1) < 0.1
    True
    """
    n = check_int("n_workers", n_workers, low=1)
    think = check_number("think_s", think_s, low=0.0)
    lock_s = check_number("lock_s", lock_s, low=0.0)
    coherency = check_number("coherency_s", coherency_s, low=0.0)
    duration = check_number("duration_s", duration_s, low=0.0, low_open=True)
    warmup = 0.1 * duration if warmup_s is None else check_number("warmup_s", warmup_s, low=0.0, high=duration)
    if warmup >= duration:
        raise ValueError(f"warmup_s={warmup!r} must be below duration_s={duration!r}")
    hold = lock_s + coherency * (n - 1)
    if hold <= 0:
        raise ValueError("lock_s + coherency_s * (n_workers - 1) must be > 0 (the lock must be held)")
    rng = as_rng(seed)
    env = simpy.Environment()
    lock = simpy.Resource(env, capacity=1)
    stats = {"waits": [], "busy": 0.0, "done": 0, "held_since": None}
    for _ in range(n):
        env.process(_worker(env, lock, rng, think, hold, warmup, stats))
    env.run(until=duration)
    busy = stats["busy"]
    if stats["held_since"] is not None:  # a hold still in progress at the end
        busy += duration - max(stats["held_since"], warmup)
    window = duration - warmup
    waits = stats["waits"]
    return ContentionResult(
        n_workers=n,
        throughput_per_s=stats["done"] / window,
        mean_lock_wait_s=sum(waits) / len(waits) if waits else 0.0,
        lock_utilisation=busy / window,
        completed=stats["done"],
        measured_s=window,
        mean_hold_s=hold,
    )
