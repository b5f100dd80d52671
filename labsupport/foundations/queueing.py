"""Closed forms for queues: M/M/1, M/M/c (Erlang C) and the supermarket model.

A single checkout lane with shoppers arriving at random is an M/M/1 queue;
one line feeding ``c`` cashiers is an M/M/c queue; ``n`` lanes where each
shopper looks at ``d`` random lanes and joins the shortest is Mitzenmacher's
*supermarket model*. These formulas are the "theory" column that the load
balancer simulations in :mod:`labsupport.availability.load_balancing` are checked against.

Conventions
-----------
* Rates are per second (``arrival_rate_per_s``, ``service_rate_per_s``), times
  in seconds (``*_s``); percentiles take a fraction ``q`` in (0, 1), so the
  p99 is ``q=0.99``.
* **Overload raises.** At offered load ``rho >= 1`` a queue has no steady
  state (it grows without bound), so every steady-state formula raises
  :class:`UnstableQueueError`, a :class:`ValueError`, instead of returning a
  meaningless number. Use :func:`offered_load` to compute ``rho`` without
  raising.
"""

from __future__ import annotations

import math

from labsupport.checks import check_int, check_number, check_probability

__all__ = [
    "UnstableQueueError",
    "offered_load",
    "mm1_utilisation",
    "mm1_mean_number",
    "mm1_mean_wait_s",
    "mm1_mean_response_s",
    "mm1_response_percentile_s",
    "erlang_b",
    "erlang_c",
    "mmc_mean_wait_s",
    "mmc_mean_response_s",
    "mmc_wait_tail",
    "mmc_response_tail",
    "mmc_response_percentile_s",
    "supermarket_queue_tail",
    "supermarket_mean_response",
]


class UnstableQueueError(ValueError):
    """Raised when the offered load ``rho`` is at or above capacity (``rho >= 1``).

    The attribute ``load`` holds ``rho``.
    """

    def __init__(self, load: float, detail: str):
        self.load = load
        super().__init__(
            f"offered load rho={load:.4g} >= 1 ({detail}): the queue grows without bound "
            "and has no steady state; choose an arrival rate below capacity (rho < 1)"
        )


def offered_load(arrival_rate_per_s: float, service_rate_per_s: float, c: int = 1) -> float:
    """Offered load ``rho = lambda / (c * mu)``; never raises for ``rho >= 1``.

    Examples
    --------
    >>> offered_load(9.0, 10.0)
    0.9
    >>> offered_load(30.0, 10.0, c=2)
    1.5
    """
    lam = check_number("arrival_rate_per_s", arrival_rate_per_s, low=0, low_open=True)
    mu = check_number("service_rate_per_s", service_rate_per_s, low=0, low_open=True)
    return lam / (check_int("c", c, low=1) * mu)


def _stable_load(lam: float, mu: float, c: int = 1) -> float:
    rho = offered_load(lam, mu, c)
    if rho >= 1:
        raise UnstableQueueError(rho, f"arrival_rate_per_s={lam:g} vs capacity {c * mu:g} per s")
    return rho


def mm1_utilisation(arrival_rate_per_s: float, service_rate_per_s: float) -> float:
    """Fraction of time an M/M/1 server is busy, ``rho = lambda / mu``.

    Examples
    --------
    >>> mm1_utilisation(8.0, 10.0)
    0.8
    """
    return _stable_load(arrival_rate_per_s, service_rate_per_s)


def mm1_mean_number(arrival_rate_per_s: float, service_rate_per_s: float) -> float:
    """Mean number of requests in an M/M/1 system (queued plus in service), ``rho / (1 - rho)``.

    Examples
    --------
    >>> round(mm1_mean_number(9.0, 10.0), 6)
    9.0
    """
    rho = _stable_load(arrival_rate_per_s, service_rate_per_s)
    return rho / (1 - rho)


def mm1_mean_wait_s(arrival_rate_per_s: float, service_rate_per_s: float) -> float:
    """Mean time queued before service in M/M/1, ``rho / (mu - lambda)``.

    Examples
    --------
    >>> round(mm1_mean_wait_s(5.0, 10.0), 6)
    0.1
    """
    rho = _stable_load(arrival_rate_per_s, service_rate_per_s)
    return rho / (service_rate_per_s - arrival_rate_per_s)


def mm1_mean_response_s(arrival_rate_per_s: float, service_rate_per_s: float) -> float:
    """Mean response time (wait plus service) in M/M/1, ``1 / (mu - lambda)``.

    Examples
    --------
    >>> round(mm1_mean_response_s(9.0, 10.0), 6)
    1.0
    >>> mm1_mean_response_s(10.0, 10.0)
    Traceback (most recent call last):
    ...
    labsupport.foundations.queueing.UnstableQueueError: offered load rho=1 >= 1 ...
    """
    _stable_load(arrival_rate_per_s, service_rate_per_s)
    return 1.0 / (service_rate_per_s - arrival_rate_per_s)


def mm1_response_percentile_s(arrival_rate_per_s: float, service_rate_per_s: float,
                              q: float) -> float:
    """The ``q`` quantile of M/M/1 response time.

    The response time of FIFO M/M/1 is exponential with rate ``mu - lambda``,
    so its ``q`` quantile is ``-ln(1 - q) / (mu - lambda)``.

    Examples
    --------
    >>> round(mm1_response_percentile_s(9.0, 10.0, 0.99), 4)
    4.6052
    """
    _stable_load(arrival_rate_per_s, service_rate_per_s)
    return -math.log1p(-check_probability("q", q, open_low=True, open_high=True)) / (service_rate_per_s - arrival_rate_per_s)


def erlang_b(c: int, offered_erlangs: float) -> float:
    """Erlang B blocking probability for ``c`` servers and offered traffic ``a = lambda/mu``.

    Uses the recursion ``B(0) = 1``, ``B(k) = a B(k-1) / (k + a B(k-1))``,
    whose terms stay in [0, 1]: stable for thousands of servers, where the
    textbook ``a**c / c!`` form overflows. O(c) time.

    Examples
    --------
    >>> round(erlang_b(1, 1.0), 6)
    0.5
    >>> round(erlang_b(1000, 950.0), 6)
    0.003649
    """
    c = check_int("c", c, low=1)
    a = check_number("offered_erlangs", offered_erlangs, low=0)  # no traffic, no blocking
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, offered_erlangs: float) -> float:
    """Erlang C: probability that an arrival to M/M/c must wait, for ``a = lambda/mu < c``.

    Computed from Erlang B as ``C = B / (1 - rho (1 - B))`` with ``rho = a / c``.

    Examples
    --------
    >>> round(erlang_c(1, 0.9), 6)
    0.9
    >>> round(erlang_c(10, 8.0), 4)
    0.4092
    """
    b = erlang_b(c, offered_erlangs)
    rho = offered_erlangs / c
    if rho >= 1:
        raise UnstableQueueError(rho, f"offered_erlangs={offered_erlangs:g} vs c={c} servers")
    return b / (1.0 - rho * (1.0 - b))


def _mmc(lam: float, mu: float, c: int) -> tuple[float, float]:
    """(probability of waiting, decay rate c*mu - lambda of the waiting-time tail)."""
    _stable_load(lam, mu, c)
    return erlang_c(c, lam / mu), c * mu - lam


def mmc_mean_wait_s(arrival_rate_per_s: float, service_rate_per_s: float, c: int) -> float:
    """Mean time queued in M/M/c, ``C(c, a) / (c mu - lambda)``.

    Examples
    --------
    >>> round(mmc_mean_wait_s(8.0, 1.0, 10), 4)
    0.2046
    """
    p_wait, theta = _mmc(arrival_rate_per_s, service_rate_per_s, c)
    return p_wait / theta


def mmc_mean_response_s(arrival_rate_per_s: float, service_rate_per_s: float, c: int) -> float:
    """Mean response time in M/M/c: mean wait plus ``1 / mu``.

    Examples
    --------
    >>> round(mmc_mean_response_s(9.0, 10.0, 1), 6)  # c = 1 is M/M/1
    1.0
    """
    return mmc_mean_wait_s(arrival_rate_per_s, service_rate_per_s, c) + 1.0 / service_rate_per_s


def mmc_wait_tail(arrival_rate_per_s: float, service_rate_per_s: float, c: int,
                  *, t_s: float) -> float:
    """``P(W > t)`` for the M/M/c waiting time: ``C(c, a) exp(-(c mu - lambda) t)``.

    Examples
    --------
    >>> round(mmc_wait_tail(8.0, 1.0, 10, t_s=0.0), 4)  # equals Erlang C at t = 0
    0.4092
    """
    check_number("t_s", t_s, low=0)
    p_wait, theta = _mmc(arrival_rate_per_s, service_rate_per_s, c)
    return p_wait * math.exp(-theta * t_s)


def mmc_response_tail(arrival_rate_per_s: float, service_rate_per_s: float, c: int,
                      *, t_s: float) -> float:
    """``P(T > t)`` for the M/M/c response time ``T = W + S``.

    With ``theta = c mu - lambda`` and ``C`` the Erlang C probability,
    ``P(T > t) = e^{-mu t} + C mu (e^{-mu t} - e^{-theta t}) / (theta - mu)``
    (conditioning on the exponential service time ``S``); when
    ``theta = mu`` the second term is ``C mu t e^{-mu t}``.

    Examples
    --------
    >>> round(mmc_response_tail(9.0, 10.0, 1, t_s=1.0), 6)  # M/M/1: exp(-(mu - lambda) t)
    0.367879
    """
    check_number("t_s", t_s, low=0)
    p_wait, theta = _mmc(arrival_rate_per_s, service_rate_per_s, c)
    return _response_tail(service_rate_per_s, p_wait, theta, t_s)


def _response_tail(mu: float, p_wait: float, theta: float, t_s: float) -> float:
    """``P(T > t)`` from the checked queue's ``mu``, Erlang C probability and tail decay rate."""
    if math.isclose(theta, mu, rel_tol=1e-9):
        return math.exp(-mu * t_s) * (1.0 + p_wait * mu * t_s)
    return math.exp(-mu * t_s) + p_wait * mu * (math.exp(-mu * t_s) - math.exp(-theta * t_s)) / (
        theta - mu)


def mmc_response_percentile_s(arrival_rate_per_s: float, service_rate_per_s: float, c: int,
                              *, q: float) -> float:
    """The ``q`` quantile of M/M/c response time, by bisection on :func:`mmc_response_tail`.

    The queue is checked and its Erlang C probability computed once, before the bisection (O(c) once, not per step).

    Examples
    --------
    >>> round(mmc_response_percentile_s(9.0, 10.0, 1, q=0.99), 4)  # M/M/1 p99
    4.6052
    """
    p_wait, theta = _mmc(arrival_rate_per_s, service_rate_per_s, c)  # checks the three
    q = check_probability("q", q, open_low=True, open_high=True)
    target, mu = 1.0 - q, float(service_rate_per_s)
    lo, hi = 0.0, 1.0 / mu
    while _response_tail(mu, p_wait, theta, hi) > target:
        lo, hi = hi, 2.0 * hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _response_tail(mu, p_wait, theta, mid) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * hi:
            break
    return 0.5 * (lo + hi)


def _supermarket_args(load: float, d: int) -> tuple[float, int]:
    load = check_number("load", load, low=0, low_open=True)
    d = check_int("d", d, low=1)
    if load >= 1:
        raise UnstableQueueError(load, "arrivals per server per mean service time")
    return load, d


def supermarket_queue_tail(load: float, d: int, i: int) -> float:
    """Limiting fraction of queues holding at least ``i`` requests in the supermarket model.

    ``n`` FIFO servers of rate 1 receive Poisson arrivals of rate ``load * n``;
    each arrival samples ``d`` servers and joins the shortest. As ``n`` grows the
    fraction of queues with at least ``i`` requests tends to
    ``load ** ((d**i - 1) / (d - 1))`` (``load ** i`` for ``d = 1``), which
    falls *doubly* exponentially in ``i`` for ``d >= 2``.

    Reference: M. Mitzenmacher, "The Power of Two Choices in Randomized Load
    Balancing", IEEE TPDS 12(10), 2001 (the fixed point of the limiting system).

    Examples
    --------
    >>> round(supermarket_queue_tail(0.9, 2, 3), 4)  # 0.9 ** 7
    0.4783
    >>> round(supermarket_queue_tail(0.9, 1, 3), 4)  # M/M/1: 0.9 ** 3
    0.729
    """
    load, d = _supermarket_args(load, d)
    check_int("i", i, low=0)
    exponent = i if d == 1 else (d ** i - 1) / (d - 1)
    return load ** exponent


def supermarket_mean_response(load: float, d: int) -> float:
    """Limiting mean time in system ``T_d(load)``, in units of the mean service time.

    For ``d >= 2``, ``T_d(lambda) = sum_{i >= 1} lambda ** ((d**i - d) / (d - 1))``
    (Mitzenmacher 2001, the theorem on the expected time in the limiting
    supermarket model); ``d = 1`` is M/M/1, ``1 / (1 - lambda)``. For ``load``
    close to 1, ``T_d`` grows like ``log_d(1 / (1 - load))``, exponentially
    better than M/M/1. Multiply by ``1 / service_rate_per_s`` for seconds.

    Examples
    --------
    >>> round(supermarket_mean_response(0.9, 1), 4)
    10.0
    >>> round(supermarket_mean_response(0.9, 2), 4)
    2.6141
    >>> round(supermarket_mean_response(0.99, 2), 4)
    5.432
    """
    load, d = _supermarket_args(load, d)
    if d == 1:
        return 1.0 / (1.0 - load)
    log_load = math.log(load)
    total, power = 0.0, d          # power = d ** i, starting at i = 1
    while True:
        term = math.exp(log_load * (power - d) / (d - 1))
        total += term
        if term < 1e-17 * total:
            return total
        power *= d
