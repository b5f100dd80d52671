"""Figures of quorum choices: which replicas a read and a write wait for, and how soon a read is fresh.

The picture of N replicas with the W a write waits for and the R a read
waits for shows why R + W > N makes every read meet the latest write: the
two sets must share a replica. Beside it, the probability that a read
returns the last write, t seconds after the write committed (the WARS model
of Bailis et al., VLDB 2012), shows what a partial quorum gives up.
"""

from __future__ import annotations

import math
from typing import Sequence

import matplotlib.pyplot as plt

from labsupport.data.quorum.staleness import WarsResult, p_stale

__all__ = ["draw_quorum_sets", "draw_freshness", "draw_quorum_choice", "draw_error"]

WRITE, READ, BOTH, NEITHER = "#4c72b0", "#dd8452", "#8e44ad", "0.85"


def draw_quorum_sets(n: int, r: int, w: int, *, ax=None):
    """N replicas on a circle: the first W are the write quorum (blue), the last R the read quorum (orange).

    Replicas in both are purple; with R + W > N there is always one. Returns the Figure.

    Examples
    --------
    >>> fig = draw_quorum_sets(3, 2, 2)
    >>> fig.axes[0].get_title()
    'write (blue) 2, read (orange) 2, both (purple) 1'
    >>> plt.close(fig)
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(3.4, 3.4))
    for i in range(n):
        in_write, in_read = i < w, i >= n - r
        colour = BOTH if in_write and in_read else WRITE if in_write else READ if in_read else NEITHER
        x, y = math.cos(2 * math.pi * i / n), math.sin(2 * math.pi * i / n)
        ax.add_patch(plt.Circle((x, y), 0.28, color=colour))
        ax.text(x, y, f"r{i + 1}", ha="center", va="center", fontsize=8, color="white")
    ax.set(xlim=(-1.5, 1.5), ylim=(-1.5, 1.5), aspect="equal")
    ax.axis("off")
    ax.set_title(f"write (blue) {w}, read (orange) {r}, both (purple) {max(0, r + w - n)}", fontsize=9)
    return ax.figure


def draw_freshness(results: Sequence[WarsResult], *, ax=None, title: str | None = None):
    """P(a read returns the last write) against the time since the write committed, one curve per result.

    An open circle at t = 0 marks 1 - C(N-W, R)/C(N, R), the chance with no
    propagation at all (:func:`~labsupport.data.quorum.p_stale`). Returns the Figure.

    Examples
    --------
    >>> from labsupport.data.quorum import simulate_wars
    >>> res = simulate_wars(3, 1, 1, t_s=[0.0, 0.005], trials=200, write_mean_s=0.003, ack_mean_s=0.001,
    ...                     read_mean_s=0.001, response_mean_s=0.001, seed=1)
    >>> fig = draw_freshness([res])
    >>> [line.get_label() for line in fig.axes[0].get_lines()][:1]
    ['R=1, W=1']
    >>> plt.close(fig)
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 3.6))
    for res in results:
        ms = [1000 * t for t in res.t_s]
        (line,) = ax.plot(ms, res.p_consistent, marker=".", label=f"R={res.r}, W={res.w}")
        ax.plot(0, 1 - p_stale(res.n, res.r, res.w), marker="o", mfc="none", color=line.get_color(), ms=9)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("time since the write committed, t (ms)")
    ax.set_ylabel("P(read returns the write)")
    if title:
        ax.set_title(title, fontsize=9)
    ax.legend(loc="lower right", fontsize=8)
    return ax.figure


def draw_quorum_choice(wars: WarsResult):
    """One (N, R, W): the quorums on the left, freshness and latencies on the right; return the Figure.

    Examples
    --------
    >>> from labsupport.data.quorum import simulate_wars
    >>> res = simulate_wars(3, 2, 2, t_s=[0.0], trials=200, write_mean_s=0.003, ack_mean_s=0.001,
    ...                     read_mean_s=0.001, response_mean_s=0.001, seed=1)
    >>> fig = draw_quorum_choice(res)
    >>> fig.axes[1].get_title().split(":")[0]
    'strict quorum'
    >>> plt.close(fig)
    """
    n, r, w = wars.n, wars.r, wars.w
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4), gridspec_kw={"width_ratios": [1, 1.6]})
    draw_quorum_sets(n, r, w, ax=left)
    kind = "strict" if r + w > n else "partial"
    draw_freshness([wars], ax=right, title=(
        f"{kind} quorum: reads {1000 * wars.read_latency_s:.1f} ms, writes {1000 * wars.write_latency_s:.1f} ms;"
        f" survives {n - r} / {n - w} failures"))
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.15, top=0.88, wspace=0.25)
    return fig


def draw_error(error: Exception, *, figsize: tuple[float, float] = (9, 3.4)):
    """A figure that says why there is no figure (for a widget whose controls allow invalid choices).

    Examples
    --------
    >>> fig = draw_error(ValueError("R=4 exceeds N=3 replicas"))
    >>> fig.texts[0].get_text()
    'ValueError: R=4 exceeds N=3 replicas'
    >>> plt.close(fig)
    """
    fig = plt.figure(figsize=figsize)
    fig.text(0.5, 0.5, f"{type(error).__name__}: {error}", fontsize=11, color="crimson", ha="center", va="center")
    return fig
