"""Anomaly detection bands: a seasonal mean plus or minus k standard deviations.

A static threshold cannot tell a busy Monday morning from an attack at 3 a.m.
An anomaly band moves with the metric's usual daily shape: for each phase of
the season (each hour of the day, say) it learns what "normal" looks like and
how much it wobbles, and an alarm fires when the metric leaves the band.

What CloudWatch does (Amazon CloudWatch User Guide, "Using CloudWatch anomaly
detection" and "Creating a CloudWatch alarm based on anomaly detection"; the
``ANOMALY_DETECTION_BAND`` row of "Using metric math"):

* it "applies statistical and machine learning algorithms" that account for
  trend and hourly, daily and weekly seasonality, training on "up to two
  weeks of metric data";
* ``ANOMALY_DETECTION_BAND(m1, k)`` returns an upper and a lower time series;
  k "is the number of standard deviations to use for the band", default 2,
  and "does not have to be a whole number"; a higher k makes a thicker band;
* alarms use the operators LessThanLowerOrGreaterThanUpperThreshold,
  LessThanLowerThreshold and GreaterThanUpperThreshold, with a period of at
  least one minute;
* for statistics that cannot be negative the band "will never extend below
  zero" (our ``floor`` argument).

**This module approximates, it does not reproduce, CloudWatch's model.** Ours
is deliberately simple enough to compute by hand: for each phase
``i mod season_length`` it keeps the mean and the population standard
deviation of the training values at that phase; there is no trend term, no
multiple seasonalities and no retraining.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from labsupport.checks import check_int, check_number
from labsupport.seeds import Seed, as_rng

from labsupport.monitoring.cloudwatch.alarms import BAND_OPERATORS, INSUFFICIENT_DATA, Evaluation, MetricAlarm, evaluate_alarm

__all__ = ["SeasonalBandModel", "fit_seasonal_band", "anomaly_band", "evaluate_anomaly_alarm",
           "synthetic_seasonal_series"]

DEFAULT_STD_DEVS = 2.0  # ANOMALY_DETECTION_BAND's documented default


@dataclass(frozen=True)
class SeasonalBandModel:
    """Per-phase mean and standard deviation; phase = period index mod ``season_length``."""

    season_length: int
    means: tuple[float, ...]
    stds: tuple[float, ...]


def fit_seasonal_band(training: Sequence[float | None], *, season_length: int) -> SeasonalBandModel:
    """Learn the mean and spread of each phase from training data (None = missing).

    Every phase needs at least two training values.

    Examples
    --------
    >>> m = fit_seasonal_band([10, 50, 12, 54, 8, 46], season_length=2)
    >>> m.means, tuple(round(s, 2) for s in m.stds)
    ((10.0, 50.0), (1.63, 3.27))
    """
    check_int("season_length", season_length, low=1)  # periods
    by_phase: list[list[float]] = [[] for _ in range(season_length)]
    for i, v in enumerate(training):
        if v is not None:
            if not math.isfinite(v):
                raise ValueError(f"training[{i}]={v} is not finite; use None for a missing value")
            by_phase[i % season_length].append(float(v))
    thin = [i for i, vs in enumerate(by_phase) if len(vs) < 2]
    if thin:
        raise ValueError(f"phases {thin[:5]} have fewer than 2 training values; give at least two "
                         f"full seasons ({2 * season_length} periods) of data")
    return SeasonalBandModel(season_length, tuple(statistics.fmean(vs) for vs in by_phase),
                             tuple(statistics.pstdev(vs) for vs in by_phase))


def anomaly_band(model: SeasonalBandModel, n_periods: int, *, std_devs: float = DEFAULT_STD_DEVS,
                 start_index: int = 0, floor: float | None = None) -> tuple[tuple[float, float], ...]:
    """The (lower, upper) band for ``n_periods`` periods starting at period ``start_index``.

    Examples
    --------
    >>> m = fit_seasonal_band([10, 50, 12, 54, 8, 46], season_length=2)
    >>> [(round(lo, 1), round(hi, 1)) for lo, hi in anomaly_band(m, 2, std_devs=2)]
    [(6.7, 13.3), (43.5, 56.5)]
    """
    check_number("std_devs", std_devs, low=0, low_open=True)
    check_int("n_periods", n_periods, low=0)
    check_int("start_index", start_index, low=0)
    band = []
    for i in range(start_index, start_index + n_periods):
        mean, std = model.means[i % model.season_length], model.stds[i % model.season_length]
        lower = mean - std_devs * std
        band.append((lower if floor is None else max(floor, lower), mean + std_devs * std))
    return tuple(band)


def evaluate_anomaly_alarm(alarm: MetricAlarm, values: Sequence[float | None], model: SeasonalBandModel, *,
                           std_devs: float = DEFAULT_STD_DEVS, start_index: int = 0,
                           floor: float | None = None,
                           initial_state: str = INSUFFICIENT_DATA) -> tuple[Evaluation, ...]:
    """Evaluate an anomaly-band alarm over ``values``, whose first period is ``start_index``.

    Examples
    --------
    >>> m = fit_seasonal_band([10, 50, 12, 54, 8, 46], season_length=2)
    >>> a = MetricAlarm(comparison_operator="LessThanLowerOrGreaterThanUpperThreshold",
    ...                 evaluation_periods=2, datapoints_to_alarm=2)
    >>> [e.state for e in evaluate_anomaly_alarm(a, [11, 52, 30, 52, 30, 20], m)]
    ['OK', 'OK', 'OK', 'OK', 'OK', 'ALARM']
    """
    if alarm.comparison_operator not in BAND_OPERATORS:
        raise ValueError(f"alarm.comparison_operator={alarm.comparison_operator!r}; an anomaly alarm "
                         f"needs one of {', '.join(BAND_OPERATORS)}")
    band = anomaly_band(model, len(values), std_devs=std_devs, start_index=start_index, floor=floor)
    return evaluate_alarm(alarm, values, bands=band, initial_state=initial_state)


def synthetic_seasonal_series(n_periods: int, *, season_length: int, mean: float, amplitude: float,
                              noise_std: float, seed: Seed = None) -> tuple[float, ...]:
    """A sine-shaped seasonal metric with Gaussian noise, for demonstrations and tests.

    Examples
    --------
    >>> s = synthetic_seasonal_series(48, season_length=24, mean=100, amplitude=30, noise_std=5, seed=1)
    >>> len(s), s == synthetic_seasonal_series(48, season_length=24, mean=100, amplitude=30,
    ...                                        noise_std=5, seed=1)
    (48, True)
    """
    check_int("n_periods", n_periods, low=0)
    check_int("season_length", season_length, low=1)  # periods
    check_number("mean", mean)
    check_number("amplitude", amplitude)
    check_number("noise_std", noise_std, low=0)
    rng = as_rng(seed)
    return tuple(mean + amplitude * math.sin(2 * math.pi * i / season_length) + rng.gauss(0, noise_std)
                 for i in range(n_periods))
