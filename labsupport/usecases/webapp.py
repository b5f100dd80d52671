"""A web application through a traffic spike and the loss of an Availability Zone, with its dashboard.

The whole shop at once: a load balancer hands each request to a web server of
an Auto Scaling group spread over Availability Zones; the server looks in a
cache and, on a miss or a write, asks the database (a primary, a synchronous
standby in another zone, read replicas). Traffic rises, spikes, and then a
whole zone goes dark: its servers stop answering, its cache node and
database nodes vanish, and if the primary lived there the standby takes over.
What the customers see is a dashboard: p50 and p99 latency, error rate,
capacity and cost per hour, and whether the SLO held.

How it is simulated. A simpy process steps through the run in ``STEP_S``
steps; each step draws the step's requests (Poisson) and follows *every*
request through the tiers, drawing its delays from each tier's queue
(:class:`~labsupport.usecases.webapp_parts.Pool`: M/M/c while the tier keeps
up, a fluid backlog when it does not). The control plane runs beside it as
simpy processes: target tracking every minute (the policy of
:mod:`labsupport.availability.auto_scaling`), launches that serve only after
``launch_delay_s + init_s``, ALB-style health checks that take
:func:`~labsupport.availability.load_balancing.detection_delay_s` to notice a dead zone,
and a database failover that takes 60-120 s (the typical Multi-AZ DB
instance failover time in the Amazon RDS User Guide). Failed attempts are
retried with capped exponential backoff and full jitter
(:func:`labsupport.availability.retries.exponential_delay_s`); retries add load.

Why queues and not messages: an hour of traffic at thousands of requests a
second is too many requests to follow as messages between machines, and what the
dashboard shows (latency percentiles, errors, capacity, cost) is decided by how
busy each tier is, which a queue per tier captures. The kernel's per-message
detail (:mod:`labsupport.sim`) would cost minutes per run and change none of the
numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import simpy

from labsupport.seeds import Seed, as_numpy_rng, derive_rng, root_seed
from labsupport.checks import check_int, check_number, check_type
from labsupport.availability.retries import exponential_delay_s

from labsupport.usecases.prices import price
from labsupport.usecases.slo import SloVerdict, slo_windows, verdict
from labsupport.usecases.webapp_control import ControlPlane
from labsupport.usecases.webapp_parts import ZONES, Pool, Scenario, WebAppConfig, Workload

__all__ = ["STEP_S", "WebAppRun", "run_webapp"]

STEP_S = 10.0  # seconds per simulation step
STEPS_PER_MINUTE = 6


@dataclass(frozen=True)
class WebAppRun:
    """One run's dashboard, one entry per minute (``times_s`` is the minute's start)."""

    config: WebAppConfig
    scenario: Scenario
    latency_slo_s: float
    times_s: tuple[float, ...]
    load_rps: tuple[float, ...]  # offered by users
    attempts_rps: tuple[float, ...]  # including retries
    p50_s: tuple[float, ...]  # of successful requests (nan if none)
    p99_s: tuple[float, ...]
    requests: tuple[int, ...]
    errors: tuple[int, ...]  # failed after all retries
    slow: tuple[int, ...]  # succeeded, but slower than latency_slo_s
    serving: tuple[int, ...]  # instances taking traffic
    running: tuple[int, ...]  # instances billed (pending included)
    web_util: tuple[float, ...]
    db_util: tuple[float, ...]  # busiest database node
    cache_hit: tuple[float, ...]
    cost_per_hour_usd: tuple[float, ...]
    # (time in seconds, what happened), in order: capacity changes, the traffic spike, a zone lost and back,
    # the database primary lost, failover started and finished, the load balancer routing around a zone.
    events: tuple[tuple[float, str], ...] = field(repr=False)

    @property
    def error_rate(self) -> tuple[float, ...]:
        return tuple(e / n if n else 0.0 for e, n in zip(self.errors, self.requests))

    @property
    def total_cost_usd(self) -> float:
        return sum(self.cost_per_hour_usd) / 60

    @property
    def mean_cost_per_hour_usd(self) -> float:
        return sum(self.cost_per_hour_usd) / len(self.cost_per_hour_usd)

    def latency_slo(self, target: float = 0.999, window_s: float = 3600.0) -> SloVerdict:
        """Good = succeeded within ``latency_slo_s``."""
        bad = [e + s for e, s in zip(self.errors, self.slow)]
        return verdict(slo_windows(self.times_s, self.requests, bad, window_s=window_s, target=target),
                       latency_s=self.latency_slo_s)

    def availability_slo(self, target: float = 0.999, window_s: float = 3600.0) -> SloVerdict:
        """Good = succeeded, however slowly."""
        return verdict(slo_windows(self.times_s, self.requests, self.errors, window_s=window_s, target=target),
                       latency_s=math.inf)


class _WebApp(ControlPlane):
    """The run's state and its data plane; the control plane comes from :class:`ControlPlane`."""

    def __init__(self, env, config: WebAppConfig, scenario: Scenario, workload: Workload, seed: int):
        self.env, self.cfg, self.sc, self.wl = env, config, scenario, workload
        self.rng = as_numpy_rng(seed, "requests")
        self.faults = derive_rng(seed, "faults")
        self.noise = derive_rng(seed, "noise")
        self.zones = ZONES[:config.zones]
        self.up = {z: True for z in ZONES}
        self.excluded: set[str] = set()  # zones the load balancer has stopped routing to
        self.instances = [[z, -math.inf] for z in self.zones for _ in range(config.instances_per_zone)]
        self.desired = config.min_instances
        self.high = self.low = 0
        self.web = Pool(1 / workload.web_service_s, workload.timeout_s)
        self.db = {"primary": {"zone": "az-a", "readable": True}}
        if config.db_standby:
            self.db["standby"] = {"zone": "az-b", "readable": False}
        for i in range(config.db_replicas):
            self.db[f"replica{i + 1}"] = {"zone": ZONES[(i + 1) % len(ZONES)], "readable": True}
        self.db_pools = {name: Pool(1 / workload.db_service_s, workload.timeout_s) for name in self.db}
        self.primary: str | None = "primary"
        self.cache_nodes = list(self.zones) if config.cache else []
        self.dips: list[tuple[float, float]] = []  # (time, fraction of keys gone cold)
        self.carry = 0  # retry attempts made last step, offered again as load
        self.util_minute: list[float] = []
        self.rows: list[tuple] = []
        self.minute: dict = self._new_minute()
        self.events: list[tuple[float, str]] = []

    # -- helpers ---------------------------------------------------------------
    def note(self, text: str) -> None:
        self.events.append((round(self.env.now, 1), text))

    @staticmethod
    def _new_minute() -> dict:
        return {"ok_lat": [], "n": 0, "err": 0, "slow": 0, "load": 0.0, "att": 0.0, "util": 0.0, "db": 0.0}

    def serving(self) -> list:
        return [i for i in self.instances if i[1] <= self.env.now]

    def hit_ratio(self) -> float:
        if not self.cache_nodes:
            return 0.0
        cold = sum(f * math.exp(-(self.env.now - t) / self.wl.cache_warm_s) for t, f in self.dips)
        return self.wl.cache_hit_ratio * max(0.0, 1.0 - cold)

    # -- the data plane ------------------------------------------------------------
    def step(self, latency_slo_s: float) -> None:
        wl, now, rng = self.wl, self.env.now, self.rng
        user_rps = wl.rate_rps(now, self.sc.duration_s) * self.sc.spike_factor(now) * max(0.0, self.noise.gauss(1, wl.noise))
        attempts_rps = user_rps + self.carry / STEP_S
        registered = [i for i in self.serving() if i[0] not in self.excluded]
        dead = sum(1 for i in registered if not self.up[i[0]])
        dead_share = dead / len(registered) if registered else 0.0
        live_workers = (len(registered) - dead) * wl.workers_per_instance
        web_rps = attempts_rps * (1 - dead_share) if live_workers else 0.0
        web_wait = self.web.step(live_workers, web_rps, STEP_S)
        util = min(1.0, web_rps * wl.web_service_s / live_workers) if live_workers else 1.0
        hit = self.hit_ratio()
        readers = ([self.primary] if self.primary else []) + sorted(
            n for n in self.db if n.startswith("replica") and n != self.primary)
        writes_rps = web_rps * wl.write_fraction if self.primary else 0.0
        reads_rps = web_rps * (1 - wl.write_fraction) * (1 - hit)
        db_wait, db_util = {}, 0.0
        for name in self.db:
            lam = (reads_rps / len(readers) if name in readers else 0.0) + (writes_rps if name in readers else 0.0)
            db_wait[name] = self.db_pools[name].step(wl.db_workers, lam, STEP_S)
            db_util = max(db_util, lam * wl.db_service_s / wl.db_workers)
        tiers = (dead_share, live_workers, web_wait, hit, readers, db_wait)

        n = int(rng.poisson(user_rps * STEP_S))
        write = rng.random(n) < wl.write_fraction
        miss = ~write & (rng.random(n) >= hit)  # a read the cache cannot answer
        lat, ok = self.attempt(tiers, write, miss)
        made = n
        for retry in range(1, self.cfg.retries + 1):
            again = np.flatnonzero(~ok)
            if again.size == 0:
                break
            window = exponential_delay_s(retry, wl.backoff_base_s, wl.backoff_cap_s)
            more, more_ok = self.attempt(tiers, write[again], miss[again])  # the same requests again
            lat[again] += rng.uniform(0.0, window, again.size) + more
            ok[again] = more_ok
            made += again.size
        self.carry = made - n
        m = self.minute
        m["ok_lat"].append(lat[ok])
        m["n"] += n
        m["err"] += int(n - ok.sum())
        m["slow"] += int((lat[ok] > latency_slo_s).sum())
        m["load"] += user_rps / STEPS_PER_MINUTE
        m["att"] += attempts_rps / STEPS_PER_MINUTE
        m["util"] += util / STEPS_PER_MINUTE
        m["db"] = max(m["db"], db_util)
        self.util_minute.append(util)

    def attempt(self, tiers, write: np.ndarray, miss: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Follow one attempt of each request (a write, a cache miss, or a cache hit) through the tiers.

        Returns (latency in seconds, succeeded) per request.
        """
        dead_share, live_workers, web_wait, hit, readers, db_wait = tiers
        wl, rng, n = self.wl, self.rng, write.size
        lat = np.full(n, wl.network_s)
        ok = np.ones(n, bool)
        if n == 0:
            return lat, ok
        refused = rng.random(n) < (dead_share if live_workers else 1.0)
        wait = web_wait(rng, n) if live_workers else np.zeros(n)
        gave_up = ~refused & (wait > wl.timeout_s)
        lat += np.where(refused, wl.error_s, np.where(gave_up, wl.timeout_s, wait + rng.exponential(wl.web_service_s, n)))
        ok &= ~(refused | gave_up)
        lat += np.where(ok & ~write & ~miss, wl.network_s, 0.0)  # a cache hit
        names = [self.primary] if self.primary else []
        for kind, mask, nodes in (("write", ok & write, names), ("read", ok & miss, readers)):
            idx = np.flatnonzero(mask)
            if idx.size == 0:
                continue
            if not nodes:
                lat[idx] += wl.error_s
                ok[idx] = False
                continue
            sync = 2 * wl.network_s if kind == "write" and "standby" in self.db and self.primary == "primary" else 0.0
            pick = rng.integers(len(nodes), size=idx.size) if len(nodes) > 1 else np.zeros(idx.size, int)
            for j, name in enumerate(nodes):
                sel = idx[pick == j]
                waits = db_wait[name](rng, sel.size)
                slow_db = waits > wl.timeout_s
                lat[sel] += np.where(slow_db, wl.timeout_s,
                                     wl.network_s + sync + waits + rng.exponential(wl.db_service_s, sel.size))
                ok[sel[slow_db]] = False
        return lat, ok

    def traffic(self, latency_slo_s: float):
        while self.env.now < self.sc.duration_s:
            self.step(latency_slo_s)
            yield self.env.timeout(STEP_S)
            if round(self.env.now / STEP_S) % STEPS_PER_MINUTE == 0:
                self.close_minute()

    def close_minute(self) -> None:
        m = self.minute
        lat = np.concatenate(m["ok_lat"]) if m["ok_lat"] else np.zeros(0)
        p50, p99 = (np.percentile(lat, [50, 99]) if lat.size else (math.nan, math.nan))
        running = len(self.instances)
        cost = (running * price("web_instance") + len(self.db) * price("db_node")
                + len(self.cache_nodes) * price("cache_node") + price("load_balancer"))
        self.rows.append((self.env.now - 60.0, m["load"], m["att"], float(p50), float(p99), m["n"], m["err"],
                          m["slow"], len(self.serving()), running, m["util"], m["db"], self.hit_ratio(), cost))
        self.minute = self._new_minute()


def run_webapp(config: WebAppConfig = WebAppConfig(), scenario: Scenario = Scenario(),
               workload: Workload = Workload(), *, latency_slo_s: float = 0.3, seed: Seed = None) -> WebAppRun:
    """Run the web application ``config`` through ``scenario``; return its per-minute dashboard.

    Examples
    --------
    >>> quiet = Scenario(duration_s=1800, spike=None, zone_loss=None)
    >>> r = run_webapp(WebAppConfig(), quiet, seed=1)
    >>> len(r.times_s), sum(r.errors), r.latency_slo(window_s=1800).met
    (30, 0, True)
    >>> r == run_webapp(WebAppConfig(), quiet, seed=1)
    True
    """
    check_type("config", config, WebAppConfig)
    check_type("scenario", scenario, Scenario)
    check_type("workload", workload, Workload)
    check_number("latency_slo_s", latency_slo_s, low=0, low_open=True)
    seed = root_seed(seed)
    check_int("seed", seed)  # an int, so that the run can be repeated
    env = simpy.Environment()
    app = _WebApp(env, config, scenario, workload, seed)
    env.process(app.traffic(latency_slo_s))
    env.process(app.controller())
    app.schedule_faults()
    env.run(until=scenario.duration_s + 1e-6)
    cols = list(zip(*app.rows))
    return WebAppRun(config, scenario, float(latency_slo_s), *(tuple(c) for c in cols[:5]),
                     *(tuple(int(x) for x in c) for c in cols[5:8]), *(tuple(int(x) for x in c) for c in cols[8:10]),
                     *(tuple(c) for c in cols[10:]), events=tuple(app.events))
