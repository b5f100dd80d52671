"""Retry storms and metastable failure: overload that outlives its cause.

Think of a coffee shop whose espresso machine slows down for five minutes.
The queue grows; customers at the back give up after a minute and rejoin the
end of the line; the barista, working front to back, keeps making drinks for
people who have already left. When the machine recovers, the line is still
full of people who will leave before being served, and they keep rejoining.
The shop is busy all day and serves no one. Bronson et al. [1]_ call this a
*metastable failure*: a *trigger* (here a capacity drop) pushes a system
that was *vulnerable* (busy but fine) into a bad state that a *sustaining
effect* (retries plus timeouts plus a FIFO queue of stale work) keeps alive
after the trigger is gone.

The model is open: new requests arrive as a Poisson stream whatever the
system's state. One server works through a bounded queue; a full queue
rejects at once. A client waits ``timeout_s`` for each attempt, then retries
(up to ``max_attempts`` attempts, after an optional backoff, if its retry
budget allows). The server cannot see that a client has given up, so it
spends its capacity on stale requests unless told to drop them.

What breaks the loop (:func:`run_metastable_failure`):

* a retry budget (token bucket, :class:`labsupport.availability.retries.RetryBudget`),
  which caps the retry amplification when most calls fail [2]_;
* LIFO service, which serves the freshest request first, the one whose
  client is still waiting [3]_;
* dropping requests already older than the client's timeout [3]_.

Backoff alone does *not* break it here: in an open system each request still
makes up to ``max_attempts`` attempts, only later, so the offered load in
the failed state stays near ``max_attempts`` times the arrival rate.

Why a queue and not messages: the sustaining effect is a server queue full of
requests whose clients have given up, and a single-server queue with client
timeouts captures it exactly; network delays of milliseconds against a
one-second timeout would not change it, so the clients' attempts are queue
entries rather than kernel messages (:mod:`labsupport.sim`, which
:mod:`labsupport.availability.retries` uses for the contention experiment, where
the messages are the point).

References
----------
.. [1] N. Bronson, A. Aghayev, A. Charapko, T. Zhu, "Metastable Failures in
   Distributed Systems", HotOS 2021. https://doi.org/10.1145/3458336.3465286
.. [2] M. Brooker, "Timeouts, retries, and backoff with jitter", Amazon
   Builders' Library. https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/
.. [3] D. Yanacek, "Avoiding insurmountable queue backlogs", Amazon Builders'
   Library. https://aws.amazon.com/builders-library/avoiding-insurmountable-queue-backlogs/
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import simpy

from labsupport.seeds import Seed, derive_rng, root_seed
from labsupport.checks import check_choice, check_int, check_number
from labsupport.availability.retries import BACKOFF_STRATEGIES, RetryBudget, _delays, _next_delay_s

__all__ = ["StormResult", "run_retry_storm", "METASTABLE_FIXES", "run_metastable_failure",
           "backlog_recovery_s", "retry_storm_sustains"]

DISCIPLINES = ("fifo", "lifo")


@dataclass(frozen=True)
class StormResult:
    """What a retry-storm run measured.

    Timeline (one entry per ``bin_s``): ``offered_per_s`` attempts reaching the
    server (new and retried, accepted or rejected), ``goodput_per_s`` responses
    that reached a client still waiting, ``throughput_per_s`` requests the server
    completed (useful or not), ``queue_length`` at the bin's end and
    ``capacity_per_s`` the server's service rate.

    ``amplification`` is attempts per new request. ``recovered`` says whether
    goodput in the last third of the post-trigger period is at least 90 % of
    ``min(arrival rate, capacity)``; ``recovery_s`` is how long after the
    trigger ended goodput (averaged over windows of at least ``timeout_s``) rose
    above half that rate for good (None if never), at the resolution of ``bin_s``.
    """

    label: str
    time_s: tuple[float, ...]
    offered_per_s: tuple[float, ...]
    goodput_per_s: tuple[float, ...]
    throughput_per_s: tuple[float, ...]
    queue_length: tuple[int, ...]
    capacity_per_s: tuple[float, ...]
    new_requests: int
    attempts: int
    successes: int
    retries_refused: int
    amplification: float
    goodput_before_per_s: float
    goodput_after_per_s: float
    recovered: bool
    recovery_s: float | None

    @property
    def metastable(self) -> bool:
        """True if the system stayed failed after its trigger was removed."""
        return not self.recovered


class _Request:
    __slots__ = ("sent_s", "done_s")

    def __init__(self, sent_s: float) -> None:
        self.sent_s, self.done_s = sent_s, None


def backlog_recovery_s(backlog: float, arrival_rate_per_s: float, capacity_per_s: float,
                       *, timeout_s: float) -> float:
    """Fluid estimate: how long after capacity returns until a FIFO server answers in time again.

    With ``backlog`` requests queued, no retries, arrivals ``lambda`` and
    capacity ``mu``, a new request is answered in time once the queue is
    shorter than ``mu * timeout_s``; the queue shrinks at ``mu - lambda``,
    and the first timely answer comes one queueing delay later. Infinite if
    ``lambda >= mu`` (the backlog never drains).

    Examples
    --------
    >>> round(backlog_recovery_s(200, 70, 100, timeout_s=1.0), 2)   # (200-100)/30 + 1
    4.33
    >>> backlog_recovery_s(10, 70, 100, timeout_s=1.0)               # already short: one wait of 0.1 s
    0.1
    """
    for name, value in (("arrival_rate_per_s", arrival_rate_per_s), ("capacity_per_s", capacity_per_s),
                        ("timeout_s", timeout_s)):
        check_number(name, value, low=0, low_open=True)
    check_number("backlog", backlog, low=0)
    if arrival_rate_per_s >= capacity_per_s:
        return math.inf
    waiting_s = max(0.0, (backlog - capacity_per_s * timeout_s) / (capacity_per_s - arrival_rate_per_s))
    left = backlog - (capacity_per_s - arrival_rate_per_s) * waiting_s
    return waiting_s + left / capacity_per_s


def retry_storm_sustains(arrival_rate_per_s: float, capacity_per_s: float, max_attempts: int) -> bool:
    """Fluid test for the sustaining effect: can retries alone keep the server saturated?

    Once every attempt fails, each request makes ``max_attempts`` attempts,
    so the offered load is ``max_attempts * lambda``; if that reaches the
    capacity, the queue stays full of stale work and the failure persists.
    The system is then *vulnerable*: healthy until a trigger fills the queue.

    Examples
    --------
    >>> retry_storm_sustains(70, 100, 3), retry_storm_sustains(30, 100, 3)
    (True, False)
    """
    check_number("arrival_rate_per_s", arrival_rate_per_s, low=0, low_open=True)
    check_number("capacity_per_s", capacity_per_s, low=0, low_open=True)
    check_int("max_attempts", max_attempts, low=1)
    return max_attempts * arrival_rate_per_s >= capacity_per_s


def run_retry_storm(*, arrival_rate_per_s: float = 70.0, capacity_per_s: float = 100.0,
                    queue_limit: int = 200, discipline: str = "fifo", drop_expired: bool = False,
                    timeout_s: float = 1.0, max_attempts: int = 3, backoff: str = "none",
                    base_delay_s: float = 0.05, cap_delay_s: float = 2.0, budget_tokens: int | None = None,
                    trigger_start_s: float = 10.0, trigger_end_s: float = 15.0,
                    trigger_capacity_factor: float = 0.2, duration_s: float = 60.0, bin_s: float = 1.0,
                    label: str = "", seed: Seed = None) -> StormResult:
    """Simulate clients with timeouts and retries against a server whose capacity dips.

    Between ``trigger_start_s`` and ``trigger_end_s`` the server runs at
    ``trigger_capacity_factor`` of ``capacity_per_s``. Service times are
    exponential. ``budget_tokens`` (None: unlimited retries) sizes one
    :class:`~labsupport.availability.retries.RetryBudget` shared by all clients, with the
    AWS SDK standard costs.

    Examples
    --------
    >>> calm = run_retry_storm(trigger_capacity_factor=1.0, duration_s=20, seed=1)
    >>> calm.recovered, round(calm.amplification, 2)
    (True, 1.0)
    """
    for name, value in (("arrival_rate_per_s", arrival_rate_per_s), ("capacity_per_s", capacity_per_s),
                        ("timeout_s", timeout_s), ("duration_s", duration_s), ("bin_s", bin_s),
                        ("trigger_capacity_factor", trigger_capacity_factor)):
        check_number(name, value, low=0, low_open=True)
    check_int("queue_limit", queue_limit, low=1)
    check_int("max_attempts", max_attempts, low=1)
    check_choice("discipline", discipline, DISCIPLINES)
    check_choice("backoff", backoff, BACKOFF_STRATEGIES)
    _delays(base_delay_s, cap_delay_s)  # checked even when unused (backoff="none"): a typo is still a typo
    check_number("trigger_start_s", trigger_start_s, low=0)
    check_number("trigger_end_s", trigger_end_s, low=0)
    if not 0 <= trigger_start_s <= trigger_end_s < duration_s:
        raise ValueError(f"need 0 <= trigger_start_s <= trigger_end_s < duration_s, got "
                         f"{trigger_start_s}, {trigger_end_s}, {duration_s}")
    budget = None if budget_tokens is None else RetryBudget(capacity=budget_tokens)
    base = root_seed(seed)
    arrival_rng, service_rng, backoff_rng = (derive_rng(base, p) for p in ("arrivals", "service", "backoff"))

    bins = int(math.ceil(duration_s / bin_s))
    offered, good, served, qlen = [0] * bins, [0] * bins, [0] * bins, [0] * bins
    counts = {"new": 0, "attempts": 0, "ok": 0, "refused": 0}
    env, queue = simpy.Environment(), deque()
    wakeup = [env.event()]

    def rate_now() -> float:
        dipped = trigger_start_s <= env.now < trigger_end_s
        return capacity_per_s * (trigger_capacity_factor if dipped else 1.0)

    def slot(t: float) -> int:
        return min(int(t / bin_s), bins - 1)

    def server(env):
        while True:
            if not queue:
                yield wakeup[0]
                continue
            req = queue.popleft() if discipline == "fifo" else queue.pop()
            if drop_expired and env.now - req.sent_s > timeout_s:
                continue                        # the client has given up: skip it at no cost
            yield env.timeout(service_rng.expovariate(rate_now()))
            req.done_s = env.now
            served[slot(env.now)] += 1
            if env.now - req.sent_s <= timeout_s:
                good[slot(env.now)] += 1

    def submit() -> _Request | None:
        counts["attempts"] += 1
        offered[slot(env.now)] += 1
        if len(queue) >= queue_limit:
            return None                         # rejected at once
        req = _Request(env.now)
        queue.append(req)
        if not wakeup[0].triggered:
            wakeup[0].succeed()
            wakeup[0] = env.event()
        return req

    def client(env):
        attempt, previous, acquired = 1, base_delay_s, 0
        while True:
            req = submit()
            if req is not None:
                yield env.timeout(timeout_s)
                if req.done_s is not None and req.done_s - req.sent_s <= timeout_s:
                    counts["ok"] += 1
                    if budget is not None:
                        budget.release(acquired)
                    return
            if attempt >= max_attempts:
                return
            if budget is not None:
                acquired = budget.acquire(timeout=req is not None)
                if not acquired:
                    counts["refused"] += 1
                    return
            previous = _next_delay_s(backoff, attempt, previous, base_delay_s, cap_delay_s, backoff_rng)
            attempt += 1
            if previous > 0:
                yield env.timeout(previous)

    def arrivals(env):
        while True:
            yield env.timeout(arrival_rng.expovariate(arrival_rate_per_s))
            counts["new"] += 1
            env.process(client(env))

    def monitor(env):
        for i in range(bins - 1):
            yield env.timeout((i + 1) * bin_s - env.now)
            qlen[i] = len(queue)

    env.process(server(env))
    env.process(arrivals(env))
    env.process(monitor(env))
    env.run(until=duration_s)
    qlen[-1] = len(queue)

    time_s = tuple(i * bin_s for i in range(bins))
    widths = [min(bin_s, duration_s - t) for t in time_s]
    goodput = tuple(g / w for g, w in zip(good, widths))
    healthy = min(arrival_rate_per_s, capacity_per_s)
    before = [g for t, g, w in zip(time_s, goodput, widths) if t + w <= trigger_start_s and t >= timeout_s]
    tail_from = trigger_end_s + 2 * (duration_s - trigger_end_s) / 3
    after = [g for t, g in zip(time_s, goodput) if t >= tail_from]
    # Recovery: smooth goodput over windows at least one timeout long (so
    # Poisson noise cannot fake a dip), stamp each window at its centre, and
    # find the first centre after which the smoothed goodput stays >= half healthy.
    window = max(1, math.ceil(timeout_s / bin_s - 1e-9))
    recovery = None
    for i in reversed(range(window - 1, bins)):
        centre = time_s[i - window + 1] + window * bin_s / 2
        if centre < trigger_end_s or sum(goodput[i - window + 1:i + 1]) / window < healthy / 2:
            break
        recovery = centre
    goodput_after = sum(after) / len(after) if after else goodput[-1]
    return StormResult(
        label=label, time_s=time_s, offered_per_s=tuple(o / w for o, w in zip(offered, widths)),
        goodput_per_s=goodput, throughput_per_s=tuple(s / w for s, w in zip(served, widths)),
        queue_length=tuple(qlen),
        capacity_per_s=tuple(capacity_per_s * (trigger_capacity_factor if trigger_start_s <= t < trigger_end_s
                                               else 1.0) for t in time_s),
        new_requests=counts["new"], attempts=counts["attempts"], successes=counts["ok"],
        retries_refused=counts["refused"], amplification=counts["attempts"] / max(counts["new"], 1),
        goodput_before_per_s=sum(before) / len(before) if before else float("nan"),
        goodput_after_per_s=goodput_after, recovered=goodput_after >= 0.9 * healthy,
        recovery_s=None if recovery is None else max(0.0, recovery - trigger_end_s))


METASTABLE_FIXES = {
    "none": {},                                              # retries, no backoff, FIFO: the failure
    "no_retries": {"max_attempts": 1},                       # the trigger alone: recovers
    "backoff": {"backoff": "full_jitter", "base_delay_s": 0.1, "cap_delay_s": 2.0},
    "retry_budget": {"budget_tokens": 500},                  # AWS SDK standard retry quota
    "backoff_and_budget": {"backoff": "full_jitter", "base_delay_s": 0.1, "budget_tokens": 500},
    "lifo": {"discipline": "lifo"},
    "drop_expired": {"drop_expired": True},
}


def run_metastable_failure(fix: str = "none", *, seed: Seed = None, **overrides) -> StormResult:
    """The metastable scenario, with or without one of :data:`METASTABLE_FIXES`.

    Vulnerable state: 70 requests/s against 100/s of capacity, a 1 s client
    timeout, 3 attempts, a queue of 200 (2 s of work, twice the timeout). Trigger: capacity drops to 20 % for 5 s. Without a fix the
    queue stays full of requests whose clients have given up, goodput stays
    near zero and offered load stays near three times the arrival rate.
    ``overrides`` go to :func:`run_retry_storm`.

    Examples
    --------
    >>> broken = run_metastable_failure("none", seed=1)
    >>> broken.metastable, broken.goodput_after_per_s < 5
    (True, True)
    >>> run_metastable_failure("retry_budget", seed=1).recovered
    True
    """
    if fix not in METASTABLE_FIXES:
        raise ValueError(f"fix={fix!r} is unknown; choose one of {tuple(METASTABLE_FIXES)}")
    return run_retry_storm(**{**METASTABLE_FIXES[fix], "label": fix, "seed": seed, **overrides})
