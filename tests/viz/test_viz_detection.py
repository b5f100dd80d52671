"""The failure-detection page's trade-off figure: one marker per detector setting, theory as a line, zero at the floor."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from labsupport.availability.failure_detection.detectors import DetectorStats  # noqa: E402
from labsupport.viz import draw_detection_tradeoff  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def stats(label, times, false_suspicions):
    return DetectorStats(label, times, false_suspicions=false_suspicions, alive_hours=2.0, heartbeats=7200)


def test_each_setting_is_a_labelled_point_and_a_detector_without_mistakes_sits_on_the_floor():
    families = {"fixed timeout": {2.0: stats("t2", (1.5, 2.5), 20), 4.0: stats("t4", (3.0,), 0)},
                "phi accrual": {8.0: stats("p8", (2.0, 4.0), 3)}}
    ax = draw_detection_tradeoff(families, theory=[(1.0, 50.0), (4.0, 0.001)], theory_label="fixed timeout, theory",
                                 floor=0.1, title="a link").axes[0]
    (line,) = ax.get_lines()
    assert list(line.get_ydata()) == [50.0, 0.1]  # the closed form is clipped at the floor too
    assert [t.get_text() for t in ax.texts] == ["2", "4", "8"]
    assert [t.xy for t in ax.texts] == [(2.0, 10.0), (3.0, 0.1), (3.0, 1.5)]  # (mean detection, false per hour)
    mistakes, clean = ax.collections[0], ax.collections[1]  # the first family: its points with mistakes, without
    assert mistakes.get_offsets().tolist() == [[2.0, 10.0]] and clean.get_offsets().tolist() == [[3.0, 0.1]]
    assert to_hex(ax.collections[2].get_facecolor()[0]) != to_hex(mistakes.get_facecolor()[0])
    assert to_hex(line.get_color()) == to_hex(mistakes.get_facecolor()[0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "fixed timeout, theory", "fixed timeout, simulated", "phi accrual, simulated"]
    assert ax.get_yscale() == "log" and ax.get_title() == "a link"


def test_more_families_than_styles_is_refused_by_name():
    one = {1.0: stats("x", (1.0,), 1)}
    with pytest.raises(ValueError, match="families"):
        draw_detection_tradeoff({"a": one, "b": one, "c": one})
