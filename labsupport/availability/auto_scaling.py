"""An Auto Scaling group following a daily load curve, with target tracking or step scaling.

A thermostat that can only order radiators by post: by the time the new
radiator arrives the cold snap may be over, and a thermostat that keeps
ordering while the parcels are on their way ends up with a furnace. An Auto
Scaling group changes its **desired capacity** from a CloudWatch metric (here
the group's average CPU utilisation, one datapoint a minute); an instance
launched now is **in service** after ``launch_delay_s`` and serves traffic
only after its application has initialised (``init_s``), during which it
burns CPU and serves nothing.

What the model takes from the EC2 Auto Scaling User Guide ("Target tracking
scaling policies", "Step and simple scaling policies", "Set the default
instance warmup", "Scaling cooldowns"):

* the **instance warm-up** (``warmup_s``, 0-3600 s) is how long after
  entering service an instance's metrics stay out of the group's aggregate;
  while any instance warms up, scale-in is blocked, and warming instances
  count as capacity when deciding how much to add;
* **target tracking** scales out in proportion to the metric as fast as it
  can and scales in more gradually; our model of "gradually" is a low alarm
  that needs ``scale_in_periods`` consecutive low datapoints (the high
  alarm needs ``scale_out_periods``);
* **step scaling** adds the step adjustment that matches the size of the
  breach, measured from the capacity that has finished warming, so repeated
  breaches in the same step do not stack;
* cooldowns apply only to simple scaling policies, which are not modelled.

Latency is read from the M/M/c formulas of :mod:`labsupport.foundations.queueing`, each
serving instance being one server of rate ``capacity_rps``.

Why a fluid load and not messages: the control loop acts once a minute on CPU
averaged over thousands of requests a second, so load is a rate and instances
are capacity; individual requests as kernel messages (:mod:`labsupport.sim`)
would not change what the loop sees.
"""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass

import simpy

from labsupport.seeds import Seed, derive_rng
from labsupport.checks import check_int, check_number, check_type, out_of_range
from labsupport.foundations.queueing import mmc_response_percentile_s

__all__ = ["TargetTracking", "StepScaling", "daily_load", "ScalingRun", "run_autoscaling",
           "spike_violation_minutes"]

PERIOD_S = 60.0  # one CloudWatch datapoint a minute (detailed monitoring)
DAY_S = 86_400.0


@dataclass(frozen=True)
class TargetTracking:
    """Keep average CPU near ``target_cpu`` percent."""

    target_cpu: float = 50.0
    _: KW_ONLY  # the rest by keyword
    scale_out_periods: int = 3
    scale_in_periods: int = 15
    scale_in_margin: float = 0.1  # the low alarm fires below target * (1 - margin)
    max_scale_in: float = 0.1  # remove at most this share of capacity (at least one instance) per activity

    def __post_init__(self):
        check_number("target_cpu", self.target_cpu)
        check_int("scale_out_periods", self.scale_out_periods)
        check_int("scale_in_periods", self.scale_in_periods)
        check_number("scale_in_margin", self.scale_in_margin)
        check_number("max_scale_in", self.max_scale_in)
        if not 0 < self.target_cpu <= 100:
            raise ValueError(f"target_cpu={self.target_cpu}; choose 0 < target_cpu <= 100 (percent)")
        if self.scale_out_periods < 1 or self.scale_in_periods < 1:
            raise ValueError("scale_out_periods and scale_in_periods must be >= 1 datapoints")
        if not (0 <= self.scale_in_margin < 1 and 0 < self.max_scale_in <= 1):
            raise ValueError(f"scale_in_margin={self.scale_in_margin}, max_scale_in={self.max_scale_in}: "
                             "need 0 <= scale_in_margin < 1 and 0 < max_scale_in <= 1")


@dataclass(frozen=True)
class StepScaling:
    """Change capacity by the step whose CPU bound the metric has crossed.

    ``out_steps`` are ``(lower_cpu, +percent)`` pairs, ``in_steps`` are
    ``(upper_cpu, -percent)``; adjustments are percentages of the warmed
    capacity (``PercentChangeInCapacity``), rounded away from zero.

    Examples
    --------
    >>> r = run_autoscaling(StepScaling(alarm_periods=2), duration_s=6 * 3600, spike=None, seed=1)
    >>> r.util_violation_minutes, round(r.instance_hours, 1)
    (0, 63.7)
    """

    out_steps: tuple[tuple[float, float], ...] = ((60.0, 20.0), (75.0, 50.0), (90.0, 100.0))
    in_steps: tuple[tuple[float, float], ...] = ((35.0, -10.0),)
    alarm_periods: int = 1

    def __post_init__(self):
        if not self.out_steps:
            raise ValueError("out_steps is empty; give at least one (lower_cpu, +percent) step")
        for cpu, change in self.out_steps:
            if not (0 < cpu <= 100 and change > 0):
                raise ValueError(f"out step ({cpu}, {change}): need 0 < cpu <= 100 and a positive change")
        for cpu, change in self.in_steps:
            if not (0 < cpu <= 100 and -100 < change < 0):
                raise ValueError(f"in step ({cpu}, {change}): need 0 < cpu <= 100 and -100 < change < 0")
        check_int("alarm_periods", self.alarm_periods, low=1)


def daily_load(t_s: float, *, base_rps: float = 400.0, peak_rps: float = 1600.0, peak_at_s: float = 15 * 3600,
               spike: tuple[float, float, float] | None = None) -> float:
    """Requests per second at time ``t_s``: a smooth day from ``base_rps`` to ``peak_rps``, times a spike.

    ``spike=(start_s, duration_s, factor)`` multiplies the load by ``factor`` for that stretch.

    Examples
    --------
    >>> daily_load(15 * 3600), daily_load(3 * 3600)
    (1600.0, 400.0)
    >>> daily_load(10 * 3600, spike=(10 * 3600, 1800, 2.0)) == 2 * daily_load(10 * 3600)
    True
    """
    check_number("t_s", t_s, low=0)
    check_number("peak_at_s", peak_at_s, low=0)
    check_number("peak_rps", peak_rps, low=check_number("base_rps", base_rps, low=0))
    shape = (1 + math.cos(2 * math.pi * (t_s - peak_at_s) / DAY_S)) / 2
    load = base_rps + (peak_rps - base_rps) * shape
    if spike is not None and spike[0] <= t_s < spike[0] + spike[1]:
        load *= spike[2]
    return load


@dataclass(frozen=True)
class ScalingRun:
    """One minute per row (``times_s``, ``load_rps``, ...) and the totals tables quote."""

    times_s: tuple[float, ...]
    load_rps: tuple[float, ...]
    desired: tuple[int, ...]
    running: tuple[int, ...]  # launched and not terminated (billed)
    serving: tuple[int, ...]  # initialised, taking traffic
    metric_cpu: tuple[float, ...]  # what the policy saw (percent; nan when no instance reported)
    utilisation: tuple[float, ...]  # load / serving capacity (can exceed 1)
    p99_latency_s: tuple[float, ...]  # inf when overloaded
    activities: tuple[tuple[float, int], ...]  # (time, change in desired capacity)
    instance_hours: float
    needed_hours: float  # instance-hours at exactly the utilisation limit
    util_violation_minutes: int
    latency_violation_minutes: int

    @property
    def reversals(self) -> int:
        """How often the direction of scaling flipped: the oscillation count."""
        signs = [1 if change > 0 else -1 for _, change in self.activities]
        return sum(1 for a, b in zip(signs, signs[1:]) if a != b)

    @property
    def spare_fraction(self) -> float:
        """Share of paid instance-hours beyond what the load needed at the utilisation limit."""
        return 1 - self.needed_hours / self.instance_hours


def run_autoscaling(policy, *, min_size: int = 2, max_size: int = 60, capacity_rps: float = 100.0,
                    launch_delay_s: float = 120.0, init_s: float = 180.0, warmup_s: float = 300.0,
                    util_limit: float = 0.8, latency_slo_s: float = 0.05, duration_s: float = DAY_S,
                    spike: tuple[float, float, float] | None = (10 * 3600, 3600, 2.0), noise: float = 0.05,
                    base_rps: float = 400.0, peak_rps: float = 1600.0, initial_size: int | None = None,
                    start_s: float = 0.0, seed: Seed = None) -> ScalingRun:
    """Drive an Auto Scaling group with ``policy`` through a day of load.

    The run covers ``duration_s`` seconds from time of day ``start_s``; the
    group starts with ``initial_size`` warmed instances (default: enough to
    run the first minute's load at 50 % utilisation).

    Examples
    --------
    >>> r = run_autoscaling(TargetTracking(50), duration_s=6 * 3600, spike=None, seed=1)
    >>> r.util_violation_minutes, round(r.instance_hours, 1), r.reversals <= 2
    (0, 60.3, True)
    >>> run_autoscaling(TargetTracking(), min_size=5, max_size=3, seed=0)
    Traceback (most recent call last):
    ...
    ValueError: min_size=5 exceeds max_size=3; choose 0 <= min_size <= max_size (max_size >= 1)
    """
    check_type("policy", policy, (TargetTracking, StepScaling))
    check_int("max_size", max_size, low=1)  # an empty group serves nothing
    if check_int("min_size", min_size, low=0) > max_size:
        raise out_of_range("min_size", min_size, "0 <= min_size <= max_size (max_size >= 1)",
                           why=f"exceeds max_size={max_size}")
    for name, value in (("capacity_rps", capacity_rps), ("duration_s", duration_s), ("latency_slo_s", latency_slo_s)):
        check_number(name, value, low=0, low_open=True)
    for name, value in (("launch_delay_s", launch_delay_s), ("init_s", init_s), ("warmup_s", warmup_s)):
        check_number(name, value, low=0)
    check_number("util_limit", util_limit, low=0, low_open=True, high=1)
    check_number("noise", noise, low=0)
    check_number("start_s", start_s, low=0)
    rng = derive_rng(seed, "autoscaling:noise")
    env = simpy.Environment(initial_time=start_s)
    if initial_size is None:
        initial_size = math.ceil(daily_load(start_s, base_rps=base_rps, peak_rps=peak_rps, spike=spike) / (0.5 * capacity_rps))
    initial_size = max(min_size, min(max_size, initial_size))
    instances: list[list[float]] = [[start_s - init_s - warmup_s] for _ in range(initial_size)]  # [in-service time]
    rows, activities = [], []
    state = {"desired": initial_size, "high": 0, "low": 0}

    def launch(count):
        for _ in range(count):
            record = [math.inf]
            instances.append(record)
            env.process(_in_service(record))

    def _in_service(record):
        yield env.timeout(launch_delay_s)
        record[0] = env.now

    def set_desired(new):
        new = max(min_size, min(max_size, new))
        change = new - state["desired"]
        if change:
            activities.append((env.now, change))
            state["desired"] = new
            if change > 0:
                launch(change)
            else:
                del instances[len(instances) + change:]  # newest first; none is warming (scale-in waits)

    def controller():
        while env.now < start_s + duration_s:
            now = env.now
            load = daily_load(now, base_rps=base_rps, peak_rps=peak_rps, spike=spike) * max(0.0, rng.gauss(1, noise))
            serving = [r for r in instances if now >= r[0] + init_s]
            initialising = [r for r in instances if r[0] <= now < r[0] + init_s]
            utilisation = load / (len(serving) * capacity_rps) if serving else math.inf
            cpu_serving = min(1.0, utilisation) * 100
            reporting = [r for r in instances if now >= r[0] + warmup_s]
            busy = [r for r in reporting if r[0] <= now < r[0] + init_s]  # still initialising: 100 % CPU
            metric = ((len(reporting) - len(busy)) * cpu_serving + 100 * len(busy)) / len(reporting) if reporting else math.nan
            warming = any(r[0] == math.inf or now < r[0] + warmup_s for r in instances)
            try:
                p99 = mmc_response_percentile_s(load, capacity_rps, len(serving), q=0.99) if serving else math.inf
            except ValueError:
                p99 = math.inf
            rows.append((now, load, state["desired"], len(instances), len(serving), metric, utilisation, p99))
            if not math.isnan(metric):
                decide(metric, len(reporting), warming)
            yield env.timeout(PERIOD_S)

    def decide(metric, reporting, warming):
        if isinstance(policy, TargetTracking):
            state["high"] = state["high"] + 1 if metric > policy.target_cpu else 0
            state["low"] = state["low"] + 1 if metric < policy.target_cpu * (1 - policy.scale_in_margin) else 0
            needed = math.ceil(reporting * metric / policy.target_cpu - 1e-9)
            if state["high"] >= policy.scale_out_periods and needed > state["desired"]:
                set_desired(needed)
            elif state["low"] >= policy.scale_in_periods and not warming and needed < state["desired"]:
                step = max(1, math.floor(state["desired"] * policy.max_scale_in))
                set_desired(max(needed, state["desired"] - step))
                state["low"] = 0
            return
        out = [change for cpu, change in policy.out_steps if metric >= cpu]
        inn = [change for cpu, change in policy.in_steps if metric <= cpu]
        state["high"] = state["high"] + 1 if out else 0
        state["low"] = state["low"] + 1 if inn else 0
        if state["high"] >= policy.alarm_periods:
            target = reporting + math.ceil(reporting * max(out) / 100)
            if target > state["desired"]:
                set_desired(target)
        elif state["low"] >= policy.alarm_periods and not warming:
            set_desired(reporting - math.ceil(reporting * -min(inn) / 100))

    env.process(controller())
    env.run(until=start_s + duration_s)
    columns = list(zip(*rows))
    hours = sum(columns[3]) * PERIOD_S / 3600
    needed = sum(load / (capacity_rps * util_limit) for load in columns[1]) * PERIOD_S / 3600
    return ScalingRun(
        times_s=columns[0], load_rps=columns[1], desired=columns[2], running=columns[3], serving=columns[4],
        metric_cpu=columns[5], utilisation=columns[6], p99_latency_s=columns[7], activities=tuple(activities),
        instance_hours=hours, needed_hours=needed,
        util_violation_minutes=sum(1 for u in columns[6] if u > util_limit),
        latency_violation_minutes=sum(1 for p in columns[7] if p > latency_slo_s))


def spike_violation_minutes(*, scale_out_periods: int, launch_delay_s: float, init_s: float) -> float:
    """Predicted duration (minutes) of overload after a jump in load that the current capacity cannot carry.

    The first datapoint that sees the jump comes up to a minute after it
    (half a minute on average); the alarm needs ``scale_out_periods``
    datapoints in a row, one a minute; then the new instances launch and
    initialise. If the high alarm is already firing when the jump comes
    (load was rising anyway), the datapoint wait disappears.

    Examples
    --------
    >>> spike_violation_minutes(scale_out_periods=3, launch_delay_s=120, init_s=180)
    7.5
    """
    check_int("scale_out_periods", scale_out_periods, low=1)
    check_number("launch_delay_s", launch_delay_s, low=0)
    check_number("init_s", init_s, low=0)
    return scale_out_periods - 0.5 + (launch_delay_s + init_s) / PERIOD_S
