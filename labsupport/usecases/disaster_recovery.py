"""Disaster recovery strategies in a simulated Region outage: recovery time, recovery point, and price.

Four ways to keep a spare shop in another town, from the AWS whitepaper
"Disaster Recovery of Workloads on AWS: Recovery in the Cloud" (section
"Disaster recovery options in the cloud"), in order of falling recovery
time and rising cost:

* **backup and restore**: copies of the books are sent to the other town
  every so often; after a disaster a new shop is built and the books
  restored (RPO/RTO in hours);
* **pilot light**: the books are copied continuously into a live database
  there, but the shop floor is dark; it is switched on after a disaster
  (tens of minutes);
* **warm standby**: a small but complete shop runs there and is scaled up
  (minutes);
* **multi-site active/active**: both shops serve customers all the time;
  customers of the lost one are sent to the other (near real time).

The **recovery time** (RTO) measured here is the time from the disaster to
the first request the recovery Region answers, as seen by a client that
probes every ``probe_s`` and follows DNS; the **recovery point** (RPO) is
the disaster time minus the write time of the newest write the recovery
Region holds when it takes over (replication is in order, so it holds every
older write too). Step durations are ILLUSTRATIVE ranges, not AWS figures,
except where noted: Route 53 health checks run every 10 or 30 s with a
failure threshold you choose (Amazon Route 53 Developer Guide, "How Amazon
Route 53 determines whether a health check is healthy").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from labsupport.sim import Node, Simulation

from .prices import monthly, price

__all__ = ["STRATEGIES", "DrPlan", "DrTrial", "DrOutcome", "Recommendation", "run_disaster", "measure",
           "monthly_cost_usd", "expected_rto_s", "expected_rpo_s", "recommend"]

STRATEGIES = ("backup_restore", "pilot_light", "warm_standby", "active_active")
CROSS_REGION_S = 0.04  # one-way network delay between the Regions (illustrative)


@dataclass(frozen=True)
class DrPlan:
    """Assumptions (seconds; ranges are uniform). ILLUSTRATIVE unless the module docstring says otherwise."""

    write_rate_per_s: float = 5.0
    backup_interval_s: float = 3600.0
    backup_copy_s: tuple[float, float] = (600.0, 1200.0)  # snapshot copied to the recovery Region
    replication_lag_s: float = 1.0  # mean extra delay of asynchronous cross-Region replication
    declare_s: tuple[float, float] = (300.0, 900.0)  # alarm, then a person decides to fail over
    provision_s: tuple[float, float] = (1200.0, 2400.0)  # build the stack from templates
    restore_s: tuple[float, float] = (2400.0, 5400.0)  # restore the database from the snapshot
    start_app_s: tuple[float, float] = (600.0, 1200.0)  # pilot light: start and configure the app tier
    scale_up_s: tuple[float, float] = (180.0, 420.0)  # warm standby: scale the running fleet to full size
    promote_s: tuple[float, float] = (60.0, 300.0)  # promote the cross-Region replica to primary
    health_check_s: tuple[float, float] = (60.0, 90.0)  # Route 53: interval 30 s, failure threshold 3
    dns_ttl_s: float = 60.0
    probe_s: float = 10.0
    data_gb: float = 200.0
    changed_gb_per_day: float = 10.0
    web_instances: int = 6
    standby_fraction: float = 0.25  # warm standby runs this share of the production fleet

    def __post_init__(self):
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            for v in value if isinstance(value, tuple) else (value,):
                if isinstance(v, bool) or not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                    raise ValueError(f"{name}={value!r} must be finite and >= 0")
            if isinstance(value, tuple) and not value[0] <= value[1]:
                raise ValueError(f"{name}={value!r}: a range needs low <= high")
        if not (self.write_rate_per_s > 0 and self.replication_lag_s > 0 and self.probe_s > 0):
            raise ValueError("write_rate_per_s, replication_lag_s and probe_s must be > 0")


def _steps(strategy: str, plan: DrPlan) -> list[tuple[str, tuple[float, float]]]:
    """Recovery steps in order; steps joined by ' + ' run in parallel."""
    if strategy == "backup_restore":
        return [("declare", plan.declare_s), ("provision", plan.provision_s), ("restore", plan.restore_s)]
    if strategy == "pilot_light":
        return [("declare", plan.declare_s), ("promote + start app", (max(plan.promote_s[0], plan.start_app_s[0]),
                                                                     max(plan.promote_s[1], plan.start_app_s[1])))]
    if strategy == "warm_standby":
        return [("declare", plan.declare_s), ("promote + scale up", (max(plan.promote_s[0], plan.scale_up_s[0]),
                                                                    max(plan.promote_s[1], plan.scale_up_s[1])))]
    return [("health checks", plan.health_check_s)]


def _check_strategy(strategy: str) -> None:
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy={strategy!r} is unknown; choose one of {STRATEGIES}")


class _Primary(Node):
    def __init__(self, name, strategy, plan):
        super().__init__(name)
        self.strategy, self.plan, self.writes = strategy, plan, []

    def start(self):
        if self.strategy == "backup_restore":
            self.spawn(self._backups())
        rng, lag, shipped = self.sim.rng("writes"), self.sim.rng("lag"), 0.0
        while True:
            yield self.sleep(rng.expovariate(self.plan.write_rate_per_s))
            self.writes.append(self.now)
            if self.strategy != "backup_restore":
                # Shipped in order after a random delay; writes still queued here die with the Region.
                shipped = max(shipped, self.now + lag.expovariate(1 / self.plan.replication_lag_s))
                self.set_timer(shipped - self.now, self.send, "recovery", "apply", self.now)

    def _backups(self):
        rng = self.sim.rng("copies")
        while True:
            yield self.sleep(self.plan.backup_interval_s)
            self.set_timer(rng.uniform(*self.plan.backup_copy_s), self.send, "recovery", "snapshot", self.now)


class _Recovery(Node):
    def __init__(self, name, strategy, plan):
        super().__init__(name)
        self.strategy, self.plan = strategy, plan
        self.point, self.serving, self.frozen_point, self.steps = -math.inf, False, None, []

    def on_apply(self, msg):
        if self.frozen_point is None:
            self.point = max(self.point, msg.payload)

    def on_snapshot(self, msg):
        if self.frozen_point is None:
            self.point = max(self.point, msg.payload)

    def recover(self):
        rng = self.sim.rng("recovery")
        for name, (low, high) in _steps(self.strategy, self.plan):
            start = self.now
            yield self.sleep(rng.uniform(low, high))
            self.steps.append((name, start, self.now))
        self.frozen_point, self.serving = self.point, True
        start = self.now
        yield self.sleep(self.plan.dns_ttl_s)  # clients still hold the old answer until their TTL runs out
        self.steps.append(("DNS", start, self.now))
        self.sim.nodes["client"].target = "recovery"

    def on_probe(self, msg):
        if self.serving:
            self.reply(msg, "ok")


class _Client(Node):
    def __init__(self, name, plan):
        super().__init__(name)
        self.plan, self.target, self.recovered_s = plan, "primary", None

    def probe(self):
        while self.recovered_s is None:
            reply = yield from self.wait(self.request(self.target, "probe"), 1.0)
            if reply is not None:
                self.recovered_s = self.now
                return
            yield self.sleep(self.plan.probe_s - 1.0 if self.plan.probe_s > 1.0 else 0.0)


@dataclass(frozen=True)
class DrTrial:
    """One simulated Region outage."""

    strategy: str
    disaster_s: float
    rto_s: float
    rpo_s: float
    lost_writes: int
    steps: tuple[tuple[str, float, float], ...] = field(repr=False)


def run_disaster(strategy: str, plan: DrPlan = DrPlan(), *, seed: int = 0) -> DrTrial:
    """Lose the primary Region at a random moment and recover with ``strategy``.

    Examples
    --------
    >>> t = run_disaster("active_active", seed=1)
    >>> 60 < t.rto_s < 170, t.rpo_s < 10
    (True, True)
    >>> run_disaster("hope")
    Traceback (most recent call last):
    ...
    ValueError: strategy='hope' is unknown; choose one of ('backup_restore', 'pilot_light', 'warm_standby', 'active_active')
    """
    _check_strategy(strategy)
    sim = Simulation(seed=seed, latency=0.001, fifo=True)
    primary = sim.add(_Primary("primary", strategy, plan))
    recovery = sim.add(_Recovery("recovery", strategy, plan))
    client = sim.add(_Client("client", plan))
    sim.network.configure("primary", "recovery", both_ways=False, latency=CROSS_REGION_S)
    rng = sim.rng("disaster")
    if strategy == "backup_restore":  # after at least one full backup cycle, at a random phase of the next
        disaster = plan.backup_interval_s + plan.backup_copy_s[1] + rng.uniform(0, plan.backup_interval_s)
    else:
        disaster = rng.uniform(300.0, 600.0)
    sim.crash("primary", at=disaster)
    sim.at(disaster, lambda: recovery.spawn(recovery.recover()))
    sim.at(disaster, lambda: client.spawn(client.probe()))
    sim.run(until=disaster + 48 * 3600)
    point = recovery.frozen_point
    lost = sum(1 for w in primary.writes if w > point)
    return DrTrial(strategy, disaster, client.recovered_s - disaster, disaster - point, lost, tuple(recovery.steps))


def expected_rto_s(strategy: str, plan: DrPlan = DrPlan()) -> float:
    """Mean recovery time: the steps' means, the DNS TTL, and on average half a probe interval.

    Examples
    --------
    >>> expected_rto_s("active_active")
    140.0
    """
    _check_strategy(strategy)
    return sum((lo + hi) / 2 for _, (lo, hi) in _steps(strategy, plan)) + plan.dns_ttl_s + plan.probe_s / 2


def expected_rpo_s(strategy: str, plan: DrPlan = DrPlan()) -> float:
    """Mean recovery point.

    Backups: a disaster at a uniform phase of the backup cycle loses
    ``interval / 2`` on average, plus the copy time (the newest snapshot may
    still be on its way). Replication: writes arrive as a Poisson stream of
    rate ``lam`` and leave, in order, after exponential delays of mean ``L``.
    Looking back from the disaster, writes of age ``u`` are still queued with
    probability ``exp(-u / L)``, so queued and shipped writes are independent
    Poisson streams; the oldest queued write has age ``A`` with
    ``P(A <= a) = exp(-lam L exp(-a / L))``, and the recovery point is the
    youngest shipped write older than ``A``. Integrating ``P(RPO > x)`` numerically
    gives the mean (plus the one-way network delay).

    Examples
    --------
    >>> expected_rpo_s("backup_restore")
    2700.0
    >>> round(expected_rpo_s("warm_standby", DrPlan(write_rate_per_s=1000.0, replication_lag_s=0.001)), 3)
    0.042
    """
    _check_strategy(strategy)
    if strategy == "backup_restore":
        return plan.backup_interval_s / 2 + sum(plan.backup_copy_s) / 2
    lam, lag = plan.write_rate_per_s, plan.replication_lag_s
    horizon = lag * (math.log(max(lam * lag, 1.0)) + 30) + 30 / lam
    n = 4000
    dx = horizon / n
    grid = [i * dx for i in range(n + 1)]

    def shipped_between(a: float, x: float) -> float:  # expected shipped writes with age in (a, x]
        return lam * ((x - a) - lag * (math.exp(-a / lag) - math.exp(-x / lag)))

    def cdf(a: float) -> float:  # P(oldest queued write is at most a old); P(none queued) at a = 0
        return math.exp(-lam * lag * math.exp(-a / lag))

    def survival(x: float) -> float:  # P(RPO > x) = P(A >= x) + E[no shipped write in (A, x]; A < x]
        total = (1 - cdf(x)) + cdf(0.0) * math.exp(-shipped_between(0.0, x))
        for a0, a1 in zip(grid, grid[1:]):
            if a1 > x:
                break
            total += (cdf(a1) - cdf(a0)) * math.exp(-shipped_between((a0 + a1) / 2, x))
        return total

    coarse = grid[::40]
    mean = sum((survival(x0) + survival(x1)) / 2 * (x1 - x0) for x0, x1 in zip(coarse, coarse[1:]))
    return mean + CROSS_REGION_S


def monthly_cost_usd(strategy: str, plan: DrPlan = DrPlan()) -> float:
    """What the recovery Region adds to the bill per month (example prices, see :mod:`.prices`).

    Examples
    --------
    >>> [round(monthly_cost_usd(s)) for s in STRATEGIES]
    [26, 156, 318, 812]
    """
    _check_strategy(strategy)
    transfer = plan.changed_gb_per_day * 30 * price("transfer")
    if strategy == "backup_restore":
        return 2 * plan.data_gb * price("backup_storage") + transfer
    replica = monthly(price("db_node")) + plan.data_gb * price("backup_storage") + transfer
    if strategy == "pilot_light":
        return replica
    fleet = plan.web_instances * (plan.standby_fraction if strategy == "warm_standby" else 1.0)
    extra = monthly(math.ceil(fleet) * price("web_instance") + price("load_balancer"))
    if strategy == "active_active":
        extra += monthly(price("db_node") + 2 * price("cache_node"))
    return replica + extra


@dataclass(frozen=True)
class DrOutcome:
    """Many trials of one strategy, and its monthly price."""

    strategy: str
    rto_s: tuple[float, ...]
    rpo_s: tuple[float, ...]
    monthly_usd: float

    @property
    def worst_rto_s(self) -> float:
        return max(self.rto_s)

    @property
    def worst_rpo_s(self) -> float:
        return max(self.rpo_s)


def measure(plan: DrPlan = DrPlan(), *, trials: int = 10, seed: int = 0,
            strategies=STRATEGIES) -> dict[str, DrOutcome]:
    """Run ``trials`` outages of each strategy (seeds ``seed, seed+1, ...``)."""
    if isinstance(trials, bool) or not isinstance(trials, int) or trials < 1:
        raise ValueError(f"trials={trials!r} must be an integer >= 1")
    out = {}
    for s in strategies:
        runs = [run_disaster(s, plan, seed=seed + k) for k in range(trials)]
        out[s] = DrOutcome(s, tuple(r.rto_s for r in runs), tuple(r.rpo_s for r in runs), monthly_cost_usd(s, plan))
    return out


@dataclass(frozen=True)
class Recommendation:
    """The cheapest strategy whose worst measured RTO and RPO meet the targets, or None and why not."""

    strategy: str | None
    meeting: tuple[str, ...]  # every strategy that meets both, cheapest first
    reason: str


def recommend(rto_s: float, rpo_s: float, outcomes: dict[str, DrOutcome]) -> Recommendation:
    """Which strategies meet ``RTO <= rto_s`` and ``RPO <= rpo_s`` in every measured trial?

    Examples
    --------
    >>> o = {"a": DrOutcome("a", (100.0,), (5.0,), 10.0), "b": DrOutcome("b", (10.0,), (1.0,), 50.0)}
    >>> recommend(200, 10, o).strategy, recommend(50, 10, o).strategy
    ('a', 'b')
    >>> print(recommend(50, 0.5, o).reason)
    no strategy meets RPO <= 0.5 s: every strategy lost at least 1 s of writes (smallest: b); only synchronous replication gets to zero
    >>> recommend(-1, 10, o)
    Traceback (most recent call last):
    ...
    ValueError: rto_s=-1 is negative; a recovery time objective is a duration >= 0 seconds
    """
    for name, value in (("rto_s", rto_s), ("rpo_s", rpo_s)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            raise ValueError(f"{name}={value!r} must be a number of seconds")
        if value < 0:
            what = "recovery time" if name == "rto_s" else "recovery point"
            raise ValueError(f"{name}={value!r} is negative; a {what} objective is a duration >= 0 seconds")
    if not outcomes:
        raise ValueError("outcomes is empty; measure at least one strategy first")
    ok = sorted((o.monthly_usd, s) for s, o in outcomes.items() if o.worst_rto_s <= rto_s and o.worst_rpo_s <= rpo_s)
    if ok:
        best = ok[0][1]
        return Recommendation(best, tuple(s for _, s in ok), f"{best} is the cheapest strategy that meets both")
    floor = min(outcomes.values(), key=lambda o: o.worst_rpo_s)
    fastest = min(outcomes.values(), key=lambda o: o.worst_rto_s)
    if rpo_s < floor.worst_rpo_s and all(rpo_s < min(o.rpo_s) for o in outcomes.values()):
        reason = (f"no strategy meets RPO <= {rpo_s:g} s: every strategy lost at least {min(floor.rpo_s):.0f} s of "
                  f"writes (smallest: {floor.strategy}); only synchronous replication gets to zero")
    else:
        reason = (f"no strategy meets RTO <= {rto_s:g} s and RPO <= {rpo_s:g} s together: the fastest recovery took "
                  f"{fastest.worst_rto_s:.0f} s ({fastest.strategy}), the smallest worst-case data loss "
                  f"{floor.worst_rpo_s:.1f} s ({floor.strategy})")
    return Recommendation(None, (), reason)
