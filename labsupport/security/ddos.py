"""DDoS defence in three scenes: a request flood, a SYN flood, and a volumetric flood.

Picture a shop on sale day with a crowd of fake shoppers. A **request flood**
fills the aisles with people who never buy: a doorman who counts visits per
person (AWS WAF rate-based rule) or hands out a limited number of tickets
per person (token bucket) keeps room for real customers. A **SYN flood**
fills the cloakroom with coats nobody collects: each half-open TCP handshake
holds a slot of a finite backlog until it times out; **SYN cookies** stop
keeping coats at all -- the ticket itself proves who you are. A **volumetric
flood** is a crowd too big for any one door; anycast sends each visitor to
the nearest of many doors (edge locations), so each door sees only its share.

Every scene measures the **goodput** of legitimate users during the attack and
prints it beside a closed form: proportional sharing of an overloaded server,
the Erlang loss formula for the SYN backlog (whose occupancy, while it is
not full, is attack rate x SYN-RECEIVED timeout by Little's law), and an even
split of the flood over the edge locations.

Why queues and not messages: each scene is about capacity (a server's service
rate, a SYN backlog, an edge location's bandwidth) under floods of thousands to
millions of requests a second; queueing and loss models at that rate are the
right tool, and following every packet as a kernel message
(:mod:`labsupport.sim`) would be slower without changing the goodput.

References
----------
AWS WAF Developer Guide, "Rate-based rule high-level settings" and "caveats"
(see :mod:`labsupport.security.ratelimit`). AWS Best Practices for DDoS Resiliency,
"SYN flood attacks" (half-open connections; modern operating systems use SYN
cookies by default once the SYN queue reaches a threshold). AWS WAF, Firewall
Manager and Shield Developer Guide, "Mitigation features" (Shield's TCP SYN
proxy challenges new connections with SYN cookies, statelessly). Linux
``ip-sysctl`` documentation, ``tcp_synack_retries`` (default 5: a half-open
connection times out after 63 s). A. K. Erlang's loss formula (M/G/c/c),
insensitive to the holding-time distribution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import simpy

from labsupport.seeds import Seed, as_numpy_rng, as_rng
from labsupport.checks import check_int, check_number
from labsupport.foundations.queueing import erlang_b  # re-exported: the DDoS page's SYN backlog
from labsupport.security.ratelimit import RateBasedRule, TokenBucket

__all__ = ["erlang_b", "RateLimitResult", "run_request_flood", "SynFloodResult", "run_syn_flood",
           "VolumetricResult", "run_volumetric_flood", "DEFENCES"]

DEFENCES = ("none", "token_bucket", "waf_rate_rule")


# --- 1. request flood: a server of finite capacity, with a rate limit in front --------------------
@dataclass(frozen=True)
class RateLimitResult:
    """Per-second series and the legitimate goodput (served / offered) in the steady attack period."""

    defence: str
    time_s: tuple[int, ...]
    legit_offered: tuple[int, ...]
    legit_served: tuple[int, ...]
    attack_offered: tuple[int, ...]
    attack_admitted: tuple[int, ...]
    goodput: float
    theory: float


def run_request_flood(defence: str = "waf_rate_rule", *, legit_ips: int = 50, legit_rate_per_ip: float = 1.0,
                      attack_ips: int = 20, attack_rate_per_ip: float = 20.0, capacity_per_s: float = 100.0,
                      queue_limit: int = 100, limit: int = 100, window_s: int = 60, check_interval_s: float = 10.0,
                      bucket_rate_per_s: float = 2.0, bucket_burst: float = 10.0, attack_start_s: float = 10.0,
                      duration_s: float = 90.0, steady_from_s: float = 30.0, seed: Seed = None) -> RateLimitResult:
    """Poisson requests from legitimate and attacking IPs; a FIFO server of ``capacity_per_s`` with a finite queue.

    ``defence``: ``"none"``, ``"token_bucket"`` (one bucket per IP) or ``"waf_rate_rule"``
    (:class:`~labsupport.security.ratelimit.RateBasedRule` with ``limit``/``window_s``). Goodput is measured
    from ``steady_from_s`` on; the theory is proportional sharing of the capacity by what is admitted.

    Examples
    --------
    >>> r = run_request_flood("none", duration_s=40, seed=1)
    >>> round(r.goodput, 2), round(r.theory, 2)
    (0.2, 0.22)
    """
    if defence not in DEFENCES:
        raise ValueError(f"defence={defence!r} is unknown; choose one of {DEFENCES}")
    for _name, _value in (("legit_rate_per_ip", legit_rate_per_ip),
                          ("attack_rate_per_ip", attack_rate_per_ip), ("capacity_per_s", capacity_per_s),
                          ("duration_s", duration_s)):
        check_number(_name, _value, low=0, low_open=True)
    check_int("legit_ips", legit_ips, low=1)
    check_int("attack_ips", attack_ips, low=1)
    check_int("queue_limit", queue_limit, low=0)
    check_number("attack_start_s", attack_start_s, low=0)
    check_number("steady_from_s", steady_from_s, low=0)
    if not 0 <= attack_start_s < steady_from_s < duration_s:
        raise ValueError("need 0 <= attack_start_s < steady_from_s < duration_s")
    rule = RateBasedRule(limit, window_s, check_interval_s)  # checks the rule's settings whichever defence runs
    rule = rule if defence == "waf_rate_rule" else None
    check_number("bucket_rate_per_s", bucket_rate_per_s, low=0, low_open=True)  # and the token bucket's,
    check_number("bucket_burst", bucket_burst, low=1)  # in TokenBucket's range
    rng = as_rng(seed)
    env = simpy.Environment()
    buckets: dict[str, TokenBucket] = {}
    bins = int(math.ceil(duration_s))
    counts = {k: [0] * bins for k in ("legit_offered", "legit_served", "attack_offered", "attack_admitted")}
    busy_until = [0.0]

    def arrive(ip: str, kind: str) -> None:
        now, b = env.now, int(env.now)
        counts[f"{kind}_offered"][b] += 1
        if rule is not None and not rule.allow(ip, now):
            return
        if defence == "token_bucket" and not buckets.setdefault(ip, TokenBucket(bucket_rate_per_s, bucket_burst)).allow(now):
            return
        if kind == "attack":
            counts["attack_admitted"][b] += 1
        if busy_until[0] - now > queue_limit / capacity_per_s:
            return                                   # queue full: dropped
        busy_until[0] = max(busy_until[0], now) + 1.0 / capacity_per_s
        if kind == "legit":
            counts["legit_served"][b] += 1

    def source(kind: str, ips: int, rate: float, start: float):
        yield env.timeout(start)
        while True:
            yield env.timeout(rng.expovariate(ips * rate))
            if env.now >= duration_s:
                return
            arrive(f"{kind}-{rng.randrange(ips)}", kind)

    env.process(source("legit", legit_ips, legit_rate_per_ip, 0.0))
    env.process(source("attack", attack_ips, attack_rate_per_ip, attack_start_s))
    env.run(until=duration_s)
    lo = int(steady_from_s)
    offered, served = sum(counts["legit_offered"][lo:]), sum(counts["legit_served"][lo:])
    legit, attack = legit_ips * legit_rate_per_ip, attack_ips * attack_rate_per_ip
    admitted = {"none": attack, "token_bucket": min(attack, attack_ips * bucket_rate_per_s), "waf_rate_rule": 0.0}[defence]
    return RateLimitResult(defence, tuple(range(bins)), *(tuple(counts[k]) for k in counts),
                           served / offered if offered else 1.0, min(1.0, capacity_per_s / (legit + admitted)))


# --- 2. SYN flood: a finite backlog of half-open connections -------------------------------------
@dataclass(frozen=True)
class SynFloodResult:
    """What one SYN-flood run measured, with the Erlang-loss predictions beside it."""

    syn_cookies: bool
    attack_rate_per_s: float
    legit_attempts: int
    legit_connected: int
    success: float
    mean_backlog: float
    cookies_sent: int
    theory_success: float
    theory_backlog: float


def run_syn_flood(attack_rate_per_s: float, *, syn_cookies: bool = False, legit_rate_per_s: float = 20.0,
                  backlog: int = 128, syn_timeout_s: float = 5.0, rtt_s: float = 0.05, duration_s: float = 60.0,
                  seed: Seed = None) -> SynFloodResult:
    """Spoofed SYNs that never complete, and real clients, against a backlog of ``backlog`` half-open slots.

    An attack SYN holds a slot for ``syn_timeout_s``; a real handshake holds one for ``rtt_s``.
    Success and occupancy are measured after a warm-up of ``syn_timeout_s`` (the backlog starts empty).
    With the backlog full a SYN is dropped -- unless ``syn_cookies``, when the server answers
    statelessly and a real client still connects. Theory without cookies: success is
    ``1 - erlang_b(backlog, a)`` and the mean occupancy ``a (1 - B)``, with
    ``a = attack_rate x syn_timeout_s + legit_rate x rtt_s``.

    Examples
    --------
    >>> r = run_syn_flood(10.0, duration_s=30, seed=1)
    >>> r.success, round(r.theory_backlog, 1)
    (1.0, 51.0)
    """
    for _name, _value in (("attack_rate_per_s", attack_rate_per_s), ("legit_rate_per_s", legit_rate_per_s),
                          ("syn_timeout_s", syn_timeout_s), ("rtt_s", rtt_s), ("duration_s", duration_s)):
        check_number(_name, _value, low=0, low_open=True)
    check_int("backlog", backlog, low=1)
    rng = as_rng(seed)
    env = simpy.Environment()
    warmup_s = min(syn_timeout_s, duration_s / 2)   # the backlog starts empty; measure once it has filled
    state = {"busy": 0, "area": 0.0, "since": 0.0, "attempts": 0, "connected": 0, "cookies": 0}

    def occupy(delta: int) -> None:
        state["area"] += state["busy"] * max(0.0, env.now - max(state["since"], warmup_s))
        state["since"] = env.now
        state["busy"] += delta

    def hold(seconds: float):
        yield env.timeout(seconds)
        occupy(-1)

    def syn(legit: bool) -> None:
        measured = legit and env.now >= warmup_s
        state["attempts"] += measured
        if state["busy"] < backlog:
            occupy(+1)
            env.process(hold(rtt_s if legit else syn_timeout_s))
            state["connected"] += measured
        elif syn_cookies:
            state["cookies"] += 1
            state["connected"] += measured
        # else: dropped

    def source(rate: float, legit: bool):
        while True:
            yield env.timeout(rng.expovariate(rate))
            syn(legit)

    env.process(source(attack_rate_per_s, False))
    env.process(source(legit_rate_per_s, True))
    env.run(until=duration_s)
    occupy(0)
    a = attack_rate_per_s * syn_timeout_s + legit_rate_per_s * rtt_s
    blocking = erlang_b(backlog, a)
    return SynFloodResult(syn_cookies, attack_rate_per_s, state["attempts"], state["connected"],
                          state["connected"] / state["attempts"] if state["attempts"] else 1.0,
                          state["area"] / (duration_s - warmup_s), state["cookies"], 1.0 if syn_cookies else 1.0 - blocking,
                          a * (1.0 - blocking))


# --- 3. volumetric flood: one location versus many edge locations (anycast) ----------------------
@dataclass(frozen=True)
class VolumetricResult:
    """Legitimate goodput with the flood spread over ``edges`` locations, and the even-split theory."""

    edges: int
    goodput: float
    theory: float
    busiest_edge_load: float  # offered / capacity at the most loaded edge, averaged over time


def run_volumetric_flood(edges: int, *, attack_gbps: float = 800.0, legit_gbps: float = 20.0,
                         edge_capacity_gbps: float = 100.0, concentration: float = 50.0, seconds: int = 60,
                         seed: Seed = None) -> VolumetricResult:
    """Bots and users spread over ``edges`` regions; anycast sends each to its region's edge.

    Each region's share of the botnet is drawn from a Dirichlet distribution (``concentration``:
    large = even, small = lopsided); traffic fluctuates second by second. An edge that receives
    more than its capacity drops the excess in proportion. Theory (even split):
    ``min(1, edges x capacity / (attack + legit))``.

    Examples
    --------
    >>> [round(run_volumetric_flood(k, seed=1).goodput, 2) for k in (1, 16)]
    [0.13, 1.0]
    """
    check_int("edges", edges, low=1)
    for _name, _value in (("attack_gbps", attack_gbps), ("legit_gbps", legit_gbps),
                          ("edge_capacity_gbps", edge_capacity_gbps), ("concentration", concentration),
                          ("seconds", seconds)):
        check_number(_name, _value, low=0, low_open=True)
    rng = as_numpy_rng(seed, "volumetric:bots")
    bots = rng.dirichlet(np.full(edges, concentration)) * attack_gbps
    users = np.full(edges, legit_gbps / edges)
    served = offered = peak = 0.0
    for _ in range(int(seconds)):
        attack = bots * rng.gamma(25.0, 1 / 25.0, edges)       # +-20 % second-to-second fluctuation
        legit = users * rng.gamma(100.0, 1 / 100.0, edges)
        load = attack + legit
        served += float(np.sum(legit * np.minimum(1.0, edge_capacity_gbps / load)))
        offered += float(legit.sum())
        peak += float(load.max() / edge_capacity_gbps)
    theory = min(1.0, edges * edge_capacity_gbps / (attack_gbps + legit_gbps))
    return VolumetricResult(edges, served / offered, theory, peak / int(seconds))
