"""Service level objectives over windows: good requests, bad requests and the error budget.

A restaurant that promises "99.9 % of dishes out within 15 minutes, every
evening" is judged evening by evening, not on its yearly average: one
disastrous Saturday is not excused by a quiet month. An SLO here is such a
promise, "a fraction ``target`` of requests answered correctly within
``latency_s``, in every window of ``window_s``", and its **error budget** is
what the promise leaves over: ``(1 - target) x requests`` bad requests per
window. A window that spends more than its whole budget breaks the SLO.

The counting follows the request-based SLIs of the Google SRE workbook
("Implementing SLOs"): a request is *good* if it succeeded and was fast
enough, and the SLI is good / total. Amazon CloudWatch Application Signals
offers the same request-based SLOs with an attainment goal and an error
budget (Amazon CloudWatch User Guide, "Service level objectives (SLOs)").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from labsupport.checks import check_int, check_number, check_probability

__all__ = ["SloWindow", "SloVerdict", "budget_used", "slo_windows", "verdict"]


def budget_used(requests: int, bad: int, target: float) -> float:
    """Fraction of the error budget spent: ``bad / ((1 - target) * requests)`` (0 with no requests).

    Examples
    --------
    >>> budget_used(100_000, 50, 0.999)   # 100 bad requests allowed, 50 spent
    0.5
    >>> budget_used(100_000, 250, 0.999)  # 2.5 budgets: the window breaks the SLO
    2.5
    >>> budget_used(0, 0, 0.999)
    0.0
    """
    target = check_probability("target", target, open_low=True, open_high=True)
    check_int("bad", bad, low=0, high=check_int("requests", requests, low=0))
    return 0.0 if requests == 0 else bad / ((1.0 - target) * requests)


@dataclass(frozen=True)
class SloWindow:
    """One SLO window: its requests, the bad ones, and whether the promise held."""

    start_s: float
    end_s: float
    requests: int
    bad: int
    target: float

    @property
    def good_fraction(self) -> float:
        return 1.0 if self.requests == 0 else 1.0 - self.bad / self.requests

    @property
    def budget_used(self) -> float:
        return budget_used(self.requests, self.bad, self.target)

    @property
    def met(self) -> bool:
        return self.good_fraction >= self.target


def slo_windows(times_s: Sequence[float], requests: Sequence[int], bad: Sequence[int], *, window_s: float,
                target: float) -> tuple[SloWindow, ...]:
    """Group per-step counts (step ``i`` starts at ``times_s[i]``) into consecutive windows of ``window_s``.

    A last, shorter window is kept if the steps do not fill it.

    Examples
    --------
    >>> w = slo_windows([0, 1800, 3600, 5400], [1000, 1000, 1000, 1000], [0, 1, 0, 5], window_s=3600, target=0.999)
    >>> [(x.start_s, x.requests, x.bad, x.met) for x in w]
    [(0, 2000, 1, True), (3600, 2000, 5, False)]
    """
    target = check_probability("target", target, open_low=True, open_high=True)
    check_number("window_s", window_s, low=0, low_open=True)
    if not len(times_s) == len(requests) == len(bad):
        raise ValueError("times_s, requests and bad must have the same length (one entry per step)")
    if not times_s:
        return ()
    origin = times_s[0]
    groups: dict[int, list[int]] = {}
    for t, n, b in zip(times_s, requests, bad):
        slot = groups.setdefault(int((t - origin) // window_s), [0, 0])
        slot[0] += n
        slot[1] += b
    return tuple(SloWindow(origin + k * window_s, origin + (k + 1) * window_s, n, b, target)
                 for k, (n, b) in sorted(groups.items()))


@dataclass(frozen=True)
class SloVerdict:
    """The dashboard's verdict: every window must meet the target."""

    target: float
    latency_s: float
    windows: tuple[SloWindow, ...]

    @property
    def met(self) -> bool:
        return all(w.met for w in self.windows)

    @property
    def worst(self) -> SloWindow:
        return min(self.windows, key=lambda w: (w.good_fraction, w.start_s))

    @property
    def budget_used(self) -> float:
        """Error budget spent over the whole run (windows pooled)."""
        return budget_used(sum(w.requests for w in self.windows), sum(w.bad for w in self.windows), self.target)

    def summary(self) -> str:
        """One line for a notebook."""
        worst = self.worst
        state = "MET" if self.met else "BROKEN"
        return (f"SLO {100 * self.target:g} % of requests under {1000 * self.latency_s:g} ms per window: {state}; "
                f"worst window from {worst.start_s / 3600:g} h: {100 * worst.good_fraction:.3f} % good, "
                f"{worst.budget_used:.2f} budgets spent")


def verdict(windows: Sequence[SloWindow], *, latency_s: float) -> SloVerdict:
    """Wrap ``windows`` (all with the same target) in a :class:`SloVerdict`.

    ``latency_s`` is the latency bound of a good request, or ``inf`` for an
    availability SLO (every success is good, however slow).

    Examples
    --------
    >>> w = slo_windows([0, 3600], [10_000, 10_000], [5, 30], window_s=3600, target=0.999)
    >>> v = verdict(w, latency_s=0.3)
    >>> v.met, round(v.worst.budget_used, 2), round(v.budget_used, 3)
    (False, 3.0, 1.75)
    """
    windows = tuple(windows)
    if not windows:
        raise ValueError("windows is empty; a verdict needs at least one window")
    targets = {w.target for w in windows}
    if len(targets) != 1:
        raise ValueError(f"windows have different targets {sorted(targets)}; give one target")
    if latency_s != math.inf:  # inf: an availability SLO, where a slow success still counts as good
        check_number("latency_s", latency_s, low=0)
    return SloVerdict(targets.pop(), float(latency_s), windows)
