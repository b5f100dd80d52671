r"""A Spot fleet working through a batch of tasks, with seeded interruptions.

Spot capacity is a cheap hotel room that the hotel may take back with two
minutes' notice. Whether it is a bargain depends on what you lose when it
does: with no checkpoints an interrupted task starts over; with periodic
checkpoints you lose at most one interval; if a checkpoint fits in the
two-minute notice, you lose almost nothing.

Model
-----
``fleet_size`` instances share a queue of ``tasks`` tasks of ``task_hours``
work each. Every instance is interrupted after an exponential lifetime with
rate ``interruption_rate_per_hour`` (a Poisson process per instance-hour);
the notice arrives ``notice_s`` earlier (120 s on EC2: EC2 User Guide, "Spot
Instance interruption notices"). A replacement starts after
``replacement_delay_s`` (billed) and resumes the task from its last saved
progress. Billing is per second of running at a flat Spot price.

Theory to check against: with no checkpoints, a task of length :math:`T`
needs on average :math:`e^{\lambda T}-1` restarts and
:math:`(e^{\lambda T}-1)(1/\lambda + D)` billed hours, where :math:`D` is the
replacement delay (the classic restart-from-scratch result).

Why no messages: interruptions arrive at random over hours and the cost is in
the work lost and the time billed; there is no conversation between machines to
model, so the fleet is simpy processes rather than kernel nodes
(:mod:`labsupport.sim`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import simpy

from labsupport.seeds import Seed, as_rng, derive_rng
from labsupport.checks import check_int, check_number
from labsupport.cost.prices import SPOT_NOTICE_S

__all__ = ["SpotFleetResult", "run_spot_fleet", "expected_restart_hours"]

Trace = tuple[tuple[float, str, str], ...]


@dataclass(frozen=True)
class SpotFleetResult:
    """Outcome of :func:`run_spot_fleet`. Hours are instance-hours unless named otherwise.

    ``billed_hours == useful_work_hours + lost_work_hours + overhead_hours + replacement_hours``.
    """

    tasks: int
    task_hours: float
    interruptions: int
    billed_hours: float
    lost_work_hours: float
    overhead_hours: float  # checkpoint writing and the idle end of a notice
    replacement_hours: float
    makespan_hours: float  # wall-clock time until the last task finished
    spot_cost_usd: float
    on_demand_cost_usd: float  # the same work on On-Demand: no interruptions, no checkpoints
    trace: Trace

    @property
    def useful_work_hours(self) -> float:
        return self.tasks * self.task_hours

    @property
    def spot_cost_per_work_hour(self) -> float:
        """Effective Spot price per hour of useful work."""
        return self.spot_cost_usd / self.useful_work_hours

    @property
    def on_demand_cost_per_work_hour(self) -> float:
        return self.on_demand_cost_usd / self.useful_work_hours

    @property
    def savings_fraction(self) -> float:
        """1 - Spot cost / On-Demand cost for the same work (negative if Spot lost)."""
        return 1.0 - self.spot_cost_usd / self.on_demand_cost_usd if self.on_demand_cost_usd > 0 else 0.0


def expected_restart_hours(
    task_hours: float, interruption_rate_per_hour: float, replacement_delay_s: float = 0.0,
) -> float:
    """Expected billed hours for one task that restarts from scratch after each interruption.

    Examples
    --------
    >>> round(expected_restart_hours(2.0, 0.1), 4)   # (e^0.2 - 1) / 0.1
    2.214
    """
    t = check_number("task_hours", task_hours, low=0, low_open=True)
    rate = check_number("interruption_rate_per_hour", interruption_rate_per_hour, low=0)
    if rate == 0:
        return t
    return math.expm1(rate * t) * (1.0 / rate + check_number("replacement_delay_s", replacement_delay_s, low=0) / 3600.0)


def _work_done(elapsed: float, interval: float, ckpt: float) -> tuple[float, float]:
    """(work done, work saved) after ``elapsed`` hours of a segment with periodic checkpoints."""
    if math.isinf(interval):
        return elapsed, 0.0
    cycles = math.floor(elapsed / (interval + ckpt))
    into = elapsed - cycles * (interval + ckpt)
    return cycles * interval + min(into, interval), cycles * interval


def run_spot_fleet(
    *, tasks: int, task_hours: float, fleet_size: int, interruption_rate_per_hour: float,
    spot_per_hour: float, on_demand_per_hour: float, checkpoint_interval_hours: float | None = None,
    checkpoint_duration_s: float = 0.0, checkpoint_on_notice: bool = False, replacement_delay_s: float = 0.0,
    notice_s: float = SPOT_NOTICE_S, seed: Seed = None,
) -> SpotFleetResult:
    """Run a batch on a Spot fleet; same seed, same trace.

    Examples
    --------
    >>> kw = dict(tasks=20, task_hours=4.0, fleet_size=5, interruption_rate_per_hour=0.2,
    ...           spot_per_hour=0.042, on_demand_per_hour=0.096, seed=3)
    >>> bare = run_spot_fleet(**kw)
    >>> saved = run_spot_fleet(**kw, checkpoint_on_notice=True, checkpoint_duration_s=30)
    >>> bare.interruptions, round(bare.lost_work_hours, 1), round(saved.lost_work_hours, 1)
    (18, 25.2, 0.0)
    >>> [round(r.spot_cost_per_work_hour, 4) for r in (bare, saved)], bare.on_demand_cost_per_work_hour
    ([0.0552, 0.0422], 0.096)
    """
    for name, value in (("tasks", tasks), ("fleet_size", fleet_size)):
        check_int(name, value, low=1)
    work = check_number("task_hours", task_hours, low=0, low_open=True)
    rate = check_number("interruption_rate_per_hour", interruption_rate_per_hour, low=0)
    spot = check_number("spot_per_hour", spot_per_hour, low=0)
    od = check_number("on_demand_per_hour", on_demand_per_hour, low=0)
    interval = (math.inf if checkpoint_interval_hours is None
                else check_number("checkpoint_interval_hours", checkpoint_interval_hours, low=0, low_open=True))
    ckpt = check_number("checkpoint_duration_s", checkpoint_duration_s, low=0) / 3600.0
    notice = check_number("notice_s", notice_s, low=0) / 3600.0
    delay = check_number("replacement_delay_s", replacement_delay_s, low=0) / 3600.0
    if checkpoint_on_notice and ckpt > notice:
        raise ValueError(
            f"checkpoint_duration_s={checkpoint_duration_s} does not fit in the {notice_s}-s notice; "
            "checkpoint_on_notice needs checkpoint_duration_s <= notice_s"
        )
    base = as_rng(seed).getrandbits(64)
    env = simpy.Environment()
    queue = list(range(tasks))
    totals = {"billed": 0.0, "lost": 0.0, "overhead": 0.0, "replacement": 0.0, "interruptions": 0, "end": 0.0}
    trace: list[tuple[float, str, str]] = []

    def lifetime(rng) -> float:
        return rng.expovariate(rate) if rate > 0 else math.inf

    def instance_slot(env: simpy.Environment, slot: int):
        rng = derive_rng(base, f"slot-{slot}")
        interrupt_at = env.now + lifetime(rng)
        while queue:
            task = queue.pop(0)
            done = 0.0
            while done < work:
                remaining = work - done
                checkpoints = 0 if math.isinf(interval) else max(0, math.ceil(remaining / interval) - 1)
                needed = remaining + ckpt * checkpoints
                if env.now + needed <= interrupt_at:
                    yield env.timeout(needed)
                    totals["billed"] += needed
                    totals["overhead"] += needed - remaining
                    done = work
                    continue
                elapsed = interrupt_at - env.now
                yield env.timeout(elapsed)
                worked, saved = _work_done(elapsed, interval, ckpt)
                if checkpoint_on_notice:
                    worked, _ = _work_done(max(0.0, elapsed - notice), interval, ckpt)
                    saved = worked
                totals["billed"] += elapsed
                totals["lost"] += worked - saved
                totals["overhead"] += elapsed - worked
                totals["interruptions"] += 1
                done += saved
                trace.append((round(env.now, 6), "interrupt", f"slot {slot} task {task} saved {done:.4f}/{work} h"))
                yield env.timeout(delay)
                totals["billed"] += delay
                totals["replacement"] += delay
                interrupt_at = env.now + lifetime(rng)
            trace.append((round(env.now, 6), "done", f"slot {slot} task {task}"))
            totals["end"] = max(totals["end"], env.now)

    for slot in range(fleet_size):
        env.process(instance_slot(env, slot))
    env.run()
    billed = totals["billed"]
    return SpotFleetResult(
        tasks=tasks, task_hours=work, interruptions=int(totals["interruptions"]), billed_hours=billed,
        lost_work_hours=totals["lost"], overhead_hours=totals["overhead"], replacement_hours=totals["replacement"],
        makespan_hours=totals["end"], spot_cost_usd=billed * spot, on_demand_cost_usd=tasks * work * od,
        trace=tuple(trace),
    )
