"""Failure detectors: deciding that a silent machine has died.

A lighthouse keeper who expects a ship's lamp to flash every minute must
decide, when it stays dark, whether the ship sank or the fog thickened. A
**failure detector** makes that call from **heartbeats**: a monitored node
sends one every ``interval_s``; the monitor suspects it when too long has
passed since the last one arrived. A **fixed timeout** suspects after
``timeout_s`` of silence. The **phi-accrual** detector (Hayashibara et al.,
"The phi accrual failure detector", SRDS 2004) instead fits a distribution to
the recent inter-arrival times and reports a suspicion *level*
``phi = -log10(P_later(t_now - t_last))``: the probability that a heartbeat
this late could still come, on a log scale. Suspecting at ``phi >= threshold``
means being wrong about a live node with probability ``10**-threshold`` per
heartbeat, *if* the fitted model is right.

Both detectors are pure objects (``heartbeat(at_s)`` and ``deadline_s()``,
the moment they will suspect unless another heartbeat comes first); the
:class:`Monitor` node drives them on the simulation kernel.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections import deque
from dataclasses import dataclass
from statistics import NormalDist
from typing import NamedTuple

from labsupport.seeds import Seed
from labsupport.checks import check_choice, check_int, check_number
from labsupport.availability.failure_detection.theory import expected_detection_time_s, false_suspicion_probability, phi_deadline_s
from labsupport.foundations.redundancy import failure_schedule
from labsupport.sim import Constant, Latency, Node, Simulation
from labsupport.sim.trace import TraceEvent

__all__ = ["FixedTimeoutDetector", "PhiAccrualDetector", "NormalJitter", "Heartbeat", "Heartbeater", "Monitor",
           "DetectorStats", "DetectionRun", "run_failure_detection", "silence_windows", "phi_deadline_s",
           "false_suspicion_probability", "expected_detection_time_s"]

_LN10 = math.log(10)


class FixedTimeoutDetector:
    """Suspect after ``timeout_s`` seconds without a heartbeat.

    Examples
    --------
    >>> d = FixedTimeoutDetector(timeout_s=3.0)
    >>> d.heartbeat(10.0)
    >>> d.deadline_s(), d.suspects(12.9), d.suspects(13.0)
    (13.0, False, True)
    >>> FixedTimeoutDetector(timeout_s=-1)
    Traceback (most recent call last):
    ...
    ValueError: timeout_s=-1 is out of range; choose timeout_s > 0
    """

    def __init__(self, timeout_s: float):
        self.timeout_s = check_number("timeout_s", timeout_s, low=0, low_open=True)
        self.last_s: float | None = None

    def heartbeat(self, at_s: float) -> None:
        """Record a heartbeat that arrived at ``at_s``."""
        self.last_s = at_s if self.last_s is None else max(self.last_s, at_s)

    def reset(self) -> None:
        """Forget the history (the monitored node restarted)."""
        self.last_s = None

    def deadline_s(self) -> float:
        """The time at which the detector suspects unless another heartbeat arrives."""
        return math.inf if self.last_s is None else self.last_s + self.timeout_s

    def suspects(self, now_s: float) -> bool:
        return now_s >= self.deadline_s()


class PhiAccrualDetector:
    """The phi-accrual detector over a sliding window of inter-arrival times.

    Parameters
    ----------
    threshold : float
        Suspect when ``phi >= threshold`` (> 0; 8 is a common default in Akka and Cassandra).
    window : int
        How many recent inter-arrival times the model is fitted to.
    model : {"normal", "exponential"}
        Distribution of inter-arrival times (Hayashibara et al. use the normal;
        Cassandra an exponential).
    min_std_s : float
        Floor on the standard deviation, so a perfectly regular stream does not
        make the detector suspect a heartbeat one microsecond late.
    first_interval_s : float
        Assumed mean inter-arrival time before any has been measured.

    Examples
    --------
    >>> d = PhiAccrualDetector(threshold=3.0, min_std_s=0.1)
    >>> for t in (0.0, 1.0, 2.0, 3.0):
    ...     d.heartbeat(t)
    >>> round(d.phi(4.0), 3), round(d.phi(4.3), 3), round(d.deadline_s(), 3)
    (0.301, 2.87, 4.309)
    >>> PhiAccrualDetector(threshold=0)
    Traceback (most recent call last):
    ...
    ValueError: threshold=0 is out of range; choose threshold > 0
    """

    def __init__(self, threshold: float, *, window: int = 100, model: str = "normal",
                 min_std_s: float = 0.01, first_interval_s: float = 1.0):
        self.threshold = check_number("threshold", threshold, low=0, low_open=True)
        check_int("window", window, low=1)  # inter-arrival samples kept
        self.model = check_choice("model", model, ("normal", "exponential"))
        self.min_std_s = check_number("min_std_s", min_std_s, low=0)
        self.first_interval_s = check_number("first_interval_s", first_interval_s, low=0, low_open=True)
        self.intervals: deque[float] = deque(maxlen=window)
        self.last_s: float | None = None
        self._sum = self._sumsq = 0.0  # running sums over the window: O(1) per heartbeat

    def heartbeat(self, at_s: float) -> None:
        if self.last_s is not None:
            if at_s <= self.last_s:
                return  # a reordered, older heartbeat says nothing new
            if len(self.intervals) == self.intervals.maxlen:
                old = self.intervals[0]
                self._sum, self._sumsq = self._sum - old, self._sumsq - old * old
            gap = at_s - self.last_s
            self.intervals.append(gap)
            self._sum, self._sumsq = self._sum + gap, self._sumsq + gap * gap
        self.last_s = at_s

    def reset(self) -> None:
        self.intervals.clear()
        self.last_s = None
        self._sum = self._sumsq = 0.0

    def _fit(self) -> tuple[float, float]:
        n = len(self.intervals)
        if not n:
            mean, std = self.first_interval_s, self.first_interval_s / 4
        else:
            mean = self._sum / n
            std = math.sqrt(max(0.0, self._sumsq / n - mean * mean))
        return mean, max(std, self.min_std_s)

    def phi(self, now_s: float) -> float:
        """Suspicion level ``-log10(P_later(now_s - last))``; 0 before any heartbeat."""
        if self.last_s is None:
            return 0.0
        elapsed = max(0.0, now_s - self.last_s)
        mean, std = self._fit()
        if self.model == "exponential":
            return elapsed / (mean * _LN10)
        p_later = 0.5 * math.erfc((elapsed - mean) / (std * math.sqrt(2)))
        return math.inf if p_later <= 0 else -math.log10(p_later)

    def deadline_s(self) -> float:
        if self.last_s is None:
            return math.inf
        mean, std = self._fit()
        return self.last_s + max(0.0, phi_deadline_s(self.threshold, mean, std, model=self.model))

    def suspects(self, now_s: float) -> bool:
        return now_s >= self.deadline_s()


@dataclass(frozen=True)
class NormalJitter(Latency):
    """Normally distributed link delay with mean ``mean_s`` and deviation ``std_s``, clipped at 0.

    Examples
    --------
    >>> import random
    >>> NormalJitter(0.2, 0.05).mean, round(NormalJitter(0.2, 0.05).sample(random.Random(1)), 4)
    (0.2, 0.2644)
    """

    mean_s: float
    std_s: float

    def __post_init__(self):
        check_number("mean_s", self.mean_s, low=0)
        check_number("std_s", self.std_s, low=0)

    def sample(self, rng):
        return max(0.0, rng.gauss(self.mean_s, self.std_s))

    @property
    def mean(self):
        return self.mean_s

    def quantile(self, p):
        return max(0.0, self.mean_s + self.std_s * NormalDist().inv_cdf(p)) if 0 < p < 1 else self.mean_s


class Heartbeat(NamedTuple):
    """Payload of ``heartbeat``: the sender's incarnation (bumped by each recovery) and a sequence number."""

    incarnation: int
    seq: int


class Heartbeater(Node):
    """Sends ``heartbeat`` to ``monitor`` every ``interval_s``, except while paused (a GC pause, a stall)."""

    def __init__(self, name, monitor, *, interval_s, pauses=()):
        super().__init__(name)
        self.monitor, self.interval_s, self.pauses, self.seq = monitor, interval_s, tuple(pauses), 0

    def start(self):
        while True:
            pause_end = next((s + d for s, d in self.pauses if s <= self.now < s + d), None)
            if pause_end is not None:
                yield self.sleep(pause_end - self.now)
                continue
            self.send(self.monitor, "heartbeat", Heartbeat(self.incarnation, self.seq))
            self.seq += 1
            yield self.sleep(self.interval_s)

    def on_recover(self):
        return self.start()


class Monitor(Node):
    """Feeds every arriving heartbeat to each detector and records suspicion episodes ``(label, start, end)``."""

    def __init__(self, name, detectors, *, notes=False):
        super().__init__(name)
        self.detectors, self.notes = dict(detectors), notes
        self.arrivals = 0
        self.incarnation_seen = None
        self.open: dict[str, float] = {}
        self.episodes: list[tuple[str, float, float]] = []

    def on_heartbeat(self, msg):
        incarnation = msg.payload.incarnation
        if incarnation != self.incarnation_seen:
            self.incarnation_seen = incarnation
            for detector in self.detectors.values():
                detector.reset()
        self.arrivals += 1
        for label, detector in self.detectors.items():
            detector.heartbeat(self.now)
            if label in self.open:
                self.episodes.append((label, self.open.pop(label), self.now))
        self._schedule(self.arrivals)

    def _schedule(self, arrivals):
        """One timer, at the earliest deadline of a detector that does not suspect yet."""
        pending = [d.deadline_s() for label, d in self.detectors.items() if label not in self.open]
        if pending and min(pending) < math.inf:
            self.set_timer(max(0.0, min(pending) - self.now), self._check, arrivals)

    def _check(self, arrivals):
        if arrivals != self.arrivals:
            return  # a heartbeat came in time
        for label, detector in self.detectors.items():
            if label not in self.open and detector.deadline_s() <= self.now + 1e-9:
                self.open[label] = self.now
                if self.notes:
                    self.log(f"suspects node [{label}]")
        self._schedule(arrivals)

    def all_episodes(self, end_s):
        """Closed episodes plus the ones still open at ``end_s``, sorted."""
        return sorted(self.episodes + [(label, start, end_s) for label, start in self.open.items()])


@dataclass(frozen=True)
class DetectorStats:
    """What one detector did in one run.

    Each crash ``(c, r)`` has a **silence window** ``[c, a)``, where ``a`` is the
    arrival of the first heartbeat at or after the recovery ``r`` (capped at the
    next crash and at the end of the run): the silence the crash causes. A
    suspicion episode that starts inside a crash's window is a **detection** of
    that crash, even if it starts after ``r`` (a short crash whose silence
    outlasted the timeout: *late*); the crash's detection time is the start of
    its first such episode minus ``c``. A crash that finds an episode already
    open counts as detected at once (0 s). Every episode that starts outside all
    windows is a **false suspicion**, the open-at-the-crash one included, since
    nothing justified it when it began. A crash with neither is *missed*. With
    these definitions, on one heartbeat trace a longer fixed timeout never makes
    more false suspicions: its episodes start later inside the same gaps.
    """

    label: str
    detection_times_s: tuple[float, ...]  # one per detected crash: suspicion start minus crash time (>= 0)
    false_suspicions: int  # suspicion episodes that began outside every crash's silence window
    alive_hours: float
    heartbeats: int  # heartbeats received while the node was up
    missed: int = 0  # crashes with no suspicion in their silence window (over before the deadline)
    late: int = 0  # crashes first suspected after the node had already recovered

    @property
    def mean_detection_s(self) -> float:
        return statistics.fmean(self.detection_times_s) if self.detection_times_s else math.nan

    @property
    def false_per_hour(self) -> float:
        return self.false_suspicions / self.alive_hours

    @property
    def false_per_heartbeat(self) -> float:
        return self.false_suspicions / self.heartbeats if self.heartbeats else math.nan


@dataclass(frozen=True)
class DetectionRun:
    """The stats of every detector, the crash schedule and the kernel's trace."""

    stats: dict[str, DetectorStats]
    crashes: tuple[tuple[float, float], ...]
    trace: tuple[TraceEvent, ...]


def run_failure_detection(detectors: dict, *, interval_s: float = 1.0, latency: Latency | float = Constant(0.05),
                          loss: float = 0.0, duration_s: float = 3600.0, mttf_s: float = 300.0,
                          mttr_s: float = 20.0, crashes=None, pauses=(), notes: bool = False,
                          seed: Seed = None) -> DetectionRun:
    """Heartbeats from a node that crashes and recovers at random, judged by several detectors at once.

    Every detector sees the same heartbeat stream, so their trade-offs are
    compared on identical luck. The node crashes and recovers at random
    (exponential times with means ``mttf_s`` and ``mttr_s``) unless
    ``crashes`` lists the ``(crash_s, recover_s)`` intervals; ``notes=True``
    writes each suspicion into the trace for space-time diagrams.

    Examples
    --------
    >>> run = run_failure_detection({"3 s": FixedTimeoutDetector(3.0)}, duration_s=1800, seed=1)
    >>> s = run.stats["3 s"]
    >>> len(run.crashes), len(s.detection_times_s), s.false_suspicions
    (7, 7, 0)
    >>> all(2.05 <= t <= 3.05 for t in s.detection_times_s)  # 3 s + 0.05 s delay - up to one interval
    True
    """
    if not detectors:
        raise ValueError("detectors is empty; give at least one, e.g. {'3 s': FixedTimeoutDetector(3.0)}")
    for name, value in (("interval_s", interval_s), ("duration_s", duration_s), ("mttf_s", mttf_s),
                        ("mttr_s", mttr_s)):
        check_number(name, value, low=0, low_open=True)
    sim = Simulation(seed=seed, latency=latency, loss=loss)
    node = sim.add(Heartbeater("node", "monitor", interval_s=interval_s, pauses=pauses))
    monitor = sim.add(Monitor("monitor", detectors, notes=notes))
    if crashes is None:
        crashes = failure_schedule(mttf_s, mttr_s, duration_s, rng=sim.rng("failures:node"))
    crashes = tuple((float(c), float(r)) for c, r in crashes)
    for crash_s, recover_s in crashes:
        sim.crash(node.name, at=crash_s)
        if recover_s < duration_s:
            sim.recover(node.name, at=recover_s)
    sim.run(until=duration_s)
    episodes = monitor.all_episodes(duration_s)

    def up(t):
        return not any(c <= t < r for c, r in crashes)

    alive_s = duration_s - sum(min(r, duration_s) - c for c, r in crashes if c < duration_s)
    arrivals = [e.time for e in sim.trace if e.event == "deliver" and e.kind == "heartbeat"]
    received_up = sum(1 for t in arrivals if up(t))
    windows = silence_windows(crashes, arrivals, duration_s)
    stats = {}
    for label in detectors:
        mine = [(s, e) for lab, s, e in episodes if lab == label]
        detections, missed, late = [], 0, 0
        for (crash_s, recover_s), (start_s, end_s) in zip(crashes, windows):
            starts = [s for s, e in mine if start_s <= s < end_s]
            if any(s < crash_s < e for s, e in mine):
                detections.append(0.0)  # already suspected when it crashed
            elif starts:
                detections.append(min(starts) - crash_s)
                late += min(starts) >= recover_s
            elif crash_s < duration_s:
                missed += 1
        false = sum(1 for s, _ in mine if not any(a <= s < b for a, b in windows))
        stats[label] = DetectorStats(label, tuple(detections), false, alive_s / 3600, received_up, missed, late)
    return DetectionRun(stats, crashes, tuple(sim.trace))


def silence_windows(crashes, arrivals, end_s):
    """For each crash ``(c, r)``, the window ``(c, a)``: ``a`` is the first heartbeat arrival at or after ``r``.

    ``a`` is capped at the next crash and at ``end_s``; ``arrivals`` need not be sorted.

    Examples
    --------
    >>> silence_windows([(10.0, 12.0), (30.0, 99.0)], [9.05, 10.05, 12.05, 13.05], 60.0)
    [(10.0, 12.05), (30.0, 60.0)]
    """
    check_number("end_s", end_s, low=0)
    arrivals = sorted(arrivals)
    order = sorted(crashes)
    windows = []
    for k, (crash_s, recover_s) in enumerate(order):
        i = bisect.bisect_left(arrivals, recover_s)
        end = arrivals[i] if i < len(arrivals) else end_s
        following = order[k + 1][0] if k + 1 < len(order) else end_s
        windows.append((crash_s, min(end, following, end_s)))
    by_crash = dict(zip(order, windows))
    return [by_crash[c] for c in crashes]
