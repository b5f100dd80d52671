"""Figures and widgets. Nothing outside this package imports matplotlib or ipywidgets.

Chapters draw a static figure first, then call :func:`explore` to let the
reader change a parameter: live ipywidgets in a running kernel, and
precomputed frames switched by self-contained JavaScript in the built book.
When the book is built, every figure is shown at the column's width and
rendered for a high-density screen (:mod:`labsupport.viz.figures`).

Figures by what they show: :mod:`~labsupport.viz.spacetime` (messages of any
kernel run), :mod:`~labsupport.viz.operations` (client operations over it:
3.3 Quorums), :mod:`~labsupport.viz.ring` (3.1 Consistent hashing),
:mod:`~labsupport.viz.quorums` (quorum sets and freshness: 3.3 Quorums),
:mod:`~labsupport.viz.detection` (detection time against false suspicions:
4.2 Failure detection), :mod:`~labsupport.viz.failover` (a failover's phases and
lost writes: 3.2 Replication, 4.4 Failover), :mod:`~labsupport.viz.replicas`
(replica lag and exposure: 2.4 RDS), :mod:`~labsupport.viz.costs` (monthly cost
against nines: 7.4 Reliability against cost),
:mod:`~labsupport.viz.animate` (a trace played step by step). Drawing helpers that keep a widget's
redraw fast without changing its picture: :mod:`~labsupport.viz.fast`.
"""

from labsupport.viz.detection import draw_detection_tradeoff
from labsupport.viz.failover import draw_failover_timeline, draw_lost_writes
from labsupport.viz.replicas import draw_lag_against_load, draw_lag_and_exposure
from labsupport.viz.costs import cost_frontier, draw_cost_against_nines
from labsupport.viz.explore import Explorer, control_kind, explore, widget_mode
from labsupport.viz.fast import bars_as_one, layout_of, minor_ticks_as_marks, share_mathtext_layouts
from labsupport.viz.figures import COLUMN_PX, show_figures_once, use_column_figures
from labsupport.viz.operations import draw_operations, draw_timeline
from labsupport.viz.quorums import draw_error, draw_freshness, draw_quorum_choice, draw_quorum_sets
from labsupport.viz.spacetime import draw_spacetime

__all__ = ["explore", "Explorer", "control_kind", "widget_mode", "draw_spacetime", "draw_operations", "draw_timeline",
           "draw_quorum_sets", "draw_freshness", "draw_quorum_choice", "draw_error",
           "draw_detection_tradeoff", "draw_failover_timeline", "draw_lost_writes",
           "draw_lag_against_load", "draw_lag_and_exposure", "cost_frontier",
           "draw_cost_against_nines", "COLUMN_PX", "use_column_figures", "show_figures_once",
           "bars_as_one", "layout_of", "minor_ticks_as_marks", "share_mathtext_layouts"]

if widget_mode() == "static":  # the book build: sharp figures at the column's width (Jupyter keeps its own)
    use_column_figures()
show_figures_once()  # a drawing function's figure as a cell's value is shown once, not twice
share_mathtext_layouts()  # a new figure's log-axis labels reuse the layouts earlier figures made (issue 20)
