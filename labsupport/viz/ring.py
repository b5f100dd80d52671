"""Draw a consistent-hash ring as a clock face, and the load it puts on each node.

A ring is easiest to understand the way it is usually sketched on a
whiteboard: a circle, each server's virtual nodes as coloured ticks on the
rim, the arc that each tick owns painted in its server's colour, and a key
as a dot with the servers that hold it numbered along the way. :func:`draw_ring` draws
exactly that sketch from a :class:`~labsupport.data.hashing.HashRing`;
:func:`draw_loads` draws the matching bar chart of keys (or shares) per
node; :func:`draw_ring_with_loads` puts the two side by side.

Conventions, the same as the ring's: position 0 is at twelve o'clock and
positions grow clockwise, so "walk clockwise to the next mark" reads as it
sounds. A key's replicas are its preference list
(:meth:`~labsupport.data.hashing.HashRing.preference_list`): the first ``n``
distinct nodes met clockwise. The figure draws the clockwise walk from the
key as a grey arc just inside the rim, and numbers the marks where it finds
replica 1 (the coordinator), 2, 3, ... in their nodes' colours.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from typing import Iterable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from labsupport.checks import check_int, check_type
from labsupport.data.hashing.ring import HashRing
from labsupport.stable_hash import HASH_SPACE, Key, NodeId, stable_hash64

__all__ = ["ring_angle", "node_colours", "replica_marks", "draw_ring", "draw_loads", "draw_ring_with_loads"]

_RIM_WIDTH = 7.0  # points: thickness of the painted arcs


def ring_angle(position: int) -> float:
    """The polar angle (radians) of a rim position: 0 at twelve o'clock, clockwise.

    Examples
    --------
    >>> round(ring_angle(0), 4), round(ring_angle(2**62), 4)  # twelve and three o'clock
    (1.5708, 0.0)
    """
    if not 0 <= position < HASH_SPACE:
        raise ValueError(f"position={position} is off the rim; choose 0 <= position < 2**64")
    return math.pi / 2 - 2 * math.pi * (position / HASH_SPACE)


def node_colours(nodes: Sequence[NodeId]) -> dict[NodeId, tuple]:
    """One distinct colour per node, in the given order (tab10, or tab20 beyond ten nodes).

    Examples
    --------
    >>> colours = node_colours(["a", "b"])
    >>> sorted(colours), colours["a"] != colours["b"]
    (['a', 'b'], True)
    """
    nodes = list(nodes)
    if len(nodes) > 20:
        raise ValueError(f"{len(nodes)} nodes is more than the 20 distinct colours this figure can show")
    cmap = plt.get_cmap("tab10" if len(nodes) <= 10 else "tab20")
    return {node: cmap(i) for i, node in enumerate(nodes)}


def replica_marks(ring: HashRing, key: Key, n: int = 1) -> list[tuple[int, NodeId]]:
    """The marks ``(position, node)`` that hold ``key``: the first mark of each of ``n`` distinct nodes clockwise.

    The nodes are exactly ``ring.preference_list(key, n)``; the positions say
    where on the rim each replica was found.

    Examples
    --------
    >>> ring = HashRing(["a", "b", "c"], vnodes=4)
    >>> [node for _, node in replica_marks(ring, "user:42", 3)] == ring.preference_list("user:42", 3)
    True
    """
    nodes = ring.preference_list(key, n)  # validates n
    points = ring.points()
    positions = [p for p, _ in points]
    start = bisect_left(positions, stable_hash64(key))
    found: dict[NodeId, int] = {}
    for step in range(len(points)):
        position, node = points[(start + step) % len(points)]
        if node in nodes and node not in found:
            found[node] = position
            if len(found) == n:
                break
    return [(found[node], node) for node in nodes]


def _xy(angle: float, radius: float = 1.0) -> tuple[float, float]:
    return radius * math.cos(angle), radius * math.sin(angle)


def _arc(start: int, end: int, radius: float = 1.0) -> np.ndarray:
    """The rim clockwise from position ``start`` to ``end`` (wrapping if ``end <= start``), as (x, y) rows."""
    span = (end - start) % HASH_SPACE or HASH_SPACE
    t0 = ring_angle(start)
    steps = max(2, int(180 * span / HASH_SPACE) + 2)
    angles = np.linspace(t0, t0 - 2 * math.pi * span / HASH_SPACE, steps)
    return np.column_stack([radius * np.cos(angles), radius * np.sin(angles)])


def draw_ring(ring: HashRing, *, keys: Iterable[Key] = (), replicas: int = 1, ax=None,
              title: str | None = None, legend: bool = True) -> Figure:
    """Draw ``ring`` as a circle: every mark as a tick, every arc in its owner's colour, keys and their replicas.

    Parameters
    ----------
    ring : HashRing
        The ring to draw (at most 20 nodes).
    keys : iterable of str or bytes, optional
        Keys to place on the rim (black dots just inside it, labelled; up to six
        keys get their own track).
    replicas : int, default 1
        Number the marks of each key's first ``replicas`` distinct nodes
        (``1 <= replicas <= len(ring)``).
    ax : matplotlib Axes, optional
        Draw into this axes; by default a new square figure is made.
    title : str, optional
        Axes title (default: node and mark counts).
    legend : bool, default True
        Show a legend of node colours.

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the drawing; it is neither shown nor closed.

    Examples
    --------
    >>> fig = draw_ring(HashRing(["a", "b", "c"], vnodes=3), keys=["user:1"], replicas=2)
    >>> type(fig).__name__, len(fig.axes)
    ('Figure', 1)
    >>> plt.close(fig)
    """
    check_type("ring", ring, HashRing)
    keys = list(keys)
    if keys:
        check_int("replicas", replicas, low=1, high=len(ring))  # at most the ring's nodes
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.2, 5.2))
    colours = node_colours(ring.nodes)
    points = ring.points()
    circle = np.linspace(0, 2 * math.pi, 361)
    ax.plot(np.cos(circle), np.sin(circle), color="0.85", lw=1, zorder=1)
    # mark i owns the arc (previous mark, mark i]; arcs and marks are one artist each, however many vnodes
    starts = [points[-1][0]] + [position for position, _ in points[:-1]]
    ax.add_collection(LineCollection([_arc(start, position) for start, (position, _) in zip(starts, points)],
                                     colors=[colours[node] for _, node in points], linewidths=_RIM_WIDTH,
                                     capstyle="butt", joinstyle="round", zorder=2), autolim=False)
    ax.add_collection(LineCollection([[_xy(ring_angle(position), 0.93), _xy(ring_angle(position), 1.09)]
                                      for position, _ in points], colors="black", linewidths=0.8,
                                     capstyle="projecting", zorder=3), autolim=False)
    for i, key in enumerate(keys):
        radius = 0.82 - 0.11 * (i % 6)
        h = stable_hash64(key)
        angle = ring_angle(h)
        marks = replica_marks(ring, key, replicas)
        # the clockwise walk from the key to its last replica, just inside the rim
        span = (marks[-1][0] - h) % HASH_SPACE
        walk = np.linspace(angle, angle - 2 * math.pi * span / HASH_SPACE, max(2, int(180 * span / HASH_SPACE) + 2))
        ax.plot(radius * np.cos(walk), radius * np.sin(walk), color="0.45", lw=1.2, zorder=4)
        ax.plot(*zip(_xy(angle, radius), _xy(angle, 1.16)), color="black", lw=0.8, ls=":", zorder=4)
        ax.plot(*_xy(angle, radius), "o", color="black", ms=6, zorder=5)
        lx, ly = _xy(angle, 1.18)
        ax.annotate(str(key), (lx, ly), ha="left" if lx > 0.05 else "right" if lx < -0.05 else "center",
                    va="bottom" if ly > 0 else "top", fontsize=8, zorder=6)
        for rank, (position, node) in enumerate(marks):
            theta = ring_angle(position)
            ax.plot(*zip(_xy(theta, radius), _xy(theta, 1.0)), color=colours[node], lw=1.2, zorder=4)
            ax.plot(*_xy(theta, radius), "o", color=colours[node], mec="black", mew=0.6, ms=11, zorder=5)
            ax.annotate(str(rank + 1), _xy(theta, radius), ha="center", va="center", fontsize=7,
                        color="white", fontweight="bold", zorder=6)
    if legend:
        handles = [plt.Line2D([], [], color=colours[n], lw=_RIM_WIDTH, solid_capstyle="butt") for n in ring.nodes]
        ax.legend(handles, list(ring.nodes), loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8,
                  frameon=False, title="node", title_fontsize=8)
    ax.text(0, 1.1, "0", ha="center", va="bottom", fontsize=8, color="0.4")
    limit = 1.4 if keys else 1.15  # room for key labels outside the rim
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title if title is not None else
                 f"{len(ring)} nodes, {len(points)} marks ({ring.vnodes} per unit weight)", fontsize=10)
    return ax.figure


def draw_loads(loads: Mapping[NodeId, float], *, ax=None, mean: float | None = None,
               capacity: float | None = None, colours: Mapping[NodeId, tuple] | None = None,
               ylabel: str = "keys", title: str | None = None) -> Figure:
    """Bar chart of load per node, with the mean (dashed) and an optional capacity line (red).

    Parameters
    ----------
    loads : mapping of node to number
        Keys per node, or share of the ring; bars in the mapping's order.
    ax : matplotlib Axes, optional
        Draw into this axes; by default a new figure is made.
    mean : float, optional
        Where to draw the mean line (default: the mean of ``loads``).
    capacity : float, optional
        A per-node cap to draw, e.g. from bounded-load hashing.
    colours : mapping of node to colour, optional
        Bar colours (default: :func:`node_colours` in the order of ``loads``).
    ylabel, title : str
        Axis label and title; the default title gives max / mean.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = draw_loads({"a": 30, "b": 50, "c": 40}, capacity=55)
    >>> fig.axes[0].get_title()
    'max / mean = 1.25'
    >>> plt.close(fig)
    """
    if not loads:
        raise ValueError("loads is empty; give at least one node")
    nodes = list(loads)
    values = [float(loads[n]) for n in nodes]
    if mean is None:
        mean = sum(values) / len(values)
    colours = dict(colours) if colours is not None else node_colours(nodes) if len(nodes) <= 20 else {}
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.2, 3.2))
    ax.bar(range(len(nodes)), values, color=[colours.get(n, "#4c72b0") for n in nodes])
    ax.axhline(mean, color="black", ls="--", lw=1, label="mean")
    if capacity is not None:
        ax.axhline(capacity, color="crimson", lw=1.5, label="capacity")
    ax.set_xticks(range(len(nodes)))
    ax.set_xticklabels(nodes, rotation=45 if len(nodes) > 6 else 0, ha="right" if len(nodes) > 6 else "center",
                       fontsize=8)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, loc="best")
    ratio = max(values) / mean if mean else float("nan")
    ax.set_title(title if title is not None else f"max / mean = {ratio:.2f}", fontsize=10)
    return ax.figure


def draw_ring_with_loads(ring: HashRing, *, keys: Iterable[Key] = (), replicas: int = 1,
                         title: str | None = None) -> Figure:
    """The ring (left) beside each node's exact share of the rim (right), in matching colours.

    Examples
    --------
    >>> fig = draw_ring_with_loads(HashRing(["a", "b"], vnodes=2))
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 4.2), gridspec_kw={"width_ratios": [1.15, 1]})
    draw_ring(ring, keys=keys, replicas=replicas, ax=left, legend=False)
    shares = {node: 100 * share for node, share in ring.ownership().items()}
    draw_loads(shares, ax=right, mean=100 / len(ring), colours=node_colours(ring.nodes),
               ylabel="share of the ring (%)")
    right.set_title(f"share per node: max / mean = {max(shares.values()) * len(ring) / 100:.2f}", fontsize=10)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig
