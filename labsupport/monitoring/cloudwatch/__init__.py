"""Amazon CloudWatch metrics and alarms, as small pure functions.

* :mod:`.metrics` -- metric identity, statistics, periods, pooled vs per-host summaries.
* :mod:`.alarms` -- metric alarms: M out of N and missing-data treatment.
* :mod:`.composite` -- composite alarm rules over other alarms' states.
* :mod:`.anomaly` -- a simple seasonal anomaly band (an approximation of CloudWatch's model).
"""

from labsupport.monitoring.cloudwatch.alarms import (ALARM, BAND_OPERATORS, INSUFFICIENT_DATA, OK, STATES, STATIC_OPERATORS, TREATMENTS,
                     Decision, Evaluation, MetricAlarm, evaluate_alarm, evaluate_window)
from labsupport.monitoring.cloudwatch.anomaly import (SeasonalBandModel, anomaly_band, evaluate_anomaly_alarm, fit_seasonal_band,
                      synthetic_seasonal_series)
from labsupport.monitoring.cloudwatch.composite import Rule, composite_state, evaluate_composite_series, evaluate_rule, parse_rule
from labsupport.monitoring.cloudwatch.metrics import (STANDARD_STATISTICS, Datapoint, MetricId, PooledComparison, aggregate,
                      compare_pooled_statistics, compute_statistic, parse_statistic, percentile,
                      validate_period)

__all__ = [
    "OK", "ALARM", "INSUFFICIENT_DATA", "STATES", "TREATMENTS", "STATIC_OPERATORS", "BAND_OPERATORS",
    "Decision", "Evaluation", "MetricAlarm", "evaluate_window", "evaluate_alarm",
    "Rule", "parse_rule", "evaluate_rule", "composite_state", "evaluate_composite_series",
    "SeasonalBandModel", "fit_seasonal_band", "anomaly_band", "evaluate_anomaly_alarm",
    "synthetic_seasonal_series",
    "STANDARD_STATISTICS", "MetricId", "Datapoint", "PooledComparison", "parse_statistic", "percentile",
    "compute_statistic", "validate_period", "aggregate", "compare_pooled_statistics",
]
