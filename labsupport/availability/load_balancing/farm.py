"""A server farm behind a load balancer, simulated with simpy.

Requests arrive as a Poisson stream at one load balancer, which hands each
to a server chosen by a policy (:mod:`.policies`); every server is a FIFO
queue drained by one or more workers. It is the picture behind an
Application Load Balancer in front of an Auto Scaling group, reduced to the
part that decides response times: who waits behind whom.

Common random numbers: the arrival times and each request's amount of work
are drawn from their own seeded streams before the run, so two policies run
with the same seed face exactly the same workload and their difference is
the policy's alone.

Why queues and not messages: response time behind a load balancer is decided by
who waits behind whom in the servers' queues, and the theory it is checked
against (M/M/1, M/M/c, power of two choices) is queueing theory; the network hop
to a server is the same for every policy, so it is left out rather than
simulated as kernel messages (:mod:`labsupport.sim`).
"""

from __future__ import annotations

import copy
import math
import operator
import random
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import simpy

from labsupport.seeds import Seed, as_rng, derive_rng, root_seed
from labsupport.checks import check_int, check_method, check_number, out_of_range
from labsupport.foundations.queueing import UnstableQueueError

from labsupport.availability.load_balancing.policies import BalancerState, make_policy

__all__ = ["FarmResult", "run_farm"]


@dataclass(frozen=True)
class FarmResult:
    """What one :func:`run_farm` measured, after the warm-up requests were discarded.

    Response times are in seconds; ``utilisation[i]`` is the fraction of server
    ``i``'s worker-time spent serving between the first and the last measured
    arrival; ``request_counts[i]`` counts the measured requests it served.
    """

    policy: str
    n_servers: int
    workers_per_server: int
    arrival_rate_per_s: float
    service_rate_per_s: float
    load: float
    n_measured: int
    mean_s: float
    p50_s: float
    p99_s: float
    p999_s: float
    utilisation: tuple[float, ...]
    request_counts: tuple[int, ...]
    response_times_s: tuple[float, ...] = field(repr=False)


class _Server:
    __slots__ = ("index", "speed", "queue", "idle")

    def __init__(self, index: int, speed: float):
        self.index, self.speed = index, speed
        self.queue: deque = deque()   # (request index, arrival time, work)
        self.idle: list = []          # one event per idle worker


class _Book:
    """Per-request records the processes fill in."""

    __slots__ = ("outstanding", "response", "served_by", "busy_s", "window")

    def __init__(self, n_requests: int, n_servers: int, window: tuple[float, float]):
        self.outstanding = [0] * n_servers
        self.response = [math.nan] * n_requests
        self.served_by = [-1] * n_requests
        self.busy_s = [0.0] * n_servers
        self.window = window


def _arrival_process(env, gaps_s, works, servers, policy, state, rng, book, keys=None):
    """Release request ``i`` after gap ``gaps_s[i]`` and dispatch it with ``policy.choose``."""
    n = len(servers)
    targets = tuple(range(n))   # immutable: a policy cannot reorder it for the next call
    choose, outstanding, timeout = policy.choose, book.outstanding, env.timeout
    for index, gap in enumerate(gaps_s):
        yield timeout(gap)
        if keys is not None:
            state.key = keys[index]
        target = choose(targets, state, rng)
        if target.__class__ is not int or not 0 <= target < n:
            target = _check_target(target, n)
        server = servers[target]
        outstanding[target] += 1
        server.queue.append((index, env.now, works[index]))
        if server.idle:
            server.idle.pop().succeed()


def _check_target(target, n: int) -> int:
    try:
        index = operator.index(target)     # accepts numpy integers too
    except TypeError:
        index = -1
    if not 0 <= index < n:
        raise out_of_range("policy.choose(...)", target, f"one of the targets it was given (server indices 0..{n - 1})",
                           why="is not a target")
    return index


def _worker_process(env, server, book):
    """Serve ``server``'s queue first-in first-out; sleep while it is empty."""
    queue, timeout = server.queue, env.timeout
    response, served_by, outstanding = book.response, book.served_by, book.outstanding
    t0, t1 = book.window
    while True:
        while queue:
            index, arrived, work = queue.popleft()
            start = env.now
            yield timeout(work / server.speed)
            end = env.now
            response[index] = end - arrived
            served_by[index] = server.index
            outstanding[server.index] -= 1
            overlap = min(end, t1) - max(start, t0)
            if overlap > 0:
                book.busy_s[server.index] += overlap
        wake = env.event()
        server.idle.append(wake)
        yield wake


def _as_policy(policy, n_servers: int):
    if isinstance(policy, str):
        policy = make_policy(policy)
    else:
        policy = copy.deepcopy(check_method("policy", policy, "choose", "targets, state, rng"))   # same seed, same result, however often it is reused
    d = getattr(policy, "d", None)
    if type(d) is int and not 1 <= d <= n_servers:
        raise out_of_range("d", d, "1 <= d <= n_servers", why=f"choices but n_servers={n_servers}")
    return policy


def _works(service, rate: float, n: int, rng: random.Random) -> list[float]:
    if service == "exponential":
        return [rng.expovariate(rate) for _ in range(n)]
    if service == "deterministic":
        return [1.0 / rate] * n
    if callable(service):
        works = [float(service(rng)) for _ in range(n)]
        if not all(w > 0 and math.isfinite(w) for w in works):
            raise ValueError("service_time(rng) must return finite service times > 0 seconds")
        return works
    raise ValueError(f"service_time={service!r} must be 'exponential', 'deterministic' or a "
                     "function rng -> seconds")


def run_farm(policy, n_servers: int, arrival_rate_per_s: float, *, service_rate_per_s: float,
             n_requests: int, seed: Seed = None, workers_per_server: int = 1,
             speeds: Sequence[float] | None = None,
             service_time: str | Callable[[random.Random], float] = "exponential",
             warmup_fraction: float = 0.1, n_clients: int | None = None,
             allow_overload: bool = False) -> FarmResult:
    """Simulate ``n_requests`` Poisson arrivals balanced over ``n_servers`` FIFO servers.

    Parameters
    ----------
    policy : str or policy object
        A name from :data:`~.policies.POLICY_NAMES` or any object with
        ``choose(targets, state, rng)``; targets are the server indices. An object is
        copied first, so reusing it never changes another run's result.
    n_servers : int
        Number of servers (targets), >= 1.
    arrival_rate_per_s, service_rate_per_s : float
        Total arrival rate, and the service rate of one worker at speed 1.
    n_requests : int
        Requests to simulate, including the first ``warmup_fraction`` that are
        discarded (the farm starts empty, which flatters response times).
    seed : int, random.Random or None
        Same seed, same result.
    workers_per_server : int
        Workers draining each server's queue (``n_servers=1, workers_per_server=c``
        is one shared queue: M/M/c).
    speeds : sequence of float, optional
        Relative speed of each server (default all 1): work ``w`` takes ``w / speed``.
    service_time : 'exponential', 'deterministic' or callable
        Service-time law at speed 1; a callable ``rng -> seconds`` should have mean
        ``1 / service_rate_per_s``, which is what ``load`` assumes.
    n_clients : int, optional
        If given, each request carries ``state.key``, a client id drawn uniformly
        from ``range(n_clients)`` (for affinity policies).
    allow_overload : bool
        Run even at load >= 1 (queues then grow for the whole run; no steady state).

    Notes
    -----
    About three simpy events per request; 50,000 requests take well under two
    seconds for O(1) policies.

    Examples
    --------
    >>> r = run_farm("round_robin", 4, arrival_rate_per_s=2.0, service_rate_per_s=1.0,
    ...              n_requests=2000, seed=1)
    >>> r.load, r.n_measured, sum(r.request_counts)
    (0.5, 1800, 1800)
    >>> same = dict(service_rate_per_s=1.0, n_requests=2000, seed=1)
    >>> run_farm("random", 4, 2.0, **same) == run_farm("random", 4, 2.0, **same)
    True
    """
    n_servers = check_int("n_servers", n_servers, low=1)
    lam = check_number("arrival_rate_per_s", arrival_rate_per_s, low=0, low_open=True)
    mu = check_number("service_rate_per_s", service_rate_per_s, low=0, low_open=True)
    n_requests = check_int("n_requests", n_requests, low=2)
    workers = check_int("workers_per_server", workers_per_server, low=1)
    speeds = [1.0] * n_servers if speeds is None else list(speeds)
    if len(speeds) != n_servers:
        raise ValueError(f"speeds has {len(speeds)} entries; give one per server ({n_servers})")
    speeds = [check_number(f"speeds[{i}]", s, low=0, low_open=True) for i, s in enumerate(speeds)]
    check_number("warmup_fraction", warmup_fraction, low=0, high=1, high_open=True)
    load = lam / (mu * workers * sum(speeds))
    if load >= 1 and not allow_overload:
        raise UnstableQueueError(load, f"arrival_rate_per_s={lam:g} vs capacity "
                                       f"{mu * workers * sum(speeds):g} per s")
    policy = _as_policy(policy, n_servers)

    base = root_seed(seed)
    arrival_rng = derive_rng(base, "arrivals")
    gaps = [arrival_rng.expovariate(lam) for _ in range(n_requests)]
    works = _works(service_time, mu, n_requests, derive_rng(base, "service"))
    keys = None
    if n_clients is not None:
        n_clients = check_int("n_clients", n_clients, low=1)
        key_rng = derive_rng(base, "clients")
        keys = [int(key_rng.random() * n_clients) for _ in range(n_requests)]
    warm = int(warmup_fraction * n_requests)
    if warm >= n_requests:
        raise ValueError("warmup_fraction leaves no request to measure; lower it")
    arrivals = np.cumsum(gaps)
    book = _Book(n_requests, n_servers, (float(arrivals[warm]), float(arrivals[-1])))

    env = simpy.Environment()
    servers = [_Server(i, s) for i, s in enumerate(speeds)]
    for server in servers:
        for _ in range(workers):
            env.process(_worker_process(env, server, book))
    state = BalancerState(book.outstanding)
    env.process(_arrival_process(env, gaps, works, servers, policy, state,
                                derive_rng(base, "policy"), book, keys))
    env.run()

    measured = np.asarray(book.response[warm:])
    p50, p99, p999 = np.percentile(measured, [50, 99, 99.9])
    span = max(book.window[1] - book.window[0], 1e-300)
    counts = np.bincount(np.asarray(book.served_by[warm:]), minlength=n_servers)
    return FarmResult(
        policy=getattr(policy, "name", type(policy).__name__), n_servers=n_servers,
        workers_per_server=workers, arrival_rate_per_s=lam, service_rate_per_s=mu,
        load=load, n_measured=len(measured), mean_s=float(measured.mean()),
        p50_s=float(p50), p99_s=float(p99), p999_s=float(p999),
        utilisation=tuple(b / (workers * span) for b in book.busy_s),
        request_counts=tuple(int(c) for c in counts),
        response_times_s=tuple(measured.tolist()))
