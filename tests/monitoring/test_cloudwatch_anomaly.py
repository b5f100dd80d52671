"""The seasonal anomaly band: its arithmetic, its coverage against theory, and its alarm."""

import math
import statistics

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.monitoring.cloudwatch import ALARM, OK, MetricAlarm
from labsupport.monitoring.cloudwatch.anomaly import (anomaly_band, evaluate_anomaly_alarm, fit_seasonal_band,
                                           synthetic_seasonal_series)

OUTSIDE = "LessThanLowerOrGreaterThanUpperThreshold"


def test_fit_uses_mean_and_population_std_per_phase():
    training = [10, 50, 12, None, 8, 46, 10, 58]
    m = fit_seasonal_band(training, season_length=2)
    assert m.means == (10.0, statistics.fmean([50, 46, 58]))
    assert m.stds == pytest.approx((statistics.pstdev([10, 12, 8, 10]), statistics.pstdev([50, 46, 58])))
    (lo, hi), = anomaly_band(m, 1, std_devs=1.5, start_index=3)      # phase 1
    assert (lo, hi) == pytest.approx((m.means[1] - 1.5 * m.stds[1], m.means[1] + 1.5 * m.stds[1]))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("k, tolerance", [(2, 0.006), (3, 0.002)])
def test_coverage_matches_gaussian_theory(seed, k, tolerance):
    # With n training values per phase, a fresh Gaussian value leaves the mean +- k*pstdev band
    # with probability P(|t_{n-1}| > k*sqrt((n-1)/(n+1))) ~ erfc(k*sqrt((n-1)/(n+1))/sqrt(2)).
    season, n = 24, 200
    train = synthetic_seasonal_series(season * n, season_length=season, mean=100, amplitude=30,
                                      noise_std=5, seed=seed)
    test = synthetic_seasonal_series(season * 400, season_length=season, mean=100, amplitude=30,
                                     noise_std=5, seed=seed + 100)
    band = anomaly_band(fit_seasonal_band(train, season_length=season), len(test), std_devs=k)
    outside = sum(not lo <= v <= hi for v, (lo, hi) in zip(test, band)) / len(test)
    theory = math.erfc(k * math.sqrt((n - 1) / (n + 1)) / math.sqrt(2))
    assert abs(outside - theory) < tolerance


def test_sustained_shift_alarms_and_normal_traffic_does_not():
    season = 24
    model = fit_seasonal_band(synthetic_seasonal_series(season * 30, season_length=season, mean=100,
                                                        amplitude=30, noise_std=3, seed=7), season_length=season)
    normal = synthetic_seasonal_series(season * 4, season_length=season, mean=100, amplitude=30,
                                       noise_std=3, seed=8)
    alarm = MetricAlarm(comparison_operator=OUTSIDE, evaluation_periods=3, datapoints_to_alarm=3)
    assert all(e.state == OK for e in evaluate_anomaly_alarm(alarm, normal, model, std_devs=3))
    shifted = list(normal)
    shifted[50:53] = [v + 40 for v in normal[50:53]]       # +13 std for three periods
    states = [e.state for e in evaluate_anomaly_alarm(alarm, shifted, model, std_devs=3)]
    assert states[52] == ALARM and states[49] == OK and states[55] == OK
    above = MetricAlarm(comparison_operator="LessThanLowerThreshold", evaluation_periods=3)
    assert all(e.state == OK for e in evaluate_anomaly_alarm(above, shifted, model, std_devs=3))


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.5, 4), st.floats(0.1, 2))
def test_a_thicker_band_never_breaches_more(seed, k, extra):
    model = fit_seasonal_band(synthetic_seasonal_series(48, season_length=12, mean=50, amplitude=10,
                                                        noise_std=4, seed=seed), season_length=12)
    values = synthetic_seasonal_series(36, season_length=12, mean=50, amplitude=10, noise_std=6, seed=seed + 1)
    alarm = MetricAlarm(comparison_operator=OUTSIDE)
    thin = [alarm.breaches(v, b) for v, b in zip(values, anomaly_band(model, 36, std_devs=k))]
    thick = [alarm.breaches(v, b) for v, b in zip(values, anomaly_band(model, 36, std_devs=k + extra))]
    assert all(a or not b for a, b in zip(thin, thick))


def test_floor_keeps_the_band_non_negative():
    model = fit_seasonal_band([0, 1, 0, 9, 1, 0], season_length=3)
    assert min(lo for lo, _ in anomaly_band(model, 6, std_devs=3, floor=0.0)) == 0.0
    assert min(lo for lo, _ in anomaly_band(model, 6, std_devs=3)) < 0


def test_bad_inputs():
    model = fit_seasonal_band([1, 2, 3, 4], season_length=2)
    with pytest.raises(ValueError, match="std_devs=0"):
        anomaly_band(model, 3, std_devs=0)
    with pytest.raises(ValueError, match="season_length=0"):
        fit_seasonal_band([1, 2], season_length=0)
    with pytest.raises(ValueError, match="fewer than 2 training values"):
        fit_seasonal_band([1, 2, 3], season_length=2)
    with pytest.raises(ValueError, match="comparison_operator='GreaterThanThreshold'"):
        evaluate_anomaly_alarm(MetricAlarm(threshold=1), [1.0], model)
    with pytest.raises(ValueError, match="training\\[1\\]=inf"):
        fit_seasonal_band([1, math.inf, 3, 4], season_length=2)
