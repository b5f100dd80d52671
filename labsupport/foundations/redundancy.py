"""Redundancy under random crashes: n replicas, of which k must be up.

A kitchen with three ovens that needs one working oven to serve dinner is
far more reliable than any single oven. Here each replica alternates
between up (for an exponential time with mean ``mttf_s``) and down (mean
``mttr_s``), driven by the simulation kernel's crash and recover; a client
probes the replicas and counts a probe as served when at least ``k``
answer in time. Theory says each replica is up a fraction
``A = MTTF / (MTTF + MTTR)`` of the time and, if they fail independently,
the service is up with probability ``sum_{i>=k} C(n, i) A^i (1-A)^(n-i)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from labsupport.seeds import Seed
from labsupport.checks import check_int, check_number
from labsupport.foundations.availability import k_of_n, steady_state
from labsupport.sim import Constant, Node, Simulation

__all__ = ["Replica", "Prober", "RedundancyResult", "run_redundancy", "failure_schedule"]


class Replica(Node):
    """Answers every ``probe`` while it is up."""

    def on_probe(self, msg):
        self.reply(msg, "alive")


class Prober(Node):
    """Every ``interval_s``, asks all replicas and records whether ``k`` answered within ``timeout_s``."""

    def __init__(self, name, replicas, *, k, interval_s, timeout_s, duration_s):
        super().__init__(name)
        self.replicas, self.k = replicas, k
        self.interval_s, self.timeout_s, self.duration_s = interval_s, timeout_s, duration_s
        self.outcomes: list[bool] = []

    def start(self):
        while self.now + self.timeout_s <= self.duration_s:
            self.spawn(self._probe())
            yield self.sleep(self.interval_s)

    def _probe(self):
        replies = yield from self.collect(self.multicast(self.replicas, "probe"), self.k, self.timeout_s)
        self.outcomes.append(len(replies) >= self.k)


def failure_schedule(mttf_s: float, mttr_s: float, duration_s: float, *, rng) -> list[tuple[float, float]]:
    """Down intervals ``(crash_s, recover_s)`` of one replica that starts up, until ``duration_s``.

    Examples
    --------
    >>> import random
    >>> [(round(c), round(r)) for c, r in failure_schedule(900.0, 100.0, 3000.0, rng=random.Random(1))]
    [(130, 318), (1617, 1646), (2262, 2321)]
    """
    for name, value in (("mttf_s", mttf_s), ("mttr_s", mttr_s), ("duration_s", duration_s)):
        check_number(name, value, low=0, low_open=True)
    intervals, t = [], 0.0
    while True:
        t += rng.expovariate(1 / mttf_s)
        if t >= duration_s:
            return intervals
        repaired = t + rng.expovariate(1 / mttr_s)
        intervals.append((t, min(repaired, duration_s)))
        t = repaired


def _fraction_with_k_up(schedules, n, k, duration_s) -> float:
    """Exact time-weighted fraction of [0, duration_s) during which at least k of n replicas are up."""
    changes = sorted([(s, -1) for sched in schedules for s, _ in sched] +
                     [(r, +1) for sched in schedules for _, r in sched])
    up, last, good = n, 0.0, 0.0
    for t, delta in changes:
        if up >= k:
            good += t - last
        up, last = up + delta, t
    if up >= k:
        good += duration_s - last
    return good / duration_s


@dataclass(frozen=True)
class RedundancyResult:
    """Measured and predicted availability of a k-of-n replicated service."""

    n: int
    k: int
    replica_availability: float  # theory, MTTF / (MTTF + MTTR)
    theory: float  # k-of-n with independent failures
    time_fraction: float  # exact fraction of simulated time with >= k replicas up
    probe_fraction: float  # fraction of client probes that were served
    probes: int
    crashes: int

    @property
    def relative_error(self) -> float:
        """Relative error of the probed availability against the closed form."""
        return (self.probe_fraction - self.theory) / self.theory


def run_redundancy(n: int = 3, k: int = 1, *, mttf_s: float = 900.0, mttr_s: float = 100.0,
                   duration_s: float = 200_000.0, probe_interval_s: float = 20.0,
                   seed: Seed = None) -> RedundancyResult:
    """Simulate n replicas crashing and recovering at random, probed by a client.

    Examples
    --------
    >>> r = run_redundancy(n=3, k=1, duration_s=50_000, seed=1)
    >>> round(r.theory, 4), r.probes
    (0.999, 2500)
    >>> abs(r.probe_fraction - r.theory) < 0.005
    True
    """
    check_int("n", n, low=1)
    if not 1 <= check_int("k", k) <= n:
        raise ValueError(f"k={k} with n={n} replicas; choose 1 <= k <= n")
    for name, value in (("mttf_s", mttf_s), ("mttr_s", mttr_s), ("duration_s", duration_s),
                        ("probe_interval_s", probe_interval_s)):
        check_number(name, value, low=0, low_open=True)
    latency_s = 0.001
    sim = Simulation(seed=seed, latency=Constant(latency_s))
    names = [f"replica{i + 1}" for i in range(n)]
    for name in names:
        sim.add(Replica(name))
    schedules = []
    for name in names:
        schedule = failure_schedule(mttf_s, mttr_s, duration_s, rng=sim.rng(f"failures:{name}"))
        schedules.append(schedule)
        for crash_s, recover_s in schedule:
            sim.crash(name, at=crash_s)
            sim.recover(name, at=recover_s)
    prober = sim.add(Prober("client", names, k=k, interval_s=probe_interval_s,
                            timeout_s=4 * latency_s, duration_s=duration_s))
    sim.run(until=duration_s)
    a = steady_state(mttf_s, mttr_s)
    return RedundancyResult(
        n=n, k=k, replica_availability=a, theory=k_of_n(k, n, a),
        time_fraction=_fraction_with_k_up(schedules, n, k, duration_s),
        probe_fraction=sum(prober.outcomes) / len(prober.outcomes),
        probes=len(prober.outcomes), crashes=sum(len(s) for s in schedules),
    )
