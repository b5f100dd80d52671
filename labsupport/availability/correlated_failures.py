"""Correlated failures: hosts that share an Availability Zone fail together.

Two web servers on two power strips in one room survive a blown fuse, but
not a fire in the room. The binomial formulas of :mod:`labsupport.foundations.availability`
assume every copy fails on its own; here hosts live in zones, and a zone
outage (power, cooling, network, a bad deployment to that zone) takes all of
its hosts down at once. A host is *effectively up* when it is up and its
zone is up; the service needs at least ``k`` effectively-up hosts.

With ``z`` zones of ``h`` hosts each, zone availability ``A_z`` and host
availability ``A_h``, all independent of each other, the number of
effectively-up hosts in one zone is 0 with probability
``(1 - A_z) + A_z (1 - A_h)^h`` and ``j >= 1`` with probability
``A_z C(h, j) A_h^j (1 - A_h)^(h - j)``; the zones' counts add up, so the
service's availability is a convolution (:func:`zone_availability`). For
``k = 1`` it is ``1 - (1 - A_z (1 - (1 - A_h)^h))^z``. Ignoring the zones
(treating all ``z h`` hosts as independent) overstates it, often by orders
of magnitude; :func:`run_zone_failures` measures the truth in a simpy
simulation where zones and hosts really crash and get repaired.

Why failure processes and not messages: availability here is a matter of which
hosts and zones are up, over years of failures and repairs; there is no
conversation between machines to model, so the simulation runs renewal processes
on simpy rather than the message-level kernel :mod:`labsupport.sim`.

References
----------
.. [1] AWS Well-Architected Framework, Reliability Pillar, "Availability"
   (hard dependencies multiply; independent redundant components multiply
   their unavailabilities). https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/
.. [2] AWS Whitepaper, "Availability and Beyond: Understanding and Improving
   the Resilience of Distributed Systems on AWS", section "Availability with
   dependencies". https://docs.aws.amazon.com/whitepapers/latest/availability-and-beyond-improving-resilience/
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import simpy

from labsupport.seeds import Seed, as_rng, derive_rng, root_seed
from labsupport.checks import check_int, check_number, check_probability, out_of_range
from labsupport.foundations.availability import k_of_n, steady_state

__all__ = ["zone_availability", "independent_availability", "ZoneFailureResult", "run_zone_failures"]


def _check_k(k: int, zones: int, hosts_per_zone: int) -> int:
    check_int("k", k, low=1)
    if k > zones * hosts_per_zone:
        raise out_of_range("k", k, "1 <= k <= zones * hosts_per_zone", why=f"exceeds the {zones * hosts_per_zone} hosts")
    return k


def zone_availability(zones: int, hosts_per_zone: int, host_availability: float,
                      *, zone_availability: float, k: int = 1) -> float:
    """Probability that at least ``k`` hosts are up in zones that are up (zone outages correlate hosts).

    Exact: the per-zone distribution of effectively-up hosts, convolved over
    the zones. O((z h)^2) time.

    Examples
    --------
    >>> round(zone_availability(2, 2, 0.99, zone_availability=0.999), 8)        # any 1 of 2 x 2 hosts
    0.99999879
    >>> round(independent_availability(4, 0.99), 8)           # pretending they are independent
    0.99999999
    >>> zone_availability(3, 1, 0.9, zone_availability=1.0, k=2) == k_of_n(2, 3, 0.9)   # perfect zones: binomial
    True
    """
    check_int("zones", zones, low=1)
    check_int("hosts_per_zone", hosts_per_zone, low=1)
    _check_k(k, zones, hosts_per_zone)
    a_h = check_probability("host_availability", host_availability)
    a_z = check_probability("zone_availability", zone_availability)
    h = hosts_per_zone
    per_zone = [a_z * math.comb(h, j) * a_h ** j * (1 - a_h) ** (h - j) for j in range(h + 1)]
    per_zone[0] += 1.0 - a_z
    total = [1.0]
    for _ in range(zones):
        nxt = [0.0] * (len(total) + h)
        for i, p in enumerate(total):
            for j, q in enumerate(per_zone):
                nxt[i + j] += p * q
        total = nxt
    return round(min(1.0, math.fsum(total[k:])), 12)


def independent_availability(hosts: int, host_availability: float, k: int = 1) -> float:
    """The naive answer: ``k`` of ``hosts`` independent hosts, ignoring the zones.

    Examples
    --------
    >>> independent_availability(3, 0.9, k=2)
    0.972
    """
    check_int("hosts", hosts, low=1)
    return k_of_n(_check_k(k, hosts, 1), hosts, check_probability("host_availability", host_availability))


@dataclass(frozen=True)
class ZoneFailureResult:
    """What :func:`run_zone_failures` measured, beside the two closed forms.

    ``measured`` is the exact fraction of simulated time with at least ``k``
    effectively-up hosts; ``theory`` assumes independent zones and hosts
    (:func:`zone_availability` with each part's MTTF/(MTTF+MTTR));
    ``theory_ignoring_zones`` is :func:`independent_availability`.
    ``outages`` lists the service's down intervals ``(start_s, end_s)``;
    ``zone_outages`` and ``host_outages`` count the components' failures.
    """

    zones: int
    hosts_per_zone: int
    k: int
    duration_s: float
    measured: float
    theory: float
    theory_ignoring_zones: float
    outages: tuple[tuple[float, float], ...]
    zone_outages: int
    host_outages: int

    @property
    def downtime_s(self) -> float:
        """Total time the service was down."""
        return sum(end - start for start, end in self.outages)


def _component(env, mttf_s, mttr_s, rng, on_change):
    """Alternate up (exponential, mean ``mttf_s``) and down (mean ``mttr_s``) forever, reporting each change."""
    while True:
        yield env.timeout(rng.expovariate(1.0 / mttf_s))
        on_change(False)
        yield env.timeout(rng.expovariate(1.0 / mttr_s))
        on_change(True)


def run_zone_failures(zones: int = 3, hosts_per_zone: int = 2, k: int = 1, *,
                      host_mttf_s: float = 900.0, host_mttr_s: float = 100.0,
                      zone_mttf_s: float = 4900.0, zone_mttr_s: float = 100.0,
                      duration_s: float = 2_000_000.0, seed: Seed = None) -> ZoneFailureResult:
    """Simulate zones and hosts that crash and recover; measure when ``k`` hosts were usable.

    Every zone and every host alternates between exponential up and down
    periods drawn from its own seeded stream. A zone outage makes all its hosts
    unusable, whatever their own state. The defaults (hosts up 90 %, zones up
    98 %) exaggerate failure rates so that rare coincidences happen often
    enough to measure in a short run.

    Examples
    --------
    >>> r = run_zone_failures(1, 4, duration_s=400_000, seed=1)   # four hosts, one zone
    >>> round(r.theory, 4), round(r.theory_ignoring_zones, 4)
    (0.9799, 0.9999)
    >>> abs(r.measured - r.theory) < 0.01, r.zone_outages > 50
    (True, True)
    >>> run_zone_failures(2, 2, duration_s=20_000, seed=1) == run_zone_failures(2, 2, duration_s=20_000, seed=1)
    True
    """
    check_int("zones", zones, low=1)
    check_int("hosts_per_zone", hosts_per_zone, low=1)
    _check_k(k, zones, hosts_per_zone)
    for name, value in (("host_mttf_s", host_mttf_s), ("host_mttr_s", host_mttr_s),
                        ("zone_mttf_s", zone_mttf_s), ("zone_mttr_s", zone_mttr_s),
                        ("duration_s", duration_s)):
        check_number(name, value, low=0, low_open=True)
    base = root_seed(seed)

    zone_up = [True] * zones
    hosts_up = [hosts_per_zone] * zones    # hosts up in each zone, whether or not the zone is
    usable = zones * hosts_per_zone        # effectively-up hosts: the up hosts of the up zones
    failures = {"zone": 0, "host": 0}
    outages: list[list[float]] = []
    env = simpy.Environment()

    def add_usable(change: int) -> None:
        nonlocal usable
        was_up = usable >= k
        usable += change
        now_up = usable >= k
        if was_up and not now_up:
            outages.append([env.now, duration_s])
        elif now_up and not was_up:
            outages[-1][1] = env.now

    def zone_changed(z: int, up: bool) -> None:
        zone_up[z] = up
        if not up:
            failures["zone"] += 1
        add_usable(hosts_up[z] if up else -hosts_up[z])

    def host_changed(z: int, up: bool) -> None:
        hosts_up[z] += 1 if up else -1
        if not up:
            failures["host"] += 1
        if zone_up[z]:
            add_usable(1 if up else -1)

    for z in range(zones):
        env.process(_component(env, zone_mttf_s, zone_mttr_s, derive_rng(base, f"zone{z}"),
                               functools.partial(zone_changed, z)))
        for i in range(hosts_per_zone):
            env.process(_component(env, host_mttf_s, host_mttr_s, derive_rng(base, f"host{z}.{i}"),
                                   functools.partial(host_changed, z)))
    env.run(until=duration_s)

    spans = tuple((float(a), float(min(b, duration_s))) for a, b in outages)
    down = sum(b - a for a, b in spans)
    a_h, a_z = steady_state(host_mttf_s, host_mttr_s), steady_state(zone_mttf_s, zone_mttr_s)
    return ZoneFailureResult(
        zones=zones, hosts_per_zone=hosts_per_zone, k=k, duration_s=float(duration_s),
        measured=1.0 - down / duration_s,
        theory=zone_availability(zones, hosts_per_zone, a_h, zone_availability=a_z, k=k),
        theory_ignoring_zones=independent_availability(zones * hosts_per_zone, a_h, k),
        outages=spans,
        zone_outages=failures["zone"], host_outages=failures["host"])
