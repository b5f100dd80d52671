"""The quorum page's figures: operations over a space-time diagram, the quorum sets, the freshness curves."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from labsupport.data.quorum import run_new_old_inversion, simulate_wars  # noqa: E402
from labsupport.viz import draw_error, draw_freshness, draw_quorum_choice, draw_quorum_sets, draw_timeline  # noqa: E402
from labsupport.viz.quorums import BOTH, READ, WRITE  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_each_operation_is_a_bar_over_its_client_from_invocation_to_response_cut_at_the_window():
    run = run_new_old_inversion(seed=0)
    fig = draw_timeline(run.trace, run.history, run.nodes, windows=[(0.016, "start"), (0.065, "all")],
                        colours={"new": "seagreen", "old": "crimson"})
    start, whole = fig.axes[0], fig.axes[1]
    labels = [t for t in whole.texts if t.get_text()]  # the arrows are empty annotations
    assert [t.get_text() for t in labels] == ["write new", "read -> new", "read -> old"]
    bars = [ln for ln in whole.get_lines() if ln.get_lw() == 5]
    row = {name: i for i, name in enumerate(run.nodes)}
    for op, bar, label in zip(run.history, bars, labels, strict=True):
        assert list(bar.get_xdata()) == [op.invoke_s, op.complete_s]
        assert list(bar.get_ydata()) == [row[op.client] - 0.25] * 2  # just above the client's line (y points down)
        assert label.get_position() == (op.invoke_s, row[op.client] - 0.38)
    assert to_hex(labels[2].get_color()) == to_hex("crimson") and to_hex(bars[1].get_color()) == to_hex("seagreen")
    write_bar = [ln for ln in start.get_lines() if ln.get_lw() == 5][0]
    assert max(write_bar.get_xdata()) == 0.016  # the write is still running when the first window ends


def test_the_quorum_sets_overlap_where_r_plus_w_exceeds_n():
    for (n, r, w), purple in {(3, 2, 2): 1, (3, 1, 2): 0, (5, 3, 4): 2}.items():
        ax = draw_quorum_sets(n, r, w).axes[0]
        colours = [to_hex(p.get_facecolor()) for p in ax.patches]
        assert len(colours) == n and colours.count(to_hex(BOTH)) == purple
        assert colours.count(to_hex(WRITE)) == w - purple and colours.count(to_hex(READ)) == r - purple


def test_freshness_curves_and_the_choice_figure():
    res = simulate_wars(3, 1, 1, t_s=[0.0, 0.004], trials=300, write_mean_s=0.003, ack_mean_s=0.001,
                        read_mean_s=0.001, response_mean_s=0.001, seed=1)
    curve, circle = draw_freshness([res]).axes[0].get_lines()[:2]
    assert list(curve.get_xdata()) == [0.0, 4.0] and list(curve.get_ydata()) == list(res.p_consistent)
    assert circle.get_ydata()[0] == pytest.approx(1 / 3)  # 1 - C(N-W, R) / C(N, R) = 1 - 2/3
    fig = draw_quorum_choice(res)
    assert fig.axes[1].get_title().startswith("partial quorum") and "survives 2 / 2 failures" in fig.axes[1].get_title()
    assert draw_error(ValueError("R=4 exceeds N=3")).texts[0].get_text() == "ValueError: R=4 exceeds N=3"
