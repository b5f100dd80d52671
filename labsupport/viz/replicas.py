"""Figures of database replicas: how far behind a replica runs, and what a failover to it would lose.

Both figures put the lag (how long a change takes to reach a node) beside
the exposure (how many acknowledged writes the node lacks), the two faces of
the same queue: by Little's law the exposure is the write rate times the
time a change waits (2.4 RDS).
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt

from labsupport.services.rds import ReplicationResult

__all__ = ["draw_lag_against_load", "draw_lag_and_exposure"]


def draw_lag_against_load(theory_s: Mapping[float, float], simulated: Mapping[float, ReplicationResult], *,
                          replica: str = "db-r1", latency_s: float = 0.0, title: str | None = None):
    """Mean lag (left) and acknowledged writes lacked (right) against the write rate: a curve and measured points.

    ``theory_s`` maps a write rate to the predicted lag in seconds; the right
    panel's curve is Little's law on it, rate times (lag - ``latency_s``).
    ``simulated`` maps a write rate to a run whose ``replica`` is measured.
    Returns the Figure.

    Examples
    --------
    >>> from labsupport.services.rds import mm1_lag_s, run_replication
    >>> theory = {w: mm1_lag_s(write_rate_per_s=w, reads_per_node_per_s=50, apply_s=0.004, latency_s=0.001)
    ...           for w in (10, 20, 40)}
    >>> sims = {20: run_replication(n_replicas=1, write_rate_per_s=20, read_rate_per_s=50, duration_s=2, seed=1)}
    >>> fig = draw_lag_against_load(theory, sims, latency_s=0.001)
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['mean replica lag (ms)', 'acknowledged writes the replica lacks']
    >>> plt.close(fig)
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.3))
    rates = list(theory_s)
    left.plot(rates, [1000 * c for c in theory_s.values()], color="0.4", label="M/M/1")
    right.plot(rates, [w * (c - latency_s) for w, c in theory_s.items()], color="0.4", label="Little's law")
    left.plot(list(simulated), [1000 * r.lag_s[replica] for r in simulated.values()], "o", label="simulated")
    right.plot(list(simulated), [r.exposed[replica] for r in simulated.values()], "o", label="simulated")
    left.set_ylabel("mean replica lag (ms)")
    right.set_ylabel("acknowledged writes the replica lacks")
    for ax in (left, right):
        ax.set_xlabel("writes per second")
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def draw_lag_and_exposure(result: ReplicationResult, *, title: str | None = None, lag_cap_ms: float = 120,
                          exposed_cap: float = 12):
    """One run: each readable node's mean lag (left), each promotion candidate's exposure (right), as bars.

    A bar is cut at ``lag_cap_ms`` or ``exposed_cap`` so that one overloaded
    node does not flatten the rest; its label keeps the true value (and says
    "overloaded" where the predicted lag is infinite). The right labels add
    how many writes a failover at the run's crash would lose. Returns the Figure.

    Examples
    --------
    >>> from labsupport.services.rds import run_replication
    >>> r = run_replication(n_replicas=1, duration_s=2, crash_at_s=1.9, seed=1)
    >>> fig = draw_lag_and_exposure(r, title="one replica")
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()], [t.get_text() for t in fig.axes[1].get_xticklabels()]
    (['db-r1'], ['db-b', 'db-r1'])
    >>> plt.close(fig)
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
    nodes = sorted(result.lag_s)
    lags = [1000 * result.lag_s[x] for x in nodes]
    left.bar(nodes, [min(v, lag_cap_ms) for v in lags], color="#4c72b0")
    for i, v in enumerate(lags):
        overloaded = " (overloaded)" if result.lag_theory_s[nodes[i]] == float("inf") else ""
        left.text(i, min(v, lag_cap_ms) + 2, f"{v:.0f}{overloaded}", ha="center", fontsize=8)
    left.set_ylabel("mean lag (ms)")
    left.set_ylim(0, lag_cap_ms + 10)
    candidates = sorted(result.exposed)
    mean = [result.exposed[x] for x in candidates]
    right.bar(candidates, [min(v, exposed_cap) for v in mean], color="crimson")
    for i, x in enumerate(candidates):
        right.text(i, min(mean[i], exposed_cap) + 0.2, f"mean {mean[i]:.1f}, at crash {result.lost_on_failover[x]}",
                   ha="center", fontsize=8)
    right.set_ylabel("acknowledged writes it lacks")
    right.set_ylim(0, exposed_cap + 1)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
