"""Windows over a stream of sensor readings: tumbling and sliding, event time, watermark, allowed lateness.

A weather station posts one postcard a minute; the post office delivers most
the next day and a few a week late. To publish daily averages you must
decide when a day is "done" (the **watermark**: the newest date seen, minus
the lateness you expect, ``out_of_orderness_s``), and what to do with a
postcard for a day already published: correct the published figure if it is
only a little late (**allowed lateness**), or throw it away.

Readings carry their **event time** (when measured) and arrive at their
**arrival time**; they are processed in arrival order. A **tumbling**
window of ``size_s`` covers ``[k size, (k+1) size)``; a **sliding** window
of ``size_s`` starts every ``slide_s`` (a reading falls in ``size/slide``
of them). A window fires once the watermark passes its end; a reading that
arrives later but before the watermark passes ``end + allowed_lateness_s``
updates the window and fires it again; later still, it is dropped. These
are the semantics of Apache Flink's event-time windows, which Amazon Managed
Service for Apache Flink runs ("Track events in Managed Service for Apache
Flink using the DataStream API"; Flink documentation, "Windows",
"Allowed Lateness").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from labsupport.checks import check_int, check_number
from labsupport.seeds import Seed, as_rng

__all__ = ["Reading", "Firing", "WindowRun", "run_windows", "tumbling", "sliding", "expected_drop_fraction",
           "synthetic_readings"]


@dataclass(frozen=True)
class Reading:
    """One measurement: when it was taken, when it arrived, from which key (device), and its value."""

    event_s: float
    arrival_s: float
    key: str
    value: float

    def __post_init__(self):
        check_number("event_s", self.event_s, low=0)
        check_number("arrival_s", self.arrival_s, low=0)
        check_number("value", self.value)


@dataclass(frozen=True)
class Firing:
    """One emission of a window's result; ``late=True`` for an update caused by a late reading."""

    key: str
    start_s: float
    end_s: float
    count: int
    total: float
    emitted_s: float
    late: bool

    @property
    def mean(self) -> float:
        return self.total / self.count


@dataclass(frozen=True)
class WindowRun:
    firings: tuple[Firing, ...]
    dropped: tuple[Reading, ...]  # readings every window of which had been closed for good
    late_updates: int

    def final(self) -> dict[tuple[str, float], tuple[int, float]]:
        """(key, window start) -> (count, total) of each window's last firing."""
        out = {}
        for f in self.firings:
            out[(f.key, f.start_s)] = (f.count, f.total)
        return dict(sorted(out.items()))


def run_windows(readings: Iterable[Reading], size_s: float, slide_s: float | None = None, *,
                out_of_orderness_s: float = 0.0, allowed_lateness_s: float = 0.0) -> WindowRun:
    """Window ``readings`` per key (sliding if ``slide_s`` is given, else tumbling) and sum them.

    Examples
    --------
    >>> rs = [Reading(1, 1, "a", 10), Reading(12, 12, "a", 20), Reading(3, 13, "a", 30),
    ...       Reading(25, 25, "a", 1), Reading(4, 26, "a", 5)]
    >>> run = run_windows(rs, 10, out_of_orderness_s=1, allowed_lateness_s=5)
    >>> [(f.start_s, f.count, f.total, f.late) for f in run.firings]
    [(0.0, 1, 10.0, False), (0.0, 2, 40.0, True), (10.0, 1, 20.0, False), (20.0, 1, 1.0, False)]
    >>> [r.value for r in run.dropped]
    [5]
    >>> run_windows(rs, 0)
    Traceback (most recent call last):
    ...
    ValueError: size_s=0 is out of range; choose size_s > 0
    """
    size = check_number("size_s", size_s, low=0, low_open=True)
    slide = size if slide_s is None else check_number("slide_s", slide_s, low=0, low_open=True)
    lateness = check_number("allowed_lateness_s", allowed_lateness_s, low=0)
    delay = check_number("out_of_orderness_s", out_of_orderness_s, low=0)
    ordered = sorted(readings, key=lambda r: (r.arrival_s, r.event_s, r.key))
    state: dict[tuple[str, float], list] = {}  # (key, start) -> [count, total, fired]
    firings: list[Firing] = []
    dropped: list[Reading] = []
    late_updates = 0
    watermark = -math.inf

    def starts(t: float) -> list[float]:
        """Starts ``k * slide`` of the windows with ``start <= t < start + size`` (k an integer)."""
        low, high = math.floor((t - size) / slide), math.floor(t / slide) + 1  # a safe superset of k
        return [k * slide for k in range(low, high + 1) if k * slide <= t < k * slide + size]

    unfired: set[tuple[str, float]] = set()

    def fire_ready(now: float) -> None:
        for key, start in sorted(k for k in unfired if k[1] + size <= watermark):
            count, total, _ = state[(key, start)]
            firings.append(Firing(key, start, start + size, count, total, now, False))
            state[(key, start)][2] = True
            unfired.discard((key, start))

    for r in ordered:
        accepted = False
        for start in starts(r.event_s):
            if start + size + lateness <= watermark:
                continue  # this window is closed for good
            if (r.key, start) not in state:
                unfired.add((r.key, start))
            slot = state.setdefault((r.key, start), [0, 0.0, False])
            slot[0] += 1
            slot[1] += r.value
            accepted = True
            if slot[2]:
                late_updates += 1
                firings.append(Firing(r.key, start, start + size, slot[0], slot[1], r.arrival_s, True))
        if not accepted:
            dropped.append(r)
        watermark = max(watermark, r.event_s - delay)
        fire_ready(r.arrival_s)
    end = ordered[-1].arrival_s if ordered else 0.0
    watermark = math.inf
    fire_ready(end)
    return WindowRun(tuple(firings), tuple(dropped), late_updates)


def tumbling(readings: Iterable[Reading], size_s: float, **kw) -> WindowRun:
    """Tumbling windows of ``size_s`` (see :func:`run_windows`).

    Examples
    --------
    >>> rs = [Reading(1, 1, "a", 10), Reading(12, 12, "a", 20), Reading(14, 15, "a", 30)]
    >>> [(f.start_s, f.count, f.total) for f in tumbling(rs, 10).firings]
    [(0.0, 1, 10.0), (10.0, 2, 50.0)]
    """
    return run_windows(readings, size_s, None, **kw)


def sliding(readings: Iterable[Reading], size_s: float, slide_s: float, **kw) -> WindowRun:
    """Sliding windows of ``size_s`` every ``slide_s`` (see :func:`run_windows`).

    Examples
    --------
    >>> rs = [Reading(1, 1, "a", 10), Reading(12, 12, "a", 20), Reading(14, 15, "a", 30)]
    >>> [(f.start_s, f.count, f.total) for f in sliding(rs, 10, 5).firings]
    [(-5.0, 1, 10.0), (0.0, 1, 10.0), (5.0, 2, 50.0), (10.0, 2, 50.0)]
    """
    check_number("slide_s", slide_s, low=0, low_open=True)  # None would mean tumbling windows: a slip here
    return run_windows(readings, size_s, slide_s, **kw)


def expected_drop_fraction(size_s: float, mean_delay_s: float, *, out_of_orderness_s: float = 0.0,
                           allowed_lateness_s: float = 0.0, readings_per_s: float | None = None) -> float:
    """Tumbling windows, exponential delays of mean ``m``: the expected share of readings dropped.

    The watermark is the newest event time seen minus ``O`` (the
    out-of-orderness). If the newest event time seen were *now*, a reading
    taken ``u`` before its window's end would be dropped when its delay
    exceeds ``u + O + L`` (``L`` the allowed lateness); with ``u`` uniform
    on ``[0, size)`` that happens with probability
    ``(m / size) exp(-(O + L) / m) (1 - exp(-size / m))``.
    The newest event time seen in fact lags *now* by the age ``A`` of the
    freshest reading that has already arrived: with ``readings_per_s``
    readings a second, ``P(A > x) = exp(-r (x - m (1 - exp(-x / m))))``, and
    the probability above is multiplied by ``E[exp(-A / m)]`` (computed
    numerically).

    Examples
    --------
    >>> round(expected_drop_fraction(10, 2, out_of_orderness_s=1), 4)
    0.1205
    >>> round(expected_drop_fraction(10, 2, out_of_orderness_s=1, readings_per_s=20), 4)
    0.0986
    """
    size = check_number("size_s", size_s, low=0, low_open=True)
    m = check_number("mean_delay_s", mean_delay_s, low=0, low_open=True)
    grace = check_number("out_of_orderness_s", out_of_orderness_s, low=0) + \
        check_number("allowed_lateness_s", allowed_lateness_s, low=0)
    share = m / size * math.exp(-grace / m) * (1 - math.exp(-size / m))
    if readings_per_s is None:
        return share
    r = check_number("readings_per_s", readings_per_s, low=0, low_open=True)
    steps, span = 4000, 20 * m
    dx = span / steps
    tail = sum(math.exp(-x / m - r * (x - m * (1 - math.exp(-x / m)))) * dx
               for x in ((i + 0.5) * dx for i in range(steps)))
    return share * (1 - tail / m)


def synthetic_readings(devices: int = 20, duration_s: float = 300.0, *, period_s: float = 1.0,
                       mean_delay_s: float = 2.0, seed: Seed = None) -> list[Reading]:
    """Temperature readings from ``devices`` sensors every ``period_s``, each delayed by an exponential delay.

    Examples
    --------
    >>> rs = synthetic_readings(2, 3.0, seed=1)
    >>> len(rs), all(r.arrival_s >= r.event_s for r in rs)
    (6, True)
    """
    check_int("devices", devices, low=1)
    check_number("duration_s", duration_s, low=0, low_open=True)
    check_number("period_s", period_s, low=0, low_open=True)
    check_number("mean_delay_s", mean_delay_s, low=0, low_open=True)
    rng = as_rng(seed)
    out = []
    for d in range(devices):
        phase = rng.uniform(0, period_s)
        t = phase
        while t < duration_s:
            value = 20 + 2 * math.sin(2 * math.pi * t / 600) + rng.gauss(0, 0.3)
            out.append(Reading(round(t, 6), round(t + rng.expovariate(1 / mean_delay_s), 6), f"sensor{d:02d}",
                               round(value, 3)))
            t += period_s
    return sorted(out, key=lambda r: (r.arrival_s, r.key))
