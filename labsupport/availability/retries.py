"""Backoff, jitter and retry budgets: how clients that fail should try again.

Picture fifty people who all tried the same revolving door at once and
bounced off. If each waits exactly one second and tries again, they collide
again; if each waits a *random* part of a growing interval, they trickle
through. That is the whole idea of exponential backoff with jitter, and this
module gives the four schedules that Marc Brooker compared on the AWS
Architecture Blog, a simulation of his optimistic-concurrency experiment, and
the token bucket that AWS SDKs use to cap how many retries a client may make.

References
----------
.. [1] M. Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog,
   2015. https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
   (simulator: https://github.com/aws-samples/aws-arch-backoff-simulator)
.. [2] M. Brooker, "Timeouts, retries, and backoff with jitter", Amazon
   Builders' Library. https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/
.. [3] AWS SDKs and Tools Reference Guide, "Retry behavior" (standard mode,
   retry quota). https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from statistics import NormalDist

from labsupport.seeds import Seed, as_rng, derive_rng, root_seed
from labsupport.checks import check_choice, check_int, check_number, check_probability, out_of_range
from labsupport.sim import Latency, Node, Simulation

__all__ = [
    "BACKOFF_STRATEGIES",
    "exponential_delay_s",
    "full_jitter_delay_s",
    "equal_jitter_delay_s",
    "decorrelated_jitter_delay_s",
    "backoff_delays_s",
    "RetryBudget",
    "ContentionResult",
    "run_contention",
    "compare_backoff_strategies",
]

BACKOFF_STRATEGIES = ("none", "exponential", "equal_jitter", "full_jitter", "decorrelated_jitter")


def _delays(base_delay_s: float, cap_delay_s: float) -> None:
    base = check_number("base_delay_s", base_delay_s, low=0, low_open=True)
    if check_number("cap_delay_s", cap_delay_s, low=0, low_open=True) < base:
        raise out_of_range("cap_delay_s", cap_delay_s, "cap_delay_s >= base_delay_s",
                           why=f"is below base_delay_s={base_delay_s}")


def exponential_delay_s(attempt: int, base_delay_s: float, cap_delay_s: float) -> float:
    """Capped exponential backoff, no jitter: ``min(cap, base * 2**attempt)`` [1]_.

    Examples
    --------
    >>> [exponential_delay_s(a, 0.1, 1.0) for a in range(5)]
    [0.1, 0.2, 0.4, 0.8, 1.0]
    """
    check_int("attempt", attempt, low=0)  # 0 before the first retry
    _delays(base_delay_s, cap_delay_s)
    # 2.0**1000 is finite; base * that may overflow to inf, which min() caps.
    return min(cap_delay_s, base_delay_s * 2.0 ** min(attempt, 1000))


def full_jitter_delay_s(attempt: int, base_delay_s: float, cap_delay_s: float, *, seed: Seed = None) -> float:
    """"Full Jitter": uniform between 0 and the capped exponential delay [1]_.

    Examples
    --------
    >>> 0.0 <= full_jitter_delay_s(3, 0.1, 1.0, seed=1) <= 0.8
    True
    """
    return as_rng(seed).uniform(0.0, exponential_delay_s(attempt, base_delay_s, cap_delay_s))


def equal_jitter_delay_s(attempt: int, base_delay_s: float, cap_delay_s: float, *, seed: Seed = None) -> float:
    """"Equal Jitter": half the capped exponential delay, plus a uniform draw over the other half [1]_.

    Examples
    --------
    >>> 0.4 <= equal_jitter_delay_s(3, 0.1, 1.0, seed=1) <= 0.8
    True
    """
    temp = exponential_delay_s(attempt, base_delay_s, cap_delay_s)
    return temp / 2 + as_rng(seed).uniform(0.0, temp / 2)


def decorrelated_jitter_delay_s(previous_delay_s: float, base_delay_s: float, cap_delay_s: float, *,
                                seed: Seed = None) -> float:
    """"Decorrelated Jitter": ``min(cap, uniform(base, 3 * previous))`` [1]_.

    The first call takes ``previous_delay_s = base_delay_s``; each later call
    takes the delay the previous call returned.

    Examples
    --------
    >>> d = decorrelated_jitter_delay_s(0.1, 0.1, 1.0, seed=1)
    >>> 0.1 <= d <= 0.3
    True
    """
    _delays(base_delay_s, cap_delay_s)
    check_number("previous_delay_s", previous_delay_s, low=base_delay_s)
    return min(cap_delay_s, as_rng(seed).uniform(base_delay_s, 3 * previous_delay_s))


def _next_delay_s(strategy: str, attempt: int, previous_s: float, base_s: float, cap_s: float,
                  rng: random.Random) -> float:
    if strategy == "none":
        return 0.0
    if strategy == "exponential":
        return exponential_delay_s(attempt, base_s, cap_s)
    if strategy == "full_jitter":
        return full_jitter_delay_s(attempt, base_s, cap_s, seed=rng)
    if strategy == "equal_jitter":
        return equal_jitter_delay_s(attempt, base_s, cap_s, seed=rng)
    return decorrelated_jitter_delay_s(previous_s, base_s, cap_s, seed=rng)


def backoff_delays_s(strategy: str, retries: int, base_delay_s: float, *, cap_delay_s: float,
                     seed: Seed = None) -> tuple[float, ...]:
    """The sleeps one client takes before retries 1, 2, ..., ``retries``.

    Retry ``n`` uses ``attempt = n`` in the formulas, as in the blog's
    simulator (the first retry already waits ``2 * base``).

    Examples
    --------
    >>> backoff_delays_s("exponential", 4, 0.1, cap_delay_s=1.0, seed=0)
    (0.2, 0.4, 0.8, 1.0)
    >>> backoff_delays_s("none", 2, 0.1, cap_delay_s=1.0, seed=0)
    (0.0, 0.0)
    >>> len(backoff_delays_s("decorrelated_jitter", 3, 0.1, cap_delay_s=1.0, seed=7))
    3
    """
    check_choice("strategy", strategy, BACKOFF_STRATEGIES)
    _delays(base_delay_s, cap_delay_s)
    check_int("retries", retries, low=0)
    rng, previous, out = as_rng(seed), base_delay_s, []
    for n in range(1, retries + 1):
        previous = _next_delay_s(strategy, n, previous, base_delay_s, cap_delay_s, rng)
        out.append(previous)
    return tuple(out)


class RetryBudget:
    """A retry quota: a token bucket that a client spends on retries and refills on success.

    Brooker [2]_ describes the idea (retry only while the local bucket has
    tokens, so a failing dependency is not hit with a multiple of its normal
    load); the AWS SDKs' *standard* retry mode [3]_ implements it with these
    defaults: 500 tokens, a retry costs 5 (10 after a timeout), a success that
    needed no retry returns 1, and a success after a retry returns what that
    retry cost (constants as in the SDK sources, e.g. ``RetryQuota`` in
    aws-sdk-ruby and ``constants.ts`` in aws-sdk-js-v3).

    In a long outage the bucket empties after ``capacity / cost`` retries
    (50 to 100), after which the client makes single attempts only.

    Examples
    --------
    >>> b = RetryBudget(capacity=12)
    >>> b.acquire(), b.acquire(timeout=True), b.tokens
    (5, 0, 7)
    >>> b.release(5); b.release(0); b.tokens
    12
    """

    def __init__(self, capacity: int = 500, *, retry_cost: int = 5, timeout_retry_cost: int = 10,
                 success_refund: int = 1) -> None:
        for name, value, low in (("capacity", capacity, 1), ("retry_cost", retry_cost, 1),
                                 ("timeout_retry_cost", timeout_retry_cost, 1),
                                 ("success_refund", success_refund, 0)):
            check_int(name, value, low=low)
        self.capacity, self.retry_cost = capacity, retry_cost
        self.timeout_retry_cost, self.success_refund = timeout_retry_cost, success_refund
        self.tokens = capacity

    def acquire(self, *, timeout: bool = False) -> int:
        """Take the cost of one retry; return it, or 0 (retry refused) if the bucket is short."""
        cost = self.timeout_retry_cost if timeout else self.retry_cost
        if self.tokens < cost:
            return 0
        self.tokens -= cost
        return cost

    def release(self, acquired: int) -> None:
        """Record a success: refund ``acquired`` (the last retry's cost), or ``success_refund`` if 0."""
        check_int("acquired", acquired, low=0)  # what acquire() returned
        self.tokens = min(self.capacity, self.tokens + (acquired or self.success_refund))


@dataclass(frozen=True)
class ContentionResult:
    """One run of the optimistic-concurrency contention experiment.

    ``calls`` counts write attempts (as the blog does); ``completion_s`` is when
    the last client heard of its successful write. The timeline has one entry
    per bin: write calls per second (``offered_per_s``), successful writes per
    second (``goodput_per_s``) and clients still trying at the bin's end
    (``queue_length``).
    """

    strategy: str
    clients: int
    calls: int
    completion_s: float
    call_times_s: tuple[float, ...]
    time_s: tuple[float, ...]
    offered_per_s: tuple[float, ...]
    goodput_per_s: tuple[float, ...]
    queue_length: tuple[int, ...]


@dataclass(frozen=True)
class _FoldedNormal(Latency):
    """A network hop of ``|Normal(mean_s, sd_s)|`` seconds, as in the blog's simulator."""

    mean_s: float
    sd_s: float

    def sample(self, rng):
        return abs(rng.normalvariate(self.mean_s, self.sd_s))

    @property
    def mean(self):
        if self.sd_s == 0:
            return abs(self.mean_s)
        z = self.mean_s / self.sd_s
        return self.sd_s * math.sqrt(2 / math.pi) * math.exp(-z * z / 2) + self.mean_s * (1 - 2 * NormalDist().cdf(-z))

    def quantile(self, p):
        check_probability("p", p, open_high=True)  # a quantile
        normal = NormalDist(self.mean_s, self.sd_s or 1e-300)
        low, high = 0.0, abs(self.mean_s) + 40 * self.sd_s
        for _ in range(100):  # bisection on the folded CDF, F(x) = Phi(x) - Phi(-x)
            mid = (low + high) / 2
            low, high = (mid, high) if normal.cdf(mid) - normal.cdf(-mid) < p else (low, mid)
        return (low + high) / 2


class _Row(Node):
    """The database row: ``read`` answers its version; ``write`` (payload: the version read) wins if it is still current."""

    def __init__(self, name):
        super().__init__(name)
        self.version = 0
        self.calls: list[float] = []
        self.wins: list[float] = []

    def on_read(self, msg):
        self.reply(msg, "version", self.version)

    def on_write(self, msg):
        self.calls.append(self.now)
        if msg.payload == self.version:  # nobody committed since this client read: the write wins
            self.version += 1
            self.wins.append(self.now)
            self.reply(msg, "ok")
        else:
            self.reply(msg, "conflict")


class _OccClient(Node):
    """Reads the row's version, writes conditioned on it, backs off and repeats until the write wins."""

    def __init__(self, name, *, strategy, base_s, cap_s, backoff_rng):
        super().__init__(name)
        self.strategy, self.base_s, self.cap_s, self.backoff_rng = strategy, base_s, cap_s, backoff_rng
        self.done_s: float | None = None

    def start(self):
        attempt, previous = 0, self.base_s
        while True:
            read = yield self.request("row", "read")
            written = yield self.request("row", "write", read.payload)
            if written.kind == "ok":
                self.done_s = self.now
                return
            attempt += 1
            previous = _next_delay_s(self.strategy, attempt, previous, self.base_s, self.cap_s, self.backoff_rng)
            yield self.sleep(previous)


def run_contention(strategy: str, clients: int = 50, *, base_delay_s: float = 0.005,
                   cap_delay_s: float = 2.0, net_mean_s: float = 0.010, net_sd_s: float = 0.002,
                   bin_s: float = 0.05, seed: Seed = None) -> ContentionResult:
    """Brooker's experiment [1]_: ``clients`` writers race to update one row under OCC.

    Every client starts at time 0, reads the row's version and writes back
    conditioned on it; the write wins only if no other write committed between
    this client's read and its write (its attempt window overlapped no winner).
    Losers back off by ``strategy`` and start over. The clients and the row
    are nodes of the simulation kernel, and every read, write and answer is a
    message; each hop takes ``|Normal(net_mean_s, net_sd_s)|``. Defaults match
    the blog's simulator: base 5 ms, cap 2 s, delay 10 ms mean, 2 ms standard
    deviation.

    Examples
    --------
    >>> r = run_contention("full_jitter", clients=10, seed=1)
    >>> r.calls >= 10, r.completion_s > 0, r.queue_length[-1]
    (True, True, 0)
    >>> run_contention("full_jitter", clients=10, seed=1) == r
    True
    """
    check_choice("strategy", strategy, BACKOFF_STRATEGIES)
    _delays(base_delay_s, cap_delay_s)
    check_int("clients", clients, low=1)
    check_number("net_mean_s", net_mean_s, low=0, low_open=True)
    check_number("net_sd_s", net_sd_s, low=0)
    check_number("bin_s", bin_s, low=0, low_open=True)
    sim = Simulation(seed=root_seed(seed), latency=_FoldedNormal(net_mean_s, net_sd_s))
    row, backoff_rng = sim.add(_Row("row")), sim.rng("backoff")  # one stream for all clients' waits
    writers = [sim.add(_OccClient(f"client{i}", strategy=strategy, base_s=base_delay_s, cap_s=cap_delay_s,
                                  backoff_rng=backoff_rng)) for i in range(clients)]
    sim.run()
    stats = {"calls": row.calls, "wins": row.wins, "done": [w.done_s for w in writers]}
    completion = max(stats["done"])
    bins = int(math.ceil(completion / bin_s)) or 1
    offered, good, waiting = [0] * bins, [0] * bins, []
    for t in stats["calls"]:
        offered[min(int(t / bin_s), bins - 1)] += 1
    for t in stats["wins"]:
        good[min(int(t / bin_s), bins - 1)] += 1
    done = sorted(stats["done"])
    for i in range(bins):
        end = (i + 1) * bin_s
        waiting.append(clients - sum(1 for t in done if t <= end))
    return ContentionResult(
        strategy=strategy, clients=clients, calls=len(stats["calls"]), completion_s=completion,
        call_times_s=tuple(stats["calls"]), time_s=tuple(i * bin_s for i in range(bins)),
        offered_per_s=tuple(c / bin_s for c in offered), goodput_per_s=tuple(g / bin_s for g in good),
        queue_length=tuple(waiting))


def compare_backoff_strategies(clients: int = 50, repeats: int = 10, *, seed: Seed = None,
                               **kwargs) -> dict[str, tuple[float, float]]:
    """Mean ``(calls, completion_s)`` per strategy over ``repeats`` seeded runs.

    The blog's qualitative result [1]_: no-jitter exponential backoff does the
    most work of the backoff schedules and takes longest; jitter cuts both;
    Full Jitter and Decorrelated Jitter do the least work. Extra keyword
    arguments go to :func:`run_contention`.

    Examples
    --------
    >>> table = compare_backoff_strategies(clients=20, repeats=3, seed=1)
    >>> table["full_jitter"][0] < table["exponential"][0]
    True
    """
    check_int("repeats", repeats, low=1)
    base = root_seed(seed)
    table = {}
    for strategy in BACKOFF_STRATEGIES:
        runs = [run_contention(strategy, clients, seed=derive_rng(base, f"run{i}").getrandbits(63), **kwargs)
                for i in range(repeats)]
        table[strategy] = (sum(r.calls for r in runs) / repeats, sum(r.completion_s for r in runs) / repeats)
    return table
