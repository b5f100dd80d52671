"""Figures of failure detectors: what each setting buys in detection time and pays in false suspicions.

A detector setting is a point: how long after a crash it notices (x) against
how often it suspects a node that is alive (y, per hour, log scale). The
closed form for the fixed timeout is a line through the simulated points,
so theory and measurement are read off the same axes (4.2 Failure detection).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt

from labsupport.availability.failure_detection.detectors import DetectorStats

__all__ = ["draw_detection_tradeoff"]

STYLES = (("o", "#1f77b4", 4), ("s", "#ff7f0e", -11))  # marker, colour, label offset (points) per family


def draw_detection_tradeoff(families: Mapping[str, Mapping[float, DetectorStats]], *,
                            theory: Sequence[tuple[float, float]] = (), theory_label: str = "theory",
                            floor: float = 0.1, title: str | None = None):
    """Mean detection time against false suspicions per hour, one marker per detector setting.

    ``families`` maps a family's name (``"fixed timeout"``) to its settings,
    each a threshold mapped to its :class:`DetectorStats`; every point is
    labelled with its threshold. ``theory`` is a line of ``(detection_s,
    false_per_hour)`` points, drawn in the first family's colour. The y axis
    is logarithmic, so a rate below ``floor`` (a detector that made no
    mistake) is drawn on the bottom edge, as a triangle for a point.
    Returns the Figure.

    Examples
    --------
    >>> fast = DetectorStats("2 s", (1.6, 1.4), false_suspicions=10, alive_hours=1.0, heartbeats=3600)
    >>> slow = DetectorStats("4 s", (3.5,), false_suspicions=0, alive_hours=1.0, heartbeats=3600)
    >>> fig = draw_detection_tradeoff({"fixed timeout": {2.0: fast, 4.0: slow}}, theory=[(1.5, 12.0), (3.5, 0.01)])
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['2', '4']
    >>> plt.close(fig)
    """
    if len(families) > len(STYLES):
        raise ValueError(f"families: at most {len(STYLES)} families, got {len(families)}")
    fig, ax = plt.subplots(figsize=(7, 3.8))
    if theory:
        ax.plot([x for x, _ in theory], [max(floor, y) for _, y in theory], color=STYLES[0][1], lw=1,
                label=theory_label)
    for (name, settings), (marker, colour, offset) in zip(families.items(), STYLES):
        x = [s.mean_detection_s for s in settings.values()]
        y = [s.false_per_hour for s in settings.values()]
        ax.scatter([a for a, b in zip(x, y) if b > 0], [b for b in y if b > 0], marker=marker, color=colour,
                   label=f"{name}, simulated", zorder=3)
        ax.scatter([a for a, b in zip(x, y) if b == 0], [floor] * y.count(0), marker="v", color=colour, zorder=3)
        for v, xi, yi in zip(settings, x, y):
            ax.annotate(f"{v:g}", (xi, max(yi, floor)), xytext=(4, offset), textcoords="offset points", fontsize=8,
                        color=colour)
    ax.set_yscale("log")
    ax.set_ylim(floor * 0.7, 1000)
    ax.set_xlabel("mean detection time after a crash (s)")
    ax.set_ylabel("false suspicions per hour")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
