"""Back-of-the-envelope predictions for the web application: the web tier's latency, and what a zone loss costs.

An engineer on call does this arithmetic before any simulation: how slow is
a pool of ``c`` workers at this load (Erlang C), and how many requests fail
when a zone goes dark? The second question splits into two windows:

* until the load balancer's health checks notice, ``1/z`` of the attempts go
  to dead targets (the lost zone held ``1/z`` of the instances); a request
  fails only if it and all its ``r`` retries land there: ``(1/z)**(r+1)``;
* while the database fails over, every write fails (retries back off for at
  most a second, far shorter than a failover), and so does every read the
  cache cannot answer unless a read replica survives elsewhere.

The predictions ignore overload and the retries' extra load; the page sets
them beside the simulation (:mod:`labsupport.usecases.webapp`) to show how
far that gets.
"""

from __future__ import annotations

import math

from labsupport.checks import check_int, check_number, check_probability
from labsupport.foundations.queueing import mmc_mean_response_s, mmc_response_percentile_s

__all__ = ["web_tier_latency_s", "expected_incident_errors", "budget_seconds"]


def web_tier_latency_s(rate_rps: float, *, instances: int, workers_per_instance: int,
                       service_s: float) -> tuple[float, float]:
    """(mean, p99) response time of the web tier taken as one M/M/c queue, ``c = instances * workers``.

    Examples
    --------
    >>> [round(x, 4) for x in web_tier_latency_s(300, instances=6, workers_per_instance=2, service_s=0.02)]
    [0.0201, 0.0922]
    """
    check_number("rate_rps", rate_rps, low=0, low_open=True)
    check_number("service_s", service_s, low=0, low_open=True)
    check_int("instances", instances, low=1)
    check_int("workers_per_instance", workers_per_instance, low=1)
    c, mu = instances * workers_per_instance, 1 / service_s
    return mmc_mean_response_s(rate_rps, mu, c), mmc_response_percentile_s(rate_rps, mu, c, q=0.99)


def expected_incident_errors(rate_rps: float, *, zones: int, retries: int, detection_s: float, failover_s: float,
                             replicas: int, write_fraction: float, hit_ratio: float, cache_warm_s: float = 300.0,
                             cache_lost: float | None = None) -> dict[str, float]:
    """Expected failed requests when a zone that holds the database primary is lost, by cause.

    ``cache_lost`` is the share of cache keys lost with the zone (default
    ``1/zones``); the hit ratio recovers as ``exp(-t / cache_warm_s)``.

    Examples
    --------
    >>> e = expected_incident_errors(300, zones=3, retries=1, detection_s=20, failover_s=90, replicas=0,
    ...                              write_fraction=0.1, hit_ratio=0.85)
    >>> {k: round(v) for k, v in e.items()}
    {'dead targets': 667, 'writes during failover': 2700, 'reads during failover': 9593}
    """
    check_int("zones", zones, low=1)
    check_int("retries", retries, low=0)
    check_int("replicas", replicas, low=0)
    for name, value in (("rate_rps", rate_rps), ("detection_s", detection_s), ("failover_s", failover_s),
                        ("cache_warm_s", cache_warm_s)):
        check_number(name, value, low=0)
    check_probability("write_fraction", write_fraction)
    check_probability("hit_ratio", hit_ratio)
    if cache_lost is not None:
        check_probability("cache_lost", cache_lost)
    lost = 1 / zones if cache_lost is None else cache_lost
    if failover_s > 0:
        mean_cold = lost * cache_warm_s / failover_s * (1 - math.exp(-failover_s / cache_warm_s))
    else:
        mean_cold = lost
    hit = hit_ratio * (1 - mean_cold)
    return {
        "dead targets": rate_rps * detection_s * (1 / zones) ** (retries + 1),
        "writes during failover": rate_rps * write_fraction * failover_s,
        "reads during failover": 0.0 if replicas else rate_rps * (1 - write_fraction) * (1 - hit) * failover_s,
    }


def budget_seconds(target: float, window_s: float = 3600.0) -> float:
    """An error budget as seconds of total outage: ``(1 - target) * window_s``.

    Examples
    --------
    >>> round(budget_seconds(0.999), 2), round(budget_seconds(0.995), 1)
    (3.6, 18.0)
    """
    check_number("target", target, low=0, low_open=True, high=1, high_open=True)
    return (1 - target) * check_number("window_s", window_s, low=0)
