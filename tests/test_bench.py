"""tools/bench.py judges every budgeted row (issue 20): the budget beside the figure, pass or miss."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import bench  # noqa: E402


def widget(seconds):
    return bench.widget_row("book/p.ipynb", {"title": "T", "seconds": seconds, "cpu_seconds": seconds})


def test_a_widget_passes_only_under_both_its_median_and_its_worst_budget():
    assert widget([0.05, 0.06, 0.09]).verdict == "pass"
    assert widget([0.05, 0.11, 0.12]).verdict == "miss"  # median 110 ms
    assert widget([0.05, 0.06, 0.26]).verdict == "miss"  # worst 260 ms
    assert widget([0.05]).budget == "median < 100 ms, worst < 250 ms"


def test_budgets_are_shown_beside_their_figures_in_the_table_and_on_the_page():
    rows = [widget([0.05, 0.06]), widget([0.3, 0.4]),
            bench.judged(bench.Row("kernel", "messages", 1e5, "msg/s", ratio=2.5, peer="bare simpy"), "ratio <= 2",
                         False),
            bench.Row("hashing", "lookups", 5e5, "lookups/s")]
    text = bench.render(rows)
    assert "budgets: 1 of 3 budgeted rows pass; misses in: widgets, kernel." in text
    assert text.count("\n  miss: ") == 2
    page = bench.page_tables(rows)
    assert "| median < 100 ms, worst < 250 ms: **pass** |" in page and "| ratio <= 2: **miss** |" in page
    assert "| lookups | 500,000 lookups/s |" in page  # a row without a budget gets no budget column
