"""Figures and widgets. Nothing outside this package imports matplotlib or ipywidgets.

Chapters draw a static figure first, then call :func:`explore` to let the
reader change a parameter: live ipywidgets in a running kernel, and
precomputed frames switched by self-contained JavaScript in the built book.
When the book is built, every figure is shown at the column's width and
rendered for a high-density screen (:mod:`labsupport.viz.figures`).
"""

from labsupport.viz.explore import Explorer, control_kind, explore, widget_mode
from labsupport.viz.figures import COLUMN_PX, use_column_figures
from labsupport.viz.spacetime import draw_spacetime

__all__ = ["explore", "Explorer", "control_kind", "widget_mode", "draw_spacetime", "COLUMN_PX", "use_column_figures"]

if widget_mode() == "static":  # the book build: sharp figures at the column's width (Jupyter keeps its own)
    use_column_figures()
