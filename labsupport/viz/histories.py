"""Client histories drawn on their own: one line per client, one bar per operation, the verdicts in the title.

A consistency model is a rule about such pictures. Each bar runs from an
operation's invocation to its response; a bar that runs off the right edge
never returned. Seeing two readers disagree about the order of two writes,
or a read that starts after a write ended and still misses it, is most of
the way to understanding which model a history breaks.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

import matplotlib.pyplot as plt

from labsupport.sim import Operation

__all__ = ["draw_history", "draw_histories", "draw_availability"]

BAR_WIDTH = 7  # points


def _label(op: Operation, keys: bool) -> str:
    key = f"{op.key} " if keys else ""
    if op.kind == "read":
        return f"r {key}→ {'?' if op.pending else op.result}"
    return f"w {key}{op.arg}"


def draw_history(history: Iterable[Operation], *, ax=None, title: str = "",
                 colours: Mapping[str, str] | None = None) -> None:
    """Draw ``history`` on ``ax``: clients top to bottom in order of first appearance, time left to right.

    Writes are drawn in one colour and reads in another (``colours`` maps
    ``"write"`` and ``"read"`` to colours); a pending operation fades out at
    the right edge. Labels name the key when the history has more than one.

    Examples
    --------
    >>> from labsupport.sim import History
    >>> h = History.from_tuples([("a", "write", 1, 0, 1, "ok"), ("b", "read", None, 2, 3, 0)])
    >>> fig, ax = plt.subplots()
    >>> draw_history(h, ax=ax, title="stale read")
    >>> [t.get_text() for t in ax.texts], ax.get_title()
    (['w 1', 'r → 0'], 'stale read')
    >>> plt.close(fig)
    """
    ops = list(history)
    ax = ax or plt.gca()
    colours = {"write": "tab:blue", "read": "tab:orange", "cas": "tab:purple", **(colours or {})}
    clients = list(dict.fromkeys(op.client for op in ops))
    row = {c: -i for i, c in enumerate(clients)}
    several_keys = len({op.key for op in ops}) > 1  # name the key only when there is more than one
    finite = [t for op in ops for t in (op.invoke_s, op.complete_s) if math.isfinite(t)]
    end = max(finite, default=1.0)
    right = end + 0.1 * (end - min(finite, default=0.0) or 1.0)
    for op in ops:
        stop = op.complete_s if math.isfinite(op.complete_s) else right
        ax.plot([op.invoke_s, stop], [row[op.client]] * 2, color=colours.get(op.kind, "0.5"), lw=BAR_WIDTH,
                solid_capstyle="butt", alpha=0.35 if op.pending else 0.85)
        ax.text((op.invoke_s + stop) / 2, row[op.client] + 0.18, _label(op, several_keys), ha="center",
                va="bottom", fontsize=10)
    ax.set_yticks(list(row.values()), clients)
    ax.set_ylim(-len(clients) + 0.5, 0.6)
    ax.set_xlim(min(finite, default=0.0) - 0.2, right)
    ax.set_xlabel("time (s)")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_title(title, fontsize=11)


def draw_histories(panels: Sequence[tuple[str, Iterable[Operation]]], *, columns: int = 2):
    """Several histories side by side, each under its title; return the Figure.

    Examples
    --------
    >>> from labsupport.sim import History
    >>> h = History.from_tuples([("a", "write", 1, 0, 1, "ok")])
    >>> fig = draw_histories([("one", h), ("two", h)])
    >>> [ax.get_title() for ax in fig.axes]
    ['one', 'two']
    >>> plt.close(fig)
    """
    rows = math.ceil(len(panels) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.6 * columns, 2.4 * rows), squeeze=False)
    for ax, (title, history) in zip(axes.flat, panels):
        draw_history(history, ax=ax, title=title)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def draw_availability(history: Iterable[Operation], replicas: Sequence[str], *, ax=None, title: str = "",
                      stale: Iterable[int] = (), partition: tuple[float, float] | None = None) -> None:
    """Each operation as one mark on its replica's line: answered (dot), stale (red cross), refused (grey square).

    Clients named ``replica/session`` (as in
    :class:`~labsupport.agreement.consistency.RegisterRun`) are drawn on
    their replica's line; ``partition`` is shaded.

    Examples
    --------
    >>> from labsupport.sim import History
    >>> h = History.from_tuples([("n1/0", "write", 1, 0, 1, "ok"), ("n2/0", "read", None, 2, 3, 0)])
    >>> fig, ax = plt.subplots()
    >>> draw_availability(h, ["n1", "n2"], ax=ax, stale=[1], partition=(0.5, 2.5))
    >>> len(ax.lines), len(ax.patches)
    (2, 1)
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    row = {name: -i for i, name in enumerate(replicas)}
    stale = set(stale)
    groups = {"answered": ([], [], dict(marker="o", color="tab:blue", ms=5, ls="none")),
              "answered stale": ([], [], dict(marker="x", color="crimson", ms=8, mew=2, ls="none")),
              "refused": ([], [], dict(marker="s", color="0.55", ms=6, ls="none"))}
    for op in history:
        kind = "refused" if op.pending else "answered stale" if op.op_id in stale else "answered"
        groups[kind][0].append(op.invoke_s)
        groups[kind][1].append(row[op.client.split("/")[0]])
    if partition is not None:
        ax.axvspan(*partition, color="0.85", zorder=0, label="partition")
    for label, (xs, ys, style) in groups.items():
        if xs:
            ax.plot(xs, ys, label=label, **style)
    ax.set_yticks(list(row.values()), list(row))
    ax.set_ylim(-len(replicas) + 0.5, 0.5)
    ax.set_xlabel("time (s)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=4, fontsize=9, frameon=False)
    ax.set_title(title, fontsize=11)
