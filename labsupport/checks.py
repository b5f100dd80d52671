"""Argument checks: the one place where labsupport says "that input is wrong".

A customs officer does not re-invent the rules at every border post: each
post applies the same few checks and stamps the same words. Every public
function in labsupport checks its arguments with the helpers below, so a
reader who passes ``rate_per_s=-1`` anywhere in the book reads the same kind
of sentence: what was wrong, and what would be right.

* a value of the wrong type (a string where a number belongs, ``True`` for a
  count, a list where a policy belongs) raises ``TypeError``;
* a value of the right type but out of range, NaN or infinite raises
  ``ValueError``;
* both messages start with the parameter's name.

Each checker returns the value it accepted (a number as ``float``, a count as
``int``, a sequence as a float array), so a check and a conversion are one
line: ``rate = check_number("rate_per_s", rate_per_s, low=0, low_open=True)``.
Rules that tie two parameters together ("R=4 exceeds N=3 replicas") stay
with the function that knows them, raised through :func:`out_of_range` so
that they read the same way.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Iterable, Sequence

import numpy as np

__all__ = ["check_type", "check_method", "check_hashable", "check_number", "check_int", "check_probability", "check_choice",
           "check_numbers", "out_of_range", "describe_range"]


def _type_names(types: type | tuple[type, ...]) -> str:
    types = types if isinstance(types, tuple) else (types,)
    names = ["None" if t is type(None) else t.__name__ for t in types]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def check_type(name: str, value: Any, types: type | tuple[type, ...]) -> Any:
    """Return ``value`` if it is an instance of ``types``; otherwise raise ``TypeError``.

    Examples
    --------
    >>> check_type("policy", "allow", str)
    'allow'
    >>> check_type("policy", 3, (str, type(None)))
    Traceback (most recent call last):
    ...
    TypeError: policy must be str or None, not int
    """
    if not isinstance(value, types):
        raise TypeError(f"{name} must be {_type_names(types)}, not {type(value).__name__}")
    return value


def check_method(name: str, value: Any, method: str, signature: str = "...") -> Any:
    """Return ``value`` if it has a callable ``method`` (duck typing); otherwise raise ``TypeError``.

    Examples
    --------
    >>> check_method("policy", "random", "choose", "targets, state, rng")
    Traceback (most recent call last):
    ...
    TypeError: policy must have a choose(targets, state, rng) method, not str
    """
    if not callable(getattr(value, method, None)):
        raise TypeError(f"{name} must have a {method}({signature}) method, not {type(value).__name__}")
    return value


def check_hashable(name: str, value: Any, why: str = "") -> Any:
    """Return ``value`` if it can be hashed (a dict key, a set member); otherwise raise ``TypeError``.

    Examples
    --------
    >>> check_hashable("initial", [1, 2], "register values are compared as keys")
    Traceback (most recent call last):
    ...
    TypeError: initial=[1, 2] is unhashable (list); register values are compared as keys
    """
    try:
        hash(value)
    except TypeError:
        raise TypeError(f"{name}={value!r} is unhashable ({type(value).__name__}){'; ' + why if why else ''}") from None
    return value


def describe_range(name: str, low: float | None = None, high: float | None = None,
                   low_open: bool = False, high_open: bool = False) -> str:
    """The valid range as a reader would write it: ``"0 < p <= 1"``, ``"n >= 1"``, ``"x finite"``.

    Examples
    --------
    >>> describe_range("p", 0, 1, low_open=True)
    '0 < p <= 1'
    >>> describe_range("rate_per_s", 0, low_open=True)
    'rate_per_s > 0'
    """
    lo = "<" if low_open else "<="
    hi = "<" if high_open else "<="
    low_s, high_s = (str(b) if isinstance(b, numbers.Integral) else f"{b:g}" for b in (low or 0, high or 0))
    if low is not None and high is not None:
        return f"{low_s} {lo} {name} {hi} {high_s}"
    if low is not None:
        return f"{name} {'>' if low_open else '>='} {low_s}"
    if high is not None:
        return f"{name} {hi} {high_s}"
    return f"a finite {name}"


def out_of_range(name: str, value: Any, choose: str, why: str = "is out of range") -> ValueError:
    """The ``ValueError`` for a rule only the caller knows; ``raise out_of_range(...)``.

    Examples
    --------
    >>> raise out_of_range("R", 4, "1 <= R <= N", why="exceeds N=3 replicas")
    Traceback (most recent call last):
    ...
    ValueError: R=4 exceeds N=3 replicas; choose 1 <= R <= N
    """
    return ValueError(f"{name}={value!r} {why}; choose {choose}")


def check_number(name: str, value: Any, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a finite ``float`` within the bounds given.

    ``low`` and ``high`` are inclusive unless ``low_open`` / ``high_open``.
    A bool is not a number here (``True`` for a rate is always a slip).

    Examples
    --------
    >>> check_number("rate_per_s", 2)
    2.0
    >>> check_number("rate_per_s", -1.0, low=0, low_open=True)
    Traceback (most recent call last):
    ...
    ValueError: rate_per_s=-1.0 is out of range; choose rate_per_s > 0
    >>> check_number("rate_per_s", float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: rate_per_s=nan is not a finite number; choose a finite rate_per_s
    >>> check_number("rate_per_s", "3")
    Traceback (most recent call last):
    ...
    TypeError: rate_per_s must be a number, not str
    """
    kind = type(value)
    if kind is not float and kind is not int:  # a plain float or int skips the abstract-class checks (hot loops)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a number, not {kind.__name__}")
    x = float(value)
    if not math.isfinite(x):  # the rule is worded only when it is broken
        raise out_of_range(name, x, describe_range(name, low, high, low_open, high_open), why="is not a finite number")
    too_low = low is not None and (x <= low if low_open else x < low)
    too_high = high is not None and (x >= high if high_open else x > high)
    if too_low or too_high:
        raise out_of_range(name, value if kind in (int, float) else x, describe_range(name, low, high, low_open, high_open))
    return x


def check_int(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an ``int`` within ``[low, high]``; floats (even 3.0) and bools are rejected.

    Examples
    --------
    >>> check_int("replicas", 3, low=1)
    3
    >>> check_int("replicas", 0, low=1)
    Traceback (most recent call last):
    ...
    ValueError: replicas=0 is out of range; choose replicas >= 1
    >>> check_int("replicas", 2.5)
    Traceback (most recent call last):
    ...
    TypeError: replicas must be an integer, not float
    """
    if type(value) is not int and (isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral)):
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}")
    n = int(value)
    if (low is not None and n < low) or (high is not None and n > high):
        raise out_of_range(name, n, describe_range(name, low, high))
    return n


def check_probability(name: str, value: Any, *, open_low: bool = False, open_high: bool = False) -> float:
    """Return a probability in [0, 1] (ends excluded on request) as a ``float``.

    Examples
    --------
    >>> check_probability("loss", 0.1)
    0.1
    >>> check_probability("q", 1.0, open_high=True)
    Traceback (most recent call last):
    ...
    ValueError: q=1.0 is out of range; choose 0 <= q < 1
    """
    return check_number(name, value, low=0.0, high=1.0, low_open=open_low, high_open=open_high)


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``.

    A value of another type than every choice raises ``TypeError``; a value
    of the right type that is not a choice raises ``ValueError``.

    Examples
    --------
    >>> check_choice("strategy", "full", ("none", "full", "equal"))
    'full'
    >>> check_choice("strategy", "half", ("none", "full"))
    Traceback (most recent call last):
    ...
    ValueError: strategy='half' is not a valid choice; choose one of 'none', 'full'
    """
    choices = tuple(choices)
    if not any(isinstance(value, type(c)) for c in choices):
        kinds = tuple(dict.fromkeys(type(c) for c in choices))
        raise TypeError(f"{name} must be {_type_names(kinds)}, not {type(value).__name__}")
    if value not in choices:
        raise out_of_range(name, value, "one of " + ", ".join(repr(c) for c in choices),
                           why="is not a valid choice")
    return value


def check_numbers(name: str, values: Any, *, low: float | None = None, high: float | None = None,
                  low_open: bool = False, nonempty: bool = True) -> np.ndarray:
    """Return a 1-D sequence or array of finite numbers as a float array, each within the bounds.

    Examples
    --------
    >>> check_numbers("usage", [1, 2.5], low=0)
    array([1. , 2.5])
    >>> check_numbers("usage", [1.0, -2.0], low=0)
    Traceback (most recent call last):
    ...
    ValueError: usage[1]=-2.0 is out of range; choose usage[i] >= 0
    >>> check_numbers("usage", "12")
    Traceback (most recent call last):
    ...
    TypeError: usage must be a sequence of numbers, not str
    """
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional; got an array of shape {values.shape}")
        if values.dtype.kind in "iuf" and np.all(np.isfinite(values)) and (low is None or np.all(
                values > low if low_open else values >= low)) and (high is None or np.all(values <= high)) \
                and (values.size or not nonempty):
            return values.astype(float)  # the fast path for arrays that pass; others are explained below
        items: Sequence[Any] = list(values)
    elif isinstance(values, (str, bytes, dict, set, frozenset)) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a sequence of numbers, not {type(values).__name__}")
    else:
        items = list(values)
    if nonempty and not items:
        raise ValueError(f"{name} is empty; give at least one number")
    element = f"{name}[i]"
    out = np.empty(len(items), dtype=float)
    for i, v in enumerate(items):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            raise TypeError(f"{name}[{i}] must be a number, not {type(v).__name__}")
        x = float(v)
        if not math.isfinite(x):
            raise out_of_range(f"{name}[{i}]", x, describe_range(element, low, high, low_open), why="is not a finite number")
        if (low is not None and (x <= low if low_open else x < low)) or (high is not None and x > high):
            raise out_of_range(f"{name}[{i}]", v if type(v) in (int, float) else x, describe_range(element, low, high, low_open))
        out[i] = x
    return out
