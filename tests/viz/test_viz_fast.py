"""Cheaper ways to draw the same picture (issue 20): the picture must not change, pixel for pixel."""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from labsupport.viz.fast import minor_ticks_as_marks, share_mathtext_layouts  # noqa: E402


def pixels(fig) -> np.ndarray:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return np.asarray(Image.open(buffer).convert("RGB"), dtype=int)


def log_axes(axis, limits):
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    ax.plot([1, 2, 3], [1, 2, 3])
    getattr(ax, f"set_{axis}scale")("log")
    getattr(ax, f"set_{axis}lim")(*limits)
    ax.set_title("a log axis")
    fig.tight_layout()
    return fig, ax


@pytest.mark.parametrize("axis, limits", [("y", (1e-4, 5e3)), ("y", (0.1, 1e8)), ("x", (0.5, 2e4)), ("y", (1, 50))])
def test_minor_ticks_as_one_artist_draw_the_same_picture(axis, limits):
    fig, ax = log_axes(axis, limits)
    lo, hi = sorted(limits)  # the marks matplotlib draws (none past 8 decades); it also makes ticks out of view
    minor = [v for v in getattr(ax, f"get_{axis}axis")().get_minorticklocs() if lo <= v <= hi]
    before = pixels(fig)
    fig, ax = log_axes(axis, limits)
    marks = minor_ticks_as_marks(ax, axis)
    assert len(getattr(ax, f"get_{axis}axis")().get_minorticklocs()) == 0 and len(marks.get_xydata()) == len(minor)
    assert (pixels(fig) == before).all()


def test_minor_ticks_as_marks_rejects_another_axis():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="axis"):
        minor_ticks_as_marks(ax, "z")
    ax.set_yscale("log")
    ax.set_ylim(1, 3)  # less than a decade: matplotlib labels the minor ticks, which marks alone would lose
    with pytest.raises(ValueError, match="labelled"):
        minor_ticks_as_marks(ax)
    plt.close(fig)


def test_a_new_renderer_reuses_the_mathtext_layouts_of_earlier_ones():
    """Each renderer (each new figure) had its own parser and cache: every frame laid out its 10^k labels again."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.mathtext import MathTextParser

    assert share_mathtext_layouts()
    first = MathTextParser("agg").parse(r"$\mathdefault{10^{-4}}$", 110, FontProperties(size=10))
    again = MathTextParser("agg").parse(r"$\mathdefault{10^{-4}}$", 110, FontProperties(size=10))
    assert again is first
    assert MathTextParser("agg").parse(r"$\mathdefault{10^{-4}}$", 220, FontProperties(size=10)) is not first
    assert MathTextParser("path").parse(r"$\mathdefault{10^{-4}}$", 110, FontProperties(size=10)) is not first


def test_bars_as_one_collection_look_like_ax_bar():
    """Sixty stacked bars (2.3 EC2's packing) as one artist: the picture differs only in anti-aliasing."""
    from labsupport.viz.fast import bars_as_one

    heights = [2, 4, 8, 16, 32, 48, 64] * 8
    xs, bottoms, stack, host = [], [], 0, 0
    for h in heights:
        host, stack = (host + 1, 0) if stack + h > 96 else (host, stack)
        xs.append(host)
        bottoms.append(stack)
        stack += h
    colours = plt.cm.viridis([h / 64 for h in heights])
    pictures = []
    for one in (False, True):
        fig, ax = plt.subplots(figsize=(8, 3.2))
        if one:
            bars_as_one(ax, xs, heights, bottom=bottoms, color=colours, edgecolor="white", width=0.85)
        else:
            ax.bar(xs, heights, bottom=bottoms, color=colours, edgecolor="white", width=0.85)
        ax.set_xlim(-1, 34)
        ax.set_ylim(0, 100)
        pictures.append(pixels(fig))
    before, after = pictures
    assert before.shape == after.shape
    assert abs(before - after).mean() < 0.01 and (abs(before - after).max(axis=2) > 40).sum() == 0


def _frame(n: int):
    fig, ax = plt.subplots(figsize=(6.88, 2.5))
    ax.semilogy(np.arange(1, n + 1), np.geomspace(1e-4, 1e3, n), label=f"{n} points")
    ax.set_title(f"frame with {n} points")
    ax.legend()
    fig.tight_layout()
    return fig


def test_a_pooled_renderer_draws_the_same_pixels_as_a_fresh_one():
    from labsupport.viz.fast import pooled_renderers
    from labsupport.viz.figures import live_png

    fresh = []
    for n in (5, 9, 5):
        fig = _frame(n)
        fresh.append(live_png(fig))
        plt.close(fig)
    pool, pooled, renderers = {}, [], set()
    for n in (5, 9, 5):
        with pooled_renderers(pool):
            fig = _frame(n)
            pooled.append(live_png(fig))
            renderers.add(id(fig.canvas.get_renderer()))
            plt.close(fig)
    assert len(renderers) == 1, "every frame of one size should be drawn by one renderer"
    assert len(pool) == 2  # one at the figure's own dpi (its tight_layout), one at the dpi it is encoded at
    for a, b in zip(fresh, pooled):
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(a))), np.asarray(Image.open(io.BytesIO(b))))
    fig = _frame(5)  # outside the block: a canvas makes its own renderer again
    fig.canvas.draw()
    assert fig.canvas.get_renderer() is not next(iter(pool.values()))
    plt.close(fig)


def _texts(shift):
    """Text of every kind a widget draws, moved by ``shift`` of a pixel or more between frames."""
    fig, ax = plt.subplots(figsize=(5, 3), dpi=97)
    ax.plot([-2, 2], [-1e3, 1e3])
    ax.set_title(f"a title, bold in part {shift}", fontweight="bold")
    ax.set_ylabel("rotated label (−1 to 1)")
    ax.text(0.1 + shift / 100, 0.5, "two lines\nof text", transform=ax.transAxes, fontsize=9.5)
    ax.text(0.5, 0.2 + shift / 300, "rotated 30°", rotation=30, transform=ax.transAxes)
    ax.text(0.6, 0.7, "not antialiased", antialiased=False, transform=ax.transAxes, fontstyle="italic")
    ax.text(0.2, 0.85, r"math $\alpha^2$ stays matplotlib's", transform=ax.transAxes)
    return fig


def test_a_pooled_renderer_keeps_glyphs_and_draws_the_same_pixels():
    """Each string's layout and each glyph's bitmap are kept between frames: a frame drawn with them, cold or warm,
    at whole- or part-pixel offsets, has the pixels of matplotlib's own text drawing."""
    from labsupport.viz.fast import pooled_renderers

    def pixels(fig):
        fig.canvas.draw()
        out = np.asarray(fig.canvas.buffer_rgba()).copy()
        plt.close(fig)
        return out

    shifts = (0, 0, 1, 0.37, 2.5, 0)
    fresh = [pixels(_texts(shift)) for shift in shifts]
    pool = {}
    for shift, expected in zip(shifts, fresh):
        with pooled_renderers(pool):
            assert np.array_equal(pixels(_texts(shift)), expected), shift
    [renderer] = pool.values()
    kept = renderer.draw_text.args[2]  # (renderer, layouts, glyphs)
    assert kept, "the pooled renderer should keep the glyphs it drew"
