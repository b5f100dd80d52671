"""Client operations drawn over a space-time diagram: when each read and write began, ended, and what it returned.

A linearizability argument is about intervals: an operation takes effect at
some moment between its invocation and its response. Drawing each operation
as a bar under its client's line, coloured by what it returned, puts those
intervals next to the messages that caused them, so a reader sees a later
read return an older value.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import matplotlib.pyplot as plt

from labsupport.sim import Operation, TraceEvent
from labsupport.viz.spacetime import draw_spacetime

__all__ = ["draw_operations", "draw_timeline"]

BAR_ABOVE = 0.25  # how far above its client's line an operation's bar is drawn (rows)
LABEL_ABOVE = 0.38  # and its label


def _label(op: Operation) -> str:
    return f"{op.kind} {op.arg}" if op.kind == "write" else f"{op.kind} -> {op.result}"


def draw_operations(history: Iterable[Operation], nodes: Sequence[str], *, ax, until: float | None = None,
                    colours: Mapping[object, str] | None = None) -> None:
    """Draw each operation as a bar from invocation to response above its client's line, with a label.

    Parameters
    ----------
    history : iterable of Operation
        Usually ``sim.history``.
    nodes : sequence of str
        The diagram's lines, top to bottom (as given to :func:`draw_spacetime`).
    ax : matplotlib Axes
        The space-time diagram to draw on.
    until : float, optional
        Cut bars at this time (the diagram's right edge).
    colours : mapping, optional
        Colour by result (``{"new": "seagreen", "old": "crimson"}``); others are grey.

    Examples
    --------
    >>> from labsupport.sim import History
    >>> history = History()
    >>> op = history.invoke("c", "read", None, at=0.0)
    >>> history.complete(op, "old", at=0.002)
    >>> fig, ax = plt.subplots()
    >>> draw_operations(history, ["c"], ax=ax, colours={"old": "crimson"})
    >>> [text.get_text() for text in ax.texts]
    ['read -> old']
    >>> plt.close(fig)
    """
    row = {name: i for i, name in enumerate(nodes)}
    for op in history:
        if op.client not in row or (until is not None and op.invoke_s > until):
            continue
        colour = (colours or {}).get(op.result, "0.5")
        end = op.complete_s if until is None else min(op.complete_s, until)
        ax.plot([op.invoke_s, end], [row[op.client] - BAR_ABOVE] * 2, color=colour, lw=5, alpha=0.7)
        ax.text(op.invoke_s, row[op.client] - LABEL_ABOVE, _label(op), fontsize=9, color=colour,
                bbox=dict(fc="white", ec="none", alpha=0.85, pad=1), zorder=6)


def draw_timeline(trace: Iterable[TraceEvent], history: Iterable[Operation], nodes: Sequence[str], *,
                  windows: Sequence[tuple[float, str]], colours: Mapping[object, str] | None = None):
    """Space-time diagrams of one run with its operations, one panel per time window, stacked; return the Figure.

    ``windows`` are ``(until_s, title)`` pairs: a short window first shows the
    crowded start legibly, a long one after it shows the whole run.

    Examples
    --------
    >>> from labsupport.data.quorum import run_new_old_inversion
    >>> run = run_new_old_inversion(seed=0)
    >>> fig = draw_timeline(run.trace, run.history, run.nodes, windows=[(0.016, "start"), (0.065, "all")])
    >>> [ax.get_title() for ax in fig.axes]
    ['start', 'all']
    >>> plt.close(fig)
    """
    trace, history = list(trace), list(history)
    fig, axes = plt.subplots(len(windows), 1, figsize=(9, 3.5 * len(windows)), squeeze=False)
    for ax, (until, title) in zip(axes[:, 0], windows):
        draw_spacetime(trace, list(nodes), ax=ax, title=title, until=until)
        draw_operations(history, nodes, ax=ax, until=until, colours=colours)
    fig.tight_layout()
    return fig
