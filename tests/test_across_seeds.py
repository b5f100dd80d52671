"""Every "simulation against theory" agreement a page prints holds on other seeds too, as often as the page says.

A page runs its experiment once, with ``SEED = 2026``, and prints a comparison table
(``labsupport.report.comparison``) next to a sentence saying how well the two agree. A lucky seed would make
the sentence true on the page and false for every reader who changes the seed. This file re-runs each
comparison through the same library calls, with the page's parameters, on seeds 1..20 (never the page's), and
checks the sentence:

- a *never*/*always* claim ("QoS 1 never loses a message", "every moved key went to the new node") must hold
  on every seed tried: ``share = 1``;
- a *statistical* claim ("within sampling error", "within a few percent") holds on a share of seeds that
  its tolerance implies; each claim says in its comment how its tolerance and required share follow from the
  page's wording. Where the page's wording states no number, the comment says which number we read into it.

A share below 1 is a statement about a binomial count, checked row by row: if a row lands inside two standard
errors with probability 0.95, then on 20 seeds at least 17 land inside with probability 0.98, so ``share=0.85``
would fail a correct claim about once in fifty *different* seed sets; the seed set here is fixed, so the test is
deterministic. Claims whose page wording had to change (because they held only on some seeds) are listed in
``SOMETIMES`` with the page's new wording.

Pages whose comparisons are deterministic (closed form against enumeration, brute force or the IAM guide's
documented outcomes) do not depend on a seed; they are not repeated here, since their own tests check them.
"""

from __future__ import annotations

import functools
import math
import statistics
from dataclasses import dataclass
from typing import Callable

import pytest

SEEDS = [s for s in range(1, 21)]  # 20 seeds; the pages use 2026
assert 2026 not in SEEDS

Rows = list  # [(measured, theory), ...]


@dataclass(frozen=True)
class Claim:
    page: str
    what: str  # the page's claim, in its own words where possible
    rows: Callable[[int], Rows]  # seed -> [(measured, theory), ...], the page's library calls and parameters
    tolerance: float  # relative error allowed for each row (absolute if ``absolute``)
    share: float = 1.0  # share of (seed, row) pairs that must be within tolerance
    absolute: bool = False
    seeds: tuple = tuple(SEEDS)
    slow: bool = False

    def within(self, measured, theory):
        error = abs(measured - theory)
        return error <= self.tolerance * (1 if self.absolute else abs(theory)) + 1e-12


def rel(pairs):
    return [(float(m), float(t)) for m, t in pairs]


# -- fault tolerance ----------------------------------------------------------------------------------------------
def _redundancy(seed):
    # The page's rows for k = 1, 2, 3; only 3-of-3, whose error is the largest, is repeated (2 s a run).
    from labsupport.foundations.redundancy import run_redundancy
    r = run_redundancy(n=3, k=3, mttf_s=900, mttr_s=100, duration_s=150_000, seed=seed)
    return [(r.probe_fraction, r.theory), (r.time_fraction, r.theory)]


def _redundancy_mttr(seed):
    # The page's MTTR table; only its noisiest row, MTTR 400 s, is repeated.
    from labsupport.foundations.redundancy import run_redundancy
    r = run_redundancy(n=3, k=2, mttf_s=900, mttr_s=400, duration_s=150_000, seed=seed)
    return [(r.probe_fraction, r.theory)]


# -- scalability --------------------------------------------------------------------------------------------------
def _contended(seed):
    from labsupport.foundations.scalability import mva_throughput, run_contended_workers
    out = []  # three of the page's fourteen rows: the ceiling, the peak and the decline (costly runs)
    for c, n in ((0.0, 16), (0.0005, 8), (0.0005, 64)):
        r = run_contended_workers(n, think_s=0.1, lock_s=0.02, coherency_s=c, duration_s=500, seed=seed)
        out.append((r.throughput_per_s, mva_throughput(n, 0.1, 0.02 + c * (n - 1))))
    return out


# -- EC2 ----------------------------------------------------------------------------------------------------------
def _placement(seed):
    from labsupport.services.ec2 import place_group, run_failures
    out = []
    for strategy in ("cluster", "spread"):
        r = run_failures(place_group(3, strategy, partitions=3), p_rack=0.1, p_host=0.1, trials=20_000, seed=seed)
        out.append((r.p_lost_all, r.theory))
    return out


# -- S3 -----------------------------------------------------------------------------------------------------------
def _s3_stale(seed):
    from labsupport.services.s3 import run_read_after_write
    r = run_read_after_write("eventual", n_writes=600, seed=seed)
    return [(r.stale_fraction, r.theory_stale_fraction)]


def _s3_consistent_never_stale(seed):
    from labsupport.services.s3 import run_read_after_write
    r = run_read_after_write("consistent", n_writes=600, seed=seed)
    return [(r.stale_reads, 0)]


# -- consistent hashing -------------------------------------------------------------------------------------------
def _ring_moves_only_to_the_newcomer(seed):
    from labsupport.data.hashing import HashRing, assign, movement
    keys = [f"user:{seed}:{i}" for i in range(5_000)]
    ring = HashRing([f"node-{seed}-{i}" for i in range(10)], vnodes=100)
    joined, left = ring.add_node("newcomer"), ring.remove_node(f"node-{seed}-3")
    base = assign(ring.lookup, keys)
    on_join = movement(base, assign(joined.lookup, keys), joined="newcomer")
    on_leave = movement(base, assign(left.lookup, keys), left=f"node-{seed}-3")
    return [(on_join.only_to_joined, True), (on_leave.only_from_left, True)]


def _schemes_move_only_to_the_newcomer(seed):
    from labsupport.data.hashing import compare_with_theory
    rows = compare_with_theory(num_nodes=10, vnodes=100, num_keys=2_000, trials=2, seed=seed)
    return [(r.measured, r.theory) for r in rows
            if "share of moved keys to newcomer" in r.quantity and not r.quantity.startswith("mod n")]


def _leaving_node_share(seed):
    from labsupport.data.hashing import HashRing, assign, movement
    keys = [f"user:{seed}:{i}" for i in range(20_000)]
    ring = HashRing([f"node-{seed}-{i}" for i in range(10)], vnodes=100)
    base = assign(ring.lookup, keys)
    on_leave = movement(base, assign(ring.remove_node(f"node-{seed}-3").lookup, keys), left=f"node-{seed}-3")
    return [(on_leave.fraction, ring.ownership()[f"node-{seed}-3"])]


# -- quorums ------------------------------------------------------------------------------------------------------
def _random_quorums(seed):
    from labsupport.data.quorum import p_stale, simulate_random_quorums
    return [(simulate_random_quorums(n, r, w, trials=40_000, k=k, seed=seed), p_stale(n, r, w, k=k))
            for n, r, w, k in [(3, 1, 1, 1), (3, 1, 2, 1), (3, 1, 1, 2), (5, 1, 2, 1), (5, 2, 2, 1), (5, 2, 2, 3)]]


def _read_latency(seed):
    from labsupport.data.quorum import expected_order_statistic, run_staleness
    out = []
    for r in (1, 2, 3):
        run = run_staleness(3, r, 1, t_s=0.0, trials=300, request_mean_s=0.001, reply_mean_s=0.0, seed=seed)
        out.append((run.read_latency_s, expected_order_statistic(r, 3, 0.001)))
    return out


# -- replication --------------------------------------------------------------------------------------------------
def _async_failover_losses(seed):
    from labsupport.data.replication import run_failover
    out = []
    for ship_ms, interval_ms in ((30, 20), (10, 20), (45, 20)):
        lost = [len(run_failover("async", ship_delay_s=ship_ms / 1000, write_interval_s=interval_ms / 1000,
                                 seed=1000 * seed + s).lost) for s in range(30)]
        out.append((statistics.mean(lost), ship_ms / interval_ms))
    return out


def _sync_failover_loses_nothing(seed):
    from labsupport.data.replication import run_failover
    return [(len(run_failover("sync", seed=seed).lost), 0)]


# -- durability ---------------------------------------------------------------------------------------------------
def _durability(seed):
    from labsupport.data.durability import erasure_durability, run_durability_simulation
    out = []
    for k, m in ((1, 1), (1, 2), (4, 2)):
        sim = run_durability_simulation(k, m, 0.5, repair_hours=1500, lifetimes=2000, seed=seed)
        out.append((sim.mttdl_years, erasure_durability(k, m, 0.5, repair_hours=1500).mttdl_years))
    return out


# -- failure detection --------------------------------------------------------------------------------------------
def _detection_time(seed):
    from labsupport.availability.failure_detection.detectors import (FixedTimeoutDetector, expected_detection_time_s,
                                                                     run_failure_detection)
    from labsupport.sim import Constant
    run = run_failure_detection({"3 s": FixedTimeoutDetector(3.0)}, latency=Constant(0.05), duration_s=3 * 3600,
                                mttf_s=150, mttr_s=20, seed=seed)
    return [(run.stats["3 s"].mean_detection_s, expected_detection_time_s(3.0, 1.0, 0.05))]


def _false_suspicions_exponential(seed):
    from labsupport.availability.failure_detection.detectors import (FixedTimeoutDetector, false_suspicion_probability,
                                                                     run_failure_detection)
    from labsupport.sim import Exponential
    timeouts = [1.3, 1.6, 2.0, 2.5]
    run = run_failure_detection({t: FixedTimeoutDetector(t) for t in timeouts}, latency=Exponential(0.1, 0.05),
                                loss=0.05, duration_s=7200, crashes=[], seed=seed)
    return [(run.stats[t].false_per_heartbeat,
             false_suspicion_probability(t, 1.0, jitter="exponential", scale_s=0.1, loss=0.05)) for t in timeouts]


@functools.lru_cache(maxsize=None)
def _normal_jitter_counts(seed):
    from labsupport.availability.failure_detection.detectors import (FixedTimeoutDetector, NormalJitter,
                                                                     false_suspicion_probability, run_failure_detection)
    timeouts = (1.1, 1.2, 1.3, 1.4)
    run = run_failure_detection({t: FixedTimeoutDetector(t) for t in timeouts}, latency=NormalJitter(0.2, 0.1),
                                duration_s=7200, crashes=[], seed=seed)
    return tuple((run.stats[t].false_suspicions,
                  false_suspicion_probability(t, 1.0, jitter="normal", scale_s=0.1) * run.stats[t].heartbeats)
                 for t in timeouts)


def _false_suspicions_normal(seed):
    # Rows in Poisson standard errors of the count of false suspicions, for the timeouts 1.1 s and 1.2 s.
    return [((count - expected) / math.sqrt(expected), 0) for count, expected in _normal_jitter_counts(seed)[:2]]


def _normal_jitter_tail_is_thinner(seed):
    # At 1.3 s and 1.4 s the simulation falls below the unclipped-normal formula (delays are clipped at zero).
    return [(count < expected, True) for count, expected in _normal_jitter_counts(seed)[2:]]


def _trade_off_monotone(seed):
    from labsupport.availability.failure_detection.detectors import FixedTimeoutDetector, run_failure_detection
    from labsupport.sim import Exponential
    fixed = [1.3, 1.6, 2.0, 2.2, 2.5, 3.0, 3.5, 4.0, 5.0]
    run = run_failure_detection({t: FixedTimeoutDetector(t) for t in fixed}, latency=Exponential(0.1, 0.05),
                                loss=0.05, duration_s=3 * 3600, mttf_s=150, mttr_s=20, seed=seed)
    false = [run.stats[t].false_suspicions for t in fixed]
    return [(false == sorted(false, reverse=True), True)]


# -- retries (backoff) --------------------------------------------------------------------------------------------
def _backoff_means(seed):
    import numpy as np
    from labsupport.availability.retries import backoff_delays_s
    base, cap = 0.1, 20.0
    delays = {s: np.array([backoff_delays_s(s, 8, base, cap_delay_s=cap, seed=seed * 10_000 + i) for i in range(4_000)])
              for s in ("full_jitter", "equal_jitter")}
    exp = backoff_delays_s("exponential", 8, base, cap_delay_s=cap, seed=0)
    return [(delays["full_jitter"][:, 2].mean(), exp[2] / 2), (delays["full_jitter"][:, 4].mean(), exp[4] / 2),
            (delays["equal_jitter"][:, 2].mean(), 0.75 * exp[2]), (delays["equal_jitter"][:, 4].mean(), 0.75 * exp[4])]


# -- isolation ----------------------------------------------------------------------------------------------------
def _poison(seed):
    from labsupport.availability.isolation.sharding import run_poison_customer
    out = []
    for scheme in ("none", "plain", "shuffle"):
        r = run_poison_customer(40_000, 8, 2, scheme=scheme, seed=seed)
        out.append((r.fully_affected, r.expected_fully_affected))
    r = run_poison_customer(40_000, 8, 2, scheme="shuffle", seed=seed)
    out.append((r.partially_affected, r.expected_partially_affected))
    return out


# -- DDoS ---------------------------------------------------------------------------------------------------------
def _syn_flood(seed):
    from labsupport.security.ddos import run_syn_flood
    out = []
    for rate in (10.0, 25.0, 40.0, 100.0, 400.0):
        r = run_syn_flood(rate, syn_cookies=False, seed=seed)
        out += [(r.mean_backlog, r.theory_backlog)] + ([(r.success, r.theory_success)] if rate < 400 else [])
    return out


def _syn_flood_400(seed):
    from labsupport.security.ddos import run_syn_flood
    r = run_syn_flood(400.0, syn_cookies=False, seed=seed)
    return [(r.success, r.theory_success)]


def _syn_cookies(seed):
    from labsupport.security.ddos import run_syn_flood
    return [(run_syn_flood(400.0, syn_cookies=True, seed=seed).success, 1.0)]


# -- Trusted Advisor ----------------------------------------------------------------------------------------------
def _low_utilization(seed):
    from labsupport.monitoring.trusted_advisor import generate_account, low_utilization, low_utilization_probability
    out = []
    for p in (0.1, 0.2, 2 / 7, 0.4):
        fleet = generate_account(n_instances=1500, idle_fraction=0, hot_fraction=0, weekend_idle_fraction=0,
                                 idle_day_probability=p, seed=seed)
        out.append((len(low_utilization(fleet)) / 1500, low_utilization_probability(p)))
    return out


# -- IoT ----------------------------------------------------------------------------------------------------------
def _qos1_never_loses(seed):
    from labsupport.usecases.iot import run_delivery
    return [(run_delivery(1, devices=10, messages=200, loss=0.1, ack_loss=0.4, seed=seed).lost, 0)]


def _qos0_never_duplicates(seed):
    from labsupport.usecases.iot import run_delivery
    return [(run_delivery(0, devices=10, messages=200, loss=0.1, ack_loss=0.4, seed=seed).duplicates, 0)]


def _qos1_copies(seed):
    from labsupport.usecases.iot import expected_copies, run_delivery
    out = []
    for b in (0.1, 0.3):
        r = run_delivery(1, devices=10, messages=200, loss=0.1, ack_loss=b, seed=seed)
        out.append((r.copies / r.sent, expected_copies(1, loss=0.1, ack_loss=b)))
    return out


# -- availability of a topology, disaster recovery, IoT streams: agreement in standard errors ---------------------
def _graph_monte_carlo(seed):
    # The page prints "Monte Carlo 0.99415 +- 0.00054": a row is the error in units of that standard error.
    from labsupport.foundations.availability import example_topology, graph_availability, simulate_graph_availability
    service = example_topology({"web": 2})
    estimate = simulate_graph_availability(service, "users", "data", trials=20_000, seed=seed)
    return [((estimate.availability - graph_availability(service, "users", "data")) / estimate.standard_error, 0)]


@functools.lru_cache(maxsize=None)
def _dr_expected_rpo_s(strategy):
    # The same on every seed, and a numerical integral (0.16 s a call): computed once per strategy.
    from labsupport.usecases.disaster_recovery import DrPlan, expected_rpo_s
    return expected_rpo_s(strategy, DrPlan())


def _disaster_recovery(seed):
    # "agree with the arithmetic within the scatter of twenty random outages": error in standard errors of the mean.
    from labsupport.usecases.disaster_recovery import DrPlan, expected_rto_s, measure
    plan = DrPlan()
    outcomes = measure(plan, trials=20, seed=seed)
    out = []
    for s, o in outcomes.items():
        for values, theory in ((o.rto_s, expected_rto_s(s, plan)),) + (
                ((o.rpo_s, _dr_expected_rpo_s(s)),) if s in ("backup_restore", "warm_standby") else ()):
            se = statistics.stdev(values) / math.sqrt(len(values))
            out.append(((statistics.fmean(values) - theory) / se if se > 0 else statistics.fmean(values) - theory, 0))
    return out


def _late_readings(seed):
    # No tolerance on the page; a dropped share p of n readings has a binomial standard error sqrt(p(1-p)/n).
    from labsupport.usecases.iot import expected_drop_fraction, synthetic_readings, tumbling
    readings = synthetic_readings(20, 300, mean_delay_s=2.0, seed=seed)
    out = []
    for disorder, lateness in ((0, 0), (1, 0), (2, 0), (1, 2), (1, 5)):
        run = tumbling(readings, 10, out_of_orderness_s=disorder, allowed_lateness_s=lateness)
        p = expected_drop_fraction(10, 2.0, out_of_orderness_s=disorder, allowed_lateness_s=lateness,
                                   readings_per_s=20)
        out.append(((len(run.dropped) / len(readings) - p) / math.sqrt(p * (1 - p) / len(readings)), 0))
    return out


# -- VPC: ephemeral ports against a narrow network ACL ---------------------------------------------------------------
def _reply_ports(seed):
    import random
    from labsupport.security.vpc import AclRule, analyze_path, example_network
    net = example_network()
    _, acl = net.acls["acl-db"]
    acl.outbound = (AclRule(100, "allow", "tcp", ports=(49152, 65535), cidr="10.0.0.0/21"),)
    rng, out = random.Random(seed), []
    for lo, hi in ((32768, 61000), (49152, 65535), (1024, 65535)):
        ports = [rng.randint(lo, hi) for _ in range(1000)]
        ok = sum(analyze_path(net, "app-1", "db-1", port=5432, ephemeral_port=p).reachable for p in ports)
        out.append((ok / len(ports), max(0, min(hi, 65535) - max(lo, 49152) + 1) / (hi - lo + 1)))
    return out


# -- never / always claims of other pages -----------------------------------------------------------------------------
def _abd_linearizable(seed):
    from labsupport.data.linearizability import check_linearizable
    from labsupport.data.quorum import run_new_old_inversion
    fixed = run_new_old_inversion(write_back=True, seed=seed)
    return [(check_linearizable(fixed.history, initial="old").linearizable, True)]


def _lease_and_fencing_end_split_brain(seed):
    from labsupport.availability.failover.procedure import FailoverConfig, Faults, run_failover
    quick = dict(promotion_s=2.0, detector_timeout_s=3.0, dns_update_s=1.0, dns_ttl_s=10.0)
    small = dict(clients=3, write_interval_s=1.5, duration_s=62, seed=seed)
    leased = run_failover(FailoverConfig(replication="async", lease_s=5.0, **quick), Faults(partition=(30.0, 60.0)),
                          **small)
    fenced = run_failover(FailoverConfig(replication="async", fencing=True, **quick),
                          Faults(partition=(30.0, 60.0), partition_standby=False), **small)
    return [(leased.stale_acks, 0), (fenced.stale_acks, 0), (fenced.split_brain, False)]


def _weekday_servers_always_flagged(seed):
    from labsupport.monitoring.trusted_advisor import generate_account, low_utilization
    office = generate_account(n_instances=200, idle_fraction=0, hot_fraction=0, weekend_idle_fraction=1.0, seed=seed)
    return [(len(low_utilization(office)), 200)]


def _metastable_boundary(seed):
    from labsupport.availability.metastable import run_metastable_failure
    # "at 30 requests per second ... the system recovers; from 40 per second on, the same 5-second trigger causes a
    # failure that does not end" (the page itself says 33 to 35 per second depends on the seed).
    return [(run_metastable_failure("none", seed=seed, arrival_rate_per_s=a).metastable, a >= 40) for a in (30, 40, 70)]


def _storm_needs_a_throttle(seed):
    from labsupport.usecases.iot import run_reconnect_storm
    plain = run_reconnect_storm(1000, backoff="full_jitter", seed=seed)
    throttled = run_reconnect_storm(1000, throttle_per_s=80, backoff="full_jitter", seed=seed)
    # "Without throttling the broker never recovers within the minute, backoff or not"; with it all connect.
    return [(plain.connected < 1000, True), (throttled.connected, 1000)]


# -- RDS ------------------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _rds_runs(seed):
    from labsupport.services.rds import run_replication
    configs = [("single_az", 2), ("multi_az_instance", 1), ("multi_az_cluster", 0)]
    return {dep: run_replication(dep, n_replicas=n, write_rate_per_s=80, read_rate_per_s=100, duration_s=20,
                                 crash_at_s=19.9, seed=seed) for dep, n in configs}


def _rds_write_latency(seed):
    # Every write pays two hops of 1 ms, four with a synchronous standby: exact, whatever the seed.
    return [(r.mean_write_s, 0.002 if dep == "single_az" else 0.004) for dep, r in _rds_runs(seed).items()]


def _rds_sync_loses_nothing(seed):
    # "the standby and the cluster's readers lose nothing": exposure and loss at the crash are zero on every seed.
    out = []
    for r in _rds_runs(seed).values():
        for node, theory in r.exposed_theory.items():
            if theory == 0:
                out += [(r.exposed[node], 0), (r.lost_on_failover[node], 0)]
    return out


def _rds_lag(seed):
    return [(r.lag_s[node], r.lag_theory_s[node]) for r in _rds_runs(seed).values() for node in sorted(r.lag_s)]


def _rds_exposed(seed):
    return [(r.exposed[node], r.exposed_theory[node]) for r in _rds_runs(seed).values() for node in sorted(r.exposed)
            if r.exposed_theory[node] > 0]


# -- partitioning -----------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _grown_table(seed):
    import numpy as np
    from labsupport.services.dynamodb import Table
    tbl, rng, sizes, counts = Table(partitions=1), np.random.default_rng(seed), [], []
    for _ in range(120):
        tbl.grow(250_000, 4.0, rng)
        sizes.append(tbl.size_gb)
        counts.append(len(tbl.partitions))
    return sizes, counts


def _staircase(seed):
    from labsupport.services.dynamodb import size_split_staircase
    sizes, counts = _grown_table(seed)
    return [(counts[day - 1], size_split_staircase(sizes[day - 1])) for day in (15, 30, 45, 60, 90, 120)]


def _three_quarters_full(seed):
    from labsupport.services.dynamodb import PARTITION_SIZE_GB
    sizes, counts = _grown_table(seed)
    eight = [s / (PARTITION_SIZE_GB * n) for s, n in zip(sizes, counts) if n == 8]
    return [(statistics.fmean(eight), 0.75)]


@functools.lru_cache(maxsize=None)
def _replica_lags(seed):
    from labsupport.services.rds import run_replication
    out = []
    for k in (1, 2, 4):
        for reads in (80, 160):
            r = run_replication("single_az", n_replicas=k, write_rate_per_s=40, read_rate_per_s=reads, duration_s=15,
                                apply_s=0.004, seed=seed)
            out.append((sum(r.lag_s.values()) / k, r.lag_theory_s["db-r1"]))
    return tuple(out)


def _replica_lag_vs_reads(seed):
    return [row for i, row in enumerate(_replica_lags(seed)) if i != 1]  # all but one replica at 160 reads/s


def _one_replica_near_saturation(seed):
    # "about 20 ms ... from 16 to 32 ms": the band's middle, 24 ms, +- 8 ms.
    return [(_replica_lags(seed)[1][0], 0.024)]


def _second_replica_under_10_ms(seed):
    return [(_replica_lags(seed)[3][0] < 0.010, True)]


def _zone_shares(targets, requests, seed):
    import random
    from labsupport.availability.load_balancing import BalancerState, RandomChoice, TargetGroup
    rng, out = random.Random(seed), []
    for cross_zone in (True, False):
        group = TargetGroup(targets, RandomChoice(), cross_zone=cross_zone)
        hits = dict.fromkeys(targets, 0)
        for _ in range(requests):
            hits[group.route(BalancerState(), rng, zone=rng.choice(group.zones))] += 1
        shares = group.traffic_shares()  # rows in binomial standard errors of a share of ``requests``
        out += [((hits[t] / requests - shares[t]) / math.sqrt(shares[t] * (1 - shares[t]) / requests), 0)
                for t in sorted(targets)]
    return out


def _partitioning_cross_zone(seed):
    targets = {"a1": "a", "a2": "a", "a3": "a", "a4": "a", "b1": "b", "b2": "b", "c1": "c", "c2": "c"}
    return _zone_shares(targets, 24_000, seed)


# -- auto scaling -----------------------------------------------------------------------------------------------------
def _spike_overload(seed):
    from labsupport.availability.auto_scaling import TargetTracking, run_autoscaling, spike_violation_minutes
    out = []
    for launch, init in ((120, 180), (60, 60)):
        minutes = []
        for k in range(6):
            start = 2 * 3600 + 60 * k / 6 + 5
            r = run_autoscaling(TargetTracking(50), spike=(start, 3600, 2.5), base_rps=800, peak_rps=800, noise=0.0,
                                launch_delay_s=launch, init_s=init, start_s=3600, duration_s=2 * 3600,
                                seed=100 * seed + k)
            first_ok = next(t for t, u in zip(r.times_s, r.utilisation) if t > start and u <= 1)
            minutes.append((first_ok - start) / 60)
        out.append((statistics.fmean(minutes),
                    spike_violation_minutes(scale_out_periods=3, launch_delay_s=launch, init_s=init)))
    return out


def _instance_hours_needed(seed):
    from labsupport.availability.auto_scaling import TargetTracking, daily_load, run_autoscaling
    day = run_autoscaling(TargetTracking(50), seed=seed)
    spike_extra = sum(daily_load(10 * 3600 + 60 * m) for m in range(60)) / 60
    return [(day.needed_hours, (1000 * 24 + spike_extra) / (0.8 * 100))]


# -- availability arithmetic ----------------------------------------------------------------------------------------
def _zone_unavailability(seed):
    # Rows in standard errors: a sum of n outages of exponential length has a relative SE of sqrt(2 / n).
    from labsupport.availability.correlated_failures import run_zone_failures
    out = []
    for cfg in ((1, 4, 1), (2, 2, 1), (4, 1, 1), (3, 2, 2)):
        r = run_zone_failures(*cfg, duration_s=20_000_000, seed=seed)
        se = (1 - r.theory) * math.sqrt(2 / max(len(r.outages), 1))
        out.append((((1 - r.measured) - (1 - r.theory)) / se, 0))
    return out


@functools.lru_cache(maxsize=None)
def _slo_months(seed):
    # the page's parts (availability-arithmetic: PARTS)
    from labsupport.availability.correlated_failures import run_zone_failures
    day_s = 86_400.0
    month_s, months = 30 * day_s, 120
    parts = {"host_mttf_s": 5 * day_s, "host_mttr_s": 3600.0, "zone_mttf_s": 30 * day_s, "zone_mttr_s": 1800.0}
    out = {}
    for name, (z, h) in (("A", (1, 2)), ("B", (2, 1))):
        r = run_zone_failures(z, h, duration_s=months * month_s, seed=seed, **parts)
        minutes = [0.0] * months
        for start, end in r.outages:
            while start < end:
                month = int(start // month_s)
                stop = min(end, (month + 1) * month_s)
                minutes[month] += (stop - start) / 60
                start = stop
        out[name] = (minutes, (1 - r.theory) * month_s / 60)
    return out


def _slo_mean_month(seed):
    # Rows in standard errors of the mean of 120 months (the months' own scatter).
    out = []
    for minutes, theory in _slo_months(seed).values():
        se = statistics.stdev(minutes) / math.sqrt(len(minutes))
        out.append(((statistics.fmean(minutes) - theory) / se, 0))
    return out


# -- cross-Region replication ---------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _cross_region_run(seed):
    from labsupport.availability.cross_region import run_replication
    from labsupport.sim import Exponential
    link = Exponential(mean_extra_s=0.01, base_s=0.035)
    return link, run_replication(link=link, duration_s=120, seed=seed)


def _cross_region_lag_quantiles(seed):
    # Rows in standard errors of a sample quantile: sqrt(q (1 - q) / n) / f(x_q), f from the closed-form CDF.
    from labsupport.availability.cross_region import lag_cdf, lag_quantile_s
    link, run = _cross_region_run(seed)
    lags = sorted(run.lags_s)
    out = []
    for q in (0.5, 0.9, 0.99):
        x = lag_quantile_s(q, 0.5, link)
        density = (lag_cdf(x + 0.001, 0.5, link) - lag_cdf(x - 0.001, 0.5, link)) / 0.002
        se = math.sqrt(q * (1 - q) / len(lags)) / density
        out.append(((lags[int(q * len(lags))] - x) / se, 0))
    return out


def _cross_region_backlog(seed):
    return [(_cross_region_run(seed)[1].mean_backlog, 20 * 0.5)]


def _cross_region_losses(seed):
    from labsupport.availability.cross_region import run_replication
    link, _ = _cross_region_run(seed)
    losses = [len(run_replication(link=link, duration_s=40, fail_region="eu-west-1", fail_at_s=20.0 + k / 12,
                                  seed=100 * seed + k).lost_on_failure) for k in range(12)]
    return [(statistics.fmean(losses), 20 * 0.5)]


def _cross_region_concurrent(seed):
    link, run = _cross_region_run(seed)
    return [(run.concurrent_pairs, 20 * 20 / 200 * 120 * 2 * (0.5 + link.mean))]


# -- load balancing -------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _lb_theory_rows(seed):
    from labsupport.availability.load_balancing import (compare_power_of_d_to_supermarket, compare_random_to_mm1,
                                                        compare_shared_queue_to_mmc)
    rows = []
    for load in (0.5, 0.8):
        rows += compare_random_to_mm1(load, n_requests=100_000, seed=seed)
        rows += compare_shared_queue_to_mmc(load, n_requests=40_000, seed=seed)
        rows += compare_power_of_d_to_supermarket(load, n_requests=40_000, seed=seed)
    return tuple((r.load, r.scenario, r.metric, r.simulated, r.theory) for r in rows)


def _lb_theory_half_load(seed):
    return [(m, t) for load, _, _, m, t in _lb_theory_rows(seed) if load == 0.5]


def _lb_theory_high_load(seed):
    return [(m, t) for load, scenario, metric, m, t in _lb_theory_rows(seed)
            if load == 0.8 and not (scenario.startswith("random") and metric == "p99_s")]


def _lb_mm1_tail_high_load(seed):
    return [(m, t) for load, scenario, metric, m, t in _lb_theory_rows(seed)
            if load == 0.8 and scenario.startswith("random") and metric == "p99_s"]


@functools.lru_cache(maxsize=None)
def _check_delays(seed):
    import random
    from labsupport.availability.load_balancing import HealthCheckConfig, detection_delay_s, run_health_checks
    out = []
    for cfg in (HealthCheckConfig(), HealthCheckConfig(interval_s=10, unhealthy_threshold=2, healthy_threshold=2),
                HealthCheckConfig(interval_s=30, unhealthy_threshold=5, healthy_threshold=5)):
        rng = random.Random(seed)
        slot = 3 * (cfg.healthy_threshold + cfg.unhealthy_threshold + 2) * cfg.interval_s
        starts = [k * slot + rng.uniform(0, slot / 3) for k in range(1, 301)]
        down = [(start, start + slot / 3) for start in starts]
        changes = run_health_checks(["t"], {"t": down}, 301 * slot, seed=seed, config=cfg)
        unhealthy = [t for t, _, s in changes if s == "unhealthy"]
        healthy = [t for t, _, s in changes if s == "healthy"][1:]
        detect = [u - start for u, (start, _) in zip(unhealthy, down)]
        restore = [h - end for h, (_, end) in zip(healthy, down)]
        out.append((cfg, detect, restore, detection_delay_s(cfg)))
    return out


def _check_delay_means(seed):
    # Means of 300 delays uniform over one interval I: SE = I / sqrt(12 * 300); rows in those standard errors.
    out = []
    for cfg, detect, restore, _ in _check_delays(seed):
        se = cfg.interval_s / math.sqrt(12 * 300)
        out += [((statistics.fmean(detect) - (cfg.unhealthy_threshold - 0.5) * cfg.interval_s) / se, 0),
                ((statistics.fmean(restore) - (cfg.healthy_threshold - 0.5) * cfg.interval_s) / se, 0)]
    return out


def _check_delays_in_bounds(seed):
    out = []
    for _, detect, _, (low, high) in _check_delays(seed):
        out += [(len(detect), 300), (all(low - 1e-9 <= d <= high + 1e-9 for d in detect), True)]
    return out


def _lb_cross_zone(seed):
    return _zone_shares({"a1": "a", "a2": "a", "a3": "a", "a4": "a", "b1": "b", "b2": "b"}, 60_000, seed)


# -- alarms (the incident checked against queueing theory) ----------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _alarm_incident(seed):
    from labsupport.monitoring.incident import run_incident
    return run_incident(seed=seed, crash_at_s=940, recover_at_s=1500, duration_s=2400)


@functools.lru_cache(maxsize=None)
def _incident_p90(seed):
    from labsupport.monitoring.cloudwatch.metrics import percentile
    incident = _alarm_incident(seed)

    def p90(start_s, end_s):
        return percentile([r.latency_s for r in incident.requests
                           if start_s <= r.time_s < end_s and r.latency_s is not None], 90)
    three, two = math.log(10) / (6.5 - 10 / 3) + 0.002, math.log(10) / (6.5 - 5) + 0.002
    return (p90(60, 900), three), (p90(1060, 1500), two), (p90(1600, 2400), three)


def _incident_p90_three_hosts(seed):
    return [_incident_p90(seed)[0], _incident_p90(seed)[2]]


def _incident_p90_two_hosts(seed):
    return [_incident_p90(seed)[1]]


def _incident_errors(seed):
    # Rows in Poisson standard deviations of the expected count.
    incident = _alarm_incident(seed)
    rho = (10 / 3) / 6.5
    taken_out = next(t for t, host, healthy in incident.transitions if not healthy)
    expected = 10 / 3 * (taken_out - 940) + rho / (1 - rho)
    return [((incident.errors - expected) / math.sqrt(expected), 0)]


# -- Config ---------------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _config_year(seed):
    from labsupport.monitoring.config.account import run_config_account
    return {mode: run_config_account(seed=seed, duration_s=365 * 86400, changes_per_day=2, recording=mode)
            for mode in ("continuous", "daily")}


def _config_exact(seed):
    # A change-only rule under continuous recording waits the recording delay, never more, and less only when an
    # earlier change to the same resource was still waiting to be recorded (1 of 3,621 incidents on seeds 1-20,
    # seed 16): rows are the longest wait, and the share of early detections (at most 1 %, absolute).
    from labsupport.monitoring.config.rules import MANAGED_RULES
    delays = _config_year(seed)["continuous"].detection_delays_s(MANAGED_RULES[0].name)
    return [(max(delays), 120), (sum(d < 120 - 1e-6 for d in delays) / len(delays), 0)]


def _config_medians(seed):
    # Rows in standard errors of a median of n uniform waits over (0, W): W / (2 sqrt(n)); the hybrid mean's rows in
    # standard errors of a mean of min(d, U(0, P)).
    from labsupport.monitoring.config.rules import MANAGED_RULES
    ebs, s3, ssh = MANAGED_RULES
    year = _config_year(seed)
    d, p = 120, 3600
    out = []
    ssh_cont = year["continuous"].detection_delays_s(ssh.name)
    sd = statistics.stdev(ssh_cont) if len(ssh_cont) > 1 else 0.0
    out.append(((statistics.fmean(ssh_cont) - (d - d * d / (2 * p))) / max(sd / math.sqrt(len(ssh_cont)), 1e-9), 0))
    for rule, window in ((s3, p), (ssh, p)):
        delays = year["daily"].detection_delays_s(rule.name)
        out.append(((statistics.median(delays) - window / 2) / (window / (2 * math.sqrt(len(delays)))), 0))
    return out


def _config_daily_change_only(seed):
    # The median as a multiple of half a day, against the band's middle, 1.05.
    from labsupport.monitoring.config.rules import MANAGED_RULES
    return [(statistics.median(_config_year(seed)["daily"].detection_delays_s(MANAGED_RULES[0].name)) / 43_200, 1.05)]


# -- metrics --------------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _pooled_rows(seed):
    from labsupport.foundations.queueing import mm1_mean_response_s, mm1_response_percentile_s
    from labsupport.monitoring.cloudwatch import compare_pooled_statistics
    from labsupport.monitoring.incident import pooled_response_percentile_s, run_incident
    run = run_incident(hosts=4, weights=[4, 3, 2, 1], crash_host=None, duration_s=3000, seed=seed)
    mu, rtt, lams = 6.5, 0.002, run.arrival_rates_per_s
    by_host = {h: [r.latency_s for r in run.requests if r.host == h] for h in run.hosts}
    pooled = compare_pooled_statistics(by_host, p=99)
    means = [mm1_mean_response_s(lam, mu) + rtt for lam in lams]
    p99s = [mm1_response_percentile_s(lam, mu, 0.99) + rtt for lam in lams]
    rows = [(statistics.fmean(by_host[h]), m) for h, m in zip(run.hosts, means)]
    rows += [(pooled.pooled_average, sum(lam / 10 * (m - rtt) for lam, m in zip(lams, means)) + rtt),
             (pooled.average_of_host_averages, statistics.fmean(means)),
             (pooled.pooled_percentile, pooled_response_percentile_s(lams, mu, 0.99) + rtt),
             (pooled.average_of_host_percentiles, statistics.fmean(p99s)),
             (pooled.max_of_host_percentiles, max(p99s))]
    return rows


def _metrics_means(seed):
    return _pooled_rows(seed)[:6]


def _metrics_p99s(seed):
    return _pooled_rows(seed)[6:8]


def _metrics_busiest_p99(seed):
    return _pooled_rows(seed)[8:]


def _average_of_p99s_understates(seed):
    rows = _pooled_rows(seed)
    return [(1 - rows[7][0] / rows[6][0], 0.18)]


# -- Systems Manager ------------------------------------------------------------------------------------------------
def _rollout_blast_radius(seed):
    # Rows in standard errors of the mean of 300 rollouts (their own scatter); exact rows (no scatter) as differences.
    from labsupport.monitoring.systems_manager import expected_blast_radius, expected_errors, run_rollout
    out = []
    for c, e in [(1, 0), (1, 2), (5, 2), (10, 2), (10, 5), (25, 5)]:
        runs = [run_rollout(100, c, e, failure_probability=0.2, ramp_up=False, seed=1000 * seed + k)
                for k in range(300)]
        blast, errors = (f(100, c, e, failure_probability=0.2) for f in (expected_blast_radius, expected_errors))
        for values, theory in (([r.blast_radius for r in runs], blast), ([r.errors for r in runs], errors)):
            se = statistics.stdev(values) / math.sqrt(len(values))
            out.append(((statistics.fmean(values) - theory) / se if se > 0 else statistics.fmean(values) - theory, 0))
    return out


# -- pricing models: reserved counts and Spot -----------------------------------------------------------------------
def _break_even_rule(seed):
    import numpy as np
    from labsupport.cost.prices import PAYMENT_OPTIONS, instance_prices
    from labsupport.cost.pricing import optimal_reserved_count, reserved_cost
    from labsupport.cost.usage import hourly_usage
    m5 = instance_prices("m5.large")
    p = m5.on_demand_per_hour
    fleet = np.round(hourly_usage("weekday", days=28, base_usd=10.0, seed=seed))
    out = []
    for payment in PAYMENT_OPTIONS:
        offer = m5.reserved_offer(1, payment)
        rule = optimal_reserved_count(fleet, offer.effective_per_hour, p)
        best = min(reserved_cost(fleet, r, offer, on_demand_per_hour=p) for r in range(int(fleet.max()) + 2))
        out.append((reserved_cost(fleet, rule, offer, on_demand_per_hour=p), best))
    return out


def _spot_strategies(seed):
    from labsupport.cost.prices import SPOT_NOTICE_S, instance_prices
    from labsupport.cost.spot import expected_restart_hours, run_spot_fleet
    m5 = instance_prices("m5.large")
    task_h, rate, delay_s, tasks = 4.0, 0.2, 300.0, 4000
    periodic = [1.0 + 60 / 3600] * 3 + [1.0]
    theory = {"restart": expected_restart_hours(task_h, rate, delay_s),
              "periodic": sum(expected_restart_hours(length, rate, delay_s) for length in periodic),
              "notice": task_h * (1 + rate * delay_s / 3600) / (1 - rate * SPOT_NOTICE_S / 3600)}
    options = {"restart": {}, "periodic": dict(checkpoint_interval_hours=1.0, checkpoint_duration_s=60.0),
               "notice": dict(checkpoint_on_notice=True, checkpoint_duration_s=30.0)}
    out = []
    for name, kw in options.items():
        r = run_spot_fleet(tasks=tasks, task_hours=task_h, fleet_size=50, interruption_rate_per_hour=rate,
                           spot_per_hour=m5.spot_per_hour, on_demand_per_hour=m5.on_demand_per_hour,
                           replacement_delay_s=delay_s, seed=seed, **kw)
        out.append((r.billed_hours / tasks, theory[name]))
    return out


# -- big data: MapReduce ----------------------------------------------------------------------------------------------
def _mapreduce_bounds(seed):
    from labsupport.usecases.corpus import generate_corpus, split_input, word_count
    from labsupport.usecases.mapreduce import run_mapreduce
    docs = generate_corpus(240, 100, vocabulary=2000, hot_word="the", hot_share=0.15, seed=seed)
    reference, splits = word_count(docs), split_input(docs, 12)
    out = []
    for kw in (dict(), dict(speeds=[1, 1, 1, 0.15], speculative=False), dict(speeds=[1, 1, 1, 0.15]),
               dict(combine=False), dict(combine=True), dict(fail=(1, 6.0))):
        r = run_mapreduce(splits, reducers=4, workers=4, seed=seed, **kw)
        out += [(r.makespan_s >= r.lower_bound_s - 1e-9, True), (r.counts == reference, True)]
    return out


# -- web application ------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _web_tier(seed):
    from labsupport.availability.load_balancing import run_farm
    from labsupport.usecases.webapp_parts import Workload
    from labsupport.usecases.webapp_theory import web_tier_latency_s
    workload, out = Workload(), []
    for rate in (300.0, 480.0):
        farm = run_farm("least_outstanding_requests", 6, arrival_rate_per_s=rate,
                        service_rate_per_s=1 / workload.web_service_s, n_requests=30_000, seed=seed,
                        workers_per_server=workload.workers_per_instance)
        mean_s, p99_s = web_tier_latency_s(rate, instances=6, workers_per_instance=workload.workers_per_instance,
                                           service_s=workload.web_service_s)
        out += [(farm.mean_s, mean_s), (farm.p99_s, p99_s)]
    return tuple(out)


def _web_tier_half_load(seed):
    return list(_web_tier(seed)[:2])


def _web_tier_p99_higher_at_80(seed):
    measured, theory = _web_tier(seed)[3]
    return [(measured > theory, True)]


def _web_incident(seed):
    from labsupport.usecases.webapp import STEP_S, run_webapp
    from labsupport.usecases.webapp_parts import Scenario, WebAppConfig, Workload
    from labsupport.usecases.webapp_theory import expected_incident_errors
    design, workload = WebAppConfig(), Workload()
    run_a = run_webapp(design, Scenario(zone_loss=(0, 5400.0, 3600.0)), workload, seed=seed)
    events = dict((text_, t) for t, text_ in run_a.events)
    detect_s = math.ceil((events["load balancer stops routing to az-a"] - 5400) / STEP_S) * STEP_S
    failover_s = math.ceil((events["standby is the primary"] - 5400) / STEP_S) * STEP_S
    minute = int(5400 // 60)
    rate = sum(run_a.load_rps[minute:minute + 2]) / 2
    predicted = expected_incident_errors(rate, zones=3, retries=design.retries, detection_s=detect_s,
                                         failover_s=failover_s, replicas=design.db_replicas,
                                         write_fraction=workload.write_fraction, hit_ratio=workload.cache_hit_ratio)
    last = minute + int((failover_s + 120) // 60)
    return [(sum(run_a.errors[minute:last + 1]), sum(predicted.values()))]


# -- DynamoDB -------------------------------------------------------------------------------------------------------
def _hot_partition(seed):
    from labsupport.services.dynamodb import BURST_WINDOW_S, MAX_WCU_PER_PARTITION, Table, run_throttling, \
        token_bucket_throttled
    t, duration_s, out = Table(partitions=4, wcu=2000), 900, []
    hot = t.partition_index("item:hot")
    for adaptive in (False, True):
        r = run_throttling(t, background_wcu=1000, hot_keys={"item:hot": 900}, duration_s=duration_s,
                           adaptive=adaptive, seed=seed)
        d = r.demand[hot] / duration_s
        theory = (duration_s * max(d - MAX_WCU_PER_PARTITION, 0) if adaptive else
                  token_bucket_throttled(d, t.share_wcu, duration_s, bucket=t.share_wcu * BURST_WINDOW_S))
        out.append((r.throttled[hot], round(theory, 6)))
    return out


# -- Raft (9.2) ---------------------------------------------------------------------------------------------------
def _raft_election(seed):
    # The page's rows with W = 25, 50 and 150 ms (n = 5, T = 150 ms, d = 5 ms, 200 elections each); the W = 10 ms
    # row is the one the page says the estimate gets wrong.
    from labsupport.agreement.raft_election import estimate_election_s, measure_election
    out = []
    for width in (0.025, 0.05, 0.15):
        timeout = (0.15, 0.15 + width)
        times = measure_election(5, timeout, latency_s=0.005, n_runs=200, seed=seed)
        out.append((statistics.fmean(times), estimate_election_s(5, timeout, latency_s=0.005)))
    return out


# -- 9.5 gossip and membership -----------------------------------------------------------------------------------
def _gossip_push_above_pittel(seed):
    # "Push lands up to about two rounds above Pittel's estimate": mean of 8 seeds minus log2 n + ln n, per size;
    # we read "up to about two" as between -0.25 and 2.25 rounds, i.e. 1 +- 1.25 (absolute).
    from labsupport.agreement.gossip import rounds_estimate, run_gossip
    rows = []
    for n in (16, 64, 256, 512):
        mean = statistics.mean(run_gossip(n, "push", seed=seed * 1000 + s).rounds for s in range(8))
        rows.append((mean - rounds_estimate(n, "push"), 1.0))
    return rows


def _swim_failed_probes(seed):
    # The page prints measured against the closed form and says the 10 % row scatters by about +-40 % (two
    # standard errors of its ~25 failed probes); the other rows have hundreds of events. 40 %, on 85 % of seeds.
    from labsupport.agreement.gossip_swim import probe_failure_probability, run_swim
    rows = []
    for loss in (0.1, 0.2, 0.3):
        runs = [run_swim(16, loss=loss, duration_s=60, seed=seed * 1000 + s) for s in range(4)]
        measured = sum(r.failed_probes_of_live for r in runs) / sum(r.probes_of_live for r in runs)
        rows.append((measured, probe_failure_probability(loss, 3)))
    return rows


def _swim_first_detection(seed):
    # Mean of 100 first-detection times (geometric periods, SD about 0.9 s): SE 0.09 s, 2 SE about 10 % of 1.85 s.
    from labsupport.agreement.gossip_swim import expected_first_detection_s, run_swim
    times = [run_swim(16, crash_at_s=20.5, duration_s=30, seed=seed * 1000 + s).first_detection_s for s in range(100)]
    return [(statistics.mean(times), expected_first_detection_s(16))]


CLAIMS = [
    # Was "agrees with the formula to within about one percent", which held on 8 of 20 seeds for the 3-of-3 rows
    # (errors 0-6 %, median 2 %) and the MTTR 400 s row (0-7 %); the page now says "off by up to 6 %" and
    # "up to 7 %", bounds stated from these seeds, so they must hold on every one.
    Claim("01-foundations/fault-tolerance", "3-of-3 availability within 6 % (was: about one percent)", _redundancy,
          0.065, slow=True),
    Claim("01-foundations/fault-tolerance", "MTTR 400 s row within 7 % (was: about one percent)", _redundancy_mttr,
          0.075, slow=True),
    # "agrees with the exact theory within a few percent": 3 %, on 95 % of (seed, row) pairs.
    Claim("01-foundations/scalability", "contended workers vs MVA within a few percent", _contended, 0.03,
          share=0.95, slow=True),
    # "within sampling error (the spread estimate rests on about 140 events)": 2 standard errors of a count
    # of 140 is 17 %, of 2,000 (cluster) 4.5 %; we allow 2 SE of the rarer one, 17 %, and expect 95 % -> 0.85.
    Claim("02-services/ec2", "P(all 3 replicas down) within sampling error", _placement, 0.17, share=0.85),
    # The page prints 2.5 % and calls it agreement; 600 reads at p = 0.32 have a standard error of 6 %
    # relative; 2 SE = 12 %, on 85 % of seeds.
    Claim("02-services/s3", "stale-read fraction of the eventual model", _s3_stale, 0.12, share=0.85),
    Claim("02-services/s3", "the consistent model never serves a stale read", _s3_consistent_never_stale, 0.0,
          absolute=True),
    # Theorems: every moved key went to the newcomer (join) / came from the leaver (leave).
    Claim("03-data/consistent-hashing", "every moved key went to the new node (ring)", _ring_moves_only_to_the_newcomer,
          0.0, absolute=True),
    Claim("03-data/consistent-hashing", "ring, rendezvous, jump: share of moved keys to newcomer is 1",
          _schemes_move_only_to_the_newcomer, 0.0, absolute=True),
    # "measured against the node's exact arc the fraction matches to sampling noise": 20,000 keys at a share
    # near 0.1 have a relative standard error of 2.1 %; 2 SE = 4.2 %, on 85 % of seeds.
    Claim("03-data/consistent-hashing", "keys moved on a leave match the leaver's arc", _leaving_node_share, 0.042,
          share=0.85),
    # "A Monte Carlo over random subsets checks the formula" states no tolerance; we read it as within three
    # standard errors (the smallest p, 0.027, has a relative SE of 3 % over 40,000 trials: 9 %) on 85 % of seeds.
    Claim("03-data/quorums", "random quorums miss the write as p_stale predicts", _random_quorums, 0.09, share=0.85),
    # 300 reads of an order statistic of exponentials (CV about 0.6-1): relative SE about 5 %; 2 SE = 10 %.
    Claim("03-data/quorums", "read latency is the R-th order statistic", _read_latency, 0.10, share=0.85),
    # The mean of 30 counts of about 1.5 (Poisson-like, SE about 0.22/1.5 = 15 %): 2 SE = 30 %.
    Claim("03-data/replication", "async failover loses ship delay / write interval writes", _async_failover_losses,
          0.30, share=0.85, slow=True),
    Claim("03-data/replication", "synchronous replication loses no acknowledged write", _sync_failover_loses_nothing,
          0.0, absolute=True),
    # "agree within sampling error (about 2 % for 2000 losses)": 2 SE = 4.5 %, on 85 % of (seed, row) pairs.
    Claim("03-data/durability", "simulated MTTDL matches the exact chain", _durability, 0.045, share=0.85,
          seeds=tuple(SEEDS), slow=True),
    # Mean of about 40 detection times spread uniformly over one interval (SD 0.29 s): SE 0.046 s, 2 SE = 0.09 s.
    Claim("04-availability/failure-detection", "mean detection time = tau + E[D] - T/2", _detection_time, 0.09,
          absolute=True, share=0.85, slow=True),
    # "The agreement is within sampling error (a rate of 0.003 rests on about 20 events)": 2 SE of 20 events is
    # 45 %; the larger rates rest on hundreds of events; we allow 45 % and expect 85 % of (seed, row) pairs.
    Claim("04-availability/failure-detection", "false suspicions per heartbeat on the lossy link",
          _false_suspicions_exponential, 0.45, share=0.85, slow=True),
    # The normal-jitter table. The page said its agreement was "within sampling error"; at 1.3 s and 1.4 s that
    # held on 13 of 20 seeds (in two Poisson standard errors), because NormalJitter clips delays at zero and so
    # thins the tail of D2 - D1 that the formula (an unclipped normal) assumes: 0.0142 and 0.0014 instead of
    # 0.0169 and 0.0023. The page now says: 1.1 s within sampling error on every seed tried, 1.2 s on three in
    # four (share 0.75), and at 1.3 s and 1.4 s the simulation falls below the formula on nearly every seed.
    Claim("04-availability/failure-detection", "false suspicions with normal jitter, 1.1 s and 1.2 s",
          _false_suspicions_normal, 2.0, absolute=True, share=0.75, slow=True),
    Claim("04-availability/failure-detection", "with normal jitter, 1.3 s and 1.4 s fall below the formula",
          _normal_jitter_tail_is_thinner, 0.0, absolute=True, share=0.85, slow=True),
    Claim("04-availability/failure-detection", "a longer timeout never makes more false suspicions",
          _trade_off_monotone, 0.0, absolute=True, slow=True),
    # Means of 4,000 uniform draws: relative SE 0.9 %; 2 SE = 1.8 %.
    Claim("04-availability/retries", "jittered backoff: mean waits as the formulas say", _backoff_means, 0.02,
          share=0.85),
    # 40,000 customers: fully affected near 0.036 has relative SE 2.6 %; 2 SE = 5.5 %.
    Claim("04-availability/isolation", "shuffle sharding: affected customers as combinatorics says", _poison, 0.055,
          share=0.85),
    # The page prints errors up to 5 % for the SYN flood and calls the table agreement: read as "within 8 %"
    # (the largest rows' sampling error), on 85 % of (seed, row) pairs.
    Claim("05-security/ddos", "SYN flood: success and backlog as Erlang B predicts", _syn_flood, 0.08, share=0.85),
    # Was "the simulation agrees with it as the table shows"; at 400 SYN/s the success share (0.064) missed 8 %
    # on 8 of 20 seeds. The page now says it ranges from 0.050 to 0.080: an absolute band of 0.016.
    Claim("05-security/ddos", "SYN flood at 400/s: success between 0.050 and 0.080 (was: agrees)", _syn_flood_400,
          0.0161, absolute=True),
    Claim("05-security/ddos", "SYN cookies: every legitimate connection succeeds", _syn_cookies, 0.0, absolute=True),
    # "agree with the binomial tail within sampling error ... standard error at most 1.3 percentage points":
    # 2 SE = 2.6 points absolute, on 85 % of (seed, row) pairs.
    Claim("06-monitoring/trusted-advisor", "share flagged low-utilisation = binomial tail", _low_utilization, 0.026,
          absolute=True, share=0.85),
    # Rows in standard errors: "within sampling error" read as 2 SE, which a correct model meets on 95 % of seeds.
    Claim("01-foundations/decentralization", "Monte Carlo availability within its standard error of exact",
          _graph_monte_carlo, 2.0, absolute=True, share=0.85),
    # 2.6 s a seed: ten seeds only (a claim costly to run, and its rows are already averages of twenty outages).
    Claim("08-use-cases/disaster-recovery", "mean RTO and RPO within the scatter of twenty outages",
          _disaster_recovery, 2.0, absolute=True, share=0.8, seeds=tuple(SEEDS[:10]), slow=True),
    Claim("08-use-cases/iot", "dropped late readings as expected_drop_fraction predicts", _late_readings, 2.0,
          absolute=True, share=0.85),
    # "standard error of a fraction near 0.4 from 1,000 tries: 0.016": 2 SE = 0.032 absolute on 85 % of seeds; the
    # Windows row (inside the rule) lands at 1.0. 0.75 s a seed: ten seeds.
    Claim("05-security/vpc", "connected share = overlap of the port ranges",
          _reply_ports, 0.032, absolute=True, share=0.8, seeds=tuple(SEEDS[:10])),
    Claim("03-data/quorums", "ABD reads that write back are linearizable", _abd_linearizable, 0.0, absolute=True),
    Claim("04-availability/failover", "a lease, or fencing, leaves no stale acknowledgement",
          _lease_and_fencing_end_split_brain, 0.0, absolute=True, slow=True),
    Claim("06-monitoring/trusted-advisor", "every weekday-only server is flagged", _weekday_servers_always_flagged, 0.0,
          absolute=True),
    Claim("04-availability/retries", "retries sustain the failure from 40/s on, not at 30/s", _metastable_boundary,
          0.0, absolute=True, slow=True),
    # 1 s a seed: ten seeds only.
    Claim("08-use-cases/iot", "a reconnect storm needs a throttle: without one no fleet recovers in a minute",
          _storm_needs_a_throttle, 0.0, absolute=True, seeds=tuple(SEEDS[:10]), slow=True),
    Claim("08-use-cases/iot", "QoS 1 never loses a message", _qos1_never_loses, 0.0, absolute=True, slow=True),
    Claim("08-use-cases/iot", "QoS 0 never duplicates one", _qos0_never_duplicates, 0.0, absolute=True, slow=True),
    # 2,000 messages: copies per message at b = 0.3 has relative SE about 1.5 %; 2 SE = 3 %.
    Claim("08-use-cases/iot", "QoS 1 copies per message = 1/(1-b)^2", _qos1_copies, 0.03, share=0.85, slow=True),
    # -- the remaining pages (rds ... dynamodb) --------------------------------------------------------------------
    # Every write pays one hop of 1 ms each way, two more with a synchronous copy: the page prints 0.00 %.
    Claim("02-services/rds", "write latency is 2 L, or 4 L with a synchronous copy", _rds_write_latency, 1e-9,
          slow=True),
    Claim("02-services/rds", "the standby and the cluster's readers lose nothing", _rds_sync_loses_nothing, 0.0,
          absolute=True, slow=True),
    # "The simulated means sit within sampling error of Little's law": a 20 s run's sampling error, measured as the
    # spread of the row over seeds 1-20, is 7 % (single-AZ replicas) to 12 % (the Multi-AZ instance's replica, at
    # the higher load); 2 SE of the noisiest row, 24 %, on 85 % of (seed, row) pairs.
    Claim("02-services/rds", "replicas lack lambda_w W writes (Little's law) within sampling error", _rds_exposed,
          0.24, share=0.85, slow=True),
    # The lag table states no tolerance; it is the same quantity plus L (the exposure is lambda_w (lag - L)), read as
    # the same "within sampling error": row spreads 5-10 %, 2 SE of the noisiest, 20 %, on 85 %.
    Claim("02-services/rds", "replica lag = L + s / (1 - rho) within sampling error", _rds_lag, 0.20, share=0.85,
          slow=True),
    # "The simulation follows the staircase" on the printed days; every seed (it may differ only mid-wave).
    Claim("03-data/partitioning", "partition count follows the size-split staircase", _staircase, 0.0, absolute=True),
    # "partitions are on average three quarters full, as measured": the page prints -0.66 %; we allow 1 %.
    Claim("03-data/partitioning", "partitions are three quarters full on average", _three_quarters_full, 0.01),
    # No number on the page for the lag table; at rho <= 0.64 we read agreement as within 15 % (the page's figure
    # shows the points on their curves), on every seed; the 80 % row has its own sentence (below).
    Claim("03-data/partitioning", "replica lag vs M/M/1 away from saturation", _replica_lag_vs_reads, 0.15,
          seeds=tuple(SEEDS[:10]), slow=True),
    # Was "its lag is about 20 ms" (theory 21 ms): 16 to 31 ms on seeds 1-20 (within 20 % on 16 of them). The page
    # now says "about 20 ms here, from 16 to 32 ms on twenty other seeds". 0.4 s a seed: these three claims repeat
    # ten of the twenty seeds.
    Claim("03-data/partitioning", "one replica at 160 reads/s: lag 16-32 ms (was: about 20 ms)",
          _one_replica_near_saturation, 0.008, absolute=True, seeds=tuple(SEEDS[:10]), slow=True),
    Claim("03-data/partitioning", "a second replica brings the lag back under 10 ms", _second_replica_under_10_ms, 0.0,
          absolute=True, seeds=tuple(SEEDS[:10]), slow=True),
    # Shares of 24,000 requests: rows in binomial standard errors; 2 SE on 85 % of (seed, row) pairs.
    Claim("03-data/partitioning", "cross-zone on/off: each target's share as traffic_shares says",
          _partitioning_cross_zone, 2.0, absolute=True, share=0.85),
    # The page prints 0.00 % for the spike formula k - 1/2 + (L + I)/60 (six phases, no noise); we allow 1 %. 0.2 s a
    # seed, exact on all twenty: ten seeds.
    Claim("04-availability/auto-scaling", "minutes of overload after a spike", _spike_overload, 0.01,
          seeds=tuple(SEEDS[:10])),
    # The noisy load's integral against the closed form (page: 0.27 %); noise averages out over 1,440 minutes: 1 %.
    Claim("04-availability/auto-scaling", "instance-hours needed at 80 %", _instance_hours_needed, 0.01),
    # "within sampling error (the rows rest on between 150 and 4,000 outages)": rows in standard errors of a sum of n
    # outages of exponential length, sqrt(2/n) relative; 2 SE on 85 %. 1.8 s a seed: ten seeds.
    Claim("04-availability/availability-arithmetic", "zone-aware unavailability within sampling error",
          _zone_unavailability, 2.0, absolute=True, share=0.8, seeds=tuple(SEEDS[:10]), slow=True),
    # The mean month against the formula, no tolerance stated: rows in standard errors of a mean of 120 months.
    Claim("04-availability/availability-arithmetic", "mean downtime per month = (1 - A) x 43,200 min", _slo_mean_month,
          2.0, absolute=True, share=0.85),
    # Lag quantiles of about 4,700 writes, no tolerance stated: rows in standard errors of a sample quantile,
    # sqrt(q (1 - q) / n) / f(x_q); 2 SE on 85 %.
    Claim("04-availability/cross-region", "lag p50, p90, p99 as the closed-form CDF says", _cross_region_lag_quantiles,
          2.0, absolute=True, share=0.85),
    # A time-averaged M/M/inf queue of mean 10 and relaxation time 0.5 s over 120 s: SE 0.29 (2.9 %); 2 SE = 5.8 %.
    Claim("04-availability/cross-region", "mean unshipped writes = lambda m (Little's law)", _cross_region_backlog,
          0.058, share=0.85),
    # "a Poisson-like count": the mean of 12 counts of mean 10 has an SE of 0.91 (9.1 %); 2 SE = 18.3 %.
    Claim("04-availability/cross-region", "writes lost per regional failure = lambda m", _cross_region_losses, 0.183,
          share=0.85, slow=True),
    # A Poisson count of about 262: SE 6.2 %; 2 SE = 12.4 %.
    Claim("04-availability/cross-region", "concurrent pairs as the window formula predicts", _cross_region_concurrent,
          0.124, share=0.85),
    # Was "Every row agrees to within 2 %": on seeds 1-20 the 50 % rows reached 5.6 % (M/M/1 p99), the 80 % rows
    # 6.8 % and the M/M/1 p99 at 80 % 16 %. The page now says so: 50 % rows within 6 %, 80 % rows within 7 %
    # except the M/M/1 p99, up to 16 % (the long memory the next sentence explains); all on every seed.
    # 1.2 s a seed: the bounds were read off seeds 1-20, the test repeats ten of them.
    Claim("04-availability/load-balancing", "theory table at 50 % load within 6 % (was: 2 %)", _lb_theory_half_load,
          0.06, seeds=tuple(SEEDS[:10]), slow=True),
    Claim("04-availability/load-balancing", "theory table at 80 % load within 7 %, but the M/M/1 p99 (was: 2 %)",
          _lb_theory_high_load, 0.07, seeds=tuple(SEEDS[:10]), slow=True),
    Claim("04-availability/load-balancing", "M/M/1 p99 at 80 % load within 16 % (was: 2 %)", _lb_mm1_tail_high_load,
          0.165, seeds=tuple(SEEDS[:10]), slow=True),
    # "Measured delays agree with the formula": means of 300 uniform delays over one interval, rows in their standard
    # errors I / sqrt(12 x 300); 2 SE on 85 %.
    Claim("04-availability/load-balancing", "mean detection and restoration delays = (u - 1/2) I, (h - 1/2) I",
          _check_delay_means, 2.0, absolute=True, share=0.85),
    Claim("04-availability/load-balancing", "every detection delay falls inside detection_delay_s's bounds",
          _check_delays_in_bounds, 0.0, absolute=True),
    # Shares of 60,000 requests, "all six share equally" (on) or by zone (off): binomial SEs, 2 SE on 85 %.
    Claim("04-availability/load-balancing", "cross-zone shares as traffic_shares says", _lb_cross_zone, 2.0,
          absolute=True, share=0.85),
    # Was "The latencies match queueing theory within a few percent (the two-host window is short, so its p90 is the
    # noisiest)": on seeds 1-20 the three-host windows were off by up to 7.5 % (within 3 % on 15 of 20) and the
    # two-host window by up to 29 %. The page now says "within 8 % ... within 30 %". 1.5 s a seed: ten seeds.
    Claim("06-monitoring/alarms", "p90 with two hosts within 30 % (was: a few percent)",
          _incident_p90_two_hosts, 0.30, seeds=tuple(SEEDS[:10]), slow=True),
    Claim("06-monitoring/alarms", "p90 with three hosts within 8 % (was: a few percent)",
          _incident_p90_three_hosts, 0.08, seeds=tuple(SEEDS[:10]), slow=True),
    # "about one Poisson standard deviation below its expectation" on the page's seed: rows in Poisson SDs, 2 SD on
    # 85 %.
    Claim("06-monitoring/alarms", "failed requests = lambda/3 x time to removal + rho/(1-rho)", _incident_errors, 2.0,
          absolute=True, share=0.8, seeds=tuple(SEEDS[:10]), slow=True),
    # Was "waits exactly the recording delay": one incident on seed 16 was detected after 51 s (an earlier tag change to
    # the same volume, 69 s before, was recorded with it). The page now says "rarely less ... once in about 3,600".
    Claim("06-monitoring/config", "continuous recording: change-only waits d, rarely less (was: exactly d)",
          _config_exact, 0.01, absolute=True),
    # "within sampling error (about a hundred incidents per row)": rows in standard errors of a median of n uniform
    # waits, W / (2 sqrt n), and of the hybrid rule's mean; 2 SE on 85 %.
    Claim("06-monitoring/config", "detection delays: medians and mean as waiting-time arguments say", _config_medians,
          2.0, absolute=True, share=0.85),
    # Was in the same sentence; the daily change-only median exceeded half a day by more than 2 SE on 6 of 20 seeds
    # (the ~5 % of incidents noticed only after more than a day lift it, 6 % on average). The page now says it ran
    # from 0.9 to 1.2 times half a day: the band 1.05 +- 0.155 (0.9 and 1.2 as rounded).
    Claim("06-monitoring/config", "daily change-only median 0.9-1.2 x half a day (was: within sampling error)",
          _config_daily_change_only, 0.155, absolute=True),
    # Was "agrees with queueing theory to within a few percent" (3 %: the means held on 15 of 20 seeds). The page now
    # says means within 7 %, the pooled and averaged p99s within 11 %, the busiest host's p99 up to 16 % (the
    # largest on seeds 1-20: 6.1 %, 10.0 %, 15.9 %). 1.7 s a seed: ten seeds.
    Claim("06-monitoring/metrics", "per-host and pooled means within 7 % (was: a few percent)", _metrics_means, 0.07,
          seeds=tuple(SEEDS[:10]), slow=True),
    Claim("06-monitoring/metrics", "pooled and averaged p99 within 11 % (was: a few percent)", _metrics_p99s, 0.11,
          seeds=tuple(SEEDS[:10]), slow=True),
    Claim("06-monitoring/metrics", "the busiest host's p99 within 16 % (was: a few percent)", _metrics_busiest_p99,
          0.165, seeds=tuple(SEEDS[:10]), slow=True),
    # Was "understates the real p99 by 15 to 20 % (simulated and theory)": simulated 15.4-21.3 % on seeds 1-20; the
    # page now says 15 to 21 %: the band 0.18 +- 0.035 (as rounded).
    Claim("06-monitoring/metrics", "average of host p99s understates the pooled p99 by 15-21 % (was: 15-20 %)",
          _average_of_p99s_understates, 0.0351, absolute=True, seeds=tuple(SEEDS[:10]), slow=True),
    # "Every row agrees within a few percent, the sampling error of 300 runs": rows in standard errors of the mean of
    # 300 rollouts; 2 SE on 85 %.
    Claim("06-monitoring/systems-manager", "blast radius and failures as the negative binomial says",
          _rollout_blast_radius, 2.0, absolute=True, share=0.85, slow=True),
    Claim("07-cost/pricing-models", "the break-even rule finds the cheapest RI count", _break_even_rule, 1e-9),
    # "within sampling error (the restart case varies most)": per-task bills without checkpoints have an SD of about
    # 3.7 h (geometric restarts), so 4,000 tasks give 0.9 %; 2 SE of that row, 1.9 %, on 85 %.
    Claim("07-cost/pricing-models", "Spot: billed hours per task as the closed forms say", _spot_strategies, 0.019,
          share=0.85),
    Claim("08-use-cases/big-data", "every run gives the right answer and no makespan beats its bound",
          _mapreduce_bounds, 0.0, absolute=True),
    # "At half load the two agree within a few percent": 3 %, on every seed; "at 80 % the farm's p99 is a little
    # higher": on every seed.
    Claim("08-use-cases/web-application", "M/M/c vs the farm at half load within a few percent", _web_tier_half_load,
          0.03),
    Claim("08-use-cases/web-application", "at 80 % load the farm's p99 is above M/M/c's", _web_tier_p99_higher_at_80,
          0.0, absolute=True),
    # Was "The prediction lands within a few percent of the simulation": 0.8-5.6 % on seeds 1-20 (within 3 % on 11).
    # The page now says "within 6 %".
    Claim("08-use-cases/web-application", "zone-loss errors as predicted within 6 % (was: a few percent)",
          _web_incident, 0.06, seeds=tuple(SEEDS[:10])),
    # Exact by construction (the measured demand goes into the formula; issue 15 asks for an a-priori prediction).
    Claim("02-services/dynamodb", "throttled writes of the hot partition, adaptive capacity off and on",
          _hot_partition, 1e-9),
    # "The estimate is within a few percent once W is several times d": 5 %, on every seed (seeds 1-20: at most 3.3 %).
    Claim("09-agreement/raft", "election time within a few percent of the estimate once W >= 5d", _raft_election,
          0.05, slow=True),
    Claim("09-agreement/gossip", "push lands up to about two rounds above Pittel's estimate",
          _gossip_push_above_pittel, 1.25, absolute=True, seeds=tuple(SEEDS[:10]), slow=True),
    Claim("09-agreement/gossip", "failed probes of live members match the closed form", _swim_failed_probes, 0.40,
          share=0.85, seeds=tuple(SEEDS[:10]), slow=True),
    Claim("09-agreement/gossip", "first suspicion after a crash as e/(e-1) periods predict", _swim_first_detection,
          0.10, share=0.85, seeds=tuple(SEEDS[:10]), slow=True),
]


def _id(claim):
    return f"{claim.page.split('/')[1]}: {claim.what}"


def shares(claim):
    """For each of the claim's rows, the share of seeds on which it holds, and the misses (seed, measured, theory)."""
    per_row, misses = {}, []
    for seed in claim.seeds:
        for i, (m, t) in enumerate(claim.rows(seed)):
            ok = claim.within(m, t)
            per_row.setdefault(i, []).append(ok)
            if not ok:
                misses.append((i, seed, m, t))
    return {i: sum(oks) / len(oks) for i, oks in per_row.items()}, misses


def check(claim):
    """Every row of the claim holds on at least ``claim.share`` of the seeds."""
    per_row, misses = shares(claim)
    worst = min(per_row.values())
    assert worst >= claim.share, (
        f"{claim.page}: '{claim.what}' holds on only {worst:.0%} of {len(claim.seeds)} seeds for its worst row, "
        f"the page's wording needs {claim.share:.0%}; misses (row, seed, measured, theory): {misses[:8]}")


# The costly claims run from test_across_seeds_slow.py, so that `pytest -n 2 --dist loadfile` (make test) gives
# the two halves to different workers.
@pytest.mark.parametrize("claim", [c for c in CLAIMS if not c.slow], ids=_id)
def test_claim_holds_across_seeds(claim):
    check(claim)


def test_a_claim_that_fails_is_reported():
    wrong = Claim("nowhere", "a coin always lands heads", lambda seed: [(seed % 2, 1)], 0.0, absolute=True)
    with pytest.raises(AssertionError, match="holds on only 50%"):
        check(wrong)


def test_every_page_with_a_claim_exists():
    from pathlib import Path
    book = Path(__file__).resolve().parents[1] / "book"
    assert all((book / f"{c.page}.ipynb").exists() for c in CLAIMS)


# Claims found to hold only on some seeds, and what the page says now (the closing note of issue 15 repeats this).
SOMETIMES = {
    "01-foundations/fault-tolerance": (
        "'The simulation agrees with the formula to within about one percent' held on 8 of 20 seeds for 3-of-3 and "
        "the MTTR 400 s row", "on this seed about one percent; on twenty other seeds 2-of-3 within 1 %, 3-of-3 off "
        "by 2 % typically and up to 6 %, the MTTR 400 s row up to 7 %"),
    "05-security/ddos": (
        "'the simulation agrees with it as the table shows': the 400 SYN/s success share missed by more than 8 % "
        "on 8 of 20 seeds", "within a few percent on most seeds; at 400 SYN/s the success ranges from 0.050 to "
        "0.080 around 0.064"),
    "04-availability/failure-detection (normal jitter)": (
        "'The agreement is within sampling error' held at 1.3 s and 1.4 s on 13 of 20 seeds: delays are clipped at "
        "zero, the formula assumes an unclipped normal", "1.1 s within sampling error on every seed tried, 1.2 s on "
        "three in four; at 1.3 s and 1.4 s the simulation falls below the formula, by about 15 % and 40 %, and why"),
    "08-use-cases/iot": (
        "'QoS 1 never loses a message' held on 28 of 40 seeds (a lost SUBSCRIBE lost everything)",
        "the mechanism was fixed (CONNECT/CONNACK, SUBSCRIBE/SUBACK with retry); it now holds on every seed"),
    "04-availability/failure-detection": (
        "'timeout 4 s -> 0.7 false/hour' beside '3.5 s -> 0': late detections were counted as false",
        "the classification was fixed; on every seed tried a longer timeout makes no more false suspicions"),
    "04-availability/load-balancing": (
        "'Every row agrees to within 2 %': on seeds 1-20 the M/M/1 mean at 80 % load was within 2 % on 7, its p99 "
        "on 6", "on this seed within 2 %; on twenty other seeds the 50 % rows within 6 %, the 80 % rows within 7 % "
        "except the M/M/1 p99, up to 16 %"),
    "03-data/partitioning": (
        "'its lag is about 20 ms' (one replica, 160 reads/s): 16 to 31 ms on seeds 1-20, within 20 % on 16",
        "about 20 ms here (from 16 to 32 ms on twenty other seeds)"),
    "06-monitoring/alarms": (
        "'The latencies match queueing theory within a few percent': three-host windows within 3 % on 15 of 20 "
        "seeds (up to 7.5 %), the two-host window up to 29 %", "within a few percent on this seed (on twenty other "
        "seeds within 8 % with three hosts, and within 30 % in the two-host window)"),
    "06-monitoring/config (continuous)": (
        "'a change-triggered rule waits exactly the recording delay d': one incident of 3,621 (seed 16) waited "
        "51 s, recorded with an earlier change to the same volume", "exactly d, rarely less (when an earlier change to "
        "the same resource is still waiting to be recorded), once in about 3,600 incidents on twenty other seeds"),
    "06-monitoring/config": (
        "'The medians agree ... within sampling error': the daily change-only median was more than 2 SE above half a "
        "day on 6 of 20 seeds", "except the daily change-only rule's: incidents noticed after more than a day lift it "
        "by 6 % on average, from 0.9 to 1.2 times half a day, above its sampling error on 6 of twenty seeds"),
    "06-monitoring/metrics": (
        "'agrees with queueing theory to within a few percent': means within 3 % on 15 of 20 seeds, p99s up to 10 % "
        "and 16 %; 'understates the real p99 by 15 to 20 %': 15.4-21.3 % simulated", "within a few percent on this "
        "seed; on twenty other seeds means within 7 %, pooled and averaged p99s within 11 %, the busiest host's p99 up "
        "to 16 %; understates by about a fifth (19 % in theory; 15 to 21 % simulated)"),
    "08-use-cases/web-application": (
        "'The prediction lands within a few percent of the simulation': 0.8-5.6 % on seeds 1-20, within 3 % on 11",
        "within a few percent (2 % here, at most 6 % on twenty other seeds)"),
}


def test_every_page_that_changed_its_wording_has_a_claim_here():
    assert {page.split(' ')[0] for page in SOMETIMES} <= {c.page for c in CLAIMS}
