"""Probabilistically bounded staleness: how likely a partial-quorum read is to miss the last write.

When R + W <= N a read quorum can miss the write quorum, yet most reads are
fresh anyway: by the time the read arrives the write has usually reached
more than W replicas. Bailis, Venkataraman, Franklin, Hellerstein and Stoica
("Probabilistically Bounded Staleness for Practical Partial Quorums", VLDB
2012) measure this two ways:

- **k-staleness**, with no latencies at all: quorums are random subsets, and
  the chance that a read quorum of R misses a write quorum of W is
  ``C(N-W, R) / C(N, R)``; missing each of the last k independent writes has
  probability that number to the power k;
- **t-visibility** under the **WARS** model: each replica's Write request,
  Ack, Read request and read reSponse take independent random delays; the
  write commits when W acks are back; a read sent ``t`` seconds later is
  fresh if one of the first R replicas to answer had the write by the time
  the read request reached it.

Where AWS does this: DynamoDB's eventually consistent reads may be served by
any replica of a partition (Elhemali et al., "Amazon DynamoDB", USENIX ATC
2022, section 6.1), the PBS situation with R = 1; a strongly consistent read
goes to the leader and costs twice the read capacity.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb
from typing import Sequence

import numpy as np

from labsupport.checks import check_int, check_number
from labsupport.data.quorum.config import check_quorum
from labsupport.seeds import Seed, as_numpy_rng

__all__ = ["p_stale", "simulate_random_quorums", "WarsResult", "simulate_wars", "expected_order_statistic"]


def p_stale(n: int, r: int, w: int, *, k: int = 1) -> float:
    """Probability that a random read quorum misses all of the last ``k`` random write quorums.

    Examples
    --------
    >>> p_stale(3, 1, 1), p_stale(3, 1, 2), p_stale(3, 2, 2), round(p_stale(3, 1, 1, k=2), 4)
    (0.6666666666666666, 0.3333333333333333, 0.0, 0.4444)
    """
    n, r, w = check_quorum(n, r, w)
    check_int("k", k, low=1)  # versions
    return (comb(n - w, r) / comb(n, r)) ** k


def simulate_random_quorums(n: int, r: int, w: int, *, trials: int, k: int = 1, seed: Seed = None) -> float:
    """Monte Carlo estimate of :func:`p_stale`: draw quorums as random subsets and count misses.

    Examples
    --------
    >>> round(simulate_random_quorums(3, 1, 1, trials=20_000, seed=1), 2)
    0.67
    """
    n, r, w = check_quorum(n, r, w)
    check_int("k", k, low=1)  # versions
    rng = as_numpy_rng(seed, "quorums:random")
    trials = check_int("trials", trials, low=1)
    reads = rng.random((trials, n)).argsort(axis=1)[:, :r]
    stale = np.ones(trials, dtype=bool)
    for _ in range(k):
        writes = rng.random((trials, n)).argsort(axis=1)[:, :w]
        hit = (reads[:, :, None] == writes[:, None, :]).any(axis=(1, 2))
        stale &= ~hit
    return float(stale.mean())


@dataclass(frozen=True)
class WarsResult:
    """t-visibility and latencies of one (N, R, W) under the WARS model."""

    n: int
    r: int
    w: int
    t_s: tuple[float, ...]
    p_consistent: tuple[float, ...]  # for each t in t_s
    read_latency_s: float  # mean: R-th fastest of N (read request + response)
    write_latency_s: float  # mean: W-th fastest of N (write request + ack)


def simulate_wars(n: int, r: int, w: int, *, t_s: Sequence[float], trials: int, write_mean_s: float,
                  ack_mean_s: float, read_mean_s: float, response_mean_s: float, seed: Seed = None) -> WarsResult:
    """Monte Carlo of the WARS model with exponential delays of the given means (0 means no delay).

    Examples
    --------
    >>> res = simulate_wars(3, 1, 1, t_s=[0.0, 0.01], trials=20_000, write_mean_s=0.005, ack_mean_s=0.001,
    ...                     read_mean_s=0.001, response_mean_s=0.001, seed=1)
    >>> [round(p, 2) for p in res.p_consistent]
    [0.49, 0.93]
    """
    n, r, w = check_quorum(n, r, w)
    rng, trials = as_numpy_rng(seed, "quorums:wars"), check_int("trials", trials, low=1)
    means = dict(write_mean_s=write_mean_s, ack_mean_s=ack_mean_s, read_mean_s=read_mean_s,
                 response_mean_s=response_mean_s)
    draws = {}
    for name, mean in means.items():
        check_number(name, mean, low=0)
        draws[name] = rng.exponential(mean, (trials, n)) if mean > 0 else np.zeros((trials, n))
    W, A, R, S = (draws[k] for k in means)
    commit = np.sort(W + A, axis=1)[:, w - 1]
    first_r = np.argsort(R + S, axis=1, kind="stable")[:, :r]
    rows = np.arange(trials)[:, None]
    p = []
    for t in t_s:
        has_write = W <= commit[:, None] + t + R
        p.append(float(has_write[rows, first_r].any(axis=1).mean()))
    return WarsResult(n, r, w, tuple(float(t) for t in t_s), tuple(p),
                      float(np.sort(R + S, axis=1)[:, r - 1].mean()), float(np.sort(W + A, axis=1)[:, w - 1].mean()))


def expected_order_statistic(k: int, n: int, mean_s: float) -> float:
    """Mean of the k-th smallest of n independent exponential delays: ``mean_s (H_n - H_{n-k})``.

    This is the latency of a quorum of k out of n when each replica's round
    trip is exponential: waiting for more replicas costs more, and the last
    ones cost the most (the k-th term adds ``mean_s / (n - k + 1)``).

    Examples
    --------
    >>> [round(expected_order_statistic(k, 3, 1.0), 4) for k in (1, 2, 3)]
    [0.3333, 0.8333, 1.8333]
    """
    check_int("k", k, low=1, high=check_int("n", n, low=1))
    check_number("mean_s", mean_s, low=0)
    return mean_s * sum(1 / (n - i) for i in range(k))
