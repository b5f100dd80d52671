"""Argument checks shared by the cost modules.

Every check raises ``ValueError`` (or ``TypeError``) whose message names the
parameter, what was wrong, and the valid range, so that a lab student who
passes a negative price learns which number to fix.
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np

__all__ = ["check_non_negative", "check_positive", "check_fraction", "check_discount", "usage_array"]


def _as_float(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"{name}={value} is not finite; choose a finite number")
    return number


def check_non_negative(name: str, value: object) -> float:
    """Return ``value`` as a float, or raise if it is negative or not finite."""
    number = _as_float(name, value)
    if number < 0:
        raise ValueError(f"{name}={value} is negative; choose {name} >= 0")
    return number


def check_positive(name: str, value: object) -> float:
    """Return ``value`` as a float, or raise unless it is > 0 and finite."""
    number = _as_float(name, value)
    if number <= 0:
        raise ValueError(f"{name}={value} must be positive; choose {name} > 0")
    return number


def check_fraction(name: str, value: object) -> float:
    """Return ``value`` as a float, or raise unless 0 <= value <= 1."""
    number = _as_float(name, value)
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{name}={value} is outside [0, 1]; choose 0 <= {name} <= 1")
    return number


def check_discount(name: str, value: object) -> float:
    """Return a discount rate as a float, or raise unless 0 <= value < 1.

    A discount of 1 would make covered usage free and the commitment
    meaningless, so it is excluded.
    """
    number = _as_float(name, value)
    if not 0.0 <= number < 1.0:
        raise ValueError(f"{name}={value} is outside [0, 1); choose 0 <= {name} < 1")
    return number


def usage_array(name: str, values: Iterable[float]) -> np.ndarray:
    """Return a non-empty 1-D float array of finite, non-negative numbers."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of numbers, not a string")
    try:
        array = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a sequence of numbers ({exc})") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (one value per hour or day), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty; give at least one value")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinity; every value must be finite and >= 0")
    if np.any(array < 0):
        first = int(np.argmax(array < 0))
        raise ValueError(f"{name}[{first}]={array[first]} is negative; every value must be >= 0")
    return array
