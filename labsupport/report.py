"""Tables for notebooks: the numbers nbval checks, as text in a terminal and as HTML in the book.

Every chapter prints what a simulation measured next to what theory
predicts. One formatter keeps those tables identical in shape everywhere,
and rounding them here keeps the printed digits stable across machines.
:func:`table` and :func:`comparison` return a :class:`Table`: a string (so
``print`` shows the aligned text, as before) that a notebook displays as a
real HTML table when it is the last expression of a cell.
"""

from __future__ import annotations

import html
import math
from typing import Iterable, Sequence

from labsupport.checks import check_int, check_number

__all__ = ["Table", "table", "comparison", "relative_error"]


class Table(str):
    """An aligned text table that also knows its cells, so that Jupyter can show it as an HTML table.

    Examples
    --------
    >>> t = table([("a", 1.5)], ["name", "value"])
    >>> t
    name  value
    ----  -----
    a       1.5
    >>> print(t._repr_html_())  # doctest: +NORMALIZE_WHITESPACE
    <table class="report-table"><thead><tr><th style="text-align:left">name</th><th
    style="text-align:right">value</th></tr></thead><tbody><tr><td style="text-align:left">a</td><td
    style="text-align:right">1.5</td></tr></tbody></table>
    """

    headers: tuple[str, ...] = ()
    cells: tuple[tuple[str, ...], ...] = ()
    numeric: tuple[bool, ...] = ()

    def __repr__(self) -> str:  # a bare table in a terminal reads as the table, not as a quoted string
        return str(self)

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython's text/plain
        printer.text(str(self))

    def _repr_html_(self) -> str:
        def row(values, tag):
            return "<tr>" + "".join(
                f'<{tag} style="text-align:{"right" if num else "left"}">{html.escape(v)}</{tag}>'
                for v, num in zip(values, self.numeric)) + "</tr>"

        body = "".join(row(r, "td") for r in self.cells)
        return f'<table class="report-table"><thead>{row(self.headers, "th")}</thead><tbody>{body}</tbody></table>'


def relative_error(measured: float, theory: float) -> float:
    """``(measured - theory) / theory``; 0 when both are 0.

    ``measured`` is a finite number. ``theory`` may also be ``inf``, on purpose:
    the predicted mean of an unstable queue is infinite, and a finite
    measurement then falls short of it by all of it (-1, the limit).

    Examples
    --------
    >>> relative_error(0.99, 1.0)
    -0.01
    >>> relative_error(0.0, 0.0)
    0.0
    >>> relative_error(12.5, float("inf"))
    -1.0
    >>> relative_error(12.5, float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: theory=nan is not a finite number; choose a finite theory
    >>> print(table([("errors", 16610.0)], ["what", "count"], digits=0))
    what    count
    ------  ------
    errors  16,610
    """
    check_number("measured", measured)
    if theory == math.inf:  # on purpose, see above
        return -1.0
    check_number("theory", theory)
    if theory == 0:
        return 0.0 if measured == 0 else float("inf")
    return round((measured - theory) / theory, 12)


def _cell(value, digits: int) -> str:
    if isinstance(value, float):
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e6):
            return f"{value:.{digits}g}"
        text = f"{round(value, digits):,.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text  # 16,610 keeps its zero
    return str(value)


def table(rows: Iterable[Sequence], headers: Sequence[str], *, digits: int = 4) -> Table:
    """Format ``rows`` under ``headers`` as an aligned text table.

    Columns of numbers are right-aligned, other columns left-aligned.

    Examples
    --------
    >>> print(table([("a", 1.23456), ("bb", 2.0)], ["name", "value"], digits=3))
    name  value
    ----  -----
    a     1.235
    bb        2
    """
    check_int("digits", digits, low=0)
    rows = [list(row) for row in rows]
    cells = [[_cell(v, digits) for v in row] for row in rows]
    numeric = [all(isinstance(r[i], (int, float)) for r in rows) for i in range(len(headers))]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for row in cells:
        lines.append("  ".join(c.rjust(w) if numeric[i] else c.ljust(w)
                               for i, (c, w) in enumerate(zip(row, widths))).rstrip())
    out = Table("\n".join(lines))
    out.headers, out.cells, out.numeric = tuple(headers), tuple(map(tuple, cells)), tuple(numeric)
    return out


def _percent(error: float) -> str:
    """A relative error in percent with two decimals; one that rounds to zero is 0.00 %, never -0.00 %.

    >>> _percent(-0.00001), _percent(-0.0005), _percent(0.1234)
    ('0.00 %', '-0.05 %', '12.34 %')
    """
    value = round(100 * error, 2)
    return f"{value + 0.0 if value else 0.0:.2f} %"


def comparison(rows: Iterable[tuple[str, float, float]], *, digits: int = 4,
               headers: Sequence[str] = ("quantity", "simulated", "theory", "rel. error")) -> Table:
    """A table of ``(label, simulated, theory)`` rows with the relative error, in percent.

    Examples
    --------
    >>> print(comparison([("availability", 0.9985, 0.999)]))
    quantity      simulated  theory  rel. error
    ------------  ---------  ------  ----------
    availability     0.9985   0.999     -0.05 %
    """
    check_int("digits", digits, low=0)
    out = [(label, float(sim), float(theory), _percent(relative_error(sim, theory))) for label, sim, theory in rows]
    result = table(out, headers, digits=digits)
    result.numeric = (False, True, True, True)  # the relative error is a number too, shown with its unit
    return result
