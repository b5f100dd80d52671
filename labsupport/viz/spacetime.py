"""Space-time (Lamport) diagrams drawn from a simulation trace.

Each node is a horizontal line with time running left to right; each
delivered message is an arrow from the sender's line at the send time to
the receiver's line at the delivery time. Lost messages end in a cross,
crashes are marked on the node's line, partitions shade the time they last.
The other faults a nemesis injects are drawn too: a crashed node's line is
dotted until it restarts, a pause is a thick band on the node's line, a
clock skew a diamond, and bursts of loss or delay shade the time they last.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from labsupport.sim.trace import TraceEvent

__all__ = ["draw_spacetime"]

NOTE_OFFSETS = (4, -6, 15)  # points above, below, and further above a node's line
PAUSE_STYLE = dict(color="mediumpurple", lw=7, alpha=0.5, solid_capstyle="butt", zorder=1.5)
DOWN_STYLE = dict(color="crimson", lw=1.5, ls=":", zorder=1.5)
BURST_STYLE = {"loss": dict(facecolor="none", edgecolor="0.55", hatch="///", lw=0, zorder=0),
               "delay": dict(color="steelblue", alpha=0.12, lw=0, zorder=0)}
NEMESIS_ONLY = ("pause", "skew", "loss", "delay")  # fault events that only the agreement chapter's runs make
KIND_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]


def draw_spacetime(trace: Iterable[TraceEvent], nodes: Sequence[str] | None = None, *, ax=None,
                   title: str | None = None, notes: bool = True, until: float | None = None,
                   faults: bool | None = None):
    """Draw a space-time diagram of ``trace`` and return the matplotlib Figure.

    Parameters
    ----------
    trace : iterable of TraceEvent
        Usually ``sim.trace``.
    nodes : sequence of str, optional
        Which nodes to draw, top to bottom (default: in order of appearance).
    ax : matplotlib Axes, optional
        Draw into this axes instead of a new figure.
    notes : bool
        Write the nodes' ``log`` notes next to their lines.
    until : float, optional
        Draw only events up to this time.
    faults : bool, optional
        Draw the faults in full: down times dotted, pauses as bands, clock
        skews, loss and delay bursts, partition groups written out, and a
        fault legend. None (the default) does so when the trace holds a
        pause, skew or burst (as nemesis runs do); crashes, restarts and
        partitions are marked either way.
    """
    events = [e for e in trace if until is None or e.time <= until]
    if nodes is None:
        nodes = []
        for e in events:
            for name in (e.node, e.peer):
                if name not in (None, "*") and name not in nodes:
                    nodes.append(name)
    row = {name: i for i, name in enumerate(nodes)}
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 0.7 * len(nodes) + 1.2))
    else:
        fig = ax.figure
    end = max((e.time for e in events), default=1.0) or 1.0
    for name, y in row.items():
        ax.hlines(y, 0, end, color="0.6", lw=1, zorder=1)
    colours: dict[str, str] = {}
    sends = {}
    partition_start = None
    last_note: dict[str, tuple[float, int]] = {}  # node -> (time, level) of its latest note
    near = 0.12 * end  # notes closer than this on one line are stacked on levels, so they do not overlap
    fan: dict[tuple, int] = {}  # messages leaving or reaching one node at (almost) one moment: bend them apart
    bucket = 0.01 * end
    for e in events:
        if e.event == "send":
            sends[e.msg_id] = e
        elif e.event in ("deliver", "drop") and e.msg_id in sends:
            s = sends[e.msg_id]
            if s.node not in row or e.node not in row:
                continue
            colour = colours.setdefault(s.kind, KIND_COLOURS[len(colours) % len(KIND_COLOURS)])
            x0, y0, x1, y1 = s.time, row[s.node], e.time, row[e.node]
            if e.event == "deliver":
                out_key, in_key = ("sent", round(x0 / bucket)), ("in", e.node, round(x1 / bucket))
                k = max(fan.get(out_key, 0), fan.get(in_key, 0))
                fan[out_key], fan[in_key] = fan.get(out_key, 0) + 1, fan.get(in_key, 0) + 1
                rad = 0.0 if k == 0 else (0.1 * ((k + 1) // 2)) * (1 if k % 2 else -1)  # 0, +, -, ++, --, ...
                ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=2,
                            arrowprops=dict(arrowstyle="->", color=colour, lw=1.2, connectionstyle=f"arc3,rad={rad}"))
            else:
                xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
                ax.plot([x0, xm], [y0, ym], color=colour, lw=1.2, ls="--", zorder=2)
                ax.plot(xm, ym, marker="x", color="crimson", ms=8, mew=2, zorder=3)
        elif e.event == "crash" and e.node in row:
            ax.plot(e.time, row[e.node], marker="X", color="crimson", ms=12, zorder=4)
        elif e.event == "recover" and e.node in row:
            ax.plot(e.time, row[e.node], marker="o", color="seagreen", ms=8, zorder=4)
        elif e.event == "partition":
            partition_start = e.time
        elif e.event == "heal" and partition_start is not None:
            ax.axvspan(partition_start, e.time, color="orange", alpha=0.12, zorder=0)
            partition_start = None
        elif e.event == "note" and notes and e.node in row:
            previous = last_note.get(e.node)
            level = (previous[1] + 1) % len(NOTE_OFFSETS) if previous and e.time - previous[0] < near else 0
            last_note[e.node] = (e.time, level)
            ax.plot(e.time, row[e.node], marker="s", color="black", ms=4, zorder=4)
            ax.annotate(e.detail, (e.time, row[e.node]), xytext=(3, NOTE_OFFSETS[level]), textcoords="offset points",
                        fontsize=9, zorder=5, va="bottom" if NOTE_OFFSETS[level] > 0 else "top",
                        bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.8))
    if partition_start is not None:
        ax.axvspan(partition_start, end, color="orange", alpha=0.12, zorder=0)
    ax.set_yticks(range(len(nodes)), list(nodes))
    ax.set_ylim(len(nodes) - 0.5, -0.7)
    ax.set_xlabel("simulated time (s)")
    for kind, colour in colours.items():
        ax.plot([], [], color=colour, label=kind)
    full = faults or (faults is None and any(e.event in NEMESIS_ONLY for e in events))
    if colours:
        messages = ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9, frameon=False, title="message")
        if full:  # kept as an artist when the fault legend replaces the axes' own legend
            ax.add_artist(messages)
            messages.set_clip_on(False)  # add_artist clips it to the axes, and so leaves it out of the layout
    if full:
        _draw_faults(ax, events, row, end)
    if title:
        ax.set_title(title)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def _draw_faults(ax, events: list[TraceEvent], row: dict[str, int], end: float) -> None:
    """Draw pauses, down times, clock skews, loss and delay bursts and partition groups; add a fault legend."""
    seen: set[str] = set()
    since: dict[tuple[str, str], float] = {}  # (what, node) -> when it began
    for e in events:
        if e.event in ("pause", "crash") and e.node in row:
            since[(e.event, e.node)] = e.time
        elif e.event in ("resume", "recover") and e.node in row:
            what = "pause" if e.event == "resume" else "crash"
            if (what, e.node) in since:
                _fault_span(ax, what, row[e.node], since.pop((what, e.node)), e.time)
                seen.add(what)
        elif e.event == "skew" and e.node in row:
            ax.plot(e.time, row[e.node], marker="D", color="darkorange", ms=7, mec="black", mew=0.6, zorder=4)
            seen.add("skew")
        elif e.event in BURST_STYLE and e.detail.startswith("begins"):
            since[(e.event, e.detail[len("begins"):])] = e.time
        elif e.event in BURST_STYLE and (e.event, e.detail[len("ends"):]) in since:
            ax.axvspan(since.pop((e.event, e.detail[len("ends"):])), e.time, **BURST_STYLE[e.event])
            seen.add(e.event)
        elif e.event == "partition":  # the groups, written along the bottom, alternately on two levels
            level = sum(1 for other in events if other.event == "partition" and other.time < e.time) % 2
            ax.annotate(e.detail, (e.time, 0), xytext=(2, 1 + 9 * level), textcoords="offset points",
                        xycoords=("data", "axes fraction"), fontsize=9, color="darkorange", va="bottom", zorder=5)
            seen.add("partition")
        elif e.event == "crash":
            seen.add("crash")
    for (what, node), start in since.items():  # still paused, down, or bursting when the trace ends
        if what in BURST_STYLE:
            ax.axvspan(start, end, **BURST_STYLE[what])
        else:
            _fault_span(ax, what, row[node], start, end)
        seen.add(what)
    legend = {
        "partition": Patch(color="orange", alpha=0.25, label="partition"),
        "crash": Line2D([], [], marker="X", color="crimson", ms=9, label="crash, down, restart", **{
            k: v for k, v in DOWN_STYLE.items() if k in ("ls", "lw")}),
        "pause": Line2D([], [], label="pause", **{k: v for k, v in PAUSE_STYLE.items() if k != "zorder"}),
        "skew": Line2D([], [], marker="D", color="darkorange", mec="black", ls="", label="clock skew"),
        "loss": Patch(label="loss burst", **{k: v for k, v in BURST_STYLE["loss"].items() if k != "zorder"}),
        "delay": Patch(label="delay burst", **{k: v for k, v in BURST_STYLE["delay"].items() if k != "zorder"}),
    }
    handles = [handle for what, handle in legend.items() if what in seen]
    if handles:
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(1.01, 0), fontsize=9, frameon=False,
                  title="fault")


def _fault_span(ax, what: str, y: int, start: float, stop: float) -> None:
    """A pause (a band) or a down time (a dotted line) on one node's line."""
    ax.plot([start, stop], [y, y], **(PAUSE_STYLE if what == "pause" else DOWN_STYLE))
