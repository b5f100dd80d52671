"""A fault drill for a failover configuration: the scenarios and targets of Lab 5.

A fire brigade is certified by drills, not by its manual: a fire in the
basement, a blocked stairwell, a false alarm. Here a
:class:`~labsupport.availability.failover.config.FailoverConfig` is put through four
faults drawn from a seed, on a fixed system (asynchronous replication,
quick promotion, a short DNS TTL), and judged against four targets:

* **crash** of the primary: every client writes again within ``MAX_OUTAGE_S``;
* **isolated** primary (cut off from monitor and standby, reachable by
  clients) whose clock runs slow: no two primaries, and at most
  ``MAX_LOST`` acknowledged writes lost;
* **half-isolated** primary (cut off from the monitor only): no two primaries;
* **noise** (lost heartbeats and a short pause): no failover at all, and no
  client waits longer than ``MAX_NOISE_OUTAGE_S``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from labsupport.seeds import Seed, root_seed
from labsupport.checks import check_type
from labsupport.availability.failover.procedure import run_failover
from labsupport.availability.failover.config import FailoverConfig, Faults

__all__ = ["LAB_SYSTEM", "MAX_OUTAGE_S", "MAX_LOST", "MAX_NOISE_OUTAGE_S", "lab_config", "lab_scenarios",
           "DrillReport", "run_drill"]

LAB_SYSTEM = dict(replication="async", heartbeat_interval_s=1.0, promotion_s=1.0, dns_update_s=0.5, dns_ttl_s=5.0)
MAX_OUTAGE_S = 20.0
MAX_LOST = 150
MAX_NOISE_OUTAGE_S = 3.5
DURATION_S = 110.0


def lab_config(**choices) -> FailoverConfig:
    """The lab's system with a student's choices (``detector_timeout_s``, ``phi_threshold``, ``lease_s``,
    ``drift_bound``, ``fencing``) on top.

    Examples
    --------
    >>> lab_config(detector_timeout_s=4.0).promotion_s
    1.0
    >>> lab_config(promotion_s=0.1)
    Traceback (most recent call last):
    ...
    ValueError: promotion_s is part of the lab's fixed system; choose only detector_timeout_s, phi_threshold, lease_s, drift_bound, fencing
    """
    allowed = ["detector_timeout_s", "phi_threshold", "lease_s", "drift_bound", "fencing"]
    for name in choices:
        if name not in allowed:
            raise ValueError(f"{name} is part of the lab's fixed system; choose only {', '.join(allowed)}")
    return FailoverConfig(**LAB_SYSTEM, **choices)


def lab_scenarios(*, seed: Seed = None) -> dict[str, Faults]:
    """The four faults of one drill, with start times and the slow clock drawn from ``seed``.

    Examples
    --------
    >>> sorted(lab_scenarios(seed=1))
    ['crash', 'half-isolated', 'isolated', 'noise']
    """
    rng = random.Random(f"lab05/{root_seed(seed)}")
    start = 40.0 + rng.uniform(0, 5)
    pause = 50.0 + rng.uniform(0, 10)
    return {
        "crash": Faults(crash_s=40.0 + rng.uniform(0, 1)),
        "isolated": Faults(partition=(start, start + 30.0), clock_rate=rng.uniform(0.6, 0.7)),
        "half-isolated": Faults(partition=(start, start + 30.0), partition_standby=False),
        "noise": Faults(heartbeat_loss=0.2, pauses=((pause, 2.5),)),
    }


@dataclass(frozen=True)
class DrillReport:
    """What each scenario measured, and whether each target was met."""

    crash_outage_s: float
    isolated_split_brain: bool
    isolated_lost: int
    half_isolated_split_brain: bool
    noise_failovers: int
    noise_outage_s: float

    @property
    def targets(self) -> dict[str, bool]:
        return {
            "crash: outage within target": self.crash_outage_s <= MAX_OUTAGE_S,
            "isolated: one primary": not self.isolated_split_brain,
            "isolated: loss within target": self.isolated_lost <= MAX_LOST,
            "half-isolated: one primary": not self.half_isolated_split_brain,
            "noise: no failover": self.noise_failovers == 0,
            "noise: outage within target": self.noise_outage_s <= MAX_NOISE_OUTAGE_S,
        }

    @property
    def passed(self) -> bool:
        return all(self.targets.values())


def run_drill(config: FailoverConfig, *, seed: Seed = None) -> DrillReport:
    """Run the four scenarios of :func:`lab_scenarios` against ``config``.

    Examples
    --------
    >>> r = run_drill(lab_config(detector_timeout_s=6.0), seed=1)
    >>> r.crash_outage_s <= MAX_OUTAGE_S, r.isolated_split_brain  # fast, but no lease: two primaries
    (True, True)
    """
    check_type("config", config, FailoverConfig)  # use lab_config(...)
    seed = root_seed(seed)
    fixed = {k: getattr(config, k) for k in LAB_SYSTEM}
    if fixed != LAB_SYSTEM:
        config = replace(config, **LAB_SYSTEM)
    runs = {name: run_failover(config, faults, duration_s=DURATION_S, seed=seed)
            for name, faults in lab_scenarios(seed=seed).items()}
    return DrillReport(
        crash_outage_s=runs["crash"].worst_outage_s,
        isolated_split_brain=runs["isolated"].split_brain, isolated_lost=len(runs["isolated"].lost),
        half_isolated_split_brain=runs["half-isolated"].split_brain,
        noise_failovers=sum(1 for f in runs["noise"].failovers if "promoted_s" in f),
        noise_outage_s=runs["noise"].worst_outage_s)
