"""Auto Scaling: capacity follows load within its bounds; overload lasts as long as capacity takes to arrive."""

import math

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.availability.auto_scaling import (StepScaling, TargetTracking, daily_load, run_autoscaling,
                                    spike_violation_minutes)

HALF_DAY = dict(duration_s=12 * 3600)


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 2 * 86_400), st.floats(1, 1000), st.floats(0, 5000))
def test_daily_load_stays_between_base_and_peak(t, base, extra):
    load = daily_load(t, base_rps=base, peak_rps=base + extra)
    assert base - 1e-9 <= load <= base + extra + 1e-9


@settings(max_examples=8, deadline=None)
@given(st.integers(1, 10), st.integers(0, 15), st.sampled_from(["tt", "step"]), st.integers(0, 2**16))
def test_capacity_stays_within_min_and_max(min_size, extra, kind, seed):
    max_size = min_size + extra
    policy = TargetTracking(40) if kind == "tt" else StepScaling()
    r = run_autoscaling(policy, min_size=min_size, max_size=max_size, duration_s=4 * 3600, seed=seed)
    assert all(min_size <= d <= max_size for d in r.desired)
    assert all(r.serving[i] <= r.running[i] for i in range(len(r.times_s)))


def test_target_tracking_keeps_utilisation_near_the_target_in_steady_load():
    r = run_autoscaling(TargetTracking(50), duration_s=6 * 3600, spike=None, base_rps=1000, peak_rps=1000, seed=4)
    late = [u for t, u in zip(r.times_s, r.utilisation) if t >= 3600]
    mean = sum(late) / len(late)
    assert 0.4 <= mean <= 0.5 + 1e-9  # ceil() rounds capacity up; hysteresis lets it sit a little below
    assert r.util_violation_minutes == 0


def overload_minutes_after(run, start):
    """From the jump to the first datapoint with enough serving capacity (capacity arrives on a datapoint)."""
    return (next(t for t, u in zip(run.times_s, run.utilisation) if t > start and u <= 1) - start) / 60


def test_overload_after_a_spike_lasts_as_long_as_capacity_takes_to_arrive():
    minutes = []
    for seed in range(6):
        start = 3 * 3600 + 60 * seed / 6 + 5  # spread the jump's phase against the one-minute datapoints
        r = run_autoscaling(TargetTracking(50), spike=(start, 3600, 2.5), duration_s=4 * 3600, noise=0.0,
                            base_rps=800, peak_rps=800, seed=seed)  # flat load: the alarm is quiet before the jump
        minutes.append(overload_minutes_after(r, start))
    theory = spike_violation_minutes(scale_out_periods=3, launch_delay_s=120, init_s=180)
    assert sum(minutes) / len(minutes) == pytest.approx(theory, abs=0.1)


# These three ran without a seed, so each run drew a fresh one and the oscillation bound (3 reversals) failed in
# about one run in thirty (4 reversals on 2 of seeds 0-59). Each claim below holds on every one of seeds 0-59;
# the suite checks eight of them.
SEEDS = range(8)


@pytest.mark.parametrize("seed", SEEDS)
def test_longer_launch_means_longer_overload(seed):
    quick = run_autoscaling(TargetTracking(50), launch_delay_s=60, init_s=0, seed=seed, **HALF_DAY)
    slow = run_autoscaling(TargetTracking(50), launch_delay_s=300, init_s=300, seed=seed, **HALF_DAY)
    assert quick.latency_violation_minutes < slow.latency_violation_minutes


@pytest.mark.parametrize("seed", SEEDS)
def test_aggressive_steps_oscillate_and_gentle_target_tracking_does_not(seed):
    gentle = run_autoscaling(TargetTracking(50), seed=seed, **HALF_DAY)
    flappy = run_autoscaling(StepScaling(out_steps=((60.0, 100.0),), in_steps=((40.0, -50.0),)), seed=seed,
                             **HALF_DAY)
    assert gentle.reversals <= 4 < 20 <= flappy.reversals  # 2-4 against 100 or more on seeds 0-59


@pytest.mark.parametrize("seed", SEEDS)
def test_a_warm_up_shorter_than_initialisation_overshoots(seed):
    right = run_autoscaling(TargetTracking(50), warmup_s=300, init_s=180, seed=seed, **HALF_DAY)
    short = run_autoscaling(TargetTracking(50), warmup_s=0, init_s=180, seed=seed, **HALF_DAY)
    # more instance-hours on every seed (at least 12 more on seeds 0-59); a higher peak on all but seed 28 (a tie)
    assert max(short.running) >= max(right.running) and short.instance_hours > right.instance_hours


def test_same_seed_same_run():
    a = run_autoscaling(StepScaling(), duration_s=3 * 3600, seed=3)
    assert a == run_autoscaling(StepScaling(), duration_s=3 * 3600, seed=3)
    assert a != run_autoscaling(StepScaling(), duration_s=3 * 3600, seed=4)


@pytest.mark.parametrize("kwargs, match", [
    (dict(min_size=5, max_size=3), "min_size=5 exceeds max_size=3"),
    (dict(min_size=0, max_size=0), "max_size=0 is out of range"), (dict(launch_delay_s=-1), "launch_delay_s"),
    (dict(warmup_s=-5), "warmup_s"), (dict(util_limit=0), "util_limit"), (dict(capacity_rps=0), "capacity_rps")])
def test_bad_group_settings_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        run_autoscaling(TargetTracking(), **kwargs)


def test_bad_policies_are_refused():
    for bad in (0, -10, 120):
        with pytest.raises(ValueError, match="target_cpu"):
            TargetTracking(bad)
    with pytest.raises(ValueError, match="out_steps is empty"):
        StepScaling(out_steps=())
    with pytest.raises(ValueError, match="in step"):
        StepScaling(in_steps=((30.0, 10.0),))
    with pytest.raises(TypeError, match="policy"):
        run_autoscaling("target tracking", seed=0)


def test_spare_capacity_is_the_unneeded_share_of_paid_hours():
    r = run_autoscaling(TargetTracking(50), seed=1, **HALF_DAY)
    assert r.spare_fraction == pytest.approx(1 - r.needed_hours / r.instance_hours)
    assert 0 < r.spare_fraction < 1 and math.isfinite(r.instance_hours)
