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


def _disaster_recovery(seed):
    # "agree with the arithmetic within the scatter of twenty random outages": error in standard errors of the mean.
    from labsupport.usecases.disaster_recovery import DrPlan, expected_rpo_s, expected_rto_s, measure
    plan = DrPlan()
    outcomes = measure(plan, trials=20, seed=seed)
    out = []
    for s, o in outcomes.items():
        for values, theory in ((o.rto_s, expected_rto_s(s, plan)),) + (
                ((o.rpo_s, expected_rpo_s(s, plan)),) if s in ("backup_restore", "warm_standby") else ()):
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
}


def test_every_page_that_changed_its_wording_has_a_claim_here():
    assert {page.split(' ')[0] for page in SOMETIMES} <= {c.page for c in CLAIMS}
