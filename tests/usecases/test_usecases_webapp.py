"""The web application use case: its queues, its control plane, its SLO arithmetic, and its predictions."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.usecases.slo import budget_used, slo_windows, verdict
from labsupport.usecases.webapp import STEP_S, run_webapp
from labsupport.usecases.webapp_parts import Pool, Scenario, WebAppConfig, Workload
from labsupport.usecases.webapp_theory import budget_seconds, expected_incident_errors, web_tier_latency_s

QUIET = Scenario(duration_s=1200, spike=None, zone_loss=None)


def short(zone_loss=None, spike=None, duration_s=1800):
    return Scenario(duration_s=duration_s, spike=spike, zone_loss=zone_loss)


# -- the queue of one tier ---------------------------------------------------------
def test_a_stable_pool_keeps_no_backlog_and_waits_like_mmc():
    pool = Pool(mu=50.0, timeout_s=2.0)
    sampler = pool.step(c=10, lam=400.0, dt_s=10.0)
    waits = sampler(np.random.default_rng(1), 200_000)
    assert pool.backlog == 0.0
    # M/M/10 at rho = 0.8: P(wait > 0) is Erlang C, about 0.41; the mean wait is C / (c mu - lam).
    assert abs((waits > 0).mean() - 0.4092) < 0.01
    assert abs(waits.mean() - 0.4092 / 100) < 0.0003


@settings(max_examples=40, deadline=None)
@given(c=st.integers(1, 20), over=st.floats(1.05, 4.0))
def test_an_overloaded_pool_grows_a_backlog_then_serves_capacity_over_load(c, over):
    mu, timeout = 50.0, 2.0
    pool = Pool(mu=mu, timeout_s=timeout)
    lam = over * c * mu
    for _ in range(20):  # long enough to fill the queue
        sampler = pool.step(c=c, lam=lam, dt_s=10.0)
    assert pool.backlog == pytest.approx(c * mu * timeout)
    waits = sampler(np.random.default_rng(2), 50_000)
    served = (waits <= timeout).mean()
    assert abs(served - 1 / over) < 0.02


def test_a_pool_without_workers_serves_nothing():
    assert Pool(mu=50.0, timeout_s=2.0).step(c=0, lam=10.0, dt_s=10.0) is None


# -- validation ---------------------------------------------------------------
@pytest.mark.parametrize("kwargs, message", [
    (dict(zones=0), "zones=0"), (dict(max_instances=3), "max_instances=3"),
    (dict(db_replicas=9), "db_replicas=9"), (dict(cache="yes"), "cache must be bool"), (dict(target_cpu=0), "target_cpu"),
])
def test_bad_designs_are_refused_with_the_setting_named(kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):  # cache="yes" is a wrong type
        WebAppConfig(**kwargs)


def test_from_dict_names_unknown_settings():
    with pytest.raises(ValueError, match=r"unknown setting\(s\) \['zone'\]"):
        WebAppConfig.from_dict({"zone": 3})
    assert WebAppConfig.from_dict({"zones": 2}).zones == 2


def test_bad_scenarios_and_workloads_are_refused():
    with pytest.raises(ValueError, match="spike="):
        Scenario(spike=(100.0, -1.0, 2.0))
    with pytest.raises(ValueError, match="duration_s"):
        Scenario(duration_s=601)
    with pytest.raises(ValueError, match="write_fraction"):
        Workload(write_fraction=1.5)
    with pytest.raises(TypeError, match="seed"):
        run_webapp(WebAppConfig(), QUIET, seed=1.5)


# -- the run ------------------------------------------------------------------
def test_same_seed_same_dashboard_event_for_event():
    sc = short(zone_loss=(0, 600.0, 600.0), spike=(300.0, 300.0, 2.0))
    a, b = run_webapp(WebAppConfig(), sc, seed=3), run_webapp(WebAppConfig(), sc, seed=3)
    assert a == b and a.events == b.events
    assert run_webapp(WebAppConfig(), sc, seed=4).requests != a.requests


def test_a_quiet_run_has_no_errors_and_the_web_tier_latency_of_mmc():
    r = run_webapp(WebAppConfig(), QUIET, seed=1)
    assert sum(r.errors) == 0 and len(r.times_s) == 20
    assert all(p50 < 0.03 for p50 in r.p50_s)
    # Web service time is exponential with mean 20 ms: its p99 is about 92 ms, and the cache and database add little.
    assert all(0.08 < p99 < 0.13 for p99 in r.p99_s)
    assert r.latency_slo(window_s=600).met and r.availability_slo(window_s=600).met


def test_losing_the_primarys_zone_fails_over_within_the_documented_time():
    r = run_webapp(WebAppConfig(), short(zone_loss=(0, 600.0, 600.0)), seed=5)
    events = {text: t for t, text in r.events}
    assert events["az-a lost"] == 600.0
    assert 60 <= events["standby is the primary"] - 600.0 <= 120
    assert 15 <= events["load balancer stops routing to az-a"] - 600.0 <= 25  # 10 s checks, 2 failures, 5 s timeout


def test_without_standby_or_replica_the_database_is_down_until_its_zone_returns():
    cfg = WebAppConfig(db_standby=False, db_replicas=0)
    r = run_webapp(cfg, short(zone_loss=(0, 300.0, 600.0)), seed=2)
    texts = [text for _, text in r.events]
    assert "database primary restarted" in texts
    down = r.error_rate[6:14]  # minutes 6-13: writes and cache misses fail
    assert min(down) > 0.2
    assert r.error_rate[-1] == 0.0


def test_a_read_replica_keeps_reads_working_during_the_failover():
    sc = short(zone_loss=(0, 600.0, 1200.0))
    without = run_webapp(WebAppConfig(db_replicas=0), sc, seed=7)
    with_replica = run_webapp(WebAppConfig(db_replicas=1), sc, seed=7)
    assert sum(with_replica.errors) < 0.5 * sum(without.errors)


def test_retries_rescue_requests_sent_to_a_dead_zone():
    sc = short(zone_loss=(1, 600.0, 600.0))
    errors = [sum(run_webapp(WebAppConfig(retries=k), sc, seed=4).errors) for k in (0, 1, 2)]
    assert errors[0] > 2 * errors[1] > 0 and errors[1] > errors[2]


def test_headroom_absorbs_a_spike_that_breaks_a_tight_fleet():
    sc = short(spike=(300.0, 600.0, 2.2))
    tight = run_webapp(WebAppConfig(), sc, seed=1)
    roomy = run_webapp(WebAppConfig(instances_per_zone=3, target_cpu=40), sc, seed=1)
    assert not tight.latency_slo(0.999, window_s=1800).met
    assert roomy.latency_slo(0.999, window_s=1800).met
    assert roomy.mean_cost_per_hour_usd > tight.mean_cost_per_hour_usd * 0.9


def test_a_fixed_fleet_never_scales_and_costs_a_fixed_rate():
    r = run_webapp(WebAppConfig(target_cpu=None), QUIET, seed=1)
    assert set(r.running) == {6} and len(set(r.cost_per_hour_usd)) == 1
    # 6 x $0.096 + 1 database node $0.192 + standby $0.192 + 3 cache nodes x $0.05 + load balancer $0.03
    assert r.cost_per_hour_usd[0] == pytest.approx(6 * 0.096 + 2 * 0.192 + 3 * 0.05 + 0.03)


def test_the_zone_loss_prediction_matches_the_simulation():
    # Headroom, so that the zone loss causes no overload (which the prediction leaves out).
    cfg, wl = WebAppConfig(instances_per_zone=3), Workload()
    for seed in (11, 14):
        r = run_webapp(cfg, short(zone_loss=(0, 600.0, 1200.0)), wl, seed=seed)
        events = {text: t for t, text in r.events}
        detect, failover = events["load balancer stops routing to az-a"] - 600, events["standby is the primary"] - 600
        step = lambda s: math.ceil(s / STEP_S) * STEP_S  # the simulation acts at the end of a step  # noqa: E731
        rate = sum(r.load_rps[10:12]) / 2  # the traffic of the minutes the failover spans
        predicted = sum(expected_incident_errors(rate, zones=3, retries=cfg.retries, detection_s=step(detect),
                                                 failover_s=step(failover), replicas=0,
                                                 write_fraction=wl.write_fraction,
                                                 hit_ratio=wl.cache_hit_ratio).values())
        measured = sum(r.errors[10:10 + int((failover + 120) // 60) + 1])
        assert abs(measured - predicted) / predicted < 0.06


# -- SLO arithmetic ---------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(counts=st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 1000)), min_size=1, max_size=200),
       window=st.sampled_from([60.0, 600.0, 3600.0]))
def test_windows_partition_the_counts(counts, window):
    requests = [max(a, b) for a, b in counts]
    bad = [min(a, b) for a, b in counts]
    times = [60.0 * i for i in range(len(counts))]
    w = slo_windows(times, requests, bad, window_s=window, target=0.999)
    assert sum(x.requests for x in w) == sum(requests) and sum(x.bad for x in w) == sum(bad)
    assert all(x.end_s - x.start_s == window for x in w)
    v = verdict(w, latency_s=0.3)
    assert v.met == all(x.bad <= 0.001 * x.requests + 1e-9 for x in w)
    assert v.worst.good_fraction == min(x.good_fraction for x in w)


def test_budget_arithmetic_and_its_errors():
    assert budget_used(1_000_000, 1000, 0.999) == pytest.approx(1.0)
    assert budget_seconds(0.999) == pytest.approx(3.6)
    with pytest.raises(ValueError, match="target"):
        budget_used(10, 1, 1.0)
    with pytest.raises(ValueError, match="bad"):
        budget_used(10, 11, 0.9)
    with pytest.raises(ValueError, match="same length"):
        slo_windows([0.0], [1, 2], [0, 0], window_s=60, target=0.9)


def test_web_tier_latency_is_mm1_for_one_worker():
    mean_s, p99_s = web_tier_latency_s(40.0, instances=1, workers_per_instance=1, service_s=0.02)
    assert mean_s == pytest.approx(1 / (50 - 40)) and p99_s == pytest.approx(math.log(100) / 10)
