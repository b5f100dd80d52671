"""The monitored web service: metrics go missing with the host, errors follow the crash, queues follow M/M/1."""

import math
import statistics

import pytest

from labsupport.monitoring.cloudwatch.metrics import percentile
from labsupport.monitoring.incident import (error_rate_series, expected_detection_delay_s, metric_series,
                                 pooled_response_percentile_s, run_incident)
from labsupport.foundations.queueing import mm1_mean_response_s

SHORT = dict(duration_s=600, crash_at_s=130, recover_at_s=400, seed=7)


@pytest.fixture(scope="module")
def short():
    return run_incident(**SHORT)


def test_same_seed_same_run_event_for_event():
    tiny = dict(duration_s=200, crash_at_s=70, recover_at_s=150, arrival_rate_per_s=4, seed=7)
    first = run_incident(**tiny)
    again = run_incident(**tiny)
    assert again.requests == first.requests and again.datapoints == first.datapoints
    assert again.transitions == first.transitions and first.errors > 0
    assert run_incident(**{**tiny, "seed": 8}).requests != first.requests


def test_the_crashed_hosts_agent_falls_silent_and_the_others_do_not(short):
    cpu2 = metric_series(short, "CPUUtilization", statistic="Average", host="host2")
    # agent datapoints at 60, 120, ...: none while host2 is down (130..400), first again at 460
    assert [k for k, v in enumerate(cpu2) if v is None] == [0, 3, 4, 5, 6]
    cpu1 = metric_series(short, "CPUUtilization", statistic="Average", host="host1")
    assert cpu1[0] is None and all(v is not None for v in cpu1[1:])


def test_errors_come_only_from_the_crashed_host_before_it_is_taken_out(short):
    out = next(t for t, h, ok in short.transitions if h == "host2" and not ok)
    back = next(t for t, h, ok in short.transitions if h == "host2" and ok)
    failed = [r for r in short.requests if r.latency_s is None]
    assert failed and {r.host for r in failed} == {"host2"}
    assert all(SHORT["crash_at_s"] - 5 <= r.time_s <= out for r in failed)
    assert not any(r.host == "host2" and out < r.time_s < back for r in short.requests)
    # marked unhealthy by the 2nd failed check (every 30 s, 5 s timeout), healthy after 2 good ones
    assert 30 + 5 <= out - SHORT["crash_at_s"] <= 60 + 5
    assert 30 <= back - SHORT["recover_at_s"] <= 60 + 1


def test_error_rate_series_is_errors_over_requests(short):
    rates = error_rate_series(short)
    total = metric_series(short, "RequestCount", statistic="Sum")
    errors = sum(r.latency_s is None and r.time_s < 600 - 5 for r in short.requests)
    assert sum(rate * n / 100 for rate, n in zip(rates, total)) == pytest.approx(errors, abs=3)
    assert rates[0] == 0 and max(rates) > 5


def test_unequal_hosts_follow_mm1_and_the_pooled_percentile():
    r = run_incident(weights=[4, 3, 2, 1], hosts=4, crash_host=None, duration_s=900, seed=3)
    rtt = 0.002
    for host, lam in zip(r.hosts, r.arrival_rates_per_s):
        lat = [q.latency_s for q in r.requests if q.host == host]
        assert statistics.fmean(lat) == pytest.approx(mm1_mean_response_s(lam, 6.5) + rtt, rel=0.15)
    pooled = [q.latency_s for q in r.requests]
    assert percentile(pooled, 99) == pytest.approx(
        pooled_response_percentile_s(r.arrival_rates_per_s, 6.5, 0.99) + rtt, rel=0.15)


def test_pooled_percentile_closed_form():
    assert pooled_response_percentile_s([2.0], 3.0, 0.99) == pytest.approx(math.log(100))
    lo, hi = pooled_response_percentile_s([1, 4], 6.5, 0.9), pooled_response_percentile_s([1, 4], 6.5, 0.99)
    assert lo < hi < pooled_response_percentile_s([4], 6.5, 0.99)
    for bad, word in [(dict(q=1.0), "q=1.0"), (dict(arrival_rates_per_s=[7.0]), "arrival_rates_per_s")]:
        with pytest.raises(ValueError, match=word):
            pooled_response_percentile_s(**{"arrival_rates_per_s": [1.0], "service_rate_per_s": 6.5, "q": 0.5, **bad})


def test_expected_detection_delay_brackets_the_simulated_ones():
    delays = []
    for seed in range(6):
        crash = 100 + 7.3 * seed
        r = run_incident(duration_s=200, crash_at_s=crash, recover_at_s=199, arrival_rate_per_s=0.5, seed=seed)
        delays.append(next(t for t, h, ok in r.transitions if not ok) - crash)
    assert all(35 <= d <= 65 for d in delays)
    assert statistics.fmean(delays) == pytest.approx(expected_detection_delay_s(30, 2, 5), rel=0.25)


@pytest.mark.parametrize("kwargs, word", [
    (dict(hosts=0), "hosts=0"), (dict(weights=[1, 0, 1]), "weights"), (dict(crash_host=4), "crash_host=4"),
    (dict(crash_at_s=500, recover_at_s=100), "crash_at_s=500"), (dict(arrival_rate_per_s=0), "arrival_rate_per_s"),
    (dict(unhealthy_threshold=0), "unhealthy_threshold")])
def test_bad_arguments_name_the_parameter(kwargs, word):
    with pytest.raises(ValueError, match=word):
        run_incident(**kwargs)
