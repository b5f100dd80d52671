"""The capstone's brief: a workload, targets, a budget, and fault drills drawn from a seed.

A building inspector does not read the architect's intentions; she runs
the fire drill. Lab 9 gives a design (a dict of settings: zones, instances,
scaling, cache, database replicas, retries, a disaster recovery strategy)
the same drill with different fires: :func:`fault_schedule` draws, from a
seed, when the traffic spikes and by how much, and which Availability Zone
is lost, when and for how long. :func:`evaluate` runs the web application
(:func:`labsupport.usecases.webapp.run_webapp`) through that schedule and
checks every target:

* availability: at least ``AVAILABILITY`` of requests succeed in every hour;
* latency: at least ``LATENCY_TARGET`` of requests succeed within
  ``LATENCY_S`` in every hour;
* disaster recovery: the strategy's worst measured recovery time and point
  in a Region outage (:mod:`labsupport.usecases.disaster_recovery`) are
  within ``RTO_S`` and ``RPO_S``;
* budget: the run's average cost per hour over a 730-hour month, plus the
  recovery Region's monthly cost, stays within ``BUDGET_USD``.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, fields

from labsupport.seeds import Seed, root_seed
from labsupport.checks import check_int, check_type
from labsupport.usecases.disaster_recovery import STRATEGIES, DrPlan, measure
from labsupport.usecases.prices import monthly
from labsupport.usecases.webapp import run_webapp
from labsupport.usecases.webapp_parts import ZONES, Scenario, WebAppConfig

__all__ = ["AVAILABILITY", "LATENCY_TARGET", "LATENCY_S", "RTO_S", "RPO_S", "BUDGET_USD", "DURATION_S",
           "DESIGN_KEYS", "fault_schedule", "split_design", "dr_outcomes", "Report", "evaluate"]

AVAILABILITY = 0.995  # of requests succeed, in every hour
LATENCY_TARGET = 0.99  # of requests succeed within LATENCY_S, in every hour
LATENCY_S = 0.3
RTO_S = 1800.0  # 30 minutes
RPO_S = 60.0
BUDGET_USD = 2500.0  # per month, recovery Region included
DURATION_S = 2 * 3600.0
DESIGN_KEYS = tuple(f.name for f in fields(WebAppConfig)) + ("dr_strategy",)


def fault_schedule(*, seed: Seed = None) -> Scenario:
    """A two-hour drill: a spike in the first hour, the loss of one zone in the second.

    Examples
    --------
    >>> s = fault_schedule(seed=1)
    >>> s.duration_s, 900 <= s.spike[0] <= 2700, 1.8 <= s.spike[2] <= 2.3, 4200 <= s.zone_loss[1] <= 5400
    (7200.0, True, True, True)
    >>> fault_schedule(seed=1) == fault_schedule(seed=1)
    True
    """
    seed = root_seed(seed)
    check_int("seed", seed)
    rng = random.Random(f"capstone/{seed}")
    spike = (rng.uniform(900, 2700), rng.uniform(600, 1200), rng.uniform(1.8, 2.3))
    zone_loss = (rng.randrange(len(ZONES)), rng.uniform(4200, 5400), rng.uniform(900, 1800))
    return Scenario(duration_s=DURATION_S, spike=spike, zone_loss=zone_loss)


def split_design(design: dict) -> tuple[WebAppConfig, str]:
    """The web application's config and the disaster recovery strategy of a design dict.

    Examples
    --------
    >>> cfg, dr = split_design({"zones": 2, "dr_strategy": "pilot_light"})
    >>> cfg.zones, dr
    (2, 'pilot_light')
    >>> split_design({"zones": 2})
    Traceback (most recent call last):
    ...
    ValueError: the design has no 'dr_strategy'; choose one of ('backup_restore', 'pilot_light', 'warm_standby', 'active_active')
    """
    check_type("design() result", design, dict)  # of settings
    design = dict(design)
    if "dr_strategy" not in design:
        raise ValueError(f"the design has no 'dr_strategy'; choose one of {STRATEGIES}")
    strategy = design.pop("dr_strategy")
    if strategy not in STRATEGIES:
        raise ValueError(f"dr_strategy={strategy!r} is unknown; choose one of {STRATEGIES}")
    return WebAppConfig.from_dict(design), strategy


@functools.lru_cache(maxsize=1)
def dr_outcomes():
    """Eight simulated Region outages per strategy (fixed seeds), measured once and remembered."""
    return measure(DrPlan(), trials=8, seed=0)


@dataclass(frozen=True)
class Report:
    """How one design did in one drill; ``passed`` only if every check holds."""

    seed: int
    availability: float  # worst hour
    latency_good: float  # worst hour
    monthly_usd: float
    rto_s: float  # worst measured
    rpo_s: float

    @property
    def checks(self) -> dict[str, bool]:
        return {"availability": self.availability >= AVAILABILITY, "latency": self.latency_good >= LATENCY_TARGET,
                "rto": self.rto_s <= RTO_S, "rpo": self.rpo_s <= RPO_S, "budget": self.monthly_usd <= BUDGET_USD}

    @property
    def passed(self) -> bool:
        return all(self.checks.values())

    def summary(self) -> str:
        failed = [name for name, ok in self.checks.items() if not ok]
        return (f"drill {self.seed}: worst hour {100 * self.availability:.2f} % succeeded, "
                f"{100 * self.latency_good:.2f} % within {1000 * LATENCY_S:g} ms; ${self.monthly_usd:,.0f}/month; "
                f"RTO {self.rto_s / 60:.1f} min, RPO {self.rpo_s:.1f} s -> "
                + ("PASS" if not failed else "FAIL (" + ", ".join(failed) + ")"))


def evaluate(design: dict, *, seed: Seed = None) -> Report:
    """Run ``design`` through the drill of ``seed`` and check it against every target.

    Examples
    --------
    >>> r = evaluate({"dr_strategy": "backup_restore"}, seed=1)
    >>> r.checks["rto"], r.checks["budget"]
    (False, True)
    """
    seed = root_seed(seed)
    config, strategy = split_design(design)
    run = run_webapp(config, fault_schedule(seed=seed), latency_slo_s=LATENCY_S, seed=seed)
    outcome = dr_outcomes()[strategy]
    return Report(seed, run.availability_slo(AVAILABILITY).worst.good_fraction,
                  run.latency_slo(LATENCY_TARGET).worst.good_fraction,
                  monthly(run.mean_cost_per_hour_usd) + outcome.monthly_usd, outcome.worst_rto_s, outcome.worst_rpo_s)
