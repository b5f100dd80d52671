"""A small web service that publishes CloudWatch metrics, and an incident to watch.

A shop runs its web tier on a few hosts behind a load balancer. The load
balancer counts every request and every error and records how long each one
took; an agent on each host reports the host's CPU utilisation once a minute.
When a host crashes, three things happen that monitoring must notice: requests
sent to it time out (errors), the survivors carry its load (latency rises), and
its own agent falls silent (its metric has *missing* datapoints, because the
thing that reports the metric is the thing that died).

The model runs on :mod:`labsupport.sim`. Requests arrive as a Poisson stream;
each host serves one request at a time, first come first served, with
exponential service times, so with routing weights ``w_i`` host ``i`` is an
M/M/1 queue with arrival rate ``w_i * arrival_rate_per_s`` and a response time
that is exponential with rate ``service_rate_per_s - w_i * arrival_rate_per_s``
(:mod:`labsupport.foundations.queueing`). The load balancer health-checks every host every
``health_interval_s`` and takes a host out of rotation after
``unhealthy_threshold`` failed checks in a row, and back after
``healthy_threshold`` good ones, like the HealthyThresholdCount and
UnhealthyThresholdCount of an Elastic Load Balancing target group.

Metric names follow Elastic Load Balancing (``RequestCount``,
``HTTPCode_Target_5XX_Count``, ``TargetResponseTime``) and EC2
(``CPUUtilization``), in a namespace of our own, ``Shop``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import simpy

from labsupport.seeds import Seed
from labsupport.checks import check_int, check_number, check_numbers, out_of_range
from labsupport.monitoring.cloudwatch.metrics import Datapoint, MetricId, aggregate
from labsupport.sim import Constant, Node, Simulation

__all__ = ["NAMESPACE", "RequestRecord", "IncidentResult", "run_incident", "metric_series",
           "error_rate_series", "pooled_response_percentile_s", "expected_detection_delay_s"]

NAMESPACE = "Shop"
LB = {"LoadBalancer": "lb"}
ONE_WAY_S = 0.001  # network delay between the load balancer and a host, seconds


@dataclass(frozen=True)
class RequestRecord:
    """One request: when it arrived, which host it went to, and its latency (None = error)."""

    time_s: float
    host: str | None
    latency_s: float | None


class WebHost(Node):
    """Serves ``work`` one at a time (FIFO) and answers health ``ping`` at once; its agent reports CPU."""

    def __init__(self, name, *, service_rate_per_s, agent_interval_s, publish):
        super().__init__(name)
        self.service_rate_per_s, self.agent_interval_s, self.publish = service_rate_per_s, agent_interval_s, publish
        self.cpu: simpy.Resource | None = None
        self.busy_s = 0.0

    def start(self):
        self.cpu = simpy.Resource(self.env, capacity=1)
        self.service_rng = self.sim.rng(f"service:{self.name}")  # one stream per host, drawn from in order
        return self._agent()

    def on_recover(self):
        self.cpu, self.busy_s = simpy.Resource(self.env, capacity=1), 0.0
        return self._agent()

    def on_ping(self, msg):
        self.reply(msg, "pong")

    def on_work(self, msg):
        with self.cpu.request() as turn:
            yield turn
            service_s = self.service_rng.expovariate(self.service_rate_per_s)
            yield self.sleep(service_s)
            self.busy_s += service_s
        self.reply(msg, "done")

    def _agent(self):
        metric = MetricId(NAMESPACE, "CPUUtilization", {"Host": self.name})
        while True:
            yield self.sleep(self.agent_interval_s)
            busy, self.busy_s = self.busy_s, 0.0
            self.publish(Datapoint(metric, self.now, round(min(100.0, 100 * busy / self.agent_interval_s), 6)))


class LoadBalancer(Node):
    """Generates the Poisson workload, routes by weight to healthy hosts, health-checks them."""

    def __init__(self, name, hosts, *, weights, arrival_rate_per_s, timeout_s, duration_s, health_interval_s,
                 healthy_threshold, unhealthy_threshold, publish):
        super().__init__(name)
        self.hosts, self.weights = list(hosts), dict(zip(hosts, weights))
        self.arrival_rate_per_s, self.timeout_s, self.duration_s = arrival_rate_per_s, timeout_s, duration_s
        self.health_interval_s = health_interval_s
        self.thresholds = (healthy_threshold, unhealthy_threshold)
        self.publish = publish
        self.healthy = {h: True for h in hosts}
        self._set_rotation()
        self.streak = {h: 0 for h in hosts}  # consecutive checks that disagree with the current status
        self.requests: list[RequestRecord] = []
        self.transitions: list[tuple[float, str, bool]] = []
        self.metrics = {name: MetricId(NAMESPACE, name, LB)
                        for name in ("RequestCount", "HTTPCode_Target_5XX_Count", "TargetResponseTime")}
        self.metrics |= {h: MetricId(NAMESPACE, "TargetResponseTime", {**LB, "Host": h}) for h in hosts}

    def _set_rotation(self):
        """The hosts in rotation and their cumulative routing weights, kept from one health change to the next."""
        self.in_rotation = [h for h in self.hosts if self.healthy[h]]
        self.cum_weights = list(itertools.accumulate(self.weights[h] for h in self.in_rotation))

    def start(self):
        self.spawn(self._health_checks())
        arrivals, self.routing = self.sim.rng("arrivals"), self.sim.rng("routing")
        while True:
            yield self.sleep(arrivals.expovariate(self.arrival_rate_per_s))
            if self.now >= self.duration_s:
                return
            self.spawn(self._forward(self.now))

    def _forward(self, started_s):
        host = None
        if self.in_rotation:
            host = self.routing.choices(self.in_rotation, cum_weights=self.cum_weights)[0]
            reply = yield from self.wait(self.request(host, "work"), self.timeout_s)
        else:
            reply = None
        latency = None if reply is None else self.now - started_s
        self.requests.append(RequestRecord(started_s, host, latency))
        self.publish(Datapoint(self.metrics["RequestCount"], self.now, 1.0))
        if latency is None:
            self.publish(Datapoint(self.metrics["HTTPCode_Target_5XX_Count"], self.now, 1.0))
        else:
            self.publish(Datapoint(self.metrics["TargetResponseTime"], self.now, latency))
            self.publish(Datapoint(self.metrics[host], self.now, latency))

    def _health_checks(self):
        while True:
            for host in self.hosts:
                self.spawn(self._check(host))
            yield self.sleep(self.health_interval_s)

    def _check(self, host):
        reply = yield from self.wait(self.request(host, "ping"), min(self.timeout_s, self.health_interval_s / 2))
        ok = reply is not None
        if ok == self.healthy[host]:
            self.streak[host] = 0
            return
        self.streak[host] += 1
        if self.streak[host] >= self.thresholds[0 if ok else 1]:
            self.healthy[host], self.streak[host] = ok, 0
            self.transitions.append((self.now, host, ok))
            self._set_rotation()


@dataclass(frozen=True)
class IncidentResult:
    """Everything one run published: requests, metric datapoints, health transitions."""

    hosts: tuple[str, ...]
    arrival_rates_per_s: tuple[float, ...]  # per host, w_i * total rate
    service_rate_per_s: float
    duration_s: float
    crash_host: str | None
    crash_at_s: float | None
    recover_at_s: float | None
    requests: tuple[RequestRecord, ...]
    datapoints: tuple[Datapoint, ...]
    transitions: tuple[tuple[float, str, bool], ...]  # (time_s, host, now_healthy)

    @property
    def errors(self) -> int:
        return sum(r.latency_s is None for r in self.requests)


def run_incident(*, hosts: int = 3, weights: Sequence[float] | None = None, arrival_rate_per_s: float = 10.0,
                 service_rate_per_s: float = 6.5, duration_s: float = 2400.0, crash_host: int | None = 2,
                 crash_at_s: float = 900.0, recover_at_s: float = 1500.0, timeout_s: float = 5.0,
                 health_interval_s: float = 30.0, healthy_threshold: int = 2, unhealthy_threshold: int = 2,
                 agent_interval_s: float = 60.0, seed: Seed = None) -> IncidentResult:
    """Run the web service for ``duration_s``; host number ``crash_host`` (1-based) crashes and recovers.

    ``crash_host=None`` runs without an incident. ``weights`` (default equal)
    are the load balancer's routing weights and are normalised to sum to 1.

    Examples
    --------
    >>> r = run_incident(duration_s=240, crash_at_s=60, recover_at_s=180, seed=1)
    >>> r.hosts, r.crash_host, r.errors > 0
    (('host1', 'host2', 'host3'), 'host2', True)
    >>> r == run_incident(duration_s=240, crash_at_s=60, recover_at_s=180, seed=1)
    True
    >>> run_incident(hosts=3, weights=[1, 1], seed=0)
    Traceback (most recent call last):
    ValueError: weights=[1.0, 1.0] has 2 entries for hosts=3; choose one positive weight per host
    """
    check_int("hosts", hosts, low=1)
    weights = [1.0] * hosts if weights is None else check_numbers("weights", weights, low=0, low_open=True).tolist()
    if len(weights) != hosts:
        raise out_of_range("weights", weights, "one positive weight per host", why=f"has {len(weights)} entries "
                           f"for hosts={hosts}")
    for _name, _value in (("arrival_rate_per_s", arrival_rate_per_s), ("service_rate_per_s", service_rate_per_s), ("duration_s", duration_s), ("timeout_s", timeout_s), ("health_interval_s", health_interval_s), ("agent_interval_s", agent_interval_s)):
        check_number(_name, _value, low=0, low_open=True)
    for name, value in (("healthy_threshold", healthy_threshold), ("unhealthy_threshold", unhealthy_threshold)):
        check_int(name, value, low=1)
    if crash_host is not None:
        check_int("crash_host", crash_host, low=1, high=hosts)  # or None
        check_number("crash_at_s", crash_at_s, low=0)
        if check_number("recover_at_s", recover_at_s) <= crash_at_s:
            raise out_of_range("recover_at_s", recover_at_s, "recover_at_s > crash_at_s", why=f"is not after "
                               f"crash_at_s={crash_at_s}")
    total = sum(weights)
    weights = [w / total for w in weights]
    names = [f"host{i + 1}" for i in range(hosts)]
    published: list[Datapoint] = []
    sim = Simulation(seed=seed, latency=Constant(ONE_WAY_S))
    for name in names:
        sim.add(WebHost(name, service_rate_per_s=service_rate_per_s, agent_interval_s=agent_interval_s,
                        publish=published.append))
    lb = sim.add(LoadBalancer("lb", names, weights=weights, arrival_rate_per_s=arrival_rate_per_s,
                              timeout_s=timeout_s, duration_s=duration_s, health_interval_s=health_interval_s,
                              healthy_threshold=healthy_threshold, unhealthy_threshold=unhealthy_threshold,
                              publish=published.append))
    crashed = None if crash_host is None else names[crash_host - 1]
    if crashed is not None:
        sim.crash(crashed, at=crash_at_s)
        if recover_at_s < duration_s:
            sim.recover(crashed, at=recover_at_s)
    sim.run(until=duration_s + timeout_s)
    return IncidentResult(
        hosts=tuple(names), arrival_rates_per_s=tuple(w * arrival_rate_per_s for w in weights),
        service_rate_per_s=service_rate_per_s, duration_s=duration_s, crash_host=crashed,
        crash_at_s=None if crashed is None else crash_at_s, recover_at_s=None if crashed is None else recover_at_s,
        requests=tuple(sorted(lb.requests, key=lambda r: r.time_s)),
        datapoints=tuple(p for p in published if p.timestamp_s < duration_s),
        transitions=tuple(lb.transitions))


def metric_series(result: IncidentResult, name: str, *, statistic: str, period_s: int = 60,
                  host: str | None = None) -> list[float | None]:
    """One statistic per period of a published metric (None where nothing was published).

    ``host`` selects the per-host metric: the agent's ``CPUUtilization``, or the
    load balancer's ``TargetResponseTime`` for that host.

    Examples
    --------
    >>> r = run_incident(duration_s=240, crash_at_s=60, recover_at_s=180, seed=1)
    >>> metric_series(r, "CPUUtilization", statistic="Average", host="host2")[1:3]
    [None, None]
    """
    check_int("period_s", period_s, low=1)
    dims = {"Host": host} if name == "CPUUtilization" else {**LB, **({"Host": host} if host else {})}
    n = int(result.duration_s // period_s)
    return aggregate(result.datapoints, MetricId(NAMESPACE, name, dims), statistic=statistic, period_s=period_s,
                     start_s=0, n_periods=n)


def error_rate_series(result: IncidentResult, period_s: int = 60) -> list[float | None]:
    """Percentage of requests that failed, per period: 100 * Sum(5XX) / Sum(RequestCount) (metric math).

    Examples
    --------
    >>> r = run_incident(duration_s=240, crash_at_s=60, recover_at_s=180, seed=1)
    >>> [round(v) for v in error_rate_series(r)]
    [0, 18, 0, 0]
    """
    total = metric_series(result, "RequestCount", statistic="Sum", period_s=period_s)
    bad = metric_series(result, "HTTPCode_Target_5XX_Count", statistic="Sum", period_s=period_s)
    return [None if t is None else 100.0 * (b or 0.0) / t for t, b in zip(total, bad)]


def pooled_response_percentile_s(arrival_rates_per_s: Sequence[float], service_rate_per_s: float,
                                 q: float) -> float:
    """Percentile of the response time over all requests of several M/M/1 hosts (a mixture of exponentials).

    Host ``i`` serves a share ``lambda_i / sum(lambda)`` of the requests, and its
    response time is exponential with rate ``mu - lambda_i``. The pooled
    percentile ``t`` solves ``sum_i share_i * exp(-(mu - lambda_i) t) = 1 - q``
    (found by bisection). The network's round trip is not included.

    Examples
    --------
    >>> round(pooled_response_percentile_s([2.0], 3.0, 0.99), 4)   # one host: ln(100) / (mu - lambda)
    4.6052
    >>> round(pooled_response_percentile_s([1.0, 4.0], 6.5, 0.99), 3)
    1.753
    """
    check_number("q", q, low=0, low_open=True, high=1, high_open=True)
    check_number("service_rate_per_s", service_rate_per_s, low=0, low_open=True)
    rates = list(arrival_rates_per_s)
    if not rates or any(not (0 < lam < service_rate_per_s) for lam in rates):
        raise ValueError(f"arrival_rates_per_s={rates} must be non-empty, each 0 < lambda < "
                         f"service_rate_per_s={service_rate_per_s} (a stable queue)")
    total = sum(rates)

    def tail(t):
        return sum(lam / total * math.exp(-(service_rate_per_s - lam) * t) for lam in rates)

    low, high = 0.0, 1.0
    while tail(high) > 1 - q:
        high *= 2
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (mid, high) if tail(mid) > 1 - q else (low, mid)
    return (low + high) / 2


def expected_detection_delay_s(health_interval_s: float, unhealthy_threshold: int, check_timeout_s: float) -> float:
    """Mean time from a crash until the load balancer stops routing to the host.

    The crash falls at a uniformly random moment of the check cycle, so the
    first failing check starts on average ``interval / 2`` later; the host is
    marked unhealthy when the ``unhealthy_threshold``-th consecutive check times out.

    Examples
    --------
    >>> expected_detection_delay_s(30, 2, 5)
    50.0
    """
    for _name, _value in (("health_interval_s", health_interval_s), ("check_timeout_s", check_timeout_s)):
        check_number(_name, _value, low=0, low_open=True)
    check_int("unhealthy_threshold", unhealthy_threshold, low=1)  # consecutive failed checks
    return health_interval_s / 2 + (unhealthy_threshold - 1) * health_interval_s + check_timeout_s
