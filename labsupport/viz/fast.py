"""The same picture for less work: cheaper ways to draw what a live widget redraws many times.

A widget redraws its figure from scratch each time a control moves, so the
fixed costs of a matplotlib figure, paid once by a static page, are paid on
every frame (issue 20). Two of them are large and buy nothing the reader sees:

* **Minor tick marks.** Each tick is a full object (two marks, a grid line,
  two labels, copied property by property): a log axis spanning eight decades
  has some seventy minor ticks and spends more time creating them than the
  rest of the figure takes to draw. :func:`minor_ticks_as_marks` draws the
  same marks as one artist, pixel for pixel.
* **Bars.** ``ax.bar`` makes one patch per bar; sixty stacked bars are sixty
  artists to lay out and draw. :func:`bars_as_one` draws them as one collection.
* **Log-axis labels.** ``10^-4`` is mathtext, laid out by a parser that each
  new renderer, and so each new figure, starts afresh with an empty cache.
  :func:`share_mathtext_layouts` lets every renderer reuse the layouts any
  renderer has made (called when :mod:`labsupport.viz` is imported).
* **The renderer.** Each new figure gets a new Agg renderer, and matplotlib
  caches the size of every piece of text per renderer: a new figure measures
  all its labels again. :func:`pooled_renderers` lends each frame of a widget
  the renderer of the previous frame of the same size, so those measurements
  carry over (the canvas clears the renderer before it draws: same pixels).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import math

import matplotlib
import numpy as np
from matplotlib import markers
from matplotlib.collections import PolyCollection
from matplotlib.ticker import NullLocator

from labsupport.checks import check_choice

__all__ = ["bars_as_one", "layout_of", "minor_ticks_as_marks", "pooled_renderers", "share_mathtext_layouts"]

_PARSE_ARGUMENTS = ["self", "s", "dpi", "prop", "antialiased", "load_glyph_flags"]  # matplotlib 3.7-3.11


def minor_ticks_as_marks(ax, axis: str = "y"):
    """Replace the minor ticks of ``ax``'s ``axis`` by one artist that draws the same marks; returns it.

    Call it once the axis's limits and scale are final (it places the marks the minor locator gives for the
    current limits). Marks that fall on a major tick are left out, as matplotlib leaves them out. The minor
    ticks must be unlabelled, as a log axis over many decades leaves them.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax.set_yscale("log"); ax.set_ylim(1e-4, 5e3)
    (0.0001, 5000.0)
    >>> marks = minor_ticks_as_marks(ax)
    >>> len(marks.get_ydata()), len(ax.yaxis.get_minorticklocs())
    (60, 0)
    >>> plt.close(fig)
    """
    check_choice("axis", axis, ("x", "y"))
    which = ax.yaxis if axis == "y" else ax.xaxis
    lo, hi = sorted(ax.get_ylim() if axis == "y" else ax.get_xlim())
    majors = set(which.get_major_locator().tick_values(lo, hi))
    at = [v for v in which.get_minor_locator().tick_values(lo, hi) if lo <= v <= hi and v not in majors]
    if any(label.strip() for label in which.get_minor_formatter().format_ticks(at)):
        raise ValueError(f"the minor ticks of the {axis} axis are labelled; choose an axis whose minor ticks are bare "
                         "(a log axis over several decades) or keep matplotlib's ticks")
    which.set_minor_locator(NullLocator())
    rc = matplotlib.rcParams
    style = dict(ls="none", ms=rc[f"{axis}tick.minor.size"], mew=rc[f"{axis}tick.minor.width"],
                 color=rc[f"{axis}tick.color"], clip_on=False, zorder=2.01)  # axis artists draw at zorder 2.5
    if axis == "y":
        [line] = ax.plot(np.zeros(len(at)), at, marker=markers.TICKLEFT, transform=ax.get_yaxis_transform(),
                         **style)
    else:
        [line] = ax.plot(at, np.zeros(len(at)), marker=markers.TICKDOWN, transform=ax.get_xaxis_transform(),
                         **style)
    return line


def bars_as_one(ax, x, height, *, bottom=0.0, width: float = 0.8, color=None, edgecolor=None):
    """Vertical bars centred on ``x`` as one collection, drawn as ``ax.bar`` draws them; returns the collection.

    ``height``, ``bottom`` and ``color`` are one value or one per bar. Unlike ``ax.bar`` it does not widen the
    axes' limits: set them (a widget's frames keep fixed limits anyway).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> bars = bars_as_one(ax, [0, 0, 1], [2, 3, 4], bottom=[0, 2, 0], color="C0", edgecolor="white")
    >>> len(bars.get_paths()), len(ax.patches)
    (3, 0)
    >>> plt.close(fig)
    """
    x, height = np.asarray(x, dtype=float), np.asarray(height, dtype=float)
    bottom = np.broadcast_to(np.asarray(bottom, dtype=float), x.shape)
    left, right, top = x - width / 2, x + width / 2, bottom + height
    corners = np.stack([np.column_stack(c) for c in ((left, bottom), (left, top), (right, top), (right, bottom))], 1)
    bars = PolyCollection(corners, facecolors=color if color is not None else matplotlib.rcParams["patch.facecolor"],
                          edgecolors=edgecolor if edgecolor is not None else "face",
                          linewidths=matplotlib.rcParams["patch.linewidth"])
    ax.add_collection(bars, autolim=False)
    return bars


def share_mathtext_layouts() -> bool:
    """One cache of mathtext layouts for every renderer, not one per renderer (see the module doc).

    matplotlib keys its cache by the parser, and each renderer owns a parser; here the key is what the layout
    depends on (the text, dpi, font, antialiasing and glyph flags, and the kind of output). Returns whether the
    cache is shared; it is left as it is when matplotlib's parser does not have the expected form.

    Examples
    --------
    >>> share_mathtext_layouts(), share_mathtext_layouts()
    (True, True)
    """
    from matplotlib.mathtext import MathTextParser

    cached = MathTextParser._parse_cached
    if getattr(cached, "shared", False):
        return True
    parse = getattr(cached, "__wrapped__", None)
    if parse is None or list(inspect.signature(parse).parameters) != _PARSE_ARGUMENTS:
        return False
    parsers = {}  # the first parser of each kind of output (raster, vector): the layout depends on nothing else of it

    @functools.lru_cache(maxsize=512)
    def layout(output, s, dpi, prop, antialiased, load_glyph_flags):
        return parse(parsers[output], s, dpi, prop, antialiased, load_glyph_flags)

    def shared(self, s, dpi, prop, antialiased, load_glyph_flags):
        parsers.setdefault(self._output_type, self)
        return layout(self._output_type, s, dpi, prop, antialiased, load_glyph_flags)

    shared.shared = True
    MathTextParser._parse_cached = shared
    return True

def layout_of(figure) -> dict:
    """The margins and gaps a figure's layout chose (its subplot parameters), to give every frame of a widget.

    ``tight_layout`` measures every label of a frame again, a quarter to a third of a widget's redraw when the
    figure has two axes. A widget whose frames share one layout computes it once, on one frame, and has the others
    call ``fig.subplots_adjust(**margins)``: the axes then also stay put as a control moves. A frame whose labels
    reach further than that frame's is still shown whole (a frame is cropped to what it draws), only closer to its
    neighbour, so choose the frame with the longest labels.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> fig.tight_layout()
    >>> sorted(layout_of(fig))
    ['bottom', 'hspace', 'left', 'right', 'top', 'wspace']
    >>> plt.close(fig)
    """
    pars = figure.subplotpars
    return {name: getattr(pars, name) for name in ("left", "right", "bottom", "top", "wspace", "hspace")}


KEPT_GLYPHS = 20_000  # bitmaps a pooled renderer keeps (a few hundred bytes each); past it, it starts afresh

_PLAIN_TEXT_ARGUMENTS = ["self", "gc", "x", "y", "s", "prop", "angle", "ismath", "mtext"]  # matplotlib 3.11


@functools.cache
def _agg_draws_text_as_3_11() -> bool:
    """Whether this matplotlib's Agg renderer draws plain text as 3.11 does (checked once, not at every string)."""
    from matplotlib.backends.backend_agg import RendererAgg

    return (list(inspect.signature(RendererAgg.draw_text).parameters) == _PLAIN_TEXT_ARGUMENTS
            and hasattr(RendererAgg, "_draw_text_glyphs_and_boxes"))


def _draw_text_kept(renderer, layouts: dict, glyphs: dict, gc, x, y, s, prop, angle, ismath=False, mtext=None):
    """``RendererAgg.draw_text`` (matplotlib 3.11) that keeps each string's glyph layout and each glyph's bitmap.

    A widget's frames repeat most of their text (tick labels, axis labels, a diagram's boxes), and matplotlib 3.11
    lays out each string and renders each of its glyphs afresh every time it is drawn. A glyph's bitmap depends on
    its font, size, resolution, rotation and where it falls within a pixel (FreeType places it in 1/64 px), and moves
    with the whole pixels of its position: kept under those, it is the same bitmap, drawn at the same place, so the
    pixels are those of ``RendererAgg.draw_text`` (``tests/viz/test_viz_fast.py`` compares them). Mathtext, and a
    matplotlib whose ``draw_text`` differs, take matplotlib's own path.
    """
    from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
    from matplotlib.ft2font import RenderMode

    if ismath or not _agg_draws_text_as_3_11():
        return RendererAgg.draw_text(renderer, gc, x, y, s, prop, angle, ismath, mtext)
    flags = get_hinting_flag()
    features = mtext.get_fontfeatures() if mtext is not None else None
    language = mtext.get_language() if mtext is not None else None
    size = prop.get_size_in_points()
    key = (s, tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(), prop.get_stretch(),
           size, prop.get_file(), renderer.dpi, flags, repr(features), repr(language))
    laid_out = layouts.get(key)
    if laid_out is None:
        font = renderer._prepare_font(prop)
        laid_out = layouts[key] = [(item.ft_object, item.glyph_index, item.x, item.y) for item in
                                   font._layout(s, flags=flags, features=features, language=language)]
    if len(glyphs) > KEPT_GLYPHS:
        glyphs.clear()
        layouts.clear()
    antialiased = bool(gc.get_antialiased())
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])).round().astype(int)  # slant 0, extend 1: plain text
    height = renderer.height
    for font, index, dx, dy in laid_out:  # dy is upwards
        at_x, at_y = round(0x40 * (x + dx * cos - dy * sin)), round(0x40 * (height - y + dx * sin + dy * cos))
        glyph = (font, size, renderer.dpi, index, angle, at_x % 64, at_y % 64, flags, antialiased)
        kept = glyphs.get(glyph)
        if kept is None:
            font.set_size(size, renderer.dpi)
            font._set_transform(matrix, [at_x, at_y])
            bitmap = font._render_glyph(index, flags, RenderMode.NORMAL if antialiased else RenderMode.MONO)
            buffer = np.array(bitmap.buffer)
            if not antialiased:
                buffer *= 0xff
            kept = glyphs[glyph] = (buffer, bitmap.left - (at_x >> 6), bitmap.top - (at_y >> 6))
        buffer, left, top = kept
        renderer._renderer.draw_text_image(buffer, left + (at_x >> 6), int(height) - (top + (at_y >> 6))
                                           + buffer.shape[0], 0, gc)


@contextlib.contextmanager
def pooled_renderers(pool: dict):
    """While active, an Agg canvas takes its renderer from ``pool`` (one per size and dpi), made once and reused.

    Use it around drawing and encoding one figure at a time (a widget's frame): the renderer's caches of text
    sizes then outlive the figure, and the next frame of the same size measures nothing again; so do its strings'
    glyph layouts and its glyphs' bitmaps (:func:`_draw_text_kept`). A canvas clears its renderer before drawing,
    so the pixels are those of a fresh renderer. ``pool`` is the caller's (a dict
    kept between frames); figures drawn outside the block are unaffected.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> pool = {}
    >>> with pooled_renderers(pool):
    ...     a, _ = plt.subplots(figsize=(2, 1)); a.canvas.draw()
    ...     b, _ = plt.subplots(figsize=(2, 1)); b.canvas.draw()
    >>> a.canvas.get_renderer() is b.canvas.get_renderer(), len(pool)
    (True, 1)
    >>> plt.close("all")
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

    original = FigureCanvasAgg.get_renderer

    def get_renderer(canvas):
        width, height = canvas.get_width_height(physical=True)
        key = width, height, canvas.figure.dpi
        if canvas._lastKey != key:
            if key not in pool:
                pool[key] = RendererAgg(width, height, canvas.figure.dpi)
                pool[key].draw_text = functools.partial(_draw_text_kept, pool[key], {}, {})
            canvas.renderer, canvas._lastKey = pool[key], key
        return canvas.renderer

    FigureCanvasAgg.get_renderer = get_renderer
    try:
        yield pool
    finally:
        FigureCanvasAgg.get_renderer = original
