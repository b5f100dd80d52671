"""Cost Explorer stand-in: groupings conserve spend; the anomaly detector finds what was injected."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.cost.explorer import (
    CostRecord,
    detect_anomalies,
    generate_cost_records,
    spend_by_service,
    spend_by_tag,
    total_by_day,
)

records = st.lists(
    st.builds(
        CostRecord,
        day=st.integers(0, 9),
        service=st.sampled_from(["EC2", "S3", "Lambda"]),
        cost_usd=st.floats(0, 100, allow_nan=False),
        tags=st.sampled_from([(), (("team", "a"),), (("team", "b"),), (("env", "prod"),)]),
    ),
    min_size=1, max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(records)
def test_every_grouping_adds_up_to_the_total(recs):
    total = total_by_day(recs, days=10)
    assert total.sum() == pytest.approx(sum(r.cost_usd for r in recs))
    for grouping in (spend_by_service(recs, 10), spend_by_tag(recs, "team", 10)):
        assert np.sum(list(grouping.values()), axis=0) == pytest.approx(total)


def test_untagged_spend_has_its_own_bucket():
    recs = [CostRecord(0, "EC2", 3.0, (("env", "prod"),)), CostRecord(0, "EC2", 2.0, (("team", "a"),))]
    assert {k: v.tolist() for k, v in spend_by_tag(recs, "team").items()} == {"(untagged)": [3.0], "a": [2.0]}


def test_generated_records_are_seeded_and_split_as_asked():
    a = generate_cost_records(14, {"EC2": 100.0, "S3": 10.0}, ("x", "y"), untagged_fraction=0.2, seed=4)
    assert a == generate_cost_records(14, {"EC2": 100.0, "S3": 10.0}, ("x", "y"), untagged_fraction=0.2, seed=4)
    assert a != generate_cost_records(14, {"EC2": 100.0, "S3": 10.0}, ("x", "y"), untagged_fraction=0.2, seed=5)
    by_tag = spend_by_tag(a, "team")
    assert by_tag["(untagged)"].sum() == pytest.approx(0.2 * total_by_day(a).sum())


def test_injected_anomaly_is_found_on_its_day_and_service():
    recs = generate_cost_records(30, {"EC2": 200.0, "S3": 40.0, "Lambda": 10.0}, anomaly=(20, "Lambda", 150.0), seed=11)
    # A 7-day baseline at 3 sigma also flags noise (its std estimate is poor); two weeks at 4 sigma does not.
    flagged = detect_anomalies(total_by_day(recs), window_days=14, threshold_sigma=4.0)
    assert [a.day for a in flagged] == [20]
    lambda_days = detect_anomalies(spend_by_service(recs)["Lambda"], window_days=14, threshold_sigma=4.0)
    assert [a.day for a in lambda_days] == [20]
    assert flagged[0].impact_usd == pytest.approx(150.0, rel=0.2)


def test_flat_baseline_and_minimum_impact():
    flat = [50.0] * 10 + [51.0]
    assert [(a.day, a.score) for a in detect_anomalies(flat, window_days=5)] == [(10, float("inf"))]
    assert detect_anomalies(flat, window_days=5, min_impact_usd=5.0) == ()


def test_no_verdict_before_the_window_fills_and_incidents_do_not_become_the_baseline():
    assert detect_anomalies([10, 10, 1000], window_days=3) == ()
    incident = [100.0, 101.0, 99.0, 100.0, 500.0, 500.0, 500.0, 100.0]
    assert [a.day for a in detect_anomalies(incident, window_days=4)] == [4, 5, 6]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 1000, allow_nan=False), min_size=1, max_size=40), st.integers(2, 7), st.floats(0.5, 5))
def test_every_flag_exceeds_its_threshold(costs, window, k):
    for a in detect_anomalies(costs, window_days=window, threshold_sigma=k):
        assert a.day >= window and a.impact_usd > 0
        assert a.cost_usd == costs[a.day] and a.impact_usd == pytest.approx(a.cost_usd - a.baseline_usd)
        assert a.score > k or np.isinf(a.score)


@pytest.mark.parametrize(
    "call, word",
    [
        (lambda: CostRecord(-1, "EC2", 1.0), "day"),
        (lambda: CostRecord(0, "EC2", -1.0), "cost_usd"),
        (lambda: spend_by_service([]), "records"),
        (lambda: spend_by_service([CostRecord(5, "EC2", 1.0)], days=3), "days"),
        (lambda: detect_anomalies([1, 2, 3], window_days=1), "window_days"),
        (lambda: detect_anomalies([1, 2, 3], threshold_sigma=0), "threshold_sigma"),
        (lambda: detect_anomalies([], window_days=2), "daily_costs"),
        (lambda: generate_cost_records(3, {"EC2": 1.0}, untagged_fraction=1.5, seed=0), "untagged_fraction"),
        (lambda: generate_cost_records(3, {"EC2": -1.0}, seed=0), "base_daily_usd"),
        (lambda: generate_cost_records(3, {"EC2": 1.0}, anomaly=(5, "EC2", 10.0), seed=0), "anomaly"),
    ],
)
def test_bad_input_names_the_parameter(call, word):
    with pytest.raises(ValueError, match=word):
        call()
