"""labsupport.report: aligned text for print and terminals, a real HTML table for notebooks and the book."""

from labsupport.report import Table, comparison, table


def test_a_comparison_prints_as_before_and_displays_as_an_html_table():
    t = comparison([("availability", 0.9985, 0.999), ("p99 latency", 12.5, 12.0)])
    assert isinstance(t, Table) and isinstance(t, str)
    assert str(t).splitlines()[0] == "quantity      simulated  theory  rel. error"
    assert repr(t) == str(t)  # a bare table in a terminal shows the table
    page = t._repr_html_()
    assert page.count("<tr>") == 3 and page.count("<th ") == 4
    for text in ("theory", "rel. error", "-0.05 %", "4.17 %", "0.9985"):
        assert text in page
    assert page.count('text-align:right">') == 3 * 3  # three number columns in three rows


def test_cells_are_escaped():
    page = table([("<b>", 1)], ["a & b", "n"])._repr_html_()
    assert "&lt;b&gt;" in page and "a &amp; b" in page and "<b>" not in page


def test_ipython_shows_the_text_without_quotes():
    from IPython.lib.pretty import pretty

    assert pretty(table([("a", 1)], ["x", "y"])) == "x  y\n-  -\na  1"


def test_an_error_that_rounds_to_zero_prints_without_a_sign():
    shown = str(comparison([("mean", 0.9999999, 1.0), ("p99", 1.0000001, 1.0)]))
    assert "-0.00" not in shown, shown
    assert shown.count("0.00 %") == 2, shown
