"""CloudWatch metric alarms: M out of N, and how missing data is treated.

An alarm is a smoke detector with patience: it looks at the last N periods of
a metric and goes to ``ALARM`` only when at least M of them breach the
threshold. When datapoints are missing, the ``treat_missing_data`` setting
decides whether a gap counts as breaching, as fine, as "keep the state", or as
genuinely unknown.

The evaluator :func:`evaluate_window` is one function of one evaluation range
plus the previous state. It reproduces, row by row, both tables in the
Amazon CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing
data" (alarms-and-missing-data.html), and follows its rules:

* CloudWatch retrieves more datapoints than Evaluation Periods (N); that
  window is the *evaluation range* (5 in the documented examples for N=3).
* If the range holds at least N real datapoints, the N most recent real ones
  are evaluated and the missing-data setting "is not needed and is ignored".
* Otherwise the missing datapoints are filled using the setting, "all real data
  points in the evaluation range are included", and missing points are used
  "only as few times as possible".
* If every datapoint in the range is missing: ``missing`` ->
  INSUFFICIENT_DATA, ``ignore`` -> retain the current state, ``breaching`` ->
  ALARM, ``notBreaching`` -> OK.
* "Avoiding premature transitions to alarm state": the alarm goes to ALARM
  "when the oldest available breaching datapoint ... is at least as old as the
  value of Datapoints to Alarm, and all other more recent data points are
  breaching or missing", even with fewer than M real breaching points.

Where the text leaves a case open we choose, and say so:

* The premature-alarm rule looks at the whole evaluation range and needs *no*
  non-breaching real datapoint in it (the 2-of-3 row ``0 - X - -`` stays OK
  although its breaching point is old enough). Under ``ignore`` it retains
  the state, as in both tables' last rows.
* With ``missing``/``ignore``, fewer than N real points, fewer than M of them
  breaching and no premature alarm: OK if a real point is non-breaching;
  otherwise (only young breaching points) INSUFFICIENT_DATA / retain. This is
  the outcome for ``- - - - X`` in earlier editions of the same page.
* The size of the evaluation range is not published; ``MetricAlarm`` defaults
  to N + 2, which is 5 for the documented N = 3.
* CloudWatch re-evaluates every minute on a sliding window; we evaluate once
  per period, at its end.

Alarm settings follow PutMetricAlarm: Period "Valid values are 10, 20, 30, and
any multiple of 60" (10/20/30 only for metrics stored at 1-second
resolution); Period x EvaluationPeriods <= 604,800 s, and <= 86,400 s when the
period is under an hour; anomaly-band operators need a period of at least one
minute ("Creating a CloudWatch alarm based on anomaly detection").
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from labsupport.checks import check_choice, check_int, check_number, check_type, out_of_range

__all__ = [
    "OK", "ALARM", "INSUFFICIENT_DATA", "STATES", "TREATMENTS", "STATIC_OPERATORS",
    "BAND_OPERATORS", "Decision", "Evaluation", "MetricAlarm", "evaluate_window",
    "evaluate_alarm",
]

OK, ALARM, INSUFFICIENT_DATA = "OK", "ALARM", "INSUFFICIENT_DATA"
STATES = (OK, ALARM, INSUFFICIENT_DATA)
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")
STATIC_OPERATORS = {
    "GreaterThanThreshold": operator.gt, "GreaterThanOrEqualToThreshold": operator.ge,
    "LessThanThreshold": operator.lt, "LessThanOrEqualToThreshold": operator.le,
}
BAND_OPERATORS = ("LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold",
                  "GreaterThanUpperThreshold")
MAX_EVALUATION_S = 604_800          # seconds: Period x EvaluationPeriods, any period
MAX_EVALUATION_SHORT_PERIOD_S = 86_400  # seconds: ... when Period < 3,600 s


@dataclass(frozen=True)
class Decision:
    """The state an evaluation sets, and why."""

    state: str
    reason: str


def evaluate_window(window: Sequence[bool | None], *, datapoints_to_alarm: int,
                    evaluation_periods: int, treat_missing_data: str = "missing",
                    previous_state: str = INSUFFICIENT_DATA) -> Decision:
    """Decide the alarm state from one evaluation range.

    Parameters
    ----------
    window : sequence of True (breaching), False (not breaching) or None (missing)
        The evaluation range, oldest first; at least ``evaluation_periods`` long.
        These are breaching *flags*, not metric values: a number (even 0 or
        NaN) raises ``TypeError``; turn values into flags with
        :meth:`MetricAlarm.breaches`, or evaluate a series with :func:`evaluate_alarm`.
    datapoints_to_alarm, evaluation_periods : int
        M and N of an "M out of N" alarm, ``1 <= M <= N``.
    treat_missing_data : {"missing", "ignore", "breaching", "notBreaching"}
    previous_state : {"OK", "ALARM", "INSUFFICIENT_DATA"}
        What ``ignore`` retains.

    Examples
    --------
    The documented 3-of-3 row ``- - X - -`` (newest on the right):

    >>> X, O, _ = True, False, None
    >>> evaluate_window([_, _, X, _, _], datapoints_to_alarm=3, evaluation_periods=3).state
    'ALARM'
    >>> evaluate_window([O, _, _, _, _], datapoints_to_alarm=3, evaluation_periods=3,
    ...                 treat_missing_data="breaching").reason
    '1 real datapoint + 2 filled as breaching: 2 of 3 breaching, fewer than M=3'
    """
    m, n = _check_m_n(datapoints_to_alarm, evaluation_periods)
    check_choice("treat_missing_data", treat_missing_data, TREATMENTS)
    check_choice("previous_state", previous_state, STATES)
    window = _check_flags(window)
    if len(window) < n:
        raise out_of_range("window", window, f"at least N={n} datapoints",
                           why=f"has {len(window)} datapoints, fewer than evaluation_periods")
    real = [(age, b) for age, b in enumerate(reversed(window), start=1) if b is not None]
    keep = Decision(previous_state, f"treat_missing_data=ignore: keep {previous_state}")

    if not real:                                  # every datapoint in the range is missing
        why = f"all {len(window)} datapoints in the evaluation range missing"
        state = {"missing": INSUFFICIENT_DATA, "breaching": ALARM, "notBreaching": OK}
        if treat_missing_data == "ignore":
            return Decision(previous_state, f"{why}; ignore keeps {previous_state}")
        return Decision(state[treat_missing_data], f"{why}; treated as {treat_missing_data}")

    if len(real) >= n:                            # enough real data: the setting is not needed
        k = sum(b for _, b in real[:n])
        return _m_of_n(k, m, n, f"the {n} most recent real datapoints")

    fill, k = n - len(real), sum(b for _, b in real)
    if treat_missing_data in ("breaching", "notBreaching"):
        k += fill if treat_missing_data == "breaching" else 0
        return _m_of_n(k, m, n, f"{len(real)} real datapoint{'s' * (len(real) > 1)} + {fill} "
                                f"filled as {treat_missing_data}")
    if k >= m:                                    # missing / ignore: only real datapoints count
        return Decision(ALARM, f"{k} real datapoints breaching, at least M={m}")
    oldest_age = real[-1][0]
    if k == len(real) and oldest_age >= m:        # premature-alarm rule
        if treat_missing_data == "ignore":
            return keep
        return Decision(ALARM, f"oldest breaching datapoint is {oldest_age} periods old (>= M={m}) "
                               "and no real datapoint is non-breaching")
    if k < len(real):
        return Decision(OK, f"{k} of {len(real)} real datapoints breaching, fewer than M={m}")
    if treat_missing_data == "ignore":
        return keep
    return Decision(INSUFFICIENT_DATA, f"only {k} recent breaching datapoint(s), fewer than M={m}; "
                                       "not enough data to decide")


def _m_of_n(k: int, m: int, n: int, what: str) -> Decision:
    state = ALARM if k >= m else OK
    verdict = f"at least M={m}" if k >= m else f"fewer than M={m}"
    return Decision(state, f"{what}: {k} of {n} breaching, {verdict}")


def _check_m_n(m, n) -> tuple[int, int]:
    n = check_int("evaluation_periods", n, low=1)
    m = check_int("datapoints_to_alarm", m, low=1)
    if m > n:
        raise out_of_range("datapoints_to_alarm", m, "1 <= datapoints_to_alarm <= evaluation_periods",
                           why=f"exceeds evaluation_periods={n}")
    return m, n


def _check_flags(window) -> list[bool | None]:
    """The window as a list of True / False / None; a metric value is a different thing."""
    check_type("window", window, (list, tuple, np.ndarray))
    flags = []
    for i, b in enumerate(window):
        # compare metric values with the threshold first (MetricAlarm.breaches), or use evaluate_alarm
        check_type(f"window[{i}] (True breaching, False or None missing)", b, (bool, np.bool_, type(None)))
        flags.append(None if b is None else bool(b))
    return flags


@dataclass(frozen=True, kw_only=True)
class MetricAlarm:
    """The settings of one CloudWatch metric alarm (PutMetricAlarm).

    ``datapoints_to_alarm`` defaults to ``evaluation_periods`` (N out of N);
    ``evaluation_range`` defaults to N + 2. For the anomaly-band operators leave
    ``threshold`` as None and pass per-period ``(lower, upper)`` bands to
    :func:`evaluate_alarm`.

    Examples
    --------
    >>> MetricAlarm(threshold=80, evaluation_periods=3, datapoints_to_alarm=2).evaluation_range
    5
    >>> MetricAlarm(threshold=80, evaluation_periods=2, datapoints_to_alarm=3)
    Traceback (most recent call last):
    ValueError: datapoints_to_alarm=3 exceeds evaluation_periods=2; choose 1 <= ...
    """

    threshold: float | None = None
    comparison_operator: str = "GreaterThanThreshold"
    period_s: int = 60
    evaluation_periods: int = 1
    datapoints_to_alarm: int | None = None
    treat_missing_data: str = "missing"
    evaluation_range: int | None = None
    storage_resolution_s: int = 60

    def __post_init__(self):
        n = self.evaluation_periods
        m = n if self.datapoints_to_alarm is None else self.datapoints_to_alarm
        _check_m_n(m, n)
        object.__setattr__(self, "datapoints_to_alarm", m)
        r = n + 2 if self.evaluation_range is None else self.evaluation_range
        r = check_int("evaluation_range", r, low=n)
        object.__setattr__(self, "evaluation_range", r)
        check_choice("treat_missing_data", self.treat_missing_data, TREATMENTS)
        check_choice("comparison_operator", self.comparison_operator,
                     (*STATIC_OPERATORS, *BAND_OPERATORS))
        band = self.comparison_operator in BAND_OPERATORS
        if band and self.threshold is not None:
            raise ValueError(f"threshold={self.threshold} must be None for {self.comparison_operator}; "
                             "anomaly alarms compare with a band, passed as evaluate_alarm(bands=...)")
        if not band:
            check_number("threshold", self.threshold)
        self._check_period(band)

    def _check_period(self, band: bool) -> None:
        res = check_choice("storage_resolution_s", self.storage_resolution_s, (1, 60))
        p = check_int("period_s", self.period_s, low=1)
        if p % 60 and p not in (10, 20, 30):
            raise out_of_range("period_s", p, "10, 20, 30 or a multiple of 60 seconds",
                               why="is not an alarm period")
        if p < 60 and res != 1:
            raise out_of_range("period_s", p, "a multiple of 60 with 60-second data",
                               why="needs a high-resolution metric (storage_resolution_s=1)")
        if p < 60 and band:
            raise out_of_range("period_s", p, "period_s >= 60", why="is too short: anomaly detection alarms")
        total_s = p * self.evaluation_periods
        limit = MAX_EVALUATION_S if p >= 3600 else MAX_EVALUATION_SHORT_PERIOD_S
        if total_s > limit:
            raise out_of_range("period_s x evaluation_periods", total_s, "fewer or shorter periods",
                               why=f"s exceeds {limit} s")

    def breaches(self, value: float | None, band: tuple[float, float] | None = None) -> bool | None:
        """Whether one datapoint breaches (None if it is missing).

        Examples
        --------
        >>> a = MetricAlarm(threshold=80, comparison_operator="GreaterThanOrEqualToThreshold")
        >>> a.breaches(80), a.breaches(79.9), a.breaches(None)
        (True, False, None)
        """
        if value is None:
            return None
        value = check_number("value", value)  # NaN or inf: use None for a missing datapoint
        op = self.comparison_operator
        if op in STATIC_OPERATORS:
            return STATIC_OPERATORS[op](value, self.threshold)
        if band is None:
            raise ValueError(f"band=None: {op} needs a (lower, upper) band for every datapoint")
        check_type("band", band, (tuple, list))
        if len(band) != 2:
            raise out_of_range("band", band, "a (lower, upper) pair", why="is not a pair")
        lower, upper = check_number("band lower", band[0]), check_number("band upper", band[1])
        below, above = value < lower, value > upper
        return {"LessThanLowerThreshold": below, "GreaterThanUpperThreshold": above}.get(op, below or above)


@dataclass(frozen=True)
class Evaluation:
    """The alarm's state after the datapoint of period ``index`` (ending at ``time_s``)."""

    index: int
    time_s: float
    state: str
    reason: str


def evaluate_alarm(alarm: MetricAlarm, values: Sequence[float | None], *,
                   bands: Sequence[tuple[float, float]] | None = None,
                   initial_state: str = INSUFFICIENT_DATA) -> tuple[Evaluation, ...]:
    """Evaluate ``alarm`` at the end of every period of a series (None = missing).

    Periods before the series starts count as missing.

    Examples
    --------
    >>> a = MetricAlarm(threshold=3, evaluation_periods=3)
    >>> [e.state for e in evaluate_alarm(a, [1, 2, 4, 4, 4, 2, 1, 2, 4, 2])]
    ['OK', 'OK', 'OK', 'OK', 'ALARM', 'OK', 'OK', 'OK', 'OK', 'OK']
    """
    check_type("alarm", alarm, MetricAlarm)
    check_choice("initial_state", initial_state, STATES)
    check_type("values", values, (list, tuple, np.ndarray))
    if bands is not None and len(check_type("bands", bands, (list, tuple, np.ndarray))) != len(values):
        raise out_of_range("bands", f"<{len(bands)} bands>", f"one band per value ({len(values)})",
                           why="has a different length from values")
    flags = [alarm.breaches(v, None if bands is None else bands[i]) for i, v in enumerate(values)]
    r, state, out = alarm.evaluation_range, initial_state, []
    for i in range(len(flags)):
        window = [None] * max(0, r - 1 - i) + flags[max(0, i - r + 1): i + 1]
        decision = evaluate_window(window, datapoints_to_alarm=alarm.datapoints_to_alarm,
                                   evaluation_periods=alarm.evaluation_periods,
                                   treat_missing_data=alarm.treat_missing_data, previous_state=state)
        state = decision.state
        out.append(Evaluation(i, (i + 1) * alarm.period_s, state, decision.reason))
    return tuple(out)
