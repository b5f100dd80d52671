"""The simulated farm: deterministic, conserving, fast, and it ranks policies as theory says."""

import math

import numpy as np
import pytest

from labsupport.availability.load_balancing import (
    LeastOutstandingRequests, PowerOfChoices, RoundRobin, WeightedRoundRobin, run_farm,
)
from labsupport.foundations.queueing import UnstableQueueError


def test_same_seed_same_result_and_other_seed_other_result():
    a = run_farm("power_of_two", 8, 6.0, service_rate_per_s=1.0, n_requests=5000, seed=11)
    assert a == run_farm("power_of_two", 8, 6.0, service_rate_per_s=1.0, n_requests=5000, seed=11)
    assert a.response_times_s != run_farm("power_of_two", 8, 6.0, service_rate_per_s=1.0, n_requests=5000, seed=12).response_times_s


def test_a_policy_object_is_copied_not_consumed():
    rr = RoundRobin()
    first = run_farm(rr, 3, 2.0, service_rate_per_s=1.0, n_requests=3000, seed=4)
    assert first == run_farm(rr, 3, 2.0, service_rate_per_s=1.0, n_requests=3000, seed=4)
    assert rr._turn == 0


def test_counts_and_utilisation_add_up():
    r = run_farm("random", 5, 3.0, service_rate_per_s=1.0, n_requests=40_000, seed=2, warmup_fraction=0.25)
    assert r.n_measured == 30_000 == sum(r.request_counts) == len(r.response_times_s)
    assert r.load == pytest.approx(0.6)
    assert all(u == pytest.approx(0.6, abs=0.03) for u in r.utilisation)
    assert r.p50_s <= r.mean_s <= r.p99_s <= r.p999_s <= max(r.response_times_s)
    assert np.mean(r.response_times_s) == pytest.approx(r.mean_s)


def test_round_robin_spreads_requests_exactly():
    r = run_farm("round_robin", 4, 2.0, service_rate_per_s=1.0, n_requests=4000, seed=0, warmup_fraction=0.0)
    assert r.request_counts == (1000, 1000, 1000, 1000)


def test_policies_rank_on_p99_at_high_load():
    """At load 0.9 on 10 servers: least-outstanding < two choices < round robin < random."""
    runs = {name: run_farm(name, 10, 9.0, service_rate_per_s=1.0, n_requests=30_000, seed=3)
            for name in ("least_outstanding_requests", "power_of_two", "round_robin", "random")}
    p99 = {name: r.p99_s for name, r in runs.items()}
    assert p99["least_outstanding_requests"] < 0.6 * p99["round_robin"]
    assert p99["round_robin"] < 0.8 * p99["random"]
    assert p99["least_outstanding_requests"] < p99["power_of_two"] < p99["round_robin"]


def test_least_outstanding_adapts_to_heterogeneous_speeds():
    """One server three times faster: round robin overloads the slow ones (1.2 > 1 each)."""
    speeds = [3.0, 1.0, 1.0, 1.0]
    rr = run_farm("round_robin", 4, 4.8, service_rate_per_s=1.0, n_requests=30_000, seed=5, speeds=speeds)
    lor = run_farm(LeastOutstandingRequests(), 4, 4.8, service_rate_per_s=1.0, n_requests=30_000, seed=5, speeds=speeds)
    assert lor.p99_s < rr.p99_s / 5
    assert min(rr.utilisation[1:]) > 0.97
    assert lor.request_counts[0] > 2 * max(lor.request_counts[1:])
    wrr = run_farm(WeightedRoundRobin({0: 3, 1: 1, 2: 1, 3: 1}), 4, 4.8, service_rate_per_s=1.0, n_requests=30_000, seed=5,
                   speeds=speeds)
    assert wrr.request_counts[0] == pytest.approx(3 * wrr.request_counts[1], rel=0.01)
    assert wrr.p99_s < rr.p99_s / 5


def test_deterministic_service_matches_pollaczek_khinchine():
    # Random split -> independent M/D/1 queues: T = 1/mu + rho / (2 mu (1 - rho)).
    rho = 0.6
    r = run_farm("random", 4, 4 * rho, service_rate_per_s=1.0, n_requests=40_000, seed=8, service_time="deterministic")
    assert r.mean_s == pytest.approx(1 + rho / (2 * (1 - rho)), rel=0.04)
    assert min(r.response_times_s) == pytest.approx(1.0)


def test_custom_service_time_and_client_keys():
    r = run_farm("consistent_hash", 4, 1.0, service_rate_per_s=1.0, n_requests=2000, seed=1, n_clients=1,
                 service_time=lambda rng: 0.5 + rng.random())
    assert sorted(r.request_counts)[:3] == [0, 0, 0]     # one client sticks to one server
    with pytest.raises(ValueError, match="service_time"):
        run_farm("random", 2, 1.0, service_rate_per_s=1.0, n_requests=100, seed=1, service_time=lambda rng: -1.0)


def test_student_policy_plugs_in_and_bad_answers_are_caught():
    class Shortest:
        def choose(self, targets, state, rng):
            return np.int64(min(targets, key=lambda t: state.outstanding[t]))

    assert run_farm(Shortest(), 3, 2.0, service_rate_per_s=1.0, n_requests=2000, seed=1).policy == "Shortest"

    class Wrong:
        def choose(self, targets, state, rng):
            return len(targets)

    with pytest.raises(ValueError, match=r"policy.choose\(...\)=3 is not a target"):
        run_farm(Wrong(), 3, 2.0, service_rate_per_s=1.0, n_requests=100, seed=1)
    with pytest.raises(TypeError, match="choose"):
        run_farm(object(), 3, 2.0, service_rate_per_s=1.0, n_requests=100, seed=1)


def test_overload_is_refused_unless_asked_for():
    with pytest.raises(UnstableQueueError, match="rho=1.2"):
        run_farm("random", 2, 2.4, service_rate_per_s=1.0, n_requests=1000, seed=1)
    r = run_farm("random", 2, 2.4, service_rate_per_s=1.0, n_requests=4000, seed=1, allow_overload=True)
    assert r.load == pytest.approx(1.2) and r.p99_s > 50


@pytest.mark.parametrize("kwargs, error, match", [
    ({"arrival_rate_per_s": 0.0}, ValueError, r"^arrival_rate_per_s=0.0"),
    ({"arrival_rate_per_s": -1.0}, ValueError, r"^arrival_rate_per_s=-1.0"),
    ({"service_rate_per_s": 0.0}, ValueError, r"^service_rate_per_s=0.0"),
    ({"n_servers": 0}, ValueError, r"^n_servers=0 is out of range; choose n_servers >= 1"),
    ({"n_servers": 2.0}, TypeError, "n_servers must be an int"),
    ({"policy": PowerOfChoices(5)}, ValueError, r"d=5 .* 1 <= d <= n_servers"),
    ({"speeds": [1.0, -1.0, 1.0]}, ValueError, r"speeds\[1\]=-1.0"),
    ({"speeds": [1.0]}, ValueError, "one per server"),
    ({"warmup_fraction": 1.0}, ValueError, "warmup_fraction"),
    ({"policy": "fastest"}, ValueError, "unknown"),
    ({"workers_per_server": 0}, ValueError, "workers_per_server=0"),
])
def test_bad_input_is_refused_with_the_parameter_named(kwargs, error, match):
    args = {"policy": "random", "n_servers": 3, "arrival_rate_per_s": 1.0,
            "service_rate_per_s": 1.0, "n_requests": 100, "seed": 1} | kwargs
    with pytest.raises(error, match=match):
        run_farm(**args)


def test_all_requests_finish():
    r = run_farm("least_outstanding_requests", 3, 2.7, service_rate_per_s=1.0, n_requests=3000, seed=9, warmup_fraction=0.0)
    assert not any(math.isnan(t) for t in r.response_times_s)
