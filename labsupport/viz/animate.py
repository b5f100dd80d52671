"""Animated space-time diagrams: watch the messages of a run travel.

A space-time diagram (:func:`~labsupport.viz.draw_spacetime`) is the
photograph of a run; this module makes the film. Each node is a horizontal
line with time running to the right; every message is a dot that leaves its
sender at the send time and travels along its arrow to the receiver, arriving
at the delivery time. A lost message ends in a cross, a crash marks the node's
line, a partition shades the time it lasts. The reader plays, pauses, steps
one event at a time or drags a time slider.

The result is one self-contained block of HTML, SVG and inline JavaScript: no
kernel, no network, no CDN. It works in the static book and as HTML output in
JupyterLab. The output depends only on the trace, so the same run gives the
same bytes (the block's id is a hash of its content); without JavaScript the
SVG shows the finished diagram and a list of the events.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from dataclasses import dataclass
from typing import Iterable, Sequence

from labsupport.checks import check_type
from labsupport.sim.trace import TraceEvent
from labsupport.viz._player import PLAYER_JS
from labsupport.viz.spacetime import KIND_COLOURS

__all__ = ["animate_trace", "TraceAnimation"]

WIDTH_PX, LABEL_PX, RIGHT_PX, TOP_PX, LANE_PX, AXIS_PX = 720, 90, 24, 24, 64, 40
STUB_PX = 12  # how far a message lost on sending seems to get
MESSAGE_EVENTS = ("send", "duplicate", "deliver", "drop")


@dataclass(frozen=True)
class TraceAnimation:
    """An animation ready to display: leave it as the last expression of a cell.

    ``html`` is the whole self-contained block; ``steps`` the number of
    events the step buttons walk through; ``key`` the content hash that
    names the block in the page.
    """

    html: str
    title: str
    nodes: tuple[str, ...]
    steps: int
    key: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"TraceAnimation({self.title!r}: {self.steps} events on {len(self.nodes)} nodes)"


def _caption(e: TraceEvent) -> str:
    what = f"{e.kind}" if e.kind is not None else "message"
    return {
        "send": f"{e.node} sends {what} to {e.peer}",
        "duplicate": f"the network duplicates {what} from {e.node} to {e.peer}",
        "deliver": f"{e.node} receives {what} from {e.peer}",
        "drop": f"{what} from {e.peer} to {e.node} is dropped ({e.detail or 'lost'})",
        "crash": f"{e.node} crashes",
        "recover": f"{e.node} recovers",
        "partition": f"the network splits: {e.detail}" if e.detail else "the network splits",
        "heal": "the partition heals",
        "note": f"{e.node}: {e.detail}",
    }.get(e.event, f"{e.event} at {e.node}")


def _shown(e: TraceEvent, row: dict[str, int]) -> bool:
    if e.event in MESSAGE_EVENTS:
        return e.node in row and e.peer in row
    if e.event in ("partition", "heal"):
        return True
    return e.node in row


def _timeline(events: list[TraceEvent], row: dict[str, int]) -> dict:
    """Messages, marks and shaded spans, each tied to the step that reveals it."""
    messages, open_messages, marks, spans, down = [], {}, [], [], {}
    partition = None
    for step, e in enumerate(events):
        if e.event in ("send", "duplicate"):
            m = {"kind": e.kind, "src": row[e.node], "dst": row[e.peer], "t0": e.time, "t1": None,
                 "a": step, "b": None, "drop": False}
            messages.append(m)
            open_messages.setdefault((e.msg_id, e.node, e.peer), []).append(m)
        elif e.event in ("deliver", "drop"):
            waiting = open_messages.get((e.msg_id, e.peer, e.node))
            if waiting:
                m = waiting.pop(0)
                m.update(t1=e.time, b=step, drop=e.event == "drop")
        elif e.event in ("crash", "recover", "note"):
            marks.append({"type": e.event, "row": row[e.node], "t": e.time, "a": step, "text": e.detail})
            if e.event == "crash":
                down[e.node] = {"type": "down", "row": row[e.node], "t0": e.time, "t1": None, "a": step, "b": None}
                spans.append(down[e.node])
            elif e.event == "recover" and e.node in down:
                down.pop(e.node).update(t1=e.time, b=step)
        elif e.event == "partition":
            if partition is not None:
                partition.update(t1=e.time, b=step)
            partition = {"type": "partition", "row": None, "t0": e.time, "t1": None, "a": step, "b": None}
            spans.append(partition)
        elif e.event == "heal" and partition is not None:
            partition.update(t1=e.time, b=step)
            partition = None
    return {"messages": messages, "marks": marks, "spans": spans}


def _ticks(end: float, scale: float) -> list[float]:
    """About five round tick positions (in seconds) from 0 to ``end``."""
    raw = end * scale / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return [round(i * step / scale, 12) for i in range(int(end * scale / step + 1e-9) + 1)]


def animate_trace(trace: Iterable[TraceEvent], nodes: Sequence[str] | None = None, *,
                  title: str = "Messages of a run") -> TraceAnimation:
    """An animated space-time diagram of ``trace`` with play, pause, step and a time slider.

    Parameters
    ----------
    trace : iterable of TraceEvent
        Usually ``sim.trace`` or a result's ``.trace``.
    nodes : sequence of str, optional
        The nodes to draw, top to bottom (default: in order of appearance).
        Messages to or from other nodes are left out.
    title : str
        Shown above the diagram and used as its accessible name.

    Returns
    -------
    TraceAnimation
        Displays itself as HTML (``_repr_html_``).

    Examples
    --------
    >>> from labsupport.foundations.kvstore import run_lost_update
    >>> race = run_lost_update(clients=2, increments=1, conditional=False, seed=1)
    >>> anim = animate_trace(race.trace, ["client1", "store", "client2"], title="A race")
    >>> anim
    TraceAnimation('A race': 16 events on 3 nodes)
    >>> anim.html == animate_trace(race.trace, ["client1", "store", "client2"], title="A race").html
    True
    >>> animate_trace(race.trace, ["client1", "client1"])
    Traceback (most recent call last):
    ...
    ValueError: nodes lists 'client1' twice; name each node once
    """
    trace = list(trace)
    for i, e in enumerate(trace):
        check_type(f"trace[{i}]", e, TraceEvent)  # records such as sim.trace holds
    if nodes is None:
        nodes = list(dict.fromkeys(n for e in trace for n in (e.node, e.peer) if n not in (None, "*")))
    nodes = list(nodes)
    if not nodes:
        raise ValueError("nodes is empty; name at least one node to draw")
    for name in nodes:
        if nodes.count(name) > 1:
            raise ValueError(f"nodes lists {name!r} twice; name each node once")
    row = {name: i for i, name in enumerate(nodes)}
    events = sorted((e for e in trace if _shown(e, row)), key=lambda e: e.time)  # stable: keeps trace order
    if not events:
        raise ValueError(f"the trace has no events on nodes {nodes}; pass the nodes that took part")
    end = max(events[-1].time, 1e-9)
    scale, unit = (1000.0, "ms") if end < 1 else (1.0, "s")
    data = _timeline(events, row)
    kinds = list(dict.fromkeys(m["kind"] for m in data["messages"]))
    colours = {k: KIND_COLOURS[i % len(KIND_COLOURS)] for i, k in enumerate(kinds)}
    for m in data["messages"]:
        m["colour"] = colours[m["kind"]]
    height = TOP_PX + LANE_PX * (len(nodes) - 1) + AXIS_PX + 16
    data.update(
        end=end, scale=scale, unit=unit, width=WIDTH_PX, left=LABEL_PX, plot=WIDTH_PX - LABEL_PX - RIGHT_PX,
        top=TOP_PX, lane=LANE_PX, height=height, steps=[[e.time, _caption(e)] for e in events],
    )
    _geometry(data)
    payload = json.dumps(data, sort_keys=True, separators=(",", ":")).replace("</", "<\\/").replace("<!--", "<\\!--")
    key = hashlib.sha1(json.dumps([title, nodes, payload]).encode()).hexdigest()[:12]
    return TraceAnimation(_html(key, title, nodes, data, payload, colours), title, tuple(nodes), len(events), key)


def _geometry(data: dict) -> None:
    """Pixel coordinates of every message, mark and span (the finished diagram)."""
    x = lambda t: round(data["left"] + data["plot"] * t / data["end"], 1)  # noqa: E731
    y = lambda r: TOP_PX + LANE_PX * r  # noqa: E731
    for m in data["messages"]:
        t1 = data["end"] if m["t1"] is None else m["t1"]
        m.update(x0=x(m["t0"]), y0=y(m["src"]), x1=x(t1), y1=y(m["dst"]))
        if m["drop"] and t1 == m["t0"]:  # lost as it was sent: a short stub towards its receiver
            m.update(x1=round(m["x0"] + STUB_PX, 1), y1=round(m["y0"] + 0.35 * (m["y1"] - m["y0"]), 1))
    for mark in data["marks"]:
        mark.update(x=x(mark["t"]), y=y(mark["row"]))
    for span in data["spans"]:
        span.update(x0=x(span["t0"]), x1=x(data["end"] if span["t1"] is None else span["t1"]))


def _message_svg(m: dict) -> str:
    """A message: its line, its end (arrowhead, cross or nothing yet) and its travelling dot."""
    x0, y0, x1, y1, colour = m["x0"], m["y0"], m["x1"], m["y1"], m["colour"]
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-9)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    if m["drop"]:
        end = "".join(f'<line x1="{x1 - a:.1f}" y1="{y1 - b:.1f}" x2="{x1 + a:.1f}" y2="{y1 + b:.1f}" '
                      'stroke="crimson" stroke-width="2.5"/>' for a, b in ((5, 5), (5, -5)))
    elif m["b"] is None:  # still in flight when the trace ends
        end = ""
    else:
        bx, by = x1 - 9 * ux, y1 - 9 * uy
        end = (f'<polygon points="{x1:.1f},{y1:.1f} {bx - 4 * uy:.1f},{by + 4 * ux:.1f} '
               f'{bx + 4 * uy:.1f},{by - 4 * ux:.1f}" fill="{colour}"/>')
    dash = ' stroke-dasharray="5 3"' if m["drop"] or m["b"] is None else ""
    return (f'<g><line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" stroke="{colour}" stroke-width="1.6"{dash}/>'
            f'<g>{end}</g><circle cx="{x1}" cy="{y1}" r="5" fill="{colour}" stroke="#fff" visibility="hidden"/></g>')


MARK_SVG = {
    "crash": '<path d="M{l},{t}L{r},{b}M{l},{b}L{r},{t}" stroke="crimson" stroke-width="3.5"><title>{text}</title></path>',
    "recover": '<circle cx="{x}" cy="{y}" r="6" fill="seagreen"><title>{text}</title></circle>',
    "note": '<rect x="{l2}" y="{t2}" width="7" height="7" fill="#222"><title>{text}</title></rect>',
}

CSS = """<style>
.trace-animation {max-width: 740px; color: #222; background: #fff; padding: 0.5em; border: 1px solid #ddd;
  border-radius: 6px; font-size: 0.9em}
.trace-animation .anim-title {margin: 0 0 0.3em 0; font-weight: bold}
.trace-animation svg {display: block; background: #fff}
.trace-animation .anim-controls {margin: 0.3em 0}
.trace-animation button {min-width: 6.5em; margin-right: 0.3em; padding: 0.15em 0.6em; font: inherit; color: #111;
  background: #f3f3f3; border: 1px solid #777; border-radius: 4px}
.trace-animation .anim-slider {width: 12em; vertical-align: middle}
.trace-animation .anim-time {margin-left: 0.5em; font-variant-numeric: tabular-nums}
.trace-animation .anim-caption {margin: 0.2em 0; min-height: 1.4em}
.trace-animation .anim-legend, .trace-animation details {font-size: 0.9em}
.trace-animation .anim-legend > span {margin-right: 1em; white-space: nowrap}
.trace-animation .anim-swatch {display: inline-block; width: 1.4em; height: 0.25em; vertical-align: middle}
</style>"""


def _html(key: str, title: str, nodes: list[str], data: dict, payload: str, colours: dict[str, str]) -> str:
    esc = html.escape
    x = lambda t: data["left"] + data["plot"] * t / data["end"]  # noqa: E731
    steps, unit, scale, right = len(data["steps"]), data["unit"], data["scale"], data["left"] + data["plot"]
    axis_y = TOP_PX + LANE_PX * (len(nodes) - 1) + 22
    everyone = f'y="{TOP_PX - 16}" height="{LANE_PX * (len(nodes) - 1) + 32}" fill="orange" fill-opacity="0.16"'
    spans = "".join(
        f'<rect x="{s["x0"]}" width="{max(s["x1"] - s["x0"], 1.5):.1f}" '
        + (everyone if s["row"] is None else f'y="{TOP_PX + LANE_PX * s["row"] - 7}" height="14" fill="crimson" '
                                               'fill-opacity="0.18"') + "/>"
        for s in data["spans"])
    messages = "".join(_message_svg(m) for m in data["messages"])
    marks = "".join(MARK_SVG[m["type"]].format(
        x=m["x"], y=m["y"], l=m["x"] - 7, r=m["x"] + 7, t=m["y"] - 7, b=m["y"] + 7, l2=m["x"] - 3.5, t2=m["y"] - 3.5,
        text=esc(f"{m['type']} {m['text']}".strip())) for m in data["marks"])
    lanes = "".join(
        f'<line x1="{data["left"]}" x2="{right}" y1="{TOP_PX + i * LANE_PX}" y2="{TOP_PX + i * LANE_PX}" stroke="#999"/>'
        f'<text x="{data["left"] - 8}" y="{TOP_PX + i * LANE_PX + 4}" text-anchor="end" font-size="13" fill="#222">'
        f'{esc(n)}</text>' for i, n in enumerate(nodes))
    ticks = "".join(
        f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{axis_y - 6}" y2="{axis_y - 2}" stroke="#555"/>'
        f'<text x="{x(t):.1f}" y="{axis_y + 10}" text-anchor="middle" font-size="11" fill="#333">{t * scale:g}</text>'
        for t in _ticks(data["end"], scale))
    axis = (f'{ticks}<text x="{data["left"] + data["plot"] / 2}" y="{axis_y + 26}" text-anchor="middle" '
            f'font-size="11" fill="#333">simulated time ({unit})</text>')
    legend = "".join(f'<span><span class="anim-swatch" aria-hidden="true" style="background:{c}"></span> {esc(k)}</span>'
                     for k, c in colours.items())
    items = "".join(f"<li>{t * scale:.2f} {unit}: {esc(c)}</li>" for t, c in data["steps"])
    label = f"{esc(title)}: animated space-time diagram of {steps} events between {esc(', '.join(nodes))}"
    return f"""<div class="trace-animation" id="anim-{key}">{CSS}
<p class="anim-title">{esc(title)}</p>
<svg viewBox="0 0 {WIDTH_PX} {data['height']}" width="100%" role="img" aria-label="{label}">
<g class="anim-spans">{spans}</g><g class="anim-lanes">{lanes}</g><g class="anim-axis">{axis}</g>
<g class="anim-messages">{messages}</g><g class="anim-marks">{marks}</g>
<line class="anim-now" x1="{data['left']}" x2="{data['left']}" y1="{TOP_PX - 14}" y2="{axis_y - 2}" stroke="#666" \
stroke-dasharray="3 3" visibility="hidden"/>
</svg>
<div class="anim-controls"><button type="button" class="anim-play">&#9654; Play</button>\
<button type="button" class="anim-back" aria-label="Step back one event">&#9664;&#9664; Step</button>\
<button type="button" class="anim-forward" aria-label="Step forward one event">Step &#9654;&#9654;</button>
<input class="anim-slider" type="range" min="0" max="1000" step="1" value="1000" aria-label="simulated time">
<output class="anim-time">t = {data['end'] * scale:.2f} {unit}</output></div>
<p class="anim-caption" aria-live="polite" data-step="{steps}">event {steps} of {steps}: {esc(data['steps'][-1][1])}</p>
<div class="anim-legend">{legend}</div>
<details><summary>The events as a list</summary><ol class="anim-events">{items}</ol></details>
<script>({PLAYER_JS})(document.currentScript ? document.currentScript.parentNode : \
document.getElementById("anim-{key}"), {payload});</script>
</div>"""
