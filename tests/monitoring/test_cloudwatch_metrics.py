"""Metric identity, statistics, percentiles and periods (CloudWatch User Guide / API Reference)."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from labsupport.monitoring.cloudwatch.metrics import (Datapoint, MetricId, aggregate, compare_pooled_statistics,
                                           compute_statistic, parse_statistic, percentile, validate_period)

samples = st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=60)
percents = st.integers(0, 10_000).map(lambda k: k / 100)        # 0.00 .. 100.00


def test_standard_statistics_follow_their_definitions():
    values = [3.0, 1.0, 8.0, 4.0]
    got = {s: compute_statistic(values, s) for s in ("SampleCount", "Sum", "Average", "Minimum", "Maximum")}
    assert got == {"SampleCount": 4, "Sum": 16.0, "Average": 4.0, "Minimum": 1.0, "Maximum": 8.0}
    assert got["Average"] == got["Sum"] / got["SampleCount"]     # "Average is ... Sum/SampleCount"


@pytest.mark.parametrize("text, expected", [("p0", 0.0), ("p50", 50.0), ("p99.9", 99.9), ("p100", 100.0),
                                            ("p95.0123456789", 95.0123456789), ("Sum", "Sum")])
def test_statistic_names_accepted(text, expected):
    assert parse_statistic(text) == expected


@pytest.mark.parametrize("text", ["p100.5", "Avg", "average", "P99", "p", "p-1", "p99.12345678901", "",
                                  "tm90", "p 99"])
def test_unknown_statistics_are_rejected_by_name(text):
    with pytest.raises(ValueError, match="statistic="):
        parse_statistic(text)


@settings(max_examples=200, deadline=None)
@given(samples, percents)
def test_percentile_is_the_nearest_rank(values, p):
    v, n, need = percentile(values, p), len(values), Fraction(str(p)) * len(values) / 100
    assert v in values
    assert sum(x <= v for x in values) >= need                 # at least p% at or below
    assert sum(x < v for x in values) < max(need, 1)           # and v is the smallest such sample


@settings(max_examples=100, deadline=None)
@given(samples, percents)
def test_percentile_matches_numpy_inverted_cdf_off_rank_boundaries(values, p):
    # numpy's float rank can round up exactly on a rank boundary (p=7, n=100); ours is exact
    assume((Fraction(str(p)) * len(values) / 100).denominator != 1)
    assert percentile(values, p) == np.percentile(values, p, method="inverted_cdf")


def test_percentile_refuses_negative_values_and_empty_periods():
    with pytest.raises(ValueError, match="negative"):
        percentile([1.0, -2.0], 50)
    with pytest.raises(ValueError, match="samples is empty"):
        compute_statistic([], "Average")
    with pytest.raises(ValueError, match="p=101"):
        percentile([1.0], 101)


def test_dimensions_are_part_of_the_identity():
    a, b = MetricId("Shop", "Latency", {"Host": "a"}), MetricId("Shop", "Latency", {"Host": "b"})
    both = MetricId("Shop", "Latency", {"Host": "a", "AZ": "1a"})
    points = [Datapoint(a, 10, 1.0), Datapoint(b, 20, 100.0), Datapoint(both, 30, 1000.0)]
    assert aggregate(points, a, statistic="Sum", period_s=60, start_s=0, n_periods=1) == [1.0]
    assert aggregate(points, MetricId("Shop", "Latency"), statistic="Sum", period_s=60, start_s=0,
                     n_periods=1) == [None]
    assert both == MetricId("Shop", "Latency", (("Host", "a"), ("AZ", "1a")))


def test_bad_metric_ids():
    with pytest.raises(ValueError, match="31 dimensions exceed"):
        MetricId("Shop", "Latency", {f"d{i}": "x" for i in range(31)})
    with pytest.raises(ValueError, match="repeat a dimension name"):
        MetricId("Shop", "Latency", (("Host", "a"), ("Host", "b")))
    with pytest.raises(ValueError, match="namespace"):
        MetricId("", "Latency")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 599.999), st.floats(0, 100)), max_size=40))
def test_aggregate_puts_every_datapoint_in_exactly_one_period(points):
    metric = MetricId("Lab", "Work")
    data = [Datapoint(metric, t, v) for t, v in points]
    counts = aggregate(data, metric, statistic="SampleCount", period_s=60, start_s=0, n_periods=10)
    assert sum(c or 0 for c in counts) == len(points)
    for k, c in enumerate(counts):
        inside = [v for t, v in points if 60 * k <= t < 60 * (k + 1)]
        assert c == (len(inside) or None)


@pytest.mark.parametrize("period_s, resolution_s, ok", [
    (60, 60, True), (300, 60, True), (30, 60, False), (90, 60, False), (1, 60, False),
    (1, 1, True), (5, 1, True), (10, 1, True), (20, 1, True), (30, 1, True), (120, 1, True),
    (15, 1, False), (90, 1, False), (0, 1, False)])
def test_periods_allowed_by_resolution(period_s, resolution_s, ok):
    # MetricStat.Period: standard -> multiple of 60; high -> 1, 5, 10, 20, 30, 60 or multiple of 60.
    if ok:
        assert validate_period(period_s, storage_resolution_s=resolution_s) == period_s
    else:
        with pytest.raises(ValueError, match=f"period_s={period_s}"):
            validate_period(period_s, storage_resolution_s=resolution_s)


def test_pooled_versus_per_host_summaries():
    c = compare_pooled_statistics({"busy": [10.0] * 1000, "slow": [500.0] * 10}, p=99)
    assert c.pooled_average == pytest.approx(15000 / 1010, rel=1e-12)
    assert c.average_of_host_averages == 255.0          # 17x the truth
    assert c.pooled_percentile == 10.0                    # only 1% of requests are slow
    assert c.average_of_host_percentiles == 255.0 and c.max_of_host_percentiles == 500.0


hosts = st.dictionaries(st.sampled_from("abcdef"), samples, min_size=1, max_size=6)


@settings(max_examples=100, deadline=None)
@given(hosts, percents)
def test_pooled_statistics_combine_as_documented(by_host, p):
    c = compare_pooled_statistics(by_host, p)
    total = sum(compute_statistic(s, "Sum") for s in by_host.values())
    count = sum(compute_statistic(s, "SampleCount") for s in by_host.values())
    assert c.pooled_average == pytest.approx(total / count, rel=1e-9, abs=1e-9)
    per_host = [percentile(s, p) for s in by_host.values()]
    assert min(per_host) <= c.pooled_percentile <= max(per_host)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.floats(0, 1e3), min_size=5, max_size=5), min_size=1, max_size=5))
def test_equal_counts_make_the_average_of_averages_right(rows):
    c = compare_pooled_statistics({str(i): r for i, r in enumerate(rows)})
    assert c.average_of_host_averages == pytest.approx(c.pooled_average, rel=1e-9, abs=1e-9)
