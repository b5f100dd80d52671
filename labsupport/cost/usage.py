"""Seeded hourly usage histories for choosing commitments: steady, diurnal, weekday, bursty, declining.

A usage history is a fleet's pulse written in dollars. A payroll service
beats steadily; a shop's website rises every afternoon and sleeps at night;
an office tool goes quiet at weekends; a data team's batch jobs arrive in
bursts; and a workload being migrated elsewhere fades month by month. Which
Savings Plan commitment is right depends on that shape (see
:mod:`labsupport.cost.commitments`), so the chapters and Lab 8 need
histories of each kind that anyone can regenerate from a seed.

Every history is On-Demand-equivalent spend per hour ($/hour), hour 0 being
midnight at the start of a Monday. The shapes are illustrative, not taken
from any real account:

``steady``
    ``base`` every hour.
``diurnal``
    ``base * (1 + 0.4 cos(2 pi (hour - 14) / 24))``: peak at 14:00, trough at 02:00.
``weekday``
    ``1.5 * base`` from 08:00 to 19:00 on weekdays, ``0.6 * base`` otherwise.
``bursty``
    ``0.7 * base``, plus batch jobs that start in 4 % of hours, add
    ``2 * base`` and last 1 to 6 hours.
``declining``
    the diurnal shape scaled linearly from 1.3 to 0.7 over the history.

Multiplicative Gaussian noise (``noise_fraction``) is applied last and the
result is clipped at zero. Long-run means, in units of ``base``: steady,
diurnal and declining 1; weekday (55 x 1.5 + 113 x 0.6) / 168 = 0.895;
bursty about 0.7 + 0.04 x 3.5 x 2 = 0.98 (overlapping bursts add up).
"""

from __future__ import annotations

import math

import numpy as np

from labsupport.seeds import Seed, as_numpy_rng, as_rng, derive_rng
from labsupport.checks import check_choice, check_int, check_number

__all__ = ["SHAPES", "HOURS_PER_DAY", "hourly_usage"]

SHAPES = ("steady", "diurnal", "weekday", "bursty", "declining")
HOURS_PER_DAY = 24
_DIURNAL_AMPLITUDE = 0.4
_PEAK_HOUR = 14
_BURST_START_PROBABILITY = 0.04  # per hour
_BURST_HOURS = (1, 6)  # inclusive range of a batch job's length


def _diurnal(hours: np.ndarray) -> np.ndarray:
    return 1.0 + _DIURNAL_AMPLITUDE * np.cos(2.0 * math.pi * (hours % HOURS_PER_DAY - _PEAK_HOUR) / HOURS_PER_DAY)


def _weekday(hours: np.ndarray) -> np.ndarray:
    day = (hours // HOURS_PER_DAY) % 7  # 0 = Monday
    hour = hours % HOURS_PER_DAY
    busy = (day < 5) & (hour >= 8) & (hour < 19)
    return np.where(busy, 1.5, 0.6)


def _bursty(hours: np.ndarray, rng) -> np.ndarray:
    shape = np.full(hours.size, 0.7)
    low, high = _BURST_HOURS
    for h in range(hours.size):
        if rng.random() < _BURST_START_PROBABILITY:
            shape[h:h + rng.randint(low, high)] += 2.0
    return shape


def hourly_usage(shape: str, *, days: int = 30, base_usd: float = 10.0, noise_fraction: float = 0.05,
                 seed: Seed = None) -> np.ndarray:
    """A seeded history of hourly On-Demand-equivalent spend, ``days * 24`` values in $/hour.

    Parameters
    ----------
    shape : str
        One of :data:`SHAPES` (described in the module docstring).
    days : int
        Length of the history in days (>= 1).
    base_usd : float
        Typical spend per hour, $ (>= 0).
    noise_fraction : float
        Standard deviation of the multiplicative Gaussian noise (>= 0).
    seed : int, random.Random or None
        Same seed, same history. The burst schedule and the noise come from
        independent streams, so changing ``noise_fraction`` keeps the bursts.

    Examples
    --------
    >>> u = hourly_usage("weekday", days=7, noise_fraction=0.0, seed=0)
    >>> u.size, u[:3].tolist(), u[10].item(), u[5 * 24 + 10].item()   # Monday night, Monday 10:00, Saturday 10:00
    (168, [6.0, 6.0, 6.0], 15.0, 6.0)
    >>> round(float(hourly_usage("diurnal", days=2, noise_fraction=0.0, seed=0).mean()), 6)
    10.0
    >>> bool((hourly_usage("bursty", seed=3) == hourly_usage("bursty", seed=3)).all())
    True
    >>> hourly_usage("spiky", seed=0)
    Traceback (most recent call last):
    ...
    ValueError: shape='spiky' is not a valid choice; choose one of 'steady', 'diurnal', 'weekday', 'bursty', 'declining'
    """
    check_choice("shape", shape, SHAPES)
    days = check_int("days", days, low=1)
    base = check_number("base_usd", base_usd, low=0)
    noise = check_number("noise_fraction", noise_fraction, low=0)
    root = as_rng(seed).getrandbits(64)
    hours = np.arange(int(days) * HOURS_PER_DAY)
    if shape == "steady":
        profile = np.ones(hours.size)
    elif shape == "diurnal":
        profile = _diurnal(hours)
    elif shape == "weekday":
        profile = _weekday(hours)
    elif shape == "bursty":
        profile = _bursty(hours, derive_rng(root, "bursts"))
    else:
        profile = _diurnal(hours) * np.linspace(1.3, 0.7, hours.size)
    if noise > 0:
        rng = as_numpy_rng(root, "noise")
        profile = profile * (1.0 + noise * rng.standard_normal(hours.size))
    return np.maximum(0.0, base * profile)
