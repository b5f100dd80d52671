"""Figures sized for the book's column and sharp on a high-density screen.

A printed page sets every figure to the width of its text column; so does
the book. The theme's column is :data:`COLUMN_PX` CSS pixels wide at a
1280-px window, so every figure, the static ones drawn by a page and each
precomputed frame of a widget, is rendered with twice that many pixels
(``SHARPNESS``) and shown at the column's width: crisp on a phone or a
laptop whose screen has two device pixels per CSS pixel, and the same size
whether it is static or interactive.
"""

from __future__ import annotations

import io
import math

__all__ = ["COLUMN_PX", "SHARPNESS", "column_dpi", "column_png", "use_column_figures"]

COLUMN_PX = 688  # the text column of sphinx-book-theme at a 1280-px window, in CSS pixels
SHARPNESS = 2.0  # device pixels per CSS pixel that a figure is rendered for


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


def column_png(figure, *, sharpness: float = SHARPNESS) -> tuple[bytes, dict]:
    """PNG bytes of ``figure`` for the column, and the display metadata (its width in CSS pixels)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=column_dpi(figure, sharpness=sharpness), bbox_inches="tight")
    return buffer.getvalue(), {"width": COLUMN_PX}


def _png_formatter(figure):
    data, metadata = column_png(figure)
    return data, metadata


def use_column_figures() -> bool:
    """Show the figures of a running IPython kernel at the column's width, sharp (see the module doc).

    Called when :mod:`labsupport.viz` is imported; does nothing outside IPython. Returns whether it did.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with every notebook kernel
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    import matplotlib.pyplot  # noqa: F401  (activates the inline backend first, which installs its formatters)
    from matplotlib.figure import Figure

    formatters = shell.display_formatter.formatters
    formatters["image/png"].for_type(Figure, _png_formatter)
    return True
