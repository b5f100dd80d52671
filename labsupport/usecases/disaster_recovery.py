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
older write too). The plan and its (illustrative) step durations are in
:mod:`.dr_plan`; predictions, prices and the recommendation in
:mod:`.dr_choice`, re-exported here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from labsupport.seeds import Seed, root_seed
from labsupport.checks import check_int
from labsupport.sim import Node, Simulation

from labsupport.usecases.dr_choice import DrOutcome, Recommendation, expected_rpo_s, expected_rto_s, monthly_cost_usd, recommend
from labsupport.usecases.dr_plan import CROSS_REGION_S, STRATEGIES, DrPlan, check_strategy, recovery_steps

__all__ = ["STRATEGIES", "DrPlan", "DrTrial", "DrOutcome", "Recommendation", "run_disaster", "measure",
           "monthly_cost_usd", "expected_rto_s", "expected_rpo_s", "recommend"]


class _Primary(Node):
    def __init__(self, name, strategy, plan):
        super().__init__(name)
        self.strategy, self.plan, self.writes = strategy, plan, []

    def start(self):
        if self.strategy == "backup_restore":
            yield from self._backups()  # writes are drawn afterwards (see run_disaster): no messages to ship
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
        for name, (low, high) in recovery_steps(self.strategy, self.plan):
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


def run_disaster(strategy: str, plan: DrPlan = DrPlan(), *, seed: Seed = None) -> DrTrial:
    """Lose the primary Region at a random moment and recover with ``strategy``.

    Examples
    --------
    >>> t = run_disaster("active_active", seed=1)
    >>> 60 < t.rto_s < 170, t.rpo_s < 10
    (True, True)
    >>> run_disaster("hope", seed=0)
    Traceback (most recent call last):
    ...
    ValueError: strategy='hope' is unknown; choose one of ('backup_restore', 'pilot_light', 'warm_standby', 'active_active')
    """
    check_strategy(strategy)
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
    if strategy == "backup_restore":  # the writes' times matter only to count the lost ones: draw them now
        rng, t = sim.rng("writes"), 0.0
        while (t := t + rng.expovariate(plan.write_rate_per_s)) < disaster:
            primary.writes.append(t)
    lost = sum(1 for w in primary.writes if w > point)
    return DrTrial(strategy, disaster, client.recovered_s - disaster, disaster - point, lost, tuple(recovery.steps))


def measure(plan: DrPlan = DrPlan(), *, trials: int = 10, seed: Seed = None,
            strategies=STRATEGIES) -> dict[str, DrOutcome]:
    """Run ``trials`` outages of each strategy (seeds ``seed, seed+1, ...``).

    Examples
    --------
    >>> {s: round(o.worst_rto_s) for s, o in measure(trials=1, seed=1).items()}
    {'backup_restore': 6540, 'pilot_light': 1640, 'warm_standby': 1160, 'active_active': 150}
    """
    check_int("trials", trials, low=1)
    base = root_seed(seed)  # an int stays itself; None and a Random give one draw, so seed=None works too
    out = {}
    for s in strategies:
        runs = [run_disaster(s, plan, seed=base + k) for k in range(trials)]
        out[s] = DrOutcome(s, tuple(r.rto_s for r in runs), tuple(r.rpo_s for r in runs), monthly_cost_usd(s, plan))
    return out
