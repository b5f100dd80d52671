"""Column figures record the size of their smallest text, so the built book can hold it to the body's small print."""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from labsupport.viz.figures import (COLUMN_PX, MIN_TEXT_PX, TEXT_PX_KEY, column_dpi, column_png,  # noqa: E402
                                     smallest_text_pt, text_px)


def figure(width_in, *, fontsize=10):
    fig, ax = plt.subplots(figsize=(width_in, 3))
    ax.plot([0, 1], [0, 1])
    ax.tick_params(labelsize=fontsize)
    ax.set_xlabel("time (s)", fontsize=fontsize)
    fig.tight_layout()
    return fig


def recorded(png):
    with Image.open(io.BytesIO(png)) as image:
        image.load()  # the PNG stays valid: its chunks' checksums hold
        return float(image.info[TEXT_PX_KEY]), image.size


@pytest.mark.parametrize("width_in, fontsize, fitted", [(6.0, 10, False), (10.0, 10, True), (6.0, 6, True)])
def test_the_png_records_its_smallest_text_as_the_column_shows_it(width_in, fontsize, fitted):
    """Text below the small print (10 pt in a 10-in figure, 6 pt in a 6-in one) is fitted to the column first."""
    fig = figure(width_in, fontsize=fontsize)
    png, metadata = column_png(fig)
    dpi = column_dpi(fig)  # of the figure as saved, after any fitting
    assert (fig.get_size_inches()[0] < width_in) == fitted
    plt.close(fig)
    px, (width, _) = recorded(png)
    assert metadata == {"width": COLUMN_PX}
    assert px == pytest.approx(fontsize / 72 * COLUMN_PX / (width / dpi), abs=0.05)  # shown at the column's width
    assert px >= MIN_TEXT_PX
    assert text_px(fontsize, width_in) >= MIN_TEXT_PX or fitted  # without fitting these would be too small


def test_small_text_anywhere_counts_and_hidden_text_does_not():
    fig = figure(6.0)
    ax = fig.axes[0]
    hidden = ax.text(0.5, 0.5, "hidden", fontsize=4)
    hidden.set_visible(False)
    column_png(fig)
    assert smallest_text_pt(fig) == 10
    ax.legend(["a line"], fontsize=6)
    column_png(fig)
    assert smallest_text_pt(fig) == 6
    plt.close(fig)


def test_text_px_scales_with_the_figure_s_width():
    assert text_px(10, 6.88) == pytest.approx(10 / 72 * 100)
    assert text_px(10, 10) < MIN_TEXT_PX <= text_px(10, 7.5)


def test_in_the_book_build_every_figure_after_the_import_is_a_column_figure(monkeypatch):
    """The inline backend loads at a page's first figure and installs its own formatter: ours must survive it."""
    import base64

    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("LABSUPPORT_WIDGETS", "static")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nfrom labsupport.viz import explore"),
                nbformat.v4.new_code_cell("fig, ax = plt.subplots(figsize=(6, 3))\nax.plot([1, 2])\nplt.show()")]
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    [output] = [o for o in nb.cells[1].outputs if "image/png" in o.get("data", {})]
    assert output["metadata"] == {"image/png": {"width": COLUMN_PX}}
    px, (width, _) = recorded(base64.b64decode(output["data"]["image/png"]))
    assert width >= 1.8 * COLUMN_PX and px >= MIN_TEXT_PX  # sharp: about 2 device pixels per CSS pixel


def _legend_outside(fig):
    fig.axes[0].legend(["a line"], loc="upper left", bbox_to_anchor=(1.02, 1))


def _text_beyond_the_right_edge(fig):
    fig.text(1.02, 0.5, "a note")


def _title_above_the_top_edge(fig):
    fig.axes[0].set_position([0.12, 0.25, 0.8, 0.73])  # the frame's top 0.06 in below the edge; the title above it
    fig.axes[0].set_title("a title")


def _labels_left_of_the_left_edge(fig):
    fig.axes[0].set_position([0.01, 0.25, 0.9, 0.6])  # tick labels cut by the edge, the axis label wholly past it
    fig.axes[0].set_ylabel("rate (per s)")


@pytest.mark.parametrize("change", [None, _legend_outside, _text_beyond_the_right_edge, _title_above_the_top_edge,
                                    _labels_left_of_the_left_edge])
def test_a_live_redraw_shows_what_the_book_shows(change):
    """live_png renders once and crops to the ink: the same ink as the book's tight picture, even when something is
    drawn past the figure's edge (where the pixels cannot show it), with savefig's margin around it (give or take what
    a text's box holds beyond its glyphs)."""
    import numpy as np

    from labsupport.viz.figures import column_dpi, live_png

    fig = figure(6.0)
    if change is not None:
        change(fig)
    book, _ = column_png(fig)
    dpi = column_dpi(fig, sharpness=2.0)
    live = live_png(fig, sharpness=2.0)
    plt.close(fig)

    def ink(png):
        with Image.open(io.BytesIO(png)) as image:
            grey = np.asarray(image.convert("L"), dtype=float) / 255
        rows, columns = np.flatnonzero((grey < 1).any(axis=1)), np.flatnonzero((grey < 1).any(axis=0))
        margins = rows[0], grey.shape[0] - 1 - rows[-1], columns[0], grey.shape[1] - 1 - columns[-1]
        return grey[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1], margins

    (a, book_margins), (b, live_margins) = ink(book), ink(live)
    # the same ink, give or take a row of antialiasing (the book's frame is drawn at a fraction of a pixel's offset)
    assert abs(a.shape[0] - b.shape[0]) <= 1 and abs(a.shape[1] - b.shape[1]) <= 1, (a.shape, b.shape)
    size = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    assert abs(a[:size[0], :size[1]] - b[:size[0], :size[1]]).mean() < 0.02
    for side, (theirs, ours) in enumerate(zip(book_margins, live_margins)):
        # savefig's pad of 0.1 in, around the ink here, around a box that holds a little more than the ink there
        assert abs(ours - theirs) <= 0.02 * dpi, (side, ours, theirs)


def test_a_drawing_past_the_figure_s_edge_is_fitted_by_the_width_it_is_shown_at():
    fig = figure(8.0)
    fig.axes[0].legend(["a line with a long name"], loc="upper left", bbox_to_anchor=(1.02, 1))
    png, _ = column_png(fig)  # 10-pt text at 8 in would be 11.9 px, but the legend widens the picture
    plt.close(fig)
    assert recorded(png)[0] >= MIN_TEXT_PX


@pytest.mark.parametrize("mode", ["live", "static"])
def test_a_drawing_function_s_figure_as_a_cell_s_value_is_shown_once(monkeypatch, mode):
    """``draw_spacetime(trace)`` as a cell's last line: its value and the inline backend's end-of-cell pass
    both showed the figure (issue 19); a figure assigned to a name is still shown, once."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("LABSUPPORT_WIDGETS", mode)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from labsupport.foundations.kvstore import run_lost_update\n"
                                          "from labsupport.viz import draw_spacetime\n"
                                          "race = run_lost_update(clients=2, conditional=False, seed=1)"),
                nbformat.v4.new_code_cell("draw_spacetime(race.trace)"),
                nbformat.v4.new_code_cell("fig = draw_spacetime(race.trace)"),
                nbformat.v4.new_code_cell("fig = draw_spacetime(race.trace)\nfig")]
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    shown = [sum("image/png" in o.get("data", {}) for o in cell.outputs) for cell in nb.cells[1:]]
    assert shown == [1, 1, 1]


def saved_the_long_way(fig):
    """column_png as it was: a full save with a tight box at every fitting attempt, the last one kept."""
    import struct

    from labsupport.viz.figures import _with_text, fit_to_column

    fit_to_column(fig)
    for attempt in range(4):
        buffer = io.BytesIO()
        dpi = column_dpi(fig)
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
        png = buffer.getvalue()
        width_in = struct.unpack(">I", png[16:20])[0] / dpi
        if attempt == 3 or not fit_to_column(fig, drawn_in=width_in):
            break
    return _with_text(png, TEXT_PX_KEY, f"{text_px(smallest_text_pt(fig), width_in):.1f}")


def _legend_outside():
    fig = figure(10.0)
    fig.axes[0].legend(["a line with a long name"], loc="upper left", bbox_to_anchor=(1.02, 1))
    return fig


def _constrained():
    fig, axes = plt.subplots(1, 2, figsize=(9, 3), layout="constrained")
    image = axes[0].imshow([[0, 1], [2, 3]])
    fig.colorbar(image, ax=axes[0])
    axes[1].bar(["a", "b"], [1, 2])
    fig.suptitle("a title above both")
    return fig


def _without_pyplot():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3))
    fig.add_subplot().plot([0, 1], [1, 0])
    return fig


@pytest.mark.parametrize("make", [lambda: figure(6.0), lambda: figure(10.0), lambda: figure(6.0, fontsize=6),
                                  _legend_outside, _constrained, _without_pyplot],
                         ids=["fits", "too wide", "small text", "legend outside", "constrained", "without pyplot"])
def test_fitting_without_drawing_gives_the_bytes_of_saving_at_every_attempt(make):
    """column_png measures its fitting attempts without drawing them (tight_box) and draws once: the same PNG."""
    quick, slow = make(), make()
    try:
        assert column_png(quick)[0] == saved_the_long_way(slow)
    finally:
        plt.close(quick)
        plt.close(slow)
