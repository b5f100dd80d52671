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
from dataclasses import dataclass
from typing import Any, Callable, Sequence

__all__ = ["explore", "Explorer", "widget_mode", "MAX_FRAMES"]

MAX_FRAMES = 60  # more frames than this makes a page slow to load; use fewer control values
STATIC_DPI = 80


def widget_mode() -> str:
    """``"static"`` when building the book, ``"live"`` otherwise (from ``LABSUPPORT_WIDGETS``)."""
    mode = os.environ.get("LABSUPPORT_WIDGETS", "live")
    if mode not in ("live", "static"):
        raise ValueError(f"LABSUPPORT_WIDGETS={mode!r}; use 'live' or 'static'")
    return mode


def _format(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


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

    def _draw(self, **values):
        return self.draw(**(self.fixed or {}), **values)

    def frames(self) -> list[tuple[tuple[int, ...], Any]]:
        """Every combination of control indices with the figure drawn for it."""
        names = list(self.controls)
        out = []
        for index in itertools.product(*(range(len(self.controls[n])) for n in names)):
            values = {n: self.controls[n][i] for n, i in zip(names, index)}
            out.append((index, self._draw(**values)))
        return out

    # -- static: precomputed frames switched by inline JavaScript ----------------
    def to_html(self) -> str:
        import matplotlib.pyplot as plt

        names = list(self.controls)
        images = {}
        for index, figure in self.frames():
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=STATIC_DPI, bbox_inches="tight")
            plt.close(figure)
            images["-".join(map(str, index))] = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
        key = hashlib.sha1(json.dumps([self.title, {n: list(map(_format, v)) for n, v in self.controls.items()}]).encode()).hexdigest()[:10]
        uid = f"explore-{key}"
        start = [self.controls[n].index(self.initial[n]) for n in names]
        rows = []
        for n, i in zip(names, start):
            values = [_format(v) for v in self.controls[n]]
            label = html.escape(self.labels.get(n, n))
            rows.append(
                f'<label class="explore-control" style="display:inline-block;margin:0 1.5em 0.4em 0">{label} '
                f'<input type="range" min="0" max="{len(values) - 1}" step="1" value="{i}" '
                f'data-name="{html.escape(n)}" aria-label="{label}" '
                f"data-values='{html.escape(json.dumps(values))}'>"
                f' <output>{html.escape(values[i])}</output></label>'
            )
        first = images["-".join(map(str, start))]
        alt = html.escape(f"{self.title}: " + ", ".join(f"{self.labels.get(n, n)} = {_format(self.initial[n])}" for n in names))
        return f"""<div class="explore" id="{uid}">
<div class="explore-controls">{''.join(rows)}</div>
<img class="explore-figure" src="{first}" alt="{alt}" style="max-width:100%">
<p class="explore-note">Precomputed for the values on the sliders; run the notebook for the live version.</p>
<script type="application/json" class="explore-frames">{json.dumps(images)}</script>
<script>(function () {{
  var root = document.getElementById("{uid}");
  var frames = JSON.parse(root.querySelector(".explore-frames").textContent);
  var inputs = root.querySelectorAll("input[type=range]");
  var img = root.querySelector("img"), title = {json.dumps(self.title)};
  function update() {{
    var key = [], parts = [];
    inputs.forEach(function (input) {{
      var values = JSON.parse(input.dataset.values), i = Number(input.value);
      input.nextElementSibling.textContent = values[i];
      key.push(i); parts.push(input.getAttribute("aria-label") + " = " + values[i]);
    }});
    img.src = frames[key.join("-")];
    img.alt = title + ": " + parts.join(", ");
  }}
  inputs.forEach(function (input) {{ input.addEventListener("input", update); }});
}})();</script>
</div>"""

    # -- live: ipywidgets -------------------------------------------------
    def to_widget(self):
        import ipywidgets as widgets
        import matplotlib.pyplot as plt
        from IPython.display import display

        sliders = {
            n: widgets.SelectionSlider(options=[(_format(v), v) for v in values], value=self.initial[n],
                                       description=self.labels.get(n, n), continuous_update=False,
                                       style={"description_width": "initial"})
            for n, values in self.controls.items()
        }
        output = widgets.Output()

        def redraw(_change=None):
            figure = self._draw(**{n: s.value for n, s in sliders.items()})
            with output:
                output.clear_output(wait=True)
                display(figure)
            plt.close(figure)

        for slider in sliders.values():
            slider.observe(redraw, names="value")
        redraw()
        return widgets.VBox([*sliders.values(), output])

    def frame_timings(self) -> list[float]:
        """Seconds to draw and encode each frame: what a reader waits for when a control moves."""
        import time

        import matplotlib.pyplot as plt

        seconds = []
        names = list(self.controls)
        for index in itertools.product(*(range(len(self.controls[n])) for n in names)):
            started = time.perf_counter()
            figure = self._draw(**{n: self.controls[n][i] for n, i in zip(names, index)})
            figure.savefig(io.BytesIO(), format="png", dpi=STATIC_DPI, bbox_inches="tight")
            seconds.append(time.perf_counter() - started)
            plt.close(figure)
        return seconds

    def _ipython_display_(self):
        from IPython.display import HTML, display

        timings_file = os.environ.get("LABSUPPORT_WIDGET_TIMINGS")
        if timings_file:  # set by 'make bench' only
            with open(timings_file, "a") as out:
                out.write(json.dumps({"title": self.title, "seconds": self.frame_timings()}) + "\n")
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
