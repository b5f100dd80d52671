"""One helper for every interactive figure: live in a kernel, still alive in the static book.

A reader of the HTML book has no Python kernel, so a plain ipywidgets
slider would show nothing. :func:`explore` therefore has two faces. In a
live kernel (JupyterLab, Binder) it builds real ipywidgets that redraw the
figure. When the book is built (``LABSUPPORT_WIDGETS=static``, set by
``make book``) it draws the figure once for every combination of control
values and writes a small self-contained HTML block whose controls switch
between the precomputed images: no kernel, no network, no CDN.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from labsupport.viz.figures import COLUMN_PX, LIVE_SHARPNESS

__all__ = ["explore", "Explorer", "widget_mode", "control_kind", "MAX_FRAMES"]

MAX_FRAMES = 60  # more frames than this makes a page slow to load; use fewer control values
RADIO_MAX = 4  # named choices up to this many are buttons side by side; more go in a drop-down list


def widget_mode() -> str:
    """``"static"`` when building the book, ``"live"`` otherwise (from ``LABSUPPORT_WIDGETS``)."""
    mode = os.environ.get("LABSUPPORT_WIDGETS", "live")
    if mode not in ("live", "static"):
        raise ValueError(f"LABSUPPORT_WIDGETS={mode!r}; use 'live' or 'static'")
    return mode


def _format(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def control_kind(values: Sequence[Any]) -> str:
    """The control for a list of values: a checkbox for on/off, buttons or a list for names, a slider for numbers.

    Examples
    --------
    >>> control_kind([False, True]), control_kind(["eventual", "consistent"]), control_kind([1, 2, 4])
    ('checkbox', 'radio', 'slider')
    >>> control_kind(["a", "b", "c", "d", "e"])
    'dropdown'
    """
    if len(values) == 2 and all(isinstance(v, bool) for v in values) and set(values) == {False, True}:
        return "checkbox"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "slider"
    return "radio" if len(values) <= RADIO_MAX else "dropdown"


@dataclass
class Explorer:
    """The figure function and its controls; displays itself in either mode.

    ``controls`` maps a keyword argument of ``draw`` to the list of values
    the reader may choose from; ``initial`` gives the values shown first.
    """

    draw: Callable[..., Any]
    controls: dict[str, list[Any]]
    initial: dict[str, Any]
    title: str
    labels: dict[str, str]
    fixed: dict[str, Any] = None  # controls with a single value: passed to draw, never shown as sliders
    _live_dpi: float | None = field(default=None, init=False, repr=False, compare=False)  # the last live frame's
    _renderers: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # live frames' renderers

    def _draw(self, **values):
        return self.draw(**(self.fixed or {}), **values)

    def kind(self, name: str) -> str:
        """The control that fits the values of ``name``: see :func:`control_kind`."""
        return control_kind(self.controls[name])

    # -- static: precomputed frames switched by inline JavaScript ----------------
    def _control_html(self, name: str, start: int) -> str:
        values = self.controls[name]
        shown = [_format(v) for v in values]
        label = html.escape(self.labels.get(name, name))
        common = f'data-name="{html.escape(name)}" data-label="{label}" data-values=\'{html.escape(json.dumps(shown))}\''
        kind = self.kind(name)
        style = 'style="display:inline-block;margin:0 1.5em 0.4em 0"'
        if kind == "checkbox":
            on = values.index(True)
            checked = " checked" if values[start] is True else ""
            return (f'<label class="explore-control explore-checkbox" {style}>'
                    f'<input type="checkbox" {common} data-on="{on}" data-off="{1 - on}"{checked}> {label} '
                    f'<output>{"on" if values[start] is True else "off"}</output></label>')
        if kind == "radio":
            buttons = "".join(
                f'<label style="margin-right:0.8em"><input type="radio" name="{{uid}}-{html.escape(name)}" value="{i}"'
                f'{" checked" if i == start else ""}> {html.escape(v)}</label>' for i, v in enumerate(shown))
            return (f'<fieldset class="explore-control explore-radio" {common} {style[:-1]};border:0;padding:0">'
                    f'<legend style="float:left;margin:0 0.6em 0 0;font-size:inherit">{label}</legend>{buttons}'
                    f'<output hidden>{html.escape(shown[start])}</output></fieldset>')
        if kind == "dropdown":
            options = "".join(f'<option value="{i}"{" selected" if i == start else ""}>{html.escape(v)}</option>'
                              for i, v in enumerate(shown))
            return (f'<label class="explore-control explore-dropdown" {style}>{label} '
                    f'<select {common}>{options}</select><output hidden>{html.escape(shown[start])}</output></label>')
        return (f'<label class="explore-control explore-slider" {style}>{label} '
                f'<input type="range" min="0" max="{len(values) - 1}" step="1" value="{start}" {common} '
                f'aria-label="{label}"> <output>{html.escape(shown[start])}</output></label>')

    def to_html(self) -> str:
        names = list(self.controls)
        images = {}
        for index, png in self._frames_png():
            images["-".join(map(str, index))] = "data:image/png;base64," + base64.b64encode(png).decode()
        key = hashlib.sha1(json.dumps([self.title, {n: list(map(_format, v)) for n, v in self.controls.items()}]).encode()).hexdigest()[:10]
        uid = f"explore-{key}"
        start = [self.controls[n].index(self.initial[n]) for n in names]
        rows = [self._control_html(n, i).replace("{uid}", uid) for n, i in zip(names, start)]
        first = images["-".join(map(str, start))]
        alt = html.escape(f"{self.title}: " + ", ".join(f"{self.labels.get(n, n)} = {_format(self.initial[n])}" for n in names))
        return f"""<div class="explore" id="{uid}">
<div class="explore-controls">{''.join(rows)}</div>
<img class="explore-figure" src="{first}" alt="{alt}" width="{COLUMN_PX}" style="max-width:100%;height:auto">
<p class="explore-note">Precomputed for the values of the controls; run the notebook for the live version.</p>
<script type="application/json" class="explore-frames">{json.dumps(images)}</script>
<script>(function () {{
  var root = document.getElementById("{uid}");
  var frames = JSON.parse(root.querySelector(".explore-frames").textContent);
  var controls = root.querySelectorAll("[data-name]");
  var img = root.querySelector("img.explore-figure"), title = {json.dumps(self.title)};
  function index(control) {{
    if (control.type === "checkbox") return Number(control.checked ? control.dataset.on : control.dataset.off);
    if (control.tagName === "FIELDSET") return Number(control.querySelector("input:checked").value);
    return Number(control.value);
  }}
  function update() {{
    var key = [], parts = [];
    controls.forEach(function (control) {{
      var values = JSON.parse(control.dataset.values), i = index(control), out = control.parentNode.querySelector("output");
      if (control.tagName === "FIELDSET") out = control.querySelector("output");
      out.textContent = control.type === "checkbox" ? (control.checked ? "on" : "off") : values[i];
      key.push(i); parts.push(control.dataset.label + " = " + values[i]);
    }});
    img.src = frames[key.join("-")];
    img.alt = title + ": " + parts.join(", ");
  }}
  controls.forEach(function (control) {{
    control.addEventListener("input", update);
    control.addEventListener("change", update);
  }});
}})();</script>
</div>"""

    def _frames_png(self):
        """Each combination of control indices and its figure as PNG, one figure open at a time."""
        import matplotlib.pyplot as plt

        from labsupport.viz.figures import column_png

        names = list(self.controls)
        for index in itertools.product(*(range(len(self.controls[n])) for n in names)):
            figure = self._draw(**{n: self.controls[n][i] for n, i in zip(names, index)})
            try:
                png, _ = column_png(figure)
            finally:
                plt.close(figure)
            yield index, png

    # -- live: ipywidgets -------------------------------------------------
    def _widget(self, name: str):
        import ipywidgets as widgets

        values = self.controls[name]
        label = self.labels.get(name, name)
        common = dict(description=label, style={"description_width": "initial"})
        kind = self.kind(name)
        if kind == "checkbox":
            return widgets.Checkbox(value=self.initial[name], indent=False, **common)
        options = [(_format(v), v) for v in values]
        if kind == "radio":
            return widgets.ToggleButtons(options=options, value=self.initial[name], **common)
        if kind == "dropdown":
            return widgets.Dropdown(options=options, value=self.initial[name], **common)
        return widgets.SelectionSlider(options=options, value=self.initial[name], continuous_update=False, **common)

    def live_png(self, **values) -> bytes:
        """The frame for ``values`` as the live widget shows it: drawn, encoded for the column, closed."""
        import matplotlib
        import matplotlib.pyplot as plt

        from labsupport.viz.fast import pooled_renderers
        from labsupport.viz.figures import column_dpi, live_png

        # Drawn at the dpi the last frame was shown at: a layout computed while drawing (tight_layout) then measures
        # its text with the renderer that paints it, and text is measured once, not once per resolution.
        # And with the renderer of the last frame of its size (fast.pooled_renderers): text sizes it measured stay known.
        with pooled_renderers(self._renderers):
            with matplotlib.rc_context({"figure.dpi": self._live_dpi or matplotlib.rcParams["figure.dpi"]}):
                figure = self._draw(**values)
            try:
                self._live_dpi = column_dpi(figure, sharpness=LIVE_SHARPNESS)
                return live_png(figure)
            finally:
                plt.close(figure)

    def to_widget(self):
        import ipywidgets as widgets

        controls = {n: self._widget(n) for n in self.controls}
        image = widgets.Image(format="png", width=COLUMN_PX, layout=widgets.Layout(max_width="100%", height="auto"))
        cache = {}  # frames already drawn: going back to a setting costs nothing

        def redraw(_change=None):
            key = tuple(c.value for c in controls.values())
            if key not in cache:
                cache[key] = self.live_png(**{n: c.value for n, c in controls.items()})
            image.value = cache[key]

        for control in controls.values():
            control.observe(redraw, names="value")
        redraw()
        return widgets.VBox([*controls.values(), image])

    def frame_timings(self) -> tuple[list[float], list[float]]:
        """Wall-clock and CPU seconds of a live redraw for each frame: what a reader waits for when a control moves.

        Each frame is drawn and encoded exactly as the live widget does it (:meth:`live_png`), without its cache.
        """
        import time

        seconds, cpu = [], []
        names = list(self.controls)
        for index in itertools.product(*(range(len(self.controls[n])) for n in names)):
            started, started_cpu = time.perf_counter(), time.process_time()
            self.live_png(**{n: self.controls[n][i] for n, i in zip(names, index)})
            seconds.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        return seconds, cpu

    def _ipython_display_(self):
        from IPython.display import HTML, display

        timings_file = os.environ.get("LABSUPPORT_WIDGET_TIMINGS")
        if timings_file:  # set by 'make bench' only
            with open(timings_file, "a") as out:
                seconds, cpu = self.frame_timings()
                out.write(json.dumps({"title": self.title, "seconds": seconds, "cpu_seconds": cpu}) + "\n")
        if widget_mode() == "static":
            display(HTML(self.to_html()))
        else:
            display(self.to_widget())


def explore(draw: Callable[..., Any], *, title: str, labels: dict[str, str] | None = None,
            initial: dict[str, Any] | None = None, **controls: Sequence[Any]) -> Explorer:
    """Let the reader change the arguments of ``draw`` and watch its figure change.

    Parameters
    ----------
    draw : callable
        ``draw(**values)`` returns a matplotlib Figure. It must not show or
        close the figure itself.
    title : str
        What the figure shows; used in the image's alt text.
    labels : dict, optional
        A readable label per control (default: the argument name).
    initial : dict, optional
        Starting values (default: the middle value of each control).
    **controls : sequence
        For each argument of ``draw``, the values the reader may choose.

    Returns
    -------
    Explorer
        Display it (leave it as the last expression of a cell).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> def draw(n):
    ...     fig, ax = plt.subplots()
    ...     ax.plot(range(n))
    ...     return fig
    >>> e = explore(draw, title="A line", n=[2, 4, 8])
    >>> e.initial, len(e.controls["n"])
    ({'n': 4}, 3)
    >>> explore(draw, title="A line", n=[])
    Traceback (most recent call last):
    ...
    ValueError: control 'n' has no values; give at least one
    """
    if not controls:
        raise ValueError("explore needs at least one control, e.g. explore(draw, title=..., n=[1, 2, 3])")
    lists = {}
    for name, values in controls.items():
        values = list(values)
        if not values:
            raise ValueError(f"control {name!r} has no values; give at least one")
        lists[name] = values
    frames = 1
    for values in lists.values():
        frames *= len(values)
    if frames > MAX_FRAMES:
        raise ValueError(
            f"{frames} combinations of control values is more than {MAX_FRAMES} precomputed frames; "
            "offer fewer values per control"
        )
    initial = dict(initial or {})
    for name in initial:
        if name not in lists:
            raise ValueError(f"initial value given for {name!r}, which is not a control ({sorted(lists)})")
        if initial[name] not in lists[name]:
            raise ValueError(f"initial {name}={initial[name]!r} is not one of its values {lists[name]}")
    for name, values in lists.items():
        initial.setdefault(name, values[len(values) // 2])
    fixed = {name: values[0] for name, values in lists.items() if len(values) == 1}
    moving = {name: values for name, values in lists.items() if len(values) > 1}
    if not moving:
        raise ValueError("every control has a single value; give at least one control two or more values")
    return Explorer(draw, moving, {n: initial[n] for n in moving}, title, dict(labels or {}), fixed)
