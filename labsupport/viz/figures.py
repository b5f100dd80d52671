"""Figures sized for the book's column and sharp on a high-density screen.

A printed page sets every figure to the width of its text column; so does
the book. The theme's column is :data:`COLUMN_PX` CSS pixels wide at a
1280-px window, so every figure, the static ones drawn by a page and each
precomputed frame of a widget, is rendered with twice that many pixels
(``SHARPNESS``) and shown at the column's width: crisp on a phone or a
laptop whose screen has two device pixels per CSS pixel, and the same size
whether it is static or interactive.

Each PNG also records, in a text chunk (:data:`TEXT_PX_KEY`), the size in CSS
pixels of its smallest text as the column shows it, so that a check of the
built book can hold every figure's text to the body's small print
(:data:`MIN_TEXT_PX`) without measuring glyphs. A figure drawn so wide that
its smallest text would fall below that is first narrowed, as a printer
fits a figure to the column, keeping its text's size in points
(:func:`fit_to_column`).
"""

from __future__ import annotations

import io
import math
import struct
import warnings
import zlib

__all__ = ["COLUMN_PX", "SHARPNESS", "LIVE_SHARPNESS", "MIN_TEXT_PX", "TEXT_PX_KEY", "column_dpi", "column_png",
           "fit_to_column", "live_png", "show_figures_once", "smallest_text_pt", "text_px", "tight_box",
           "use_column_figures"]

COLUMN_PX = 688  # the text column of sphinx-book-theme at a 1280-px window, in CSS pixels
SHARPNESS = 2.0  # device pixels per CSS pixel that a figure is rendered for
LIVE_SHARPNESS = 1.0  # a live widget's redraw: what Jupyter's own figures have, at a fraction of the time
OVERFLOW_IN = 0.05  # a live redraw may clip this much of a drawing that reaches past the figure's edge (inches)
MIN_TEXT_PX = 11.0  # the body's small print (captions, table notes) at a 1280-px window, in CSS pixels
TEXT_PX_KEY = "labsupport:smallest-text-px"  # the PNG text chunk that records it for each figure


def column_dpi(figure, *, sharpness: float = SHARPNESS) -> float:
    """The dpi that renders ``figure`` at least ``sharpness`` times the column's width in pixels.

    A tight bounding box trims the figure's margins, so 10 % is added to stay above the target.

    Examples
    --------
    >>> class Fig:
    ...     def get_size_inches(self): return (6.0, 3.0)
    >>> round(column_dpi(Fig()))
    253
    """
    width_in = float(figure.get_size_inches()[0])
    return math.ceil(1.1 * sharpness * COLUMN_PX / width_in)


def smallest_text_pt(figure) -> float | None:
    """The font size in points of the smallest text ``figure`` shows (None when it shows none).

    Call it after the figure was drawn (saving draws it): tick labels exist only then.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_title("big", fontsize=14), ax.text(0.5, 0.5, "small", fontsize=7), ax.set_xticks([])
    >>> _ = ax.set_yticks([])
    >>> smallest_text_pt(fig)
    7.0
    >>> plt.close(fig)
    """
    from matplotlib.text import Text

    def shown(text) -> bool:
        return text.get_visible() and bool(text.get_text().strip())

    axes = [ax for ax in figure.axes if ax.get_visible() and ax.axison]
    axes_of = [axis for ax in figure.axes for axis in getattr(ax, "_axis_map", {"x": ax.xaxis, "y": ax.yaxis}).values()]
    tick_labels = {id(label) for axis in axes_of for tick in [*axis.majorTicks, *axis.minorTicks]
                   for label in (tick.label1, tick.label2)}
    tick_labels |= {id(text) for ax in figure.axes if ax not in axes  # axes switched off draw no axis text
                    for axis in getattr(ax, "_axis_map", {"x": ax.xaxis, "y": ax.yaxis}).values()
                    for text in (axis.label, axis.offsetText)}
    sizes = [t.get_fontsize() for t in figure.findobj(Text) if id(t) not in tick_labels and shown(t)]
    for ax in axes:  # the tick labels in view: those the figure draws
        for axis in getattr(ax, "_axis_map", {"x": ax.xaxis, "y": ax.yaxis}).values():
            if axis.get_visible():
                sizes += [t.get_fontsize() for t in axis.get_ticklabels(which="both") if shown(t)]
    return float(min(sizes)) if sizes else None


def text_px(points: float, width_in: float) -> float:
    """CSS pixels of ``points``-sized text in a figure ``width_in`` inches wide, shown at the column's width.

    Examples
    --------
    >>> round(text_px(10, 6.5), 1), round(text_px(10, 10), 1)  # a 10-in figure shrinks 10-pt text below 11 px
    (14.7, 9.6)
    """
    return points / 72 * COLUMN_PX / width_in


def fit_to_column(figure, *, drawn_in: float | None = None) -> bool:
    """Narrow ``figure`` until its smallest text is at least :data:`MIN_TEXT_PX` at the column's width.

    ``drawn_in`` is the width the figure was last saved at (its tight box), when known: a drawing that reaches past
    the figure's edges is shown narrower than its width says.

    A figure drawn 10 in wide and shown at the column's 688 px shrinks 10-pt text to 9.6 px. The text keeps its size
    in points, the figure gets narrower (its height in proportion) and is laid out again when its axes are a grid
    that ``tight_layout`` handles; otherwise its proportions are kept. Returns whether it changed the figure.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(10, 4))
    >>> fit_to_column(fig), [round(float(v), 2) for v in fig.get_size_inches()]
    (True, [8.69, 3.47])
    >>> fit_to_column(fig)
    False
    >>> plt.close(fig)
    """
    points = smallest_text_pt(figure)
    width_in, height_in = figure.get_size_inches()
    shown = text_px(points, drawn_in or width_in) if points is not None else None
    if shown is None or shown >= MIN_TEXT_PX:
        return False
    target_in = points / 72 * COLUMN_PX / MIN_TEXT_PX  # the shown width at which the smallest text is MIN_TEXT_PX
    fitted = width_in - ((drawn_in or width_in) - target_in) - (0.02 if drawn_in else 0)  # what reaches past stays
    figure.set_size_inches(fitted, height_in * fitted / width_in)
    grid = all(ax.get_subplotspec() is not None for ax in figure.axes) and not figure.legends
    if figure.get_layout_engine() is None and grid:
        with warnings.catch_warnings():  # a layout that cannot improve keeps the one the page chose
            warnings.simplefilter("ignore")
            figure.tight_layout()
    return True


def _with_text(png: bytes, key: str, value: str) -> bytes:
    """``png`` with a tEXt chunk ``key=value`` right after its header (IHDR is always 25 bytes from the start+8)."""
    body = key.encode("latin-1") + b"\0" + value.encode("latin-1")
    chunk = struct.pack(">I", len(body)) + b"tEXt" + body + struct.pack(">I", zlib.crc32(b"tEXt" + body))
    return png[:33] + chunk + png[33:]


def tight_box(figure, dpi: float) -> tuple:
    """``(box, width_px, png)``: the padded tight box, in inches, of ``figure.savefig(format="png", dpi=dpi,
    bbox_inches="tight")``, the width in pixels of that PNG, and the PNG itself only where it had to be drawn.

    Saving with a tight box lays the figure out once to find the box, then draws it at that size and encodes the
    pixels. Fitting a figure to the column needs only the width: here the same ``savefig`` runs with a print method
    that gives its layout pass the renderer a PNG would get, then reads the box and the width of the canvas it would
    draw on, and stops (``png`` is None). Saving with ``bbox_inches`` set to the box then draws the same PNG without a
    second layout pass (:func:`_saved_in`). A figure with a layout engine that runs at every save (constrained
    layout: running it again can move things by a pixel) or without an Agg canvas is saved for real.

    Examples
    --------
    >>> import io, struct
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(5, 2))
    >>> _ = ax.set_ylabel("a label that widens the box")
    >>> tight = io.BytesIO()
    >>> fig.savefig(tight, format="png", dpi=150, bbox_inches="tight")
    >>> box, width, png = tight_box(fig, 150)
    >>> width == struct.unpack(">I", tight.getvalue()[16:20])[0], png
    (True, None)
    >>> _saved_in(fig, box, 150) == tight.getvalue()
    True
    >>> plt.close(fig)
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    canvas, engine = figure.canvas, figure.get_layout_engine()
    if not isinstance(canvas, FigureCanvasAgg) or not (engine is None or isinstance(engine, PlaceHolderLayoutEngine)):
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
        png = buffer.getvalue()
        return "tight", struct.unpack(">I", png[16:20])[0], png
    found = []

    def print_box(filename_or_obj, *, bbox_inches_restore=None, **kwargs):
        if "draw" in vars(figure):  # savefig's layout pass (matplotlib's _get_renderer): the renderer print_png uses
            figure.draw(canvas.get_renderer())
        found.append((bbox_inches_restore[0], int(figure.bbox.width), None))  # the drawing pass: the PNG's width

    canvas.print_box = print_box
    try:
        figure.savefig(io.BytesIO(), format="box", dpi=dpi, bbox_inches="tight")
    finally:
        del canvas.print_box
    return found[-1]


def _saved_in(figure, box, dpi: float) -> bytes:
    """The PNG of ``figure`` in the tight ``box`` that :func:`tight_box` found: drawn and encoded once.

    A figure laid out once by ``tight_layout`` keeps a placeholder layout engine, which makes ``savefig`` lay it out
    again before drawing; that pass changes nothing (the placeholder lays out nothing, and the drawing recomputes
    ticks and text), so it is skipped.
    """
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    engine = figure.get_layout_engine()
    idle = isinstance(engine, PlaceHolderLayoutEngine)
    buffer = io.BytesIO()
    try:
        if idle:
            figure.set_layout_engine(None)
        figure.savefig(buffer, format="png", dpi=dpi, bbox_inches=box)
    finally:
        if idle:
            figure.set_layout_engine(engine)
    return buffer.getvalue()


def column_png(figure, *, sharpness: float = SHARPNESS) -> tuple[bytes, dict]:
    """PNG bytes of ``figure`` for the column, and the display metadata (its width in CSS pixels).

    The PNG records the smallest text's size in CSS pixels at the column's width (:data:`TEXT_PX_KEY`).
    """
    fit_to_column(figure)
    for attempt in range(4):  # a drawing past the figure's edges may need the fit again, at the width it is shown
        dpi = column_dpi(figure, sharpness=sharpness)
        box, width_px, png = tight_box(figure, dpi)
        width_in = width_px / dpi  # the saved (tight) width
        if attempt == 3 or not fit_to_column(figure, drawn_in=width_in):
            break
    if png is None:
        png = _saved_in(figure, box, dpi)
    width_in = struct.unpack(">I", png[16:20])[0] / dpi
    points = smallest_text_pt(figure)
    if points is not None:
        png = _with_text(png, TEXT_PX_KEY, f"{text_px(points, width_in):.1f}")
    return png, {"width": COLUMN_PX}


def live_png(figure, *, sharpness: float = LIVE_SHARPNESS) -> bytes:
    """PNG bytes of ``figure`` for a live widget's redraw: one rendering, cropped to what is drawn.

    ``savefig(bbox_inches="tight")`` renders the figure twice (once to measure, once to draw); here it is drawn once
    and its pixels are cropped to what differs from the background and the axes' boxes, padded as savefig pads its
    tight box, and encoded
    with light compression: the reader waits about a third less. Measuring every artist's box again after the draw
    (what ``get_tightbbox`` does) would lay out every axis's ticks once more; the pixels already say where the ink is.
    What the pixels cannot show is a drawing past the canvas's edge (a legend outside the axes): when ink touches an
    edge, or a box laid out while drawing reaches past one (:func:`_stands_past_edges`), the tight box is measured
    and, if it reaches past the edge by more than :data:`OVERFLOW_IN`, the figure is saved once more with that box,
    which grows the canvas to show it. The figure is not fitted to the column (:func:`fit_to_column`
    is for the book): the reader sees it as the page draws it.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(6.88, 3))
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> png = live_png(fig)
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n", 600 < struct.unpack(">I", png[16:20])[0] <= COLUMN_PX * 1.1
    (True, True)
    >>> plt.close(fig)
    """
    import numpy as np
    from PIL import Image

    dpi = column_dpi(figure, sharpness=sharpness)  # not fitted to the column: Jupyter shows the figure as drawn
    figure.set_dpi(dpi)
    figure.canvas.draw()
    rgba = np.asarray(figure.canvas.buffer_rgba())
    height, width = rgba.shape[:2]
    pixels = rgba.view(np.uint32)[..., 0]  # one number per pixel
    ink = pixels != pixels[0, 0]  # (a corner that is ink itself is near an edge: measured below)
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    pad = 0.1 * dpi  # savefig's pad_inches
    if (len(rows) and min(rows[0], columns[0]) > 0 and min(height - 1 - rows[-1], width - 1 - columns[-1]) > 0
            and not _stands_past_edges(figure)):
        top, bottom, left, right = rows[0], rows[-1] + 1, columns[0], columns[-1] + 1
        for ax in figure.axes:  # an axes counts whole, drawn or not (its frame off, a graph inside), as savefig's box
            if ax.get_visible():
                box = ax.bbox
                top, bottom = min(top, height - box.y1), max(bottom, height - box.y0)
                left, right = min(left, box.x0), max(right, box.x1)
        y0, y1 = max(0, int(round(top - pad))), min(height, int(round(bottom + pad)))
        x0, x1 = max(0, int(round(left - pad))), min(width, int(round(right + pad)))
    else:  # what is drawn may reach past an edge: measure the figure's tight box
        drawn = figure.get_tightbbox(figure.canvas.get_renderer())  # inches
        width_in, height_in = figure.get_size_inches()
        over = max(-drawn.x0, -drawn.y0, drawn.x1 - width_in, drawn.y1 - height_in)  # drawn beyond the edges
        if over > OVERFLOW_IN:  # savefig grows the canvas to show it
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=dpi, bbox_inches=drawn.padded(0.1),
                           pil_kwargs={"compress_level": 1})
            return buffer.getvalue()
        box = drawn.padded(0.1)  # within the canvas
        x0, x1 = max(0, int(round(box.x0 * dpi))), min(width, int(round(box.x1 * dpi)))
        y0, y1 = max(0, height - int(round(box.y1 * dpi))), min(height, height - int(round(box.y0 * dpi)))
    buffer = io.BytesIO()
    Image.fromarray(rgba[y0:y1, x0:x1]).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def _stands_past_edges(figure) -> bool:
    """Whether something drawn reaches past the edge of the figure's canvas, where its pixels cannot show it.

    Measured from the boxes matplotlib already laid out while drawing, not laid out again: each axes' frame, its
    titles, its axes' labels and the tick labels and tick marks within each axis's view, and every artist that stands
    apart from a frame (a legend, a text, an annotation, an unclipped line). What an axes draws inside its frame is
    clipped to it.
    """
    from matplotlib.axes import Axes
    from matplotlib.spines import Spine
    from matplotlib.text import Text

    renderer = figure.canvas.get_renderer()
    width, height = figure.bbox.width, figure.bbox.height
    # as Figure.get_tightbbox takes them: the figure's own artists, then every visible axes (even one placed by hand,
    # which leaves the layout) with its free-standing artists
    artists = [a for a in figure.get_children()
               if a is not figure.patch and a not in figure.axes and a.get_visible() and a.get_in_layout()]
    for ax in figure.axes:
        if ax.get_visible():
            artists += [ax, *ax.get_default_bbox_extra_artists()]
    boxes = []
    for artist in artists:
        if isinstance(artist, Spine):  # a spine's box is its axes' frame and ticks
            continue
        if not isinstance(artist, Axes):
            boxes.append(artist.get_tightbbox(renderer))
            continue
        boxes.append(artist.bbox)
        texts = [child for child in artist.get_children() if isinstance(child, Text)]  # its titles
        for axis in (artist.xaxis, artist.yaxis):
            if not (artist.axison and axis.get_visible()):
                continue
            texts += [axis.label, axis.offsetText]
            low, high = sorted(axis.get_view_interval())
            slack = 1e-9 * (high - low)
            for tick in [*axis.majorTicks, *axis.minorTicks]:
                if tick.get_visible() and low - slack <= tick.get_loc() <= high + slack:  # drawn (ticks are reused)
                    texts += [tick.label1, tick.label2]
                    boxes += [line.get_window_extent(renderer) for line in (tick.tick1line, tick.tick2line)
                              if line.get_visible()]
        boxes += [text.get_window_extent(renderer) for text in texts if text.get_visible() and text.get_text()]
    for box in boxes:
        if box is not None and math.isfinite(box.width) and math.isfinite(box.height) and (box.width or box.height) \
                and (box.x0 < 0 or box.y0 < 0 or box.x1 > width or box.y1 > height):
            return True
    return False


def _png_formatter(figure):
    data, metadata = column_png(figure)
    return data, metadata


def _kernel_shell():
    """The running IPython shell that displays figures, with its figure backend loaded; None outside IPython.

    The backend is loaded now: matplotlib loads it lazily, at the first figure, and the inline backend
    installs its own formatters as it loads, which would replace the ones set here.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with every notebook kernel
        return None
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return None
    import matplotlib
    import matplotlib.pyplot as plt

    plt.switch_backend(matplotlib.get_backend())
    return shell


def use_column_figures() -> bool:
    """Show the figures of a running IPython kernel at the column's width, sharp (see the module doc).

    Called when :mod:`labsupport.viz` is imported; does nothing outside IPython. Returns whether it did.
    """
    shell = _kernel_shell()  # loads the backend first: the inline one would replace ours (100-dpi figures)
    if shell is None:
        return False
    from matplotlib.figure import Figure

    formatters = shell.display_formatter.formatters
    formatters["image/png"].for_type(Figure, _png_formatter)
    return True


def show_figures_once() -> bool:
    """A figure that is a cell's value is shown once in a running IPython kernel, not twice.

    Every drawing function returns its figure. Jupyter's inline backend shows, at the end of each
    cell, every figure pyplot still holds, and the cell's value is shown as well: a cell whose last
    line is ``draw_spacetime(trace)`` showed its diagram twice. Here each figure formatter closes
    the figure in pyplot once it has drawn it, so the end-of-cell pass skips it. Called when
    :mod:`labsupport.viz` is imported (after :func:`use_column_figures`); does nothing outside IPython.
    Returns whether it did.
    """
    shell = _kernel_shell()  # with the inline backend's formatters registered
    if shell is None:
        return False
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    wrapped = False
    for formatter in shell.display_formatter.formatters.values():
        try:
            draw = formatter.lookup_by_type(Figure)
        except KeyError:
            continue
        if getattr(draw, "shows_once", False):
            wrapped = True
            continue

        def once(figure, draw=draw):
            result = draw(figure)
            plt.close(figure)
            return result

        once.shows_once = True
        formatter.for_type(Figure, once)
        wrapped = True
    return wrapped
