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
from typing import NamedTuple, Sequence

from labsupport.seeds import Seed, root_seed
from labsupport.checks import check_int, check_type, out_of_range
from labsupport.usecases.disaster_recovery import STRATEGIES, DrPlan, measure
from labsupport.usecases.prices import monthly
from labsupport.usecases.webapp import run_webapp
from labsupport.usecases.webapp_parts import ZONES, Scenario, WebAppConfig

__all__ = ["AVAILABILITY", "LATENCY_TARGET", "LATENCY_S", "RTO_S", "RPO_S", "BUDGET_USD", "DURATION_S",
           "DESIGN_KEYS", "PUBLIC_DRILLS", "Spike", "ZoneLoss", "fault_schedule", "describe", "split_design",
           "dr_outcomes", "Report", "evaluate", "try_design"]

AVAILABILITY = 0.995  # of requests succeed, in every hour
LATENCY_TARGET = 0.99  # of requests succeed within LATENCY_S, in every hour
LATENCY_S = 0.25
RTO_S = 2100.0  # 35 minutes
RPO_S = 30.0
BUDGET_USD = 1800.0  # per month, recovery Region included
DURATION_S = 2 * 3600.0
DESIGN_KEYS = tuple(f.name for f in fields(WebAppConfig)) + ("dr_strategy",)
PUBLIC_DRILLS = (2026, 14, 31)  # the lab's public tests; drill 14 loses az-a, the database primary's zone


class Spike(NamedTuple):
    """A traffic spike: from ``start_s`` for ``length_s`` seconds, traffic is ``factor`` times its level."""

    start_s: float
    length_s: float
    factor: float


class ZoneLoss(NamedTuple):
    """The loss of one Availability Zone from ``start_s`` for ``length_s`` seconds.

    ``zone`` indexes :data:`labsupport.usecases.webapp_parts.ZONES`: 0 is
    ``az-a`` (where the database primary runs), 1 ``az-b``, 2 ``az-c``.
    """

    zone: int
    start_s: float
    length_s: float

    @property
    def zone_name(self) -> str:
        return ZONES[self.zone]


def fault_schedule(*, seed: Seed = None) -> Scenario:
    """A two-hour drill: a spike in the first hour, the loss of one zone in the second.

    The scenario's ``spike`` is a :class:`Spike` and its ``zone_loss`` a
    :class:`ZoneLoss`, so their fields have names.

    Examples
    --------
    >>> s = fault_schedule(seed=1)
    >>> s.duration_s, 900 <= s.spike.start_s <= 2700, 1.8 <= s.spike.factor <= 2.3, 4200 <= s.zone_loss.start_s <= 5400
    (7200.0, True, True, True)
    >>> fault_schedule(seed=14).zone_loss.zone_name
    'az-a'
    >>> fault_schedule(seed=1) == fault_schedule(seed=1)
    True
    """
    seed = root_seed(seed)
    check_int("seed", seed)
    rng = random.Random(f"capstone/{seed}")
    spike = Spike(rng.uniform(900, 2700), rng.uniform(600, 1200), rng.uniform(1.8, 2.3))
    zone_loss = ZoneLoss(rng.randrange(len(ZONES)), rng.uniform(4200, 5400), rng.uniform(900, 1800))
    return Scenario(duration_s=DURATION_S, spike=spike, zone_loss=zone_loss)


def describe(scenario: Scenario) -> str:
    """One line a person can read: what the drill does, and when (in minutes from its start).

    Examples
    --------
    >>> describe(fault_schedule(seed=14))
    'traffic x1.99 from minute 39.3 to 56.5; az-a (zone 0) lost from minute 75.3 to 92.8'
    """
    check_type("scenario", scenario, Scenario)
    parts = []
    if scenario.spike is not None:
        start, length, factor = scenario.spike
        parts.append(f"traffic x{factor:.2f} from minute {start / 60:.1f} to {(start + length) / 60:.1f}")
    if scenario.zone_loss is not None:
        zone, start, length = scenario.zone_loss
        parts.append(f"{ZONES[zone]} (zone {zone}) lost from minute {start / 60:.1f} to {(start + length) / 60:.1f}")
    return "; ".join(parts) or "nothing happens"


def split_design(design: dict) -> tuple[WebAppConfig, str]:
    """The web application's config and the disaster recovery strategy of a design dict.

    A design is a dict of settings. ``dr_strategy`` is required (one of
    ``"backup_restore"``, ``"pilot_light"``, ``"warm_standby"``,
    ``"active_active"``); every other key is a field of
    :class:`~labsupport.usecases.webapp_parts.WebAppConfig`, and a key you
    leave out takes that field's default:

    ======================  ========  ============================================================
    setting                 default   meaning (range)
    ======================  ========  ============================================================
    ``zones``               3         Availability Zones of the web tier and cache (1 to 3)
    ``instances_per_zone``  2         the group's minimum per zone (1 to 50)
    ``max_instances``       30        the group's maximum (up to 200, at least the minimum)
    ``target_cpu``          50.0      target tracking on average CPU in percent; None: fixed fleet
    ``scale_out_periods``   2         minutes above target before scaling out (>= 1)
    ``scale_in_periods``    15        minutes below target before scaling in (>= 1)
    ``cache``               True      an in-memory cache in front of the database
    ``db_standby``          True      a synchronous Multi-AZ standby (primary in az-a, standby in az-b)
    ``db_replicas``         0         asynchronous read replicas in az-b, az-c, az-a, ... (0 to 5)
    ``retries``             1         retries per failed request (0 to 5)
    ======================  ========  ============================================================

    An unknown key or a value out of range raises ``ValueError`` naming it.

    Examples
    --------
    >>> cfg, dr = split_design({"zones": 2, "dr_strategy": "pilot_light"})
    >>> cfg.zones, cfg.instances_per_zone, dr
    (2, 2, 'pilot_light')
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
    def failed(self) -> tuple[str, ...]:
        """The names of the targets this drill missed, in the order of :attr:`checks`."""
        return tuple(name for name, ok in self.checks.items() if not ok)

    @property
    def passed(self) -> bool:
        return all(self.checks.values())

    def summary(self) -> str:
        failed = self.failed
        return (f"drill {self.seed}: worst hour {100 * self.availability:.2f} % succeeded, "
                f"{100 * self.latency_good:.2f} % within {1000 * LATENCY_S:g} ms; ${self.monthly_usd:,.0f}/month; "
                f"RTO {self.rto_s / 60:.1f} min, RPO {self.rpo_s:.1f} s -> "
                + ("PASS" if not failed else "FAIL (" + ", ".join(failed) + ")"))


def evaluate(design: dict, *, seed: Seed = None) -> Report:
    """Run ``design`` through the drill of ``seed`` and check it against every target.

    Examples
    --------
    >>> r = evaluate({"dr_strategy": "backup_restore"}, seed=1)
    >>> r.checks["rto"], r.checks["rpo"], r.passed
    (False, False, False)
    """
    seed = root_seed(seed)
    config, strategy = split_design(design)
    run = run_webapp(config, fault_schedule(seed=seed), latency_slo_s=LATENCY_S, seed=seed)
    outcome = dr_outcomes()[strategy]
    return Report(seed, run.availability_slo(AVAILABILITY).worst.good_fraction,
                  run.latency_slo(LATENCY_TARGET).worst.good_fraction,
                  monthly(run.mean_cost_per_hour_usd) + outcome.monthly_usd, outcome.worst_rto_s, outcome.worst_rpo_s)


def try_design(design: dict, seeds: Sequence[int]) -> list[Report]:
    """Run ``design`` through the drill of each seed; one :class:`Report` per seed, in order.

    Print each report's ``summary()`` to see which targets each drill missed.

    Examples
    --------
    >>> reports = try_design({"dr_strategy": "backup_restore"}, [1, 2])
    >>> [r.seed for r in reports], "rto" in reports[0].failed
    ([1, 2], True)
    """
    check_type("seeds", seeds, (list, tuple, range))
    if len(seeds) == 0:
        raise out_of_range("seeds", seeds, "at least one seed", why="is empty")
    for seed in seeds:
        check_int("seed", seed)
    split_design(design)
    return [evaluate(design, seed=seed) for seed in seeds]
