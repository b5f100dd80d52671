"""Health checks follow ELB's thresholds; target groups skip unhealthy targets and honour zones."""

import random
from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.availability.load_balancing.health import (
    HealthCheckConfig, HealthChecker, NoHealthyTarget, TargetGroup, detection_delay_s,
    run_health_checks,
)
from labsupport.availability.load_balancing.policies import (
    BalancerState, LeastOutstandingRequests, PowerOfChoices, RandomChoice, RoundRobin,
)


def test_defaults_and_ranges_are_albs():
    config = HealthCheckConfig()
    assert (config.interval_s, config.timeout_s) == (30.0, 5.0)
    assert (config.healthy_threshold, config.unhealthy_threshold) == (5, 2)


@pytest.mark.parametrize("kwargs, match", [
    ({"interval_s": 4}, r"interval_s=4 .* 5 <= interval_s <= 300"),
    ({"interval_s": 301}, "interval_s=301"),
    ({"timeout_s": 1}, r"2 <= timeout_s <= 120"),
    ({"healthy_threshold": 1}, r"2 <= healthy_threshold <= 10"),
    ({"unhealthy_threshold": 11}, r"2 <= unhealthy_threshold <= 10"),
])
def test_out_of_range_settings_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        HealthCheckConfig(**kwargs)


def test_thresholds_count_consecutive_results_only():
    hc = HealthChecker(["t"], HealthCheckConfig(unhealthy_threshold=3, healthy_threshold=2),
                       start_healthy=True)
    for ok in (False, False, True, False, False, True):   # never three failures in a row
        assert hc.record("t", ok) == "healthy"
    assert [hc.record("t", False) for _ in range(3)] == ["healthy", "healthy", "unhealthy"]
    assert [hc.record("t", ok) for ok in (True, False, True, True)] == \
        ["unhealthy", "unhealthy", "unhealthy", "healthy"]


def test_a_new_target_needs_one_passed_check():
    hc = HealthChecker(["t"])
    assert hc.state("t") == "initial" and not hc.is_healthy("t")
    assert hc.record("t", True) == "healthy"
    with pytest.raises(ValueError, match="not registered"):
        hc.record("u", True)


@settings(max_examples=60, deadline=None)
@given(history=st.lists(st.booleans(), max_size=30), ending=st.booleans(),
       healthy_threshold=st.integers(2, 10), unhealthy_threshold=st.integers(2, 10))
def test_a_long_enough_run_of_results_decides_the_state(history, ending, healthy_threshold,
                                                        unhealthy_threshold):
    config = HealthCheckConfig(healthy_threshold=healthy_threshold,
                               unhealthy_threshold=unhealthy_threshold)
    hc = HealthChecker(["t"], config)
    for ok in history:
        hc.record("t", ok)
    run = healthy_threshold if ending else unhealthy_threshold
    for _ in range(run):
        state = hc.record("t", ending)
    assert state == ("healthy" if ending else "unhealthy")


def test_simulated_detection_falls_inside_the_documented_window():
    config = HealthCheckConfig(interval_s=10, unhealthy_threshold=3, healthy_threshold=2)
    shortest, longest = detection_delay_s(config)
    assert (shortest, longest) == (20.0, 30.0)
    delays = []
    for seed in range(30):
        trace = run_health_checks(["t"], {"t": [(100.0, 1000.0)]}, 300.0, seed=seed, config=config)
        [marked] = [t for t, _, state in trace if state == "unhealthy"]
        delays.append(marked - 100.0)
    assert all(shortest < d <= longest for d in delays)
    assert max(delays) - min(delays) > 5.0        # the phase really is random


def test_health_trace_is_deterministic_and_recovers():
    args = (["a", "b"], {"b": [(100.0, 400.0)]}, 600.0)
    trace = run_health_checks(*args, seed=1)
    assert trace == run_health_checks(*args, seed=1)
    assert [state for _, target, state in trace if target == "b"] == \
        ["healthy", "unhealthy", "healthy"]
    assert [state for _, target, state in trace if target == "a"] == ["healthy"]
    with pytest.raises(ValueError, match="not registered"):
        run_health_checks(["a"], {"z": [(0.0, 1.0)]}, 10.0, seed=1)


def mark(group, target, healthy):
    threshold = group.health.config.healthy_threshold if healthy else \
        group.health.config.unhealthy_threshold
    for _ in range(threshold):
        group.health.record(target, healthy)


@pytest.mark.parametrize("policy", [RoundRobin(), RandomChoice(), LeastOutstandingRequests(),
                                    PowerOfChoices(2)])
def test_unhealthy_targets_are_skipped(policy):
    group = TargetGroup(["a", "b", "c", "d"], policy)
    mark(group, "b", healthy=False)
    rng, state = random.Random(0), BalancerState()
    counts = Counter(group.route(state, rng) for _ in range(300))
    assert set(counts) == {"a", "c", "d"}
    mark(group, "b", healthy=True)
    assert "b" in {group.route(state, rng) for _ in range(300)}


def test_no_healthy_target_is_a_503_unless_failing_open():
    group = TargetGroup(["a", "b"], RoundRobin())
    for target in "ab":
        mark(group, target, healthy=False)
    answer = group.route(BalancerState(), random.Random(0))
    assert isinstance(answer, NoHealthyTarget) and answer.status_code == 503
    assert group.traffic_shares() == {"a": 0.0, "b": 0.0}
    open_group = TargetGroup(["a", "b"], RoundRobin(), fail_open=True)
    for target in "ab":
        mark(open_group, target, healthy=False)
    assert {open_group.route(BalancerState(), random.Random(0)) for _ in range(4)} == {"a", "b"}


def test_cross_zone_off_keeps_each_nodes_traffic_in_its_zone():
    zones = {"a1": "a", "a2": "a"} | {f"b{i}": "b" for i in range(8)}
    off = TargetGroup(zones, RoundRobin(), cross_zone=False)
    on = TargetGroup(zones, RoundRobin())
    assert off.traffic_shares()["a1"] == pytest.approx(0.25)     # 1/2 zone / 2 targets
    assert off.traffic_shares()["b0"] == pytest.approx(0.0625)   # 1/2 zone / 8 targets
    assert all(s == pytest.approx(0.1) for s in on.traffic_shares().values())
    rng = random.Random(0)
    assert {off.route(BalancerState(), rng, zone="a") for _ in range(20)} == {"a1", "a2"}
    assert len({on.route(BalancerState(), rng, zone="a") for _ in range(20)}) == 10
    for target in ("a1", "a2"):
        mark(off, target, healthy=False)
    assert isinstance(off.route(BalancerState(), rng, zone="a"), NoHealthyTarget)
    assert sum(off.traffic_shares().values()) == pytest.approx(0.5)   # zone a's half is 503s
    with pytest.raises(ValueError, match="zone='c'"):
        off.route(BalancerState(), rng, zone="c")


def test_bad_target_groups_are_refused():
    with pytest.raises(ValueError, match="target group is empty"):
        TargetGroup([], RoundRobin())
    with pytest.raises(ValueError, match="d=3 .* 1 <= d <= 2"):
        TargetGroup(["a", "b"], PowerOfChoices(3))
    with pytest.raises(TypeError, match="choose"):
        TargetGroup(["a"], object())
