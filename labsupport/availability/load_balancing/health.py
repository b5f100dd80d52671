"""Health checks, target groups and cross-zone routing, as Elastic Load Balancing documents them.

A load balancer probes each registered target every ``interval_s`` seconds.
A target is taken out of service after ``unhealthy_threshold`` consecutive
failed checks and put back after ``healthy_threshold`` consecutive passes;
routing then skips it. With **cross-zone load balancing** on, each load
balancer node spreads its requests over the healthy targets of every zone;
with it off, a node uses only the targets in its own Availability Zone.

Why probes without messages: a check's outcome depends only on whether the
target is up when probed, and checks run tens of seconds apart while a probe's
round trip takes milliseconds; each target's checks are a simpy process, and the
kernel's messages (:mod:`labsupport.sim`) would shift every state change by a
few milliseconds and change nothing the page measures.

References (Elastic Load Balancing, Application Load Balancers User Guide):
"Health checks for Application Load Balancer target groups" (settings,
ranges and defaults; fail-open when every target is unhealthy; a new target
must pass one check) and "Cross-zone load balancing for target groups".
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass

import simpy

from labsupport.checks import check_int, check_method, check_number, out_of_range
from labsupport.seeds import Seed, as_rng

__all__ = ["HealthCheckConfig", "HealthChecker", "NoHealthyTarget", "TargetGroup",
           "detection_delay_s", "health_check_process", "run_health_checks"]

HEALTHY, UNHEALTHY, INITIAL = "healthy", "unhealthy", "initial"


@dataclass(frozen=True, kw_only=True)
class HealthCheckConfig:
    """Health check settings with ALB's documented ranges and defaults.

    ``interval_s`` (HealthCheckIntervalSeconds) 5–300, default 30;
    ``timeout_s`` (HealthCheckTimeoutSeconds) 2–120, default 5;
    ``healthy_threshold`` (HealthyThresholdCount) 2–10, default 5;
    ``unhealthy_threshold`` (UnhealthyThresholdCount) 2–10, default 2.

    Examples
    --------
    >>> HealthCheckConfig().unhealthy_threshold
    2
    >>> HealthCheckConfig(interval_s=1)
    Traceback (most recent call last):
    ...
    ValueError: interval_s=1 is out of range; choose 5 <= interval_s <= 300
    """

    interval_s: float = 30.0
    timeout_s: float = 5.0
    healthy_threshold: int = 5
    unhealthy_threshold: int = 2

    def __post_init__(self):
        check_number("interval_s", self.interval_s, low=5, high=300)
        check_number("timeout_s", self.timeout_s, low=2, high=120)
        check_int("healthy_threshold", self.healthy_threshold, low=2, high=10)
        check_int("unhealthy_threshold", self.unhealthy_threshold, low=2, high=10)


def detection_delay_s(config: HealthCheckConfig, *, hangs: bool = False) -> tuple[float, float]:
    """Shortest and longest time from a target failing to being marked unhealthy.

    The first failed check comes up to one interval after the failure, then
    ``unhealthy_threshold - 1`` more intervals pass; a target that hangs
    (rather than refusing connections) fails each check only after ``timeout_s``.

    Examples
    --------
    >>> detection_delay_s(HealthCheckConfig())            # ALB defaults
    (30.0, 60.0)
    >>> detection_delay_s(HealthCheckConfig(), hangs=True)
    (35.0, 65.0)
    """
    extra = config.timeout_s if hangs else 0.0
    shortest = (config.unhealthy_threshold - 1) * config.interval_s
    return float(shortest + extra), float(shortest + config.interval_s + extra)


class HealthChecker:
    """The per-target health state machine: initial, healthy, unhealthy.

    A registered target starts ``initial`` and becomes healthy after one passed
    check (or unhealthy after ``unhealthy_threshold`` consecutive failures);
    afterwards it needs ``unhealthy_threshold`` consecutive failures to become
    unhealthy and ``healthy_threshold`` consecutive passes to return.

    Examples
    --------
    >>> hc = HealthChecker(["a"], HealthCheckConfig(healthy_threshold=3))
    >>> [hc.record("a", ok) for ok in (True, False, False, True, True, True)]
    ['healthy', 'healthy', 'unhealthy', 'unhealthy', 'unhealthy', 'healthy']
    """

    def __init__(self, targets: Sequence[Hashable], config: HealthCheckConfig | None = None, *,
                 start_healthy: bool = False):
        self.config = config or HealthCheckConfig()
        self._state = dict.fromkeys(targets, HEALTHY if start_healthy else INITIAL)
        self._passes = dict.fromkeys(targets, 0)
        self._fails = dict.fromkeys(targets, 0)

    def state(self, target: Hashable) -> str:
        """``'initial'``, ``'healthy'`` or ``'unhealthy'``."""
        if target not in self._state:
            raise ValueError(f"target {target!r} is not registered")
        return self._state[target]

    def record(self, target: Hashable, passed: bool) -> str:
        """Record one health check result for ``target``; return its new state."""
        state = self.state(target)
        if passed:
            self._passes[target] += 1
            self._fails[target] = 0
            if state == INITIAL or (state == UNHEALTHY
                                    and self._passes[target] >= self.config.healthy_threshold):
                self._state[target] = HEALTHY
        else:
            self._fails[target] += 1
            self._passes[target] = 0
            if state != UNHEALTHY and self._fails[target] >= self.config.unhealthy_threshold:
                self._state[target] = UNHEALTHY
        return self._state[target]

    def is_healthy(self, target: Hashable) -> bool:
        return self.state(target) == HEALTHY


def health_check_process(env, checker: HealthChecker, target: Hashable,
                         *, is_up: Callable[[float], bool], offset_s: float, trace: list):
    """Probe ``target`` every interval from ``offset_s`` on; append state changes to ``trace``.

    ``is_up(t)`` says whether the target answers a check sent at time ``t``;
    ``trace`` receives ``(time_s, target, new_state)`` records.

    Examples
    --------
    >>> env, trace = simpy.Environment(), []
    >>> _ = env.process(health_check_process(env, HealthChecker(["a"]), "a", is_up=lambda t: t < 100,
    ...                                      offset_s=5.0, trace=trace))
    >>> env.run(until=300)
    >>> trace  # ALB defaults: checks every 30 s, two failures make a target unhealthy
    [(5.0, 'a', 'healthy'), (155.0, 'a', 'unhealthy')]
    """
    check_number("offset_s", offset_s, low=0)
    yield env.timeout(offset_s)
    while True:
        before = checker.state(target)
        after = checker.record(target, bool(is_up(env.now)))
        if after != before:
            trace.append((env.now, target, after))
        yield env.timeout(checker.config.interval_s)


def run_health_checks(targets: Sequence[Hashable], down: Mapping[Hashable, Sequence[tuple]],
                      horizon_s: float, *, seed: Seed = None,
                      config: HealthCheckConfig | None = None) -> list[tuple]:
    """Health check ``targets`` for ``horizon_s`` seconds; return the state changes.

    ``down[target]`` lists ``(start_s, end_s)`` outages. Each target's checks
    start at a random phase within the first interval (drawn from ``seed``).
    Targets start ``initial``.

    Examples
    --------
    >>> trace = run_health_checks(["a", "b"], {"b": [(100.0, 400.0)]}, 600.0, seed=1)
    >>> [(round(t), target, state) for t, target, state in trace]
    [(4, 'a', 'healthy'), (25, 'b', 'healthy'), (145, 'b', 'unhealthy'), (535, 'b', 'healthy')]
    """
    check_number("horizon_s", horizon_s, low=0, low_open=True)
    rng = as_rng(seed)
    checker = HealthChecker(list(targets), config)
    for target in down:
        checker.state(target)           # raises ValueError for an unknown target
    env, trace = simpy.Environment(), []
    for target in targets:
        outages = list(down.get(target, ()))
        up = (lambda t, o=outages: not any(a <= t < b for a, b in o))
        offset = rng.random() * checker.config.interval_s
        env.process(health_check_process(env, checker, target, is_up=up, offset_s=offset, trace=trace))
    env.run(until=horizon_s)
    return sorted(trace, key=lambda rec: rec[0])


@dataclass(frozen=True)
class NoHealthyTarget:
    """The balancer's answer when it has nowhere to send a request: HTTP 503."""

    reason: str
    status_code: int = 503


class TargetGroup:
    """Registered targets (each in a zone), their health, a policy, and cross-zone routing.

    Parameters
    ----------
    targets : Mapping target -> zone, or Sequence of targets (all in zone ``"a"``)
    policy : policy object with ``choose(targets, state, rng)``
    cross_zone : bool
        On (ALB's default): a node may pick any zone's healthy target. Off: only
        its own zone's.
    fail_open : bool
        ALB fails open: when *every* target in the group is unhealthy it routes to
        all of them. Default False here: an explicit :class:`NoHealthyTarget` (503).
    health : HealthCheckConfig, optional
    start_healthy : bool
        Start registered targets healthy (default) rather than ``initial``.

    Examples
    --------
    >>> from labsupport.availability.load_balancing.policies import BalancerState, RoundRobin
    >>> group = TargetGroup({"a1": "a", "b1": "b", "b2": "b"}, RoundRobin(), cross_zone=False)
    >>> group.traffic_shares()
    {'a1': 0.5, 'b1': 0.25, 'b2': 0.25}
    >>> for _ in range(2):
    ...     _ = group.health.record("a1", passed=False)
    >>> group.route(BalancerState(), random.Random(0), zone="a")
    NoHealthyTarget(reason='no healthy target in zone a', status_code=503)
    """

    def __init__(self, targets: Mapping[Hashable, str] | Sequence[Hashable], policy, *,
                 cross_zone: bool = True, fail_open: bool = False,
                 health: HealthCheckConfig | None = None, start_healthy: bool = True):
        zones = dict(targets) if isinstance(targets, Mapping) else dict.fromkeys(targets, "a")
        if not zones:
            raise ValueError("the target group is empty; register at least one target")
        check_method("policy", policy, "choose", "targets, state, rng")
        d = getattr(policy, "d", None)
        if type(d) is int and d > len(zones):
            raise out_of_range("d", d, f"1 <= d <= {len(zones)}", why=f"choices but {len(zones)} registered targets")
        self.zone_of, self.policy = zones, policy
        self.cross_zone, self.fail_open = cross_zone, fail_open
        self.health = HealthChecker(list(zones), health, start_healthy=start_healthy)

    @property
    def zones(self) -> list[str]:
        """Zones with at least one registered target (each has a balancer node), sorted."""
        return sorted(set(self.zone_of.values()))

    def _scope(self, zone: str | None) -> list[Hashable]:
        if self.cross_zone:
            return list(self.zone_of)
        if zone not in self.zones:
            raise ValueError(f"zone={zone!r}: with cross-zone off, name the node's zone, "
                             f"one of {self.zones}")
        return [t for t, z in self.zone_of.items() if z == zone]

    def candidates(self, zone: str | None = None) -> list[Hashable]:
        """Targets the node in ``zone`` may use now (fail-open included), in registration order."""
        scope = self._scope(zone)
        healthy = [t for t in scope if self.health.is_healthy(t)]
        if healthy:
            return healthy
        if self.fail_open and not any(self.health.is_healthy(t) for t in self.zone_of):
            return scope
        return []

    def route(self, state, rng: random.Random, *, zone: str | None = None):
        """The target for one request arriving at the node in ``zone``, or :class:`NoHealthyTarget`."""
        candidates = self.candidates(zone)
        if not candidates:
            where = "in the target group" if self.cross_zone else f"in zone {zone}"
            return NoHealthyTarget(f"no healthy target {where}")
        return self.policy.choose(candidates, state, rng)

    def traffic_shares(self) -> dict[Hashable, float]:
        """Expected share of requests per target under an even-spreading policy.

        Clients spread evenly over the zones' nodes (DNS); each node splits its
        share evenly over its candidates. Shares of zones whose node has no
        candidate are lost as 503s, so the values may sum to less than 1.
        """
        shares = dict.fromkeys(self.zone_of, 0.0)
        for zone in self.zones:
            candidates = self.candidates(zone)
            for target in candidates:
                shares[target] += 1.0 / (len(self.zones) * len(candidates))
        return shares
