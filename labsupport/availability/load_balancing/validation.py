"""Simulation next to theory: rows of (simulated, theory, relative error) for a book page.

Three experiments where queueing theory knows the answer:

* **random → M/M/1.** Sending each request to a uniformly random server splits
  a Poisson stream into independent Poisson streams, so every server is an
  M/M/1 queue at the same load.
* **one shared queue → M/M/c.** One queue drained by ``c`` workers is the
  Erlang C system.
* **power of d → supermarket limit.** Joining the shortest of ``d`` sampled
  queues on many servers approaches Mitzenmacher's limit ``T_d(load)``.

Simulated numbers carry sampling error that grows sharply with load (an
M/M/1 queue at load 0.9 forgets its past only slowly), so compare at several
loads and several seeds before trusting a single digit.
"""

from __future__ import annotations

from dataclasses import dataclass

from labsupport.checks import check_int, check_number
from labsupport.seeds import Seed
from labsupport.foundations.queueing import (
    mm1_mean_response_s, mm1_response_percentile_s, mmc_mean_response_s,
    mmc_response_percentile_s, supermarket_mean_response,
)

from labsupport.availability.load_balancing.farm import run_farm
from labsupport.availability.load_balancing.policies import PowerOfChoices

__all__ = [
    "TheoryRow", "compare_random_to_mm1", "compare_shared_queue_to_mmc",
    "compare_power_of_d_to_supermarket", "theory_table",
]


@dataclass(frozen=True)
class TheoryRow:
    """One simulated quantity beside its theoretical value.

    ``relative_error`` is ``(simulated - theory) / theory``.
    """

    scenario: str
    load: float
    metric: str
    simulated: float
    theory: float
    relative_error: float


def _check_common(load, service_rate_per_s, n_requests) -> None:
    check_number("load", load, low=0, low_open=True, high=1, high_open=True)  # a stable queue has a theory
    check_number("service_rate_per_s", service_rate_per_s, low=0, low_open=True)
    check_int("n_requests", n_requests, low=1)


def _row(scenario: str, load: float, metric: str, simulated: float, theory: float) -> TheoryRow:
    return TheoryRow(scenario, load, metric, simulated, theory, (simulated - theory) / theory)


def compare_random_to_mm1(load: float, *, n_servers: int = 4, service_rate_per_s: float = 1.0,
                          n_requests: int = 100_000, seed: Seed = None) -> list[TheoryRow]:
    """Random assignment to ``n_servers`` servers against M/M/1 mean and p99 response time.

    Examples
    --------
    >>> rows = compare_random_to_mm1(0.5, n_requests=20_000, seed=1)
    >>> [(r.metric, round(r.theory, 3)) for r in rows]
    [('mean_s', 2.0), ('p99_s', 9.21)]
    >>> all(abs(r.relative_error) < 0.1 for r in rows)
    True
    """
    _check_common(load, service_rate_per_s, n_requests)
    check_int("n_servers", n_servers, low=1)
    mu = service_rate_per_s
    lam = load * mu                     # per server
    result = run_farm("random", n_servers, lam * n_servers, service_rate_per_s=mu, n_requests=n_requests, seed=seed)
    name = f"random over {n_servers} servers vs M/M/1"
    return [_row(name, load, "mean_s", result.mean_s, mm1_mean_response_s(lam, mu)),
            _row(name, load, "p99_s", result.p99_s, mm1_response_percentile_s(lam, mu, 0.99))]


def compare_shared_queue_to_mmc(load: float, *, c: int = 8, service_rate_per_s: float = 1.0,
                                n_requests: int = 100_000, seed: Seed = None) -> list[TheoryRow]:
    """One queue with ``c`` workers against Erlang C mean and p99 response time.

    Examples
    --------
    >>> rows = compare_shared_queue_to_mmc(0.5, c=4, n_requests=20_000, seed=1)
    >>> [(r.metric, round(r.theory, 3)) for r in rows]
    [('mean_s', 1.087), ('p99_s', 4.764)]
    >>> all(abs(r.relative_error) < 0.1 for r in rows)
    True
    """
    _check_common(load, service_rate_per_s, n_requests)
    check_int("c", c, low=1)
    mu = service_rate_per_s
    lam = load * c * mu
    result = run_farm("round_robin", 1, lam, service_rate_per_s=mu, n_requests=n_requests, seed=seed,
                      workers_per_server=c)
    name = f"one queue, {c} workers vs M/M/{c}"
    return [_row(name, load, "mean_s", result.mean_s, mmc_mean_response_s(lam, mu, c)),
            _row(name, load, "p99_s", result.p99_s, mmc_response_percentile_s(lam, mu, c, q=0.99))]


def compare_power_of_d_to_supermarket(load: float, *, d: int = 2, n_servers: int = 100,
                                      service_rate_per_s: float = 1.0,
                                      n_requests: int = 100_000,
                                      seed: Seed = None) -> list[TheoryRow]:
    """Power of ``d`` choices on ``n_servers`` against the supermarket limit ``T_d(load)``.

    The limit is for infinitely many servers; finite farms sit a little above it.

    Examples
    --------
    >>> rows = compare_power_of_d_to_supermarket(0.5, n_servers=50, n_requests=20_000, seed=1)
    >>> round(rows[0].theory, 4)
    1.2657
    >>> abs(rows[0].relative_error) < 0.05
    True
    """
    _check_common(load, service_rate_per_s, n_requests)
    check_int("d", d, low=1)
    check_int("n_servers", n_servers, low=1)
    mu = service_rate_per_s
    result = run_farm(PowerOfChoices(d), n_servers, load * mu * n_servers, service_rate_per_s=mu,
                      n_requests=n_requests, seed=seed)
    name = f"power of {d} over {n_servers} servers vs supermarket limit"
    return [_row(name, load, "mean_s", result.mean_s, supermarket_mean_response(load, d) / mu)]


def theory_table(loads=(0.3, 0.6, 0.8, 0.9), *, n_requests: int = 50_000,
                 seed: Seed = None) -> list[TheoryRow]:
    """All three comparisons at each load, in one list of rows ready to print.

    Examples
    --------
    >>> rows = theory_table(loads=(0.5,), n_requests=10_000, seed=2)
    >>> len(rows), sorted({r.metric for r in rows})
    (5, ['mean_s', 'p99_s'])
    """
    rows: list[TheoryRow] = []
    for load in loads:
        rows += compare_random_to_mm1(load, n_requests=n_requests, seed=seed)
        rows += compare_shared_queue_to_mmc(load, n_requests=n_requests, seed=seed)
        rows += compare_power_of_d_to_supermarket(load, n_requests=n_requests, seed=seed)
    return rows
