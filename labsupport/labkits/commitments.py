"""Lab 8 kit (Savings Plan commitments): a plan bought in two steps, and its cheapest version by brute force.

A household that signs a two-year phone contract and expects a teenager to
join next spring does not buy the family plan today: it buys what it needs
now and adds a line later, knowing it can never hand a line back. A Savings
Plan works the same way. Once its seven-day return window has passed a
commitment cannot be lowered, but another plan can be bought at any time
(or queued for a future date). So a usage history that grows, or changes
half-way through, asks a question the single-commitment closed form of
Chapter 7 does not answer: how much to commit now, and how much to **add**
at a later hour, given that the addition cannot be negative.

:func:`layered_cost` is the bill of such a plan; :func:`best_layered_plan`
finds the cheapest plan by checking every pair of breakpoints (no closed
form), which is what Lab 8's hidden tests compare a student's plan with;
:func:`shaped_usage` draws the usage shapes (growth, a step up, a step down)
those tests use.
"""

from __future__ import annotations

import numpy as np

from labsupport.checks import check_int, check_number, check_type, out_of_range
from labsupport.cost.usage import hourly_usage
from labsupport.seeds import Seed

__all__ = ["SHAPES", "layered_cost", "best_layered_plan", "shaped_usage"]

SHAPES = ("growth", "step_up", "step_down", "growth_then_drop")


def _usage(usage) -> np.ndarray:
    u = np.asarray(usage, dtype=float)
    if u.ndim != 1 or u.size == 0 or not np.isfinite(u).all() or (u < 0).any():
        raise out_of_range("usage", "...", "a non-empty sequence of finite numbers >= 0", why="is not a usage history")
    return u


def _check_plan(u: np.ndarray, discount: float, switch_hour: int) -> None:
    check_number("discount", discount, low=0, high=1, high_open=True)
    check_int("switch_hour", switch_hour, low=0, high=u.size)


def layered_cost(usage, discount: float, plan: tuple[float, float], *, switch_hour: int) -> float:
    """The bill of committing ``plan[0]`` $/hour from hour 0 and adding ``plan[1]`` from ``switch_hour`` on.

    Hour ``h`` pays the commitment in force, ``c``, and the usage it does not
    cover at On-Demand prices: ``c + max(0, u_h - c / (1 - discount))``.

    Examples
    --------
    >>> layered_cost([2, 2, 8, 8], 0.5, (1.0, 3.0), switch_hour=2)
    10.0
    >>> layered_cost([2, 2, 8, 8], 0.5, (1.0, -1.0), switch_hour=2)
    Traceback (most recent call last):
    ...
    ValueError: plan[1]=-1.0 is below 0; choose an added commitment >= 0 (a Savings Plan cannot be sold back)
    """
    u = _usage(usage)
    _check_plan(u, discount, switch_hour)
    check_type("plan", plan, (tuple, list))
    if len(plan) != 2:
        raise out_of_range("plan", plan, "(first, added)", why="is not a pair")
    first, added = (check_number(f"plan[{i}]", float(v)) for i, v in enumerate(plan))
    if first < 0:
        raise out_of_range("plan[0]", first, "a commitment >= 0", why="is below 0")
    if added < 0:
        raise out_of_range("plan[1]", added, "an added commitment >= 0 (a Savings Plan cannot be sold back)",
                           why="is below 0")
    c = np.where(np.arange(u.size) < switch_hour, first, first + added)
    return float((c + np.maximum(0.0, u - c / (1.0 - discount))).sum())


def _costs_at(u: np.ndarray, discount: float, levels: np.ndarray) -> np.ndarray:
    """The single-commitment bill of ``u`` at every commitment in ``levels``, with sorting and prefix sums."""
    if u.size == 0:
        return np.zeros(levels.size)
    s = np.sort(u)
    tail = np.concatenate([np.cumsum(s[::-1])[::-1], [0.0]])  # tail[i] = sum of s[i:]
    cover = levels / (1.0 - discount)
    i = np.searchsorted(s, cover, side="right")
    return u.size * levels + tail[i] - (s.size - i) * cover


def best_layered_plan(usage, discount: float, *, switch_hour: int) -> tuple[float, float]:
    """The cheapest ``(first, added)`` plan, found by brute force over every pair of breakpoints.

    The bill is piecewise linear in both commitments and bends only where a
    commitment covers exactly some hour's usage, so the cheapest plan sits
    on a pair of such levels (or zero); every pair with ``added >= 0`` is
    tried.

    Examples
    --------
    >>> best_layered_plan([2, 2, 8, 8], 0.5, switch_hour=2)
    (1.0, 3.0)
    >>> best_layered_plan([8, 8, 2, 2], 0.5, switch_hour=2)   # usage falls: nothing to add
    (1.0, 0.0)
    """
    u = _usage(usage)
    _check_plan(u, discount, switch_hour)
    levels = np.unique(np.concatenate([[0.0], (1.0 - discount) * u]))
    before = _costs_at(u[:switch_hour], discount, levels)
    after = _costs_at(u[switch_hour:], discount, levels)
    # For each first level a, the best total level b >= a for the later hours: a suffix minimum.
    where_after = _suffix_argmin(after)
    i = int(np.argmin(before + after[where_after]))
    first, total = float(levels[i]), float(levels[where_after[i]])
    return first, total - first


def _suffix_argmin(values: np.ndarray) -> np.ndarray:
    out = np.empty(values.size, dtype=int)
    best = values.size - 1
    for j in range(values.size - 1, -1, -1):
        if values[j] <= values[best]:
            best = j
        out[j] = best
    return out


def shaped_usage(shape: str, *, days: int = 60, base_usd: float = 10.0, seed: Seed = None) -> tuple[np.ndarray, int]:
    """A usage history of ``shape`` and the hour at which it changes (where a plan may add a commitment).

    ``growth`` rises steadily to 1.8 times its start; ``step_up`` doubles
    half-way; ``step_down`` halves half-way; ``growth_then_drop`` grows for
    two thirds of the time, then falls below where it started (a plan may
    add at the end of the first third). The hour-by-
    hour pattern underneath is the ``weekday`` history of
    :func:`labsupport.cost.usage.hourly_usage`.

    Examples
    --------
    >>> u, k = shaped_usage("step_up", days=10, seed=1)
    >>> u.size, k, bool(u[k:].mean() > 1.5 * u[:k].mean())
    (240, 120, True)
    """
    if shape not in SHAPES:
        raise out_of_range("shape", shape, "one of " + ", ".join(repr(s) for s in SHAPES), why="is not a valid choice")
    check_int("days", days, low=2)
    base = hourly_usage("weekday", days=days, base_usd=base_usd, seed=seed)
    n = base.size
    t = np.arange(n) / n
    half = n // 2
    factor = {"growth": 1.0 + 0.8 * t,
              "step_up": np.where(t < 0.5, 1.0, 2.0),
              "step_down": np.where(t < 0.5, 1.0, 0.5),
              "growth_then_drop": np.where(t < 2 / 3, 1.0 + 0.9 * t, 0.7)}[shape]
    switch = {"growth": half, "step_up": half, "step_down": half, "growth_then_drop": n // 3}[shape]
    return base * factor, switch
