"""Metric alarms follow the CloudWatch User Guide, table row by table row.

Source of the tables: Amazon CloudWatch User Guide, "Configuring how CloudWatch
alarms treat missing data", section "How alarm state is evaluated when data is
missing" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html).
Data points are written oldest first, newest on the right; 0 = not breaching,
X = breaching, - = missing. Evaluation Periods is 3 and the evaluation range 5.
"""

import pytest
from hypothesis import assume, given, settings, strategies as st

from labsupport.monitoring.cloudwatch.alarms import (ALARM, INSUFFICIENT_DATA, OK, STATES, TREATMENTS, MetricAlarm,
                                          evaluate_alarm, evaluate_window)

RETAIN = "retain current state"
COLUMNS = ("missing", "ignore", "breaching", "notBreaching")

# First table: Datapoints to Alarm = Evaluation Periods = 3.
TABLE_3_OF_3 = [
    ("0 - X - X", (OK, OK, OK, OK)),
    ("0 - - - -", (OK, OK, OK, OK)),
    ("- - - - -", (INSUFFICIENT_DATA, RETAIN, ALARM, OK)),
    ("0 X X - X", (ALARM, ALARM, ALARM, ALARM)),
    ("- - X - -", (ALARM, RETAIN, ALARM, OK)),
]
# Second table: a 2 out of 3 alarm.
TABLE_2_OF_3 = [
    ("0 - X - X", (ALARM, ALARM, ALARM, ALARM)),
    ("0 0 X 0 X", (ALARM, ALARM, ALARM, ALARM)),
    ("0 - X - -", (OK, OK, ALARM, OK)),
    ("- - - - 0", (OK, OK, ALARM, OK)),
    ("- - - X -", (ALARM, RETAIN, ALARM, OK)),
]
# Rows from earlier editions of the same page (awsdocs/amazon-cloudwatch-user-guide,
# doc_source/AlarmThatSendsEmail.md), not contradicted by the current text.
EARLIER_EDITION = [
    (3, "- - - - X", (INSUFFICIENT_DATA, RETAIN, ALARM, OK)),
    (3, "X - - - -", (ALARM, RETAIN, ALARM, OK)),
    (2, "- - - - X", (INSUFFICIENT_DATA, RETAIN, ALARM, OK)),
]


def flags(row: str):
    return [{"0": False, "X": True, "-": None}[c] for c in row.split()]


def check_row(m, row, expected):
    for treatment, want in zip(COLUMNS, expected):
        for previous in STATES:
            got = evaluate_window(flags(row), datapoints_to_alarm=m, evaluation_periods=3,
                                  treat_missing_data=treatment, previous_state=previous).state
            assert got == (previous if want == RETAIN else want), (row, treatment, previous)


@pytest.mark.parametrize("row, expected", TABLE_3_OF_3)
def test_documented_table_3_of_3(row, expected):
    check_row(3, row, expected)


@pytest.mark.parametrize("row, expected", TABLE_2_OF_3)
def test_documented_table_2_of_3(row, expected):
    check_row(2, row, expected)


@pytest.mark.parametrize("m, row, expected", EARLIER_EDITION)
def test_rows_from_earlier_edition(m, row, expected):
    check_row(m, row, expected)


@pytest.mark.parametrize("row", ["- - - - X", "- - - X -"])
def test_premature_alarm_is_avoided_for_young_breaches(row):
    # "Avoiding premature transitions to alarm state": with Datapoints to Alarm 3
    # the alarm "does not go immediately into ALARM state" for these two.
    d = evaluate_window(flags(row), datapoints_to_alarm=3, evaluation_periods=3)
    assert d.state != ALARM


@pytest.mark.parametrize("treatment, previous, expected", [
    ("missing", ALARM, INSUFFICIENT_DATA), ("ignore", ALARM, ALARM), ("ignore", OK, OK),
    ("breaching", OK, ALARM), ("notBreaching", ALARM, OK)])
def test_all_missing_in_range(treatment, previous, expected):
    d = evaluate_window([None] * 5, datapoints_to_alarm=2, evaluation_periods=3,
                        treat_missing_data=treatment, previous_state=previous)
    assert d.state == expected and "all 5 datapoints" in d.reason


def test_figure_in_evaluating_an_alarm():
    # Threshold 3, 3 of 3: breaches in periods 3-5 -> ALARM; a dip at 6 -> OK; one
    # breach at 9 leaves it OK ("Alarm evaluation", alarm-evaluation.html).
    alarm = MetricAlarm(threshold=3, evaluation_periods=3)
    states = [e.state for e in evaluate_alarm(alarm, [1, 2, 4, 4, 4, 2, 1, 2, 4, 2])]
    assert states == [OK, OK, OK, OK, ALARM, OK, OK, OK, OK, OK]


def test_m_of_n_needs_m_breaches_not_consecutive_ones():
    values = [5, 1, 5, 1, 5, 1]          # threshold 3: X 0 X 0 X 0
    two_of_three = MetricAlarm(threshold=3, evaluation_periods=3, datapoints_to_alarm=2)
    three_of_three = MetricAlarm(threshold=3, evaluation_periods=3)
    assert [e.state for e in evaluate_alarm(two_of_three, values)][2:] == [ALARM, OK, ALARM, OK]
    assert all(e.state == OK for e in evaluate_alarm(three_of_three, values)[2:])


def test_ignore_keeps_alarm_through_a_gap_and_missing_does_not():
    values = [9, 9, 9, None, None, None, None, None, None]
    keep = evaluate_alarm(MetricAlarm(threshold=3, evaluation_periods=3, treat_missing_data="ignore"), values)
    lose = evaluate_alarm(MetricAlarm(threshold=3, evaluation_periods=3), values)
    assert [e.state for e in keep][-1] == ALARM
    assert [e.state for e in lose][-1] == INSUFFICIENT_DATA
    assert keep[2].time_s == 180


def test_operators_and_bands():
    for op, expected in [("GreaterThanThreshold", [False, False, True]),
                         ("GreaterThanOrEqualToThreshold", [False, True, True]),
                         ("LessThanThreshold", [True, False, False]),
                         ("LessThanOrEqualToThreshold", [True, True, False])]:
        alarm = MetricAlarm(threshold=5, comparison_operator=op)
        assert [alarm.breaches(v) for v in (4, 5, 6)] == expected
    for op, expected in [("LessThanLowerOrGreaterThanUpperThreshold", [True, False, False, True]),
                         ("LessThanLowerThreshold", [True, False, False, False]),
                         ("GreaterThanUpperThreshold", [False, False, False, True])]:
        alarm = MetricAlarm(comparison_operator=op)
        assert [alarm.breaches(v, (2, 8)) for v in (1, 2, 8, 9)] == expected


@pytest.mark.parametrize("kwargs, parameter", [
    (dict(evaluation_periods=2, datapoints_to_alarm=3), "datapoints_to_alarm=3 exceeds"),
    (dict(evaluation_periods=3, datapoints_to_alarm=0), "datapoints_to_alarm=0"),
    (dict(evaluation_periods=0), "evaluation_periods=0"),
    (dict(treat_missing_data="Breaching"),
     "treat_missing_data='Breaching'.*'missing', 'ignore', 'breaching', 'notBreaching'"),
    (dict(comparison_operator="GreaterThan"), "comparison_operator='GreaterThan'"),
    (dict(period_s=45), "period_s=45"),
    (dict(period_s=10), "period_s=10 needs a high-resolution metric"),
    (dict(period_s=60, evaluation_periods=1441), "exceeds 86400 s"),
    (dict(period_s=3600, evaluation_periods=169), "exceeds 604800 s"),
    (dict(evaluation_periods=3, evaluation_range=2), "evaluation_range=2"),
    (dict(storage_resolution_s=5), "storage_resolution_s=5"),
])
def test_bad_settings_name_the_parameter(kwargs, parameter):
    with pytest.raises(ValueError, match=parameter):
        MetricAlarm(**{"threshold": 1.0, **kwargs})


def test_bad_threshold_and_band_combinations():
    with pytest.raises(TypeError, match="threshold must be a number, not NoneType"):
        MetricAlarm()
    with pytest.raises(ValueError, match="threshold=inf is not a finite number"):
        MetricAlarm(threshold=float("inf"))
    with pytest.raises(ValueError, match="threshold=1 must be None"):
        MetricAlarm(threshold=1, comparison_operator="GreaterThanUpperThreshold")
    with pytest.raises(ValueError, match="period_s=30 is too short: anomaly"):
        MetricAlarm(comparison_operator="GreaterThanUpperThreshold", period_s=30, storage_resolution_s=1)
    assert MetricAlarm(threshold=1, period_s=20, storage_resolution_s=1).period_s == 20
    with pytest.raises(ValueError, match="needs a .lower, upper. band"):
        MetricAlarm(comparison_operator="GreaterThanUpperThreshold").breaches(3.0)


def test_bad_inputs_to_the_evaluators():
    with pytest.raises(ValueError, match=r"window=\[True, True\] has 2 datapoints"):
        evaluate_window([True, True], datapoints_to_alarm=1, evaluation_periods=3)
    with pytest.raises(ValueError, match="previous_state='ALARMED'"):
        evaluate_window([True] * 3, datapoints_to_alarm=1, evaluation_periods=3, previous_state="ALARMED")
    with pytest.raises(ValueError, match="value=nan is not a finite number"):
        evaluate_alarm(MetricAlarm(threshold=1), [float("nan")])
    with pytest.raises(TypeError, match="value must be a number, not str"):
        evaluate_alarm(MetricAlarm(threshold=1), ["3"])
    with pytest.raises(TypeError, match="band lower must be a number, not str"):
        MetricAlarm(comparison_operator="GreaterThanUpperThreshold").breaches(3.0, ("0", 1))
    with pytest.raises(ValueError, match="bands=.* has a different length from values"):
        evaluate_alarm(MetricAlarm(comparison_operator="GreaterThanUpperThreshold"), [1, 2], bands=[(0, 1)])


# ---- properties -------------------------------------------------------------------------

m_n = st.integers(1, 5).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n)))
series = st.lists(st.one_of(st.none(), st.integers(0, 10)), min_size=1, max_size=25)
window_flags = st.lists(st.sampled_from([True, False, None]), min_size=7, max_size=7)


def states(values, m, n, treatment, threshold=5):
    alarm = MetricAlarm(threshold=threshold, evaluation_periods=n, datapoints_to_alarm=m,
                        treat_missing_data=treatment)
    return [e.state for e in evaluate_alarm(alarm, values)]


@settings(max_examples=100, deadline=None)
@given(m_n, st.lists(st.integers(0, 10), min_size=1, max_size=25))
def test_without_missing_data_all_treatments_agree(mn, values):
    m, n = mn
    runs = {t: states(values, m, n, t) for t in TREATMENTS}
    for i in range(n - 1, len(values)):
        plain = ALARM if sum(v > 5 for v in values[i - n + 1: i + 1]) >= m else OK
        assert {runs[t][i] for t in TREATMENTS} == {plain}


@settings(max_examples=100, deadline=None)
@given(m_n, st.integers(1, 20), st.sampled_from(TREATMENTS))
def test_all_breaching_alarms_from_the_nth_period(mn, length, treatment):
    m, n = mn
    got = states([9] * length, m, n, treatment)
    assert all(s == ALARM for s in got[n - 1:])


@settings(max_examples=200, deadline=None)
@given(m_n, window_flags, st.sampled_from(STATES))
def test_not_breaching_le_missing_le_breaching(mn, window, previous):
    m, n = mn
    def is_alarm(t):
        return evaluate_window(window, datapoints_to_alarm=m, evaluation_periods=n,
                               treat_missing_data=t, previous_state=previous).state == ALARM
    assert is_alarm("notBreaching") <= is_alarm("missing") <= is_alarm("breaching")


@settings(max_examples=200, deadline=None)
@given(m_n, window_flags, st.sampled_from(STATES))
def test_ignore_is_missing_or_keeps_the_state(mn, window, previous):
    m, n = mn
    kw = dict(datapoints_to_alarm=m, evaluation_periods=n, previous_state=previous)
    ignore = evaluate_window(window, treat_missing_data="ignore", **kw).state
    missing = evaluate_window(window, treat_missing_data="missing", **kw).state
    assert ignore in (missing, previous)
    if missing == INSUFFICIENT_DATA:
        assert ignore == previous


@settings(max_examples=100, deadline=None)
@given(m_n, series, st.sampled_from(TREATMENTS), st.data())
def test_more_breaching_data_never_removes_an_alarm(mn, values, treatment, data):
    m, n = mn
    calm = [i for i, v in enumerate(values) if v is not None and v <= 5]
    assume(calm)
    i = data.draw(st.sampled_from(calm))
    worse = values[:i] + [9] + values[i + 1:]
    for before, after in zip(states(values, m, n, treatment), states(worse, m, n, treatment)):
        assert before != ALARM or after == ALARM


@pytest.mark.parametrize("window", [[0, 0, 3], [float("nan")] * 3, [1.0, None, 0.0], ["True"] * 3])
def test_a_window_of_metric_values_is_not_a_window_of_flags(window):
    # Issue 15: evaluate_window used to sum its entries, so values [0, 0, 3] gave ALARM
    # and [nan, nan, nan] gave OK. It takes breaching flags only.
    with pytest.raises(TypeError, match=r"window\[\d\] \(True breaching, False or None missing\) must be bool"):
        evaluate_window(window, datapoints_to_alarm=1, evaluation_periods=3)


def test_numpy_flags_are_flags():
    import numpy as np
    flags = np.array([False, True, True])
    assert evaluate_window(flags, datapoints_to_alarm=2, evaluation_periods=3).state == ALARM
    with pytest.raises(TypeError, match="window must be list, tuple or ndarray, not str"):
        evaluate_window("XXX", datapoints_to_alarm=1, evaluation_periods=3)
