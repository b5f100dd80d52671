"""Figures and widgets. Nothing outside this package imports matplotlib or ipywidgets.

Chapters draw a static figure first, then call :func:`explore` to let the
reader change a parameter: live ipywidgets in a running kernel, and
precomputed frames switched by self-contained JavaScript in the built book.
"""

from labsupport.viz.explore import Explorer, explore, widget_mode
from labsupport.viz.spacetime import draw_spacetime

__all__ = ["explore", "Explorer", "widget_mode", "draw_spacetime"]
