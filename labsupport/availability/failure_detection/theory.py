"""Closed forms for heartbeat failure detectors: when they suspect, how often they are wrong, how fast they are right.

A fixed-timeout detector is wrong about a live node whenever the gap
between two heartbeat arrivals exceeds the timeout; with independent delays
that gap is the heartbeat interval plus the *difference* of two delays
(Laplace-distributed for exponential delays, normal for normal ones), so the
probability has a closed form. The phi-accrual detector suspects when the
fitted tail probability falls to ``10**-threshold``; inverting that gives the
silence after which it suspects. These are the "theory" columns printed
beside :func:`labsupport.availability.failure_detection.detectors.run_failure_detection`.
"""

from __future__ import annotations

import math
from statistics import NormalDist

from labsupport.checks import check_number

__all__ = ["phi_deadline_s", "false_suspicion_probability", "expected_detection_time_s"]

_LN10 = math.log(10)


def phi_deadline_s(threshold: float, mean_s: float, std_s: float, *, model: str = "normal") -> float:
    """Silence after which phi reaches ``threshold``, for inter-arrivals of the given mean and spread.

    Normal model: ``mean + std * z`` with ``P(Z > z) = 10**-threshold``;
    exponential model: ``threshold * mean * ln 10``.

    Examples
    --------
    >>> round(phi_deadline_s(1.0, 1.0, 0.1), 4)     # 10 % tail: 1.2816 standard deviations
    1.1282
    >>> round(phi_deadline_s(2.0, 1.0, 0.0, model="exponential"), 4)
    4.6052
    """
    check_number("threshold", threshold, low=0, low_open=True)
    check_number("mean_s", mean_s, low=0)
    check_number("std_s", std_s, low=0)
    if model == "normal":
        return mean_s - std_s * NormalDist().inv_cdf(10.0 ** -threshold)
    if model == "exponential":
        return threshold * mean_s * _LN10
    raise ValueError(f"model={model!r}; choose 'normal' or 'exponential'")


def false_suspicion_probability(timeout_s: float, interval_s: float, *, jitter: str, scale_s: float,
                                loss: float = 0.0) -> float:
    """Chance that a fixed-timeout detector falsely suspects after a received heartbeat.

    The next heartbeat to arrive is the j-th one after it (the j-1 between
    lost, probability ``loss**(j-1) (1-loss)``); the gap is ``j*interval_s +
    Y`` with ``Y`` the difference of two independent delays: Laplace with
    scale ``scale_s`` for exponential jitter of mean ``scale_s``, normal with
    deviation ``scale_s * sqrt(2)`` for normal jitter of deviation ``scale_s``.
    Reordering is neglected (it needs a delay difference above ``interval_s``).

    Examples
    --------
    >>> round(false_suspicion_probability(1.5, 1.0, jitter="exponential", scale_s=0.1), 6)
    0.003369
    >>> round(false_suspicion_probability(1.3, 1.0, jitter="normal", scale_s=0.1), 5)
    0.01695
    """
    check_number("timeout_s", timeout_s, low=0, low_open=True)
    check_number("interval_s", interval_s, low=0, low_open=True)
    check_number("scale_s", scale_s, low=0, low_open=True)
    check_number("loss", loss, low=0, high=1, high_open=True)

    def tail(y):  # P(Y > y)
        if jitter == "exponential":
            return 0.5 * math.exp(-y / scale_s) if y >= 0 else 1 - 0.5 * math.exp(y / scale_s)
        if jitter == "normal":
            return 0.5 * math.erfc(y / (2 * scale_s))
        raise ValueError(f"jitter={jitter!r}; choose 'exponential' or 'normal'")

    total, j = 0.0, 1
    while True:
        weight = loss ** (j - 1) * (1 - loss)
        total += weight * tail(timeout_s - j * interval_s)
        if loss ** j < 1e-15 or j > 10_000:
            return total
        j += 1


def expected_detection_time_s(deadline_s: float, interval_s: float, mean_delay_s: float, *, loss: float = 0.0) -> float:
    """Mean time from a crash to suspicion, when the detector suspects ``deadline_s`` after the last arrival.

    The crash falls uniformly between two heartbeats (``-interval_s/2``); the
    last heartbeat arrives ``mean_delay_s`` after it was sent; each lost one
    moves the last arrival one interval earlier. Ignores detection that had
    already begun before the crash (it counts as 0).

    Examples
    --------
    >>> expected_detection_time_s(3.0, 1.0, 0.05)
    2.55
    """
    check_number("deadline_s", deadline_s, low=0)
    check_number("interval_s", interval_s, low=0, low_open=True)
    check_number("mean_delay_s", mean_delay_s, low=0)
    check_number("loss", loss, low=0, high=1, high_open=True)
    return deadline_s + mean_delay_s - interval_s / 2 - interval_s * loss / (1 - loss)
