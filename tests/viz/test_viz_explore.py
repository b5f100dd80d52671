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
    assert html.count('type="range"') == 2
    assert 'value="2"' in html and 'value="1"' in html  # n=3 is index 2, colour C1 is index 1
    assert 'alt="Lines: n = 3, colour = C1"' in html
    assert "http" not in html.replace("http://www.w3.org", "")  # self-contained


def test_the_same_explorer_gives_the_same_html():
    assert explore(draw, title="T", n=[1, 2]).to_html() == explore(draw, title="T", n=[1, 2]).to_html()


def test_live_widget_has_one_slider_per_control():
    box = explore(draw, title="T", n=[1, 2], colour=["C0", "C1"]).to_widget()
    assert len(box.children) == 3  # two sliders and the output


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
