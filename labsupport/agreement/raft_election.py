"""How long a Raft cluster takes to elect its first leader, measured and estimated.

When a meeting starts without a chair, whoever speaks first usually gets
the floor; if two people start at the same instant, both stop, and the
meeting waits for someone to speak up again. Raft's randomized election
timeouts make a tie unlikely: each node waits a time drawn uniformly from
``[T, T + W]``, and the first to time out asks the others for their votes.

The estimate (assumptions: every node starts at time 0 with a fresh timer;
constant one-way latency ``d``; no loss; a node that times out before the
first candidate's request reaches it stands too):

* the first timeout is the minimum of ``n`` uniforms: ``E[X1] = T + W/(n+1)``;
* its request reaches every other node at ``X1 + d`` and the votes come back
  at ``X1 + 2d``; the nodes that are not candidates all vote for the first
  (their requests all take ``d``), so the first candidate loses only if so
  many others time out within ``d`` after it that fewer than a majority are
  left to vote for it: with ``k`` others in the window it wins iff
  ``n - k >= m`` (``m = n // 2 + 1``);
* given ``X1 = x``, each of the ``n - 1`` others falls in the window with
  probability ``r(x) = min(1, d / (T + W - x))``, independently, so a round
  fails with probability ``q = E_x[P(Binomial(n - 1, r(x)) > n - m)]``,
  averaged over the density of ``X1`` (numerically);
* a failed round costs about another first timeout plus ``d``, so
  ``E[election] = E[X1] + 2d + q / (1 - q) * (T + W/(n+1) + d)``.

With ``W = 0`` every node times out at once, every node votes for itself,
and (with constant latency) the tie repeats forever: ``q = 1``.

Examples
--------
>>> round(estimate_election_s(5, (0.15, 0.3), latency_s=0.005), 4)
0.1851
>>> times = measure_election(5, (0.15, 0.3), latency_s=0.005, n_runs=20, seed=1)
>>> round(sum(times) / len(times), 3)
0.188
"""

from __future__ import annotations

import math

from labsupport.agreement.raft import RaftNode
from labsupport.checks import check_int, check_number
from labsupport.seeds import Seed, derive_rng
from labsupport.sim import Simulation

__all__ = ["estimate_election_s", "round_failure_probability", "measure_election"]


def _check_timeout(timeout_s) -> tuple[float, float]:
    low, high = timeout_s
    check_number("timeout_s[0]", low, low=0, low_open=True)
    check_number("timeout_s[1]", high, low=low)
    return float(low), float(high)


def round_failure_probability(n_nodes: int, timeout_s, *, latency_s: float) -> float:
    """The chance ``q`` that the first candidate of a round does not win it (see the module docstring).

    Examples
    --------
    >>> round_failure_probability(5, (0.15, 0.15), latency_s=0.005)
    1.0
    >>> round(round_failure_probability(3, (0.15, 0.16), latency_s=0.005), 3)
    0.5
    """
    n = check_int("n_nodes", n_nodes, low=1)
    low, high = _check_timeout(timeout_s)
    d = check_number("latency_s", latency_s, low=0)
    width, majority = high - low, n // 2 + 1
    if n == 1:
        return 0.0
    if width == 0:  # every node times out at once: all stand, each votes for itself
        return 1.0
    steps, total = 400, 0.0
    for i in range(steps):  # midpoint rule over u = (X1 - T) / W, whose density is n (1 - u)^(n-1)
        u = (i + 0.5) / steps
        r = min(1.0, d / (width * (1 - u)))
        lose = sum(math.comb(n - 1, k) * r ** k * (1 - r) ** (n - 1 - k) for k in range(n - majority + 1, n))
        total += n * (1 - u) ** (n - 1) * lose / steps
    return min(1.0, total)


def estimate_election_s(n_nodes: int, timeout_s, *, latency_s: float) -> float:
    """The expected time to the first leader, ``E[X1] + 2d + q / (1 - q) * (E[X1] + d)`` (inf if ``q = 1``).

    Examples
    --------
    >>> estimate_election_s(5, (0.15, 0.15), latency_s=0.005)
    inf
    """
    n = check_int("n_nodes", n_nodes, low=1)
    low, high = _check_timeout(timeout_s)
    d = check_number("latency_s", latency_s, low=0)
    first = low + (high - low) / (n + 1)
    q = round_failure_probability(n, timeout_s, latency_s=d)
    if q >= 1.0:
        return math.inf
    return first + 2 * d + q / (1 - q) * (first + d)


def _first_leader_s(n_nodes: int, timeout_s, latency_s: float, limit_s: float, seed: int) -> float | None:
    sim = Simulation(seed=seed, latency=latency_s)
    names = tuple(f"n{i}" for i in range(1, n_nodes + 1))
    for name in names:
        sim.add(RaftNode(name, names, election_timeout_s=timeout_s, heartbeat_s=timeout_s[0] / 3, noop=False))
    step = timeout_s[0] / 2
    while sim.now < limit_s:
        sim.run(until=min(limit_s, sim.now + step))
        won = [e.time for e in sim.trace if e.event == "note" and e.detail.startswith("raft leader")]
        if won:
            return won[0]
    return None


def measure_election(n_nodes: int, timeout_s, *, latency_s: float, n_runs: int = 100, limit_s: float = 10.0,
                     seed: Seed = None) -> list[float]:
    """Times to the first leader over ``n_runs`` seeded runs (constant latency, no faults).

    A run with no leader by ``limit_s`` counts as ``inf`` (a livelock: every round split).
    """
    n = check_int("n_nodes", n_nodes, low=1)
    timeout_s = _check_timeout(timeout_s)
    check_number("latency_s", latency_s, low=0)
    check_int("n_runs", n_runs, low=1)
    check_number("limit_s", limit_s, low=0, low_open=True)
    rng = derive_rng(seed, "raft-election runs")
    times = []
    for _ in range(n_runs):
        first = _first_leader_s(n, timeout_s, latency_s, limit_s, rng.getrandbits(32))
        times.append(math.inf if first is None else first)
    return times
