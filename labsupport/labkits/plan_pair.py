r"""Lab 8 kit (Savings Plan commitments): two plans at once, their bill, and the cheapest pair.

A family with a season ticket for one railway line and a travel card valid
on every line uses the ticket on its own line first, because that is the
only place it is good for, and the card for everything else. AWS bills two
Savings Plans the same way: an **EC2 Instance Savings Plan** covers one
instance family (``a``) at a deeper discount, a **Compute Savings Plan**
covers every family at a shallower one, and each hour the instance plan is
applied first (Savings Plans User Guide, "Understanding how Savings Plans
apply to your AWS usage", sp-applying.html).

With coverages :math:`x = a/(1-d_I)` and :math:`y = b/(1-d_C)` the bill of
``H`` hours of usage :math:`u_A, u_B` is

.. math:: H a + H b + \sum_h \max\bigl(0,\; \max(0, u_{A,h} - x) + u_{B,h} - y\bigr).

No quantile gives the pair. But along any line where one coverage is fixed,
the bill is the single commitment bill of Chapter 7.2 in the other, so its
minimum there *is* a quantile; and every corner of the bill (where the best
pair lies) is on such a line: :math:`x` equal to some hour's :math:`u_A` (or
0), or :math:`y` equal to some hour's :math:`u_B` (or 0). :func:`best_pair`
tries every one of those lines, which is what Lab 8's hidden tests compare a
student's pair with; :func:`two_family_usage` draws the histories (flat,
growth, a migration from ``a`` to ``b``, a gradual shift) they use.
"""

from __future__ import annotations

import math

import numpy as np

from labsupport.checks import (
    check_choice,
    check_int,
    check_number,
    check_type,
    out_of_range,
)
from labsupport.cost.usage import hourly_usage
from labsupport.seeds import Seed, derive_rng, root_seed

__all__ = ["FAMILY_SHAPES", "best_pair", "pair_cost", "two_family_usage"]

FAMILY_SHAPES = ("flat", "growth", "migration", "shift")


def _pair(name: str, value, check) -> tuple:
    check_type(name, value, (tuple, list))
    if len(value) != 2:
        raise out_of_range(name, value, "a pair (family a, family b)" if name == "usage" else "a pair",
                           why="is not a pair")
    return tuple(check(f"{name}[{i}]", v) for i, v in enumerate(value))


def _history(name: str, value) -> np.ndarray:
    u = np.asarray(value, dtype=float)
    if u.ndim != 1 or u.size == 0 or not np.isfinite(u).all() or (u < 0).any():
        raise out_of_range(name, "...", "a non-empty sequence of finite numbers >= 0", why="is not a usage history")
    return u


def _inputs(usage, discounts) -> tuple[np.ndarray, np.ndarray, float, float]:
    ua, ub = _pair("usage", usage, _history)
    if ua.size != ub.size:
        raise out_of_range("usage", f"({ua.size} hours, {ub.size} hours)", "two histories of the same length",
                           why="has histories of different lengths")
    di, dc = _pair("discounts", discounts, lambda n, v: check_number(n, v, low=0, high=1, high_open=True))
    return ua, ub, di, dc


def _bill(ua, ub, x, y, di, dc) -> float:
    """The bill at coverages ``x`` (instance plan) and ``y`` (compute plan)."""
    spill = np.maximum(0.0, ua - x) + ub
    return float(ua.size * ((1 - di) * x + (1 - dc) * y) + np.maximum(0.0, spill - y).sum())


def _quantile(values: np.ndarray, d: float) -> float:
    """Chapter 7.2's optimal coverage of ``values`` at discount ``d``: its ceil(H d)-th smallest (0 if none)."""
    k = math.ceil(values.size * d - 1e-12)
    return 0.0 if k == 0 else max(0.0, float(np.partition(values, k - 1)[k - 1]))


def pair_cost(usage, plans, discounts) -> float:
    """The bill of ``plans = (instance, compute)`` over ``usage = (usage_a, usage_b)``.

    Each hour the instance plan (discount ``discounts[0]``) covers family
    ``a`` only, up to ``instance / (1 - discounts[0])`` of On-Demand usage;
    then the compute plan (``discounts[1]``) covers what is left of ``a`` and
    all of ``b`` together; the rest is On-Demand. Both commitments are paid
    every hour.

    Examples
    --------
    >>> pair_cost(([4, 4], [2, 6]), (1.5, 1.0), (0.5, 0.5))   # 3 of a, then 2 of the rest, each hour
    11.0
    >>> pair_cost(([4, 4], [2, 6]), (0.0, 0.0), (0.5, 0.5))   # no plan: all On-Demand
    16.0
    """
    ua, ub, di, dc = _inputs(usage, discounts)
    a, b = _pair("plans", plans, lambda n, v: check_number(n, v, low=0))
    return _bill(ua, ub, a / (1 - di), b / (1 - dc), di, dc)


def best_pair(usage, discounts) -> tuple[float, float]:
    """The cheapest ``(instance, compute)`` pair, by trying every line on which the bill bends.

    For each instance coverage in {0} and the hours' ``a`` usage, the best
    compute coverage is Chapter 7.2's quantile of what the instance plan
    leaves; for each compute coverage in {0} and the hours' ``b`` usage, the
    best instance coverage is the quantile of ``u_a + min(0, u_b - y)`` (the
    ``a`` usage the compute plan does not already absorb). The cheapest of
    these ``2 H + 2`` pairs is the cheapest of all (the bill is convex and
    piecewise linear, and each of its corners lies on one of these lines).

    Notes
    -----
    O(H^2) time: about a second for a year of hours.

    Examples
    --------
    >>> best_pair(([4, 4, 4, 4], [0, 0, 8, 8]), (0.5, 0.25))   # a steady: instance plan; b half the time: none
    (2.0, 0.0)
    >>> best_pair(([8, 8, 0, 0], [0, 0, 8, 8]), (0.5, 0.25))   # a moves to b: the compute plan follows it
    (0.0, 6.0)
    """
    ua, ub, di, dc = _inputs(usage, discounts)
    pairs = [(x, _quantile(np.maximum(0.0, ua - x) + ub, dc)) for x in np.unique(np.append(ua, 0.0))]
    pairs += [(_quantile(ua + np.minimum(0.0, ub - y), di), y) for y in np.unique(np.append(ub, 0.0))]
    x, y = min(pairs, key=lambda p: _bill(ua, ub, p[0], p[1], di, dc))
    return float((1 - di) * x), float((1 - dc) * y)


def two_family_usage(shape: str, *, days: int = 56, base_usd: float = 10.0,
                     seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """Hourly On-Demand usage of two instance families, ``a`` and ``b``, over ``days`` days.

    Family ``a`` follows the ``weekday`` history of
    :func:`labsupport.cost.usage.hourly_usage` around ``base_usd``, family
    ``b`` the ``diurnal`` one around ``0.6 * base_usd`` (``flat``: both
    ``steady``). ``growth``: ``b`` grows from 0.4 to 1.6 times its level;
    ``migration``: half-way through, ``a`` falls to 0.3 times its level and
    ``b`` rises from 0.5 to 1.6 times; ``shift``: ``a`` shrinks and ``b``
    grows steadily over the whole term.

    Examples
    --------
    >>> a, b = two_family_usage("migration", days=10, seed=1)
    >>> a.size, bool(a[120:].mean() < 0.5 * a[:120].mean()), bool(b[120:].mean() > 2 * b[:120].mean())
    (240, True, True)
    """
    check_choice("shape", shape, FAMILY_SHAPES)
    check_int("days", days, low=1)
    base = check_number("base_usd", base_usd, low=0)
    kinds = ("steady", "steady") if shape == "flat" else ("weekday", "diurnal")
    root = root_seed(seed)
    a = hourly_usage(kinds[0], days=days, base_usd=base, seed=derive_rng(root, "family a"))
    b = hourly_usage(kinds[1], days=days, base_usd=0.6 * base, seed=derive_rng(root, "family b"))
    t = np.arange(a.size) / a.size
    first = t < 0.5
    factor_a, factor_b = {"flat": (1.0, 1.0), "growth": (1.0, 0.4 + 1.2 * t),
                          "migration": (np.where(first, 1.0, 0.3), np.where(first, 0.5, 1.6)),
                          "shift": (np.clip(1.3 - 1.2 * t, 0.1, 1.0), 0.4 + 1.2 * t)}[shape]
    return a * factor_a, b * factor_b
