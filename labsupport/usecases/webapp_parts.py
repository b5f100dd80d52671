"""The parts list of the web application: its design, its workload, its fault schedule, and its tiers' queues.

An architect's drawing, a traffic forecast and a fire drill are three
different documents: :class:`WebAppConfig` is what *you* choose (zones,
instances, scaling, cache, database replicas, retries), :class:`Workload` is
what the users and the hardware are like, and :class:`Scenario` is what
happens to the system (a spike, the loss of an Availability Zone).
:class:`Pool` is one tier's queue: ``c`` identical workers fed by a load
balancer, an M/M/c queue while it keeps up and a growing backlog (a fluid
queue) when it does not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from labsupport.checks import check_int, check_number, check_probability, check_type, out_of_range
from labsupport.availability.auto_scaling import TargetTracking
from labsupport.foundations.queueing import erlang_c

__all__ = ["ZONES", "WebAppConfig", "Workload", "Scenario", "Pool"]

ZONES = ("az-a", "az-b", "az-c")


@dataclass(frozen=True, kw_only=True)
class WebAppConfig:
    """A design: what the architect chooses.

    ``target_cpu=None`` fixes the fleet at ``zones * instances_per_zone``;
    otherwise target tracking keeps average CPU near ``target_cpu`` percent
    (:class:`labsupport.availability.auto_scaling.TargetTracking`). The database primary
    lives in ``az-a``; a Multi-AZ standby (``db_standby``) in ``az-b``; read
    replicas in ``az-b``, ``az-c``, ``az-a``, ... in turn.

    Examples
    --------
    >>> WebAppConfig(zones=2).min_instances
    4
    >>> WebAppConfig(zones=4)
    Traceback (most recent call last):
    ...
    ValueError: zones=4 is out of range; choose 1 <= zones <= 3
    """

    zones: int = 3
    instances_per_zone: int = 2
    max_instances: int = 30
    target_cpu: float | None = 50.0
    scale_out_periods: int = 2
    scale_in_periods: int = 15
    cache: bool = True
    db_standby: bool = True
    db_replicas: int = 0
    retries: int = 1

    def __post_init__(self):
        check_int("zones", self.zones, low=1, high=len(ZONES))
        check_int("instances_per_zone", self.instances_per_zone, low=1, high=50)
        check_int("max_instances", self.max_instances, low=1, high=200)
        if self.max_instances < self.min_instances:
            raise ValueError(f"max_instances={self.max_instances} is below zones * instances_per_zone = "
                             f"{self.min_instances}; raise max_instances or lower instances_per_zone")
        check_int("db_replicas", self.db_replicas, low=0, high=5)
        check_int("retries", self.retries, low=0, high=5)
        for flag in ("cache", "db_standby"):
            check_type(flag, getattr(self, flag), bool)
        check_int("scale_out_periods", self.scale_out_periods, low=1)  # checked even for a fixed fleet
        check_int("scale_in_periods", self.scale_in_periods, low=1)
        if self.target_cpu is not None:
            check_number("target_cpu", self.target_cpu)  # a number here; its range (percent) in tracking()
            self.tracking()

    @property
    def min_instances(self) -> int:
        return self.zones * self.instances_per_zone

    def tracking(self) -> TargetTracking:
        """The target tracking policy these fields describe."""
        return TargetTracking(target_cpu=self.target_cpu, scale_out_periods=self.scale_out_periods,
                              scale_in_periods=self.scale_in_periods)

    @classmethod
    def from_dict(cls, design: dict) -> "WebAppConfig":
        """Build a config from a plain dict, naming any key that is not a field."""
        check_type("design", design, dict)  # of settings
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(design) - known)
        if unknown:
            raise ValueError(f"unknown setting(s) {unknown}; the settings are {sorted(known)}")
        return cls(**design)


@dataclass(frozen=True, kw_only=True)
class Workload:
    """Users and hardware. Times in seconds; ``base_rps`` rises by ``rise`` (a fraction) at mid-run.

    Examples
    --------
    >>> Workload(web_service_s=0.025).instance_rps   # 2 workers, 25 ms each
    80.0
    """

    base_rps: float = 300.0
    rise: float = 0.3
    noise: float = 0.05
    web_service_s: float = 0.02
    workers_per_instance: int = 2
    write_fraction: float = 0.1
    cache_hit_ratio: float = 0.85
    cache_warm_s: float = 300.0
    db_service_s: float = 0.006
    db_workers: int = 2
    launch_delay_s: float = 120.0
    init_s: float = 60.0
    timeout_s: float = 2.0
    network_s: float = 0.002
    error_s: float = 0.05
    backoff_base_s: float = 0.05
    backoff_cap_s: float = 1.0
    failover_s: tuple[float, float] = (60.0, 120.0)
    promotion_s: tuple[float, float] = (300.0, 600.0)
    restart_s: float = 300.0
    health_interval_s: float = 10.0

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            for v in (value if isinstance(value, tuple) else (value,)):
                check_number(f.name, v, low=0)
        for name in ("base_rps", "web_service_s", "db_service_s", "timeout_s"):
            check_number(name, getattr(self, name), low=0, low_open=True)
        check_probability("write_fraction", self.write_fraction)
        check_probability("cache_hit_ratio", self.cache_hit_ratio, open_high=True)

    @property
    def instance_rps(self) -> float:
        """Requests per second one web instance serves flat out."""
        return self.workers_per_instance / self.web_service_s

    def rate_rps(self, t_s: float, duration_s: float) -> float:
        """Offered requests per second before spikes and noise: a smooth rise to ``base * (1 + rise)`` at mid-run."""
        return self.base_rps * (1 + self.rise * (1 - math.cos(2 * math.pi * t_s / duration_s)) / 2)


@dataclass(frozen=True)
class Scenario:
    """What happens: ``spike=(start_s, length_s, factor)``; ``zone_loss=(zone index, start_s, length_s)``.

    Examples
    --------
    >>> Scenario(zone_loss=(3, 10.0, 60.0))
    Traceback (most recent call last):
    ...
    ValueError: zone_loss zone=3 is out of range; choose 0 <= zone_loss zone <= 2
    """

    duration_s: float = 3 * 3600.0
    spike: tuple[float, float, float] | None = (1800.0, 900.0, 2.2)
    zone_loss: tuple[int, float, float] | None = (1, 5400.0, 3600.0)

    def __post_init__(self):
        check_number("duration_s", self.duration_s, low=600)
        if self.duration_s % 60 != 0:
            raise out_of_range("duration_s", self.duration_s, "a multiple of 60, at least 600",
                               why="is not a whole number of minutes")
        if self.spike is not None:
            start, length, factor = self.spike
            if not (0 <= start < self.duration_s and length > 0 and factor > 0):
                raise ValueError(f"spike={self.spike}: need 0 <= start_s < duration_s, length_s > 0, factor > 0")
        if self.zone_loss is not None:
            zone, start, length = self.zone_loss
            check_int("zone_loss zone", zone, low=0, high=len(ZONES) - 1)
            check_number("zone_loss start_s", start, low=0, high=self.duration_s, high_open=True)
            check_number("zone_loss length_s", length, low=0, low_open=True)

    def spike_factor(self, t_s: float) -> float:
        if self.spike is not None and self.spike[0] <= t_s < self.spike[0] + self.spike[1]:
            return self.spike[2]
        return 1.0


class Pool:
    """``c`` workers of rate ``mu`` behind one queue: M/M/c while stable, a fluid backlog when overloaded.

    :meth:`step` feeds it ``lam`` requests per second for ``dt_s`` and
    returns a sampler of queueing delays for that step. While the pool keeps
    up and has no backlog the delay is the M/M/c waiting time (zero with the
    Erlang C probability's complement, else exponential with rate
    ``c mu - lam``); otherwise the backlog grows by ``(lam - c mu) dt`` and
    every request waits about backlog / (c mu). The backlog is capped at
    ``timeout_s`` of work: once it is full, clients give up, and the pool
    serves ``c mu / lam`` of the arrivals just before their timeout.

    Examples
    --------
    >>> p = Pool(mu=50.0, timeout_s=2.0)
    >>> rng = np.random.default_rng(1)
    >>> p.step(c=4, lam=100.0, dt_s=10.0)(rng, 3).round(4).tolist(), p.backlog
    ([0.0, 0.0, 0.0], 0.0)
    >>> _ = p.step(c=4, lam=300.0, dt_s=10.0); p.backlog  # 100 more per second than 4 x 50 can serve
    400.0
    """

    def __init__(self, mu: float, timeout_s: float):
        self.mu = check_number("mu", mu, low=0, low_open=True)  # requests per second per worker
        self.timeout_s = check_number("timeout_s", timeout_s, low=0, low_open=True)
        self.backlog = 0.0

    def step(self, c: int, lam: float, dt_s: float):
        capacity = c * self.mu
        if c <= 0:
            self.backlog = 0.0
            return None
        if self.backlog == 0.0 and lam < 0.995 * capacity:
            p_wait = erlang_c(c, lam / self.mu) if lam > 0 else 0.0
            theta = capacity - lam
            return lambda rng, n: np.where(rng.random(n) < p_wait, rng.exponential(1 / theta, n), 0.0)
        before, full = self.backlog, capacity * self.timeout_s
        self.backlog = min(max(0.0, before + (lam - capacity) * dt_s), full)
        mean_wait = (before + self.backlog) / 2 / capacity
        if self.backlog < full:
            return lambda rng, n: mean_wait + rng.exponential(1 / capacity, n)
        # Saturated: the queue holds timeout_s of work, so the pool serves capacity / lam of the arrivals just
        # in time and the others give up waiting (a wait above timeout_s, which the caller counts as a failure).
        give_up = max(0.0, 1.0 - capacity / lam)
        late = 0.999 * self.timeout_s
        return lambda rng, n: np.where(rng.random(n) < give_up, 2 * self.timeout_s,
                                       np.minimum(mean_wait + rng.exponential(1 / capacity, n), late))
