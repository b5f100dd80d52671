"""The explore() helper: one precomputed frame per combination, working controls, clear errors."""

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from labsupport.viz import explore, widget_mode  # noqa: E402
from labsupport.viz.explore import MAX_FRAMES  # noqa: E402


def draw(n=1, colour="C0"):
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot(range(n), color=colour)
    return fig


def test_static_html_has_one_frame_per_combination_and_starts_at_the_initial_values():
    e = explore(draw, title="Lines", n=[1, 2, 3], colour=["C0", "C1"], initial={"n": 3, "colour": "C1"})
    html = e.to_html()
    frames = re.search(r'<script type="application/json" class="explore-frames">(.*?)</script>', html).group(1)
    assert frames.count("data:image/png;base64,") == 6
    assert html.count('type="range"') == 1  # n is a number: a slider
    assert html.count('type="radio"') == 2  # colour is a named choice: one button per colour
    assert 'type="range" min="0" max="2" step="1" value="2"' in html  # n=3 is index 2
    assert 'value="1" checked' in html  # colour C1 is index 1
    assert 'alt="Lines: n = 3, colour = C1"' in html
    assert not re.search(r"https?://(?!www\.w3\.org)", re.sub(r"data:image/png;base64,[^\"]+", "", html))  # self-contained


def test_the_same_explorer_gives_the_same_html():
    assert explore(draw, title="T", n=[1, 2]).to_html() == explore(draw, title="T", n=[1, 2]).to_html()


def test_live_widget_has_one_control_per_argument():
    box = explore(draw, title="T", n=[1, 2], colour=["C0", "C1"]).to_widget()
    assert len(box.children) == 3  # two controls and the output


def draw_flag(on=False, mode="a", n=1):
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot(range(n + int(on)), label=mode)
    return fig


def test_each_kind_of_value_gets_its_own_control_live_and_static():
    import ipywidgets as widgets

    e = explore(draw_flag, title="T", labels={"on": "switch"}, on=[False, True], mode=list("abcdef"), n=[1, 2, 3])
    assert [e.kind(n) for n in e.controls] == ["checkbox", "dropdown", "slider"]
    on, mode, n, _ = e.to_widget().children
    assert isinstance(on, widgets.Checkbox) and on.description == "switch"
    assert isinstance(mode, widgets.Dropdown) and mode.value == "d"
    assert isinstance(n, widgets.SelectionSlider)
    html = e.to_html()
    assert html.count('type="checkbox"') == 1 and html.count("<select") == 1 and html.count('type="range"') == 1
    assert "switch <output>on</output>" in html and " checked>" in html  # a visible label and value
    assert '<option value="3" selected>d</option>' in html


def test_static_frames_keep_one_figure_open_at_a_time(recwarn):
    plt.close("all")
    with plt.rc_context({"figure.max_open_warning": 2}):
        explore(draw, title="T", n=[1, 2, 3, 4], colour=["C0", "C1", "C2"]).to_html()
    assert not [w for w in recwarn if "figures have been opened" in str(w.message)]
    assert plt.get_fignums() == []


def test_static_frames_are_sharp_at_the_column_width():
    import base64
    import struct

    from labsupport.viz.figures import COLUMN_PX

    html = explore(draw, title="T", n=[1, 2]).to_html()
    assert f'width="{COLUMN_PX}"' in html
    png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1))
    width = struct.unpack(">I", png[16:20])[0]
    assert width >= 2 * COLUMN_PX


@pytest.mark.parametrize("kwargs, match", [
    (dict(), "at least one control"),
    (dict(n=[]), "no values"),
    (dict(n=list(range(MAX_FRAMES + 1))), "precomputed frames"),
    (dict(n=[1, 2], initial={"n": 5}), "not one of its values"),
    (dict(n=[1, 2], initial={"m": 1}), "not a control"),
])
def test_bad_controls_are_rejected_with_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        explore(draw, title="T", **kwargs)


def test_widget_mode_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("LABSUPPORT_WIDGETS", "static")
    assert widget_mode() == "static"
    monkeypatch.setenv("LABSUPPORT_WIDGETS", "fancy")
    with pytest.raises(ValueError, match="live"):
        widget_mode()


def test_a_live_frame_is_drawn_at_the_resolution_it_is_shown_at():
    """After the first frame, a live redraw creates its figure at the dpi it is encoded at (issue 20): a layout
    computed while drawing measures text with the renderer that paints it, not once more at another dpi."""
    import matplotlib.pyplot as plt

    from labsupport.viz.figures import LIVE_SHARPNESS, column_dpi

    created = []

    def draw(n):
        fig, ax = plt.subplots(figsize=(6.5, 3))
        created.append(fig.dpi)
        ax.plot(range(n))
        fig.tight_layout()
        return fig

    e = explore(draw, title="A line", n=[2, 4])
    first, second = e.live_png(n=2), e.live_png(n=4)
    assert first[:8] == second[:8] == b"\x89PNG\r\n\x1a\n"

    class Fig:
        def get_size_inches(self):
            return (6.5, 3)

    assert created[1] == column_dpi(Fig(), sharpness=LIVE_SHARPNESS) != created[0]
