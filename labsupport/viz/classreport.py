"""The figures of labgrade's class report, as self-contained SVG text (no files, no fonts to fetch).

Drawn on a bare :class:`matplotlib.figure.Figure` (no pyplot, no display), so
grading on a server without a screen can draw them; text is turned into paths,
so the report looks the same on a machine without the fonts.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

__all__ = ["score_histogram", "question_bars", "time_histogram"]

WIDTH_IN, HEIGHT_IN = 6.4, 2.6  # inches: one column of the report


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # the XML prolog and doctype are not allowed inside HTML


def score_histogram(percents: list[float]) -> str:
    """How many submissions scored in each band of 10 percentage points, as SVG.

    Examples
    --------
    >>> score_histogram([0.0, 50.0, 100.0, 100.0]).startswith("<svg")
    True
    """
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN))
    axes = figure.add_subplot()
    axes.hist(percents, bins=[10 * i for i in range(11)], color="#4c72b0", edgecolor="white")
    axes.set_xlabel("score (% of the points)")
    axes.set_ylabel("submissions")
    axes.set_xlim(0, 100)
    return _svg(figure)


def question_bars(names: list[str], mean_percent: list[float], pass_rate: list[float]) -> str:
    """Per question, the class's mean score and the share with full marks (both in %), as SVG.

    Examples
    --------
    >>> "<svg" in question_bars(["q1", "q2"], [80.0, 40.0], [75.0, 25.0])
    True
    """
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN))
    axes = figure.add_subplot()
    positions = range(len(names))
    axes.bar([p - 0.2 for p in positions], mean_percent, width=0.4, label="mean score", color="#4c72b0")
    axes.bar([p + 0.2 for p in positions], pass_rate, width=0.4, label="full marks", color="#dd8452")
    axes.set_xticks(list(positions), names)
    axes.set_ylim(0, 100)
    axes.set_ylabel("% of the class")
    axes.legend(loc="upper right", fontsize="small")
    return _svg(figure)


def time_histogram(seconds: list[float]) -> str:
    """How long grading each submission took, as SVG.

    Examples
    --------
    >>> "<svg" in time_histogram([1.5, 2.0, 9.0])
    True
    """
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN))
    axes = figure.add_subplot()
    axes.hist(seconds, bins=min(20, max(1, len(seconds))), color="#55a868", edgecolor="white")
    axes.set_xlabel("seconds to grade one submission")
    axes.set_ylabel("submissions")
    return _svg(figure)
