"""Plain-text tables for notebooks: the numbers nbval checks.

Every chapter prints what a simulation measured next to what theory
predicts. One formatter keeps those tables identical in shape everywhere,
and rounding them here keeps the printed digits stable across machines.
"""

from __future__ import annotations

from typing import Iterable, Sequence

__all__ = ["table", "comparison", "relative_error"]


def relative_error(measured: float, theory: float) -> float:
    """``(measured - theory) / theory``; 0 when both are 0.

    Examples
    --------
    >>> relative_error(0.99, 1.0)
    -0.01
    >>> relative_error(0.0, 0.0)
    0.0
    >>> print(table([("errors", 16610.0)], ["what", "count"], digits=0))
    what    count
    ------  ------
    errors  16,610
    """
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


def table(rows: Iterable[Sequence], headers: Sequence[str], *, digits: int = 4) -> str:
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
    rows = [list(row) for row in rows]
    cells = [[_cell(v, digits) for v in row] for row in rows]
    numeric = [all(isinstance(r[i], (int, float)) for r in rows) for i in range(len(headers))]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for row in cells:
        lines.append("  ".join(c.rjust(w) if numeric[i] else c.ljust(w)
                               for i, (c, w) in enumerate(zip(row, widths))).rstrip())
    return "\n".join(lines)


def comparison(rows: Iterable[tuple[str, float, float]], *, digits: int = 4,
               headers: Sequence[str] = ("quantity", "simulated", "theory", "rel. error")) -> str:
    """A table of ``(label, simulated, theory)`` rows with the relative error, in percent.

    Examples
    --------
    >>> print(comparison([("availability", 0.9985, 0.999)]))
    quantity      simulated  theory  rel. error
    ------------  ---------  ------  ----------
    availability     0.9985   0.999     -0.05 %
    """
    out = [(label, float(sim), float(theory), f"{100 * relative_error(sim, theory):+.2f} %".replace("+", ""))
           for label, sim, theory in rows]
    return table(out, headers, digits=digits)
