"""CloudWatch metrics: identity, datapoints, statistics and periods.

A metric is a named time series kept by CloudWatch, like one meter on one
machine. Its identity is the namespace, the metric name and the full set of
dimensions (name/value pairs): ``Latency`` with ``Host=a`` and ``Latency``
with ``Host=b`` are two different metrics, and CloudWatch never adds them up
for you. Raw datapoints are aggregated into *periods*, and each period is
summarised by a *statistic*.

References (Amazon CloudWatch User Guide and API Reference):

* "CloudWatch statistics definitions" (Statistics-definitions.html):
  SampleCount, Sum, Average = Sum/SampleCount, Minimum, Maximum, and
  percentile pNN ("p95 ... means that 95 percent of the data within the
  period is lower than this value").
* "CloudWatch concepts" / Dimension API type: "A dimension is a name/value
  pair that is part of the identity of a metric"; up to 30 dimensions.
* Percentiles: "Specify values between p0.0 and p100", "with up to ten
  decimal places", "not available for metrics when any of the metric values
  are negative numbers", and CloudWatch "needs raw data points to calculate
  percentiles".
* MetricStat.Period: standard resolution -> a multiple of 60 s; high
  resolution (StorageResolution 1 s) -> 1, 5, 10, 20, 30, 60 or any multiple
  of 60.

CloudWatch does not publish the estimator behind its percentiles. We use the
*nearest-rank* definition: the smallest sample ``v`` such that at least
``p`` percent of the samples are ``<= v`` (numpy's ``method="inverted_cdf"``).
It always returns an observed value and agrees with the User Guide's wording;
with many samples all common estimators converge.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from labsupport.checks import check_int, check_number

__all__ = [
    "STANDARD_STATISTICS", "MetricId", "Datapoint", "PooledComparison",
    "parse_statistic", "percentile", "compute_statistic", "validate_period",
    "aggregate", "compare_pooled_statistics",
]

STANDARD_STATISTICS = ("SampleCount", "Sum", "Average", "Minimum", "Maximum")
MAX_DIMENSIONS = 30  # per metric, CloudWatch Dimension API type
HIGH_RESOLUTION_PERIODS_S = (1, 5, 10, 20, 30)  # plus any multiple of 60
_PERCENTILE = re.compile(r"p(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class MetricId:
    """The identity of a metric: namespace, name and every dimension.

    ``dimensions`` may be given as a mapping; it is stored as a sorted tuple of
    ``(name, value)`` pairs so that two ids with the same dimensions compare equal.

    Examples
    --------
    >>> a = MetricId("Shop", "Latency", {"Host": "a", "AZ": "1a"})
    >>> a == MetricId("Shop", "Latency", {"AZ": "1a", "Host": "a"})
    True
    >>> a == MetricId("Shop", "Latency", {"Host": "a"})
    False
    """

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...] | Mapping[str, str] = ()

    def __post_init__(self):
        if not self.namespace or self.namespace.startswith(":"):
            raise ValueError(f"namespace={self.namespace!r} must be non-empty and not start with ':'")
        if not self.name:
            raise ValueError("name must be a non-empty metric name")
        dims = self.dimensions.items() if isinstance(self.dimensions, Mapping) else self.dimensions
        dims = tuple(sorted((str(k), str(v)) for k, v in dims))
        if len({k for k, _ in dims}) != len(dims):
            raise ValueError(f"dimensions={dims} repeat a dimension name; each name may appear once")
        if len(dims) > MAX_DIMENSIONS:
            raise ValueError(f"{len(dims)} dimensions exceed CloudWatch's {MAX_DIMENSIONS} per metric")
        object.__setattr__(self, "dimensions", dims)


@dataclass(frozen=True)
class Datapoint:
    """One raw value published for a metric at ``timestamp_s`` (seconds).

    CloudWatch rejects NaN and infinite values (the ``Value`` field of
    ``MetricDatum`` in the CloudWatch API Reference), and so does this record.

    Examples
    --------
    >>> Datapoint(MetricId("Shop", "Latency"), 5, 0.25).value
    0.25
    """

    metric: MetricId
    timestamp_s: float
    value: float
    unit: str | None = None

    def __post_init__(self):
        check_number("timestamp_s", self.timestamp_s, low=0)  # seconds since the run started
        check_number("value", self.value)


def parse_statistic(statistic: str) -> str | float:
    """Check a statistic name; return it, or the percentile as a float.

    Examples
    --------
    >>> parse_statistic("Average"), parse_statistic("p99"), parse_statistic("p99.9")
    ('Average', 99.0, 99.9)
    >>> parse_statistic("p100.5")
    Traceback (most recent call last):
    ValueError: statistic='p100.5': percentile 100.5 is outside 0 <= NN <= 100
    """
    if statistic in STANDARD_STATISTICS:
        return statistic
    match = _PERCENTILE.fullmatch(statistic) if isinstance(statistic, str) else None
    if match is None:
        raise ValueError(
            f"statistic={statistic!r} is not supported; use one of {', '.join(STANDARD_STATISTICS)} "
            "or a percentile pNN[.NN] with 0 <= NN <= 100 (up to 10 decimal places)")
    if match.group(2) is not None and len(match.group(2)) > 10:
        raise ValueError(f"statistic={statistic!r}: a percentile has at most 10 decimal places")
    p = float(statistic[1:])
    if p > 100:
        raise ValueError(f"statistic={statistic!r}: percentile {p:g} is outside 0 <= NN <= 100")
    return p


def percentile(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least ``p`` % of samples <= it.

    Notes
    -----
    Sorting makes this O(n log n). It equals ``numpy.percentile(samples, p,
    method="inverted_cdf")`` except where ``p * n / 100`` is a whole number and
    numpy's floating-point rank rounds up (e.g. p=7, n=100); the rank here is
    computed exactly.

    Examples
    --------
    >>> percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)
    9
    >>> percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 91)
    10
    """
    check_number("p", p, low=0, high=100)
    if len(samples) == 0:
        raise ValueError("samples is empty; a period without data has no percentile")
    ordered = sorted(samples)
    if ordered[0] < 0:
        raise ValueError("percentiles are not available when any value is negative (CloudWatch rule)")
    rank = max(1, math.ceil(Fraction(str(p)) * len(ordered) / 100))  # exact for decimal p
    return ordered[rank - 1]


def compute_statistic(samples: Sequence[float], statistic: str) -> float:
    """Summarise the raw samples of one period with a CloudWatch statistic.

    Examples
    --------
    >>> [compute_statistic([2, 4, 9], s) for s in ("SampleCount", "Sum", "Average", "Maximum")]
    [3, 15, 5.0, 9]
    """
    stat = parse_statistic(statistic)
    if len(samples) == 0:
        raise ValueError("samples is empty; CloudWatch reports no datapoint for an empty period")
    if not isinstance(stat, str):
        return percentile(samples, stat)
    return {
        "SampleCount": lambda: len(samples),
        "Sum": lambda: sum(samples),
        "Average": lambda: sum(samples) / len(samples),
        "Minimum": lambda: min(samples),
        "Maximum": lambda: max(samples),
    }[stat]()


def validate_period(period_s: int, *, storage_resolution_s: int = 60) -> int:
    """Check that CloudWatch can aggregate a metric into periods of ``period_s``.

    Examples
    --------
    >>> validate_period(300), validate_period(10, storage_resolution_s=1)
    (300, 10)
    >>> validate_period(10)
    Traceback (most recent call last):
    ValueError: period_s=10 is not allowed for a standard-resolution metric; use a multiple of 60 s
    """
    if storage_resolution_s not in (1, 60):
        raise ValueError(f"storage_resolution_s={storage_resolution_s}; choose 1 (high) or 60 (standard)")
    check_int("period_s", period_s, low=1)
    if period_s % 60 == 0:
        return period_s
    if storage_resolution_s == 1 and period_s in HIGH_RESOLUTION_PERIODS_S:
        return period_s
    if storage_resolution_s == 1:
        raise ValueError(f"period_s={period_s} is not allowed for a high-resolution metric; "
                         "use 1, 5, 10, 20, 30 or a multiple of 60 s")
    raise ValueError(f"period_s={period_s} is not allowed for a standard-resolution metric; "
                     "use a multiple of 60 s")


def aggregate(datapoints: Iterable[Datapoint], metric: MetricId, *, statistic: str, period_s: int,
              start_s: float, n_periods: int, storage_resolution_s: int = 60) -> list[float | None]:
    """One statistic per period for ``metric``; ``None`` where a period has no data.

    Period ``k`` covers ``[start_s + k*period_s, start_s + (k+1)*period_s)``.
    Only datapoints whose :class:`MetricId` equals ``metric`` count.

    Examples
    --------
    >>> a, b = MetricId("Shop", "Latency", {"Host": "a"}), MetricId("Shop", "Latency", {"Host": "b"})
    >>> pts = [Datapoint(a, 5, 10.0), Datapoint(a, 30, 20.0), Datapoint(b, 40, 99.0), Datapoint(a, 130, 7.0)]
    >>> aggregate(pts, a, statistic="Average", period_s=60, start_s=0, n_periods=3)
    [15.0, None, 7.0]
    """
    parse_statistic(statistic)
    validate_period(period_s, storage_resolution_s=storage_resolution_s)
    check_int("n_periods", n_periods, low=0)
    check_number("start_s", start_s, low=0)
    buckets: list[list[float]] = [[] for _ in range(n_periods)]
    for point in datapoints:
        if point.metric != metric:
            continue
        k = math.floor((point.timestamp_s - start_s) / period_s)
        if 0 <= k < n_periods:
            buckets[k].append(point.value)
    return [compute_statistic(b, statistic) if b else None for b in buckets]


@dataclass(frozen=True)
class PooledComparison:
    """Pooled statistics next to the misleading per-host summaries."""

    pooled_average: float
    average_of_host_averages: float
    pooled_percentile: float
    average_of_host_percentiles: float
    max_of_host_percentiles: float


def compare_pooled_statistics(samples_by_host: Mapping[str, Sequence[float]],
                              p: float = 99.0) -> PooledComparison:
    """Compare the pooled average and percentile with averages of per-host ones.

    An average of per-host averages weights a host that served ten requests as
    much as one that served a thousand; the right combination is total Sum over
    total SampleCount. Percentiles cannot be combined from summaries at all,
    which is why CloudWatch needs raw values to compute them.

    Examples
    --------
    >>> busy, slow = [10.0] * 1000, [500.0] * 10
    >>> c = compare_pooled_statistics({"busy": busy, "slow": slow}, p=99)
    >>> round(c.pooled_average, 2), c.average_of_host_averages
    (14.85, 255.0)
    >>> c.pooled_percentile, c.average_of_host_percentiles
    (10.0, 255.0)
    """
    if not samples_by_host or any(len(s) == 0 for s in samples_by_host.values()):
        raise ValueError("samples_by_host needs at least one host, and every host at least one sample")
    pooled = [v for s in samples_by_host.values() for v in s]
    per_host_p = [percentile(s, p) for s in samples_by_host.values()]
    per_host_avg = [sum(s) / len(s) for s in samples_by_host.values()]
    return PooledComparison(
        pooled_average=sum(pooled) / len(pooled),
        average_of_host_averages=sum(per_host_avg) / len(per_host_avg),
        pooled_percentile=percentile(pooled, p),
        average_of_host_percentiles=sum(per_host_p) / len(per_host_p),
        max_of_host_percentiles=max(per_host_p),
    )
