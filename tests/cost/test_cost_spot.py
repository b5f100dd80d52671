"""Spot fleet: reproducible, accounting that balances, and the restart-from-scratch closed form."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.cost.spot import expected_restart_hours, run_spot_fleet

BASE = dict(spot_per_hour=0.042, on_demand_per_hour=0.096)


def test_same_seed_same_trace_event_for_event():
    kw = dict(tasks=12, task_hours=3.0, fleet_size=4, interruption_rate_per_hour=0.3, checkpoint_interval_hours=0.5,
              checkpoint_duration_s=20, replacement_delay_s=90, seed=42, **BASE)
    a, b = run_spot_fleet(**kw), run_spot_fleet(**kw)
    assert a == b and a.trace == b.trace and len(a.trace) > a.tasks
    assert run_spot_fleet(**{**kw, "seed": 43}).trace != a.trace


def test_no_interruptions_costs_exactly_the_work():
    r = run_spot_fleet(tasks=10, task_hours=2.0, fleet_size=3, interruption_rate_per_hour=0.0, seed=1, **BASE)
    assert r.interruptions == 0 and r.billed_hours == pytest.approx(20.0)
    assert r.spot_cost_usd == pytest.approx(20 * 0.042) and r.makespan_hours == pytest.approx(8.0)  # 4 rounds of 2 h
    assert r.savings_fraction == pytest.approx(1 - 0.042 / 0.096)


@pytest.mark.parametrize("delay_s", [0.0, 360.0])
def test_restart_from_scratch_matches_closed_form(delay_s):
    # E[billed hours per task] = (e^{lambda T} - 1)(1/lambda + D); 3,000 tasks give a ~2% standard error.
    rate, hours, tasks = 0.25, 2.0, 3000
    r = run_spot_fleet(tasks=tasks, task_hours=hours, fleet_size=50, interruption_rate_per_hour=rate,
                       replacement_delay_s=delay_s, seed=7, **BASE)
    theory = expected_restart_hours(hours, rate, delay_s)
    assert r.billed_hours / tasks == pytest.approx(theory, rel=0.05)
    assert r.interruptions / tasks == pytest.approx(math.expm1(rate * hours), rel=0.08)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 8), st.floats(0.2, 4.0), st.integers(1, 4), st.floats(0.0, 1.0),
    st.one_of(st.none(), st.floats(0.1, 2.0)), st.floats(0, 100), st.booleans(), st.floats(0, 600),
    st.integers(0, 10**6),
)
def test_accounting_balances(tasks, hours, fleet, rate, interval, ckpt_s, on_notice, delay_s, seed):
    r = run_spot_fleet(tasks=tasks, task_hours=hours, fleet_size=fleet, interruption_rate_per_hour=rate,
                       checkpoint_interval_hours=interval, checkpoint_duration_s=ckpt_s, checkpoint_on_notice=on_notice,
                       replacement_delay_s=delay_s, seed=seed, **BASE)
    parts = r.useful_work_hours + r.lost_work_hours + r.overhead_hours + r.replacement_hours
    assert r.billed_hours == pytest.approx(parts, rel=1e-9, abs=1e-9)
    assert min(r.lost_work_hours, r.overhead_hours, r.replacement_hours) >= -1e-12
    assert r.spot_cost_usd == pytest.approx(r.billed_hours * 0.042)
    assert sum(1 for _, event, _ in r.trace if event == "done") == tasks
    if on_notice:
        assert r.lost_work_hours == pytest.approx(0.0, abs=1e-9)
    if interval is not None and not on_notice:
        assert r.lost_work_hours <= r.interruptions * (interval + ckpt_s / 3600) + 1e-9


def test_checkpoints_cut_the_effective_price_of_long_tasks():
    kw = dict(tasks=400, task_hours=8.0, fleet_size=40, interruption_rate_per_hour=0.2, seed=9, **BASE)
    bare = run_spot_fleet(**kw)
    periodic = run_spot_fleet(**kw, checkpoint_interval_hours=0.5, checkpoint_duration_s=60)
    notice = run_spot_fleet(**kw, checkpoint_on_notice=True, checkpoint_duration_s=60)
    assert notice.spot_cost_per_work_hour < periodic.spot_cost_per_work_hour < bare.spot_cost_per_work_hour
    # Restarting 8-hour tasks from scratch: (e^1.6 - 1) / 0.2 = 19.8 billed hours per 8 h of work, so Spot at
    # 0.042 costs 0.104 per useful hour, more than On-Demand's 0.096.
    theory = expected_restart_hours(8.0, 0.2) * 0.042 / 8.0
    assert theory > 0.096
    assert bare.spot_cost_per_work_hour == pytest.approx(theory, rel=0.1)
    assert notice.spot_cost_per_work_hour < 0.5 * notice.on_demand_cost_per_work_hour


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(tasks=0), "tasks"),
        (dict(fleet_size=0), "fleet_size"),
        (dict(task_hours=0.0), "task_hours"),
        (dict(interruption_rate_per_hour=-1.0), "interruption_rate_per_hour"),
        (dict(spot_per_hour=-0.1), "spot_per_hour"),
        (dict(checkpoint_interval_hours=0.0), "checkpoint_interval_hours"),
        (dict(checkpoint_on_notice=True, checkpoint_duration_s=300), "checkpoint_duration_s"),
        (dict(replacement_delay_s=-5), "replacement_delay_s"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, word):
    kw = dict(tasks=2, task_hours=1.0, fleet_size=1, interruption_rate_per_hour=0.1, seed=0, **BASE)
    with pytest.raises(ValueError, match=word):
        run_spot_fleet(**{**kw, **kwargs})
