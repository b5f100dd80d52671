"""The reliability-against-cost figure: each tier's designs, its cost frontier, and the shared dependency's ceiling."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from labsupport.cost.reliability import DesignCost  # noqa: E402
from labsupport.foundations.availability import nines  # noqa: E402
from labsupport.viz import cost_frontier, draw_cost_against_nines  # noqa: E402

WEB = [DesignCost("web: 1 zone", 6, 420.0, 0.999), DesignCost("web: 3 zones, no spare", 6, 420.0, 0.997),
       DesignCost("web: 3 zones, static", 9, 630.0, 0.999997)]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_the_frontier_drops_designs_that_a_cheaper_one_matches_or_beats():
    assert [d.name for d in cost_frontier(WEB)] == ["web: 1 zone", "web: 3 zones, static"]
    assert cost_frontier([]) == []


def test_designs_behind_a_shared_dependency_are_open_and_dotted_with_the_ceiling_marked():
    behind = [DesignCost(d.name, d.instances, d.monthly_cost_usd, 0.9999 * d.availability) for d in WEB]
    ax = draw_cost_against_nines({"web": WEB}, behind_shared={"web": behind}, shared=0.9999,
                                 label_offsets={"3 zones, no spare": (-10, -14)}, title="t").axes[0]
    paper_line, shared_line, ceiling = ax.get_lines()
    assert paper_line.get_ls() == "-" and shared_line.get_ls() == ":"
    assert list(paper_line.get_xdata()) == [nines(0.999), nines(0.999997)]
    assert list(ceiling.get_xdata()) == [nines(0.9999)] * 2
    filled, hollow = ax.collections
    assert to_hex(filled.get_facecolor()[0]) == to_hex("#4c72b0") and to_hex(hollow.get_facecolor()[0]) == "#ffffff"
    labels = {t.get_text(): t for t in ax.texts}
    assert set(labels) == {"1 zone", "3 zones, no spare", "3 zones, static"}  # only the filled designs are named
    assert labels["3 zones, no spare"].get_ha() == "right" and labels["1 zone"].get_ha() == "left"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "web: independent failures", "web: behind shared dependencies 0.9999"]


def test_without_a_shared_dependency_there_is_no_second_series_and_no_ceiling():
    ax = draw_cost_against_nines({"web": WEB}).axes[0]
    assert len(ax.get_lines()) == 1 and len(ax.collections) == 1
