"""The RDS page's replica figures: lag and exposure against load, and one run's bars cut at their caps."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from labsupport.services.rds import mm1_lag_s, run_replication  # noqa: E402
from labsupport.viz import draw_lag_against_load, draw_lag_and_exposure  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_the_exposure_curve_is_littles_law_on_the_lag_curve_and_the_points_are_the_replicas_measurements():
    theory = {w: mm1_lag_s(write_rate_per_s=w, reads_per_node_per_s=50, apply_s=0.004, latency_s=0.001)
              for w in (10.0, 20.0, 40.0)}
    sims = {20: run_replication(n_replicas=1, write_rate_per_s=20, read_rate_per_s=50, duration_s=2, seed=1)}
    left, right = draw_lag_against_load(theory, sims, latency_s=0.001, title="t").axes
    lag_curve, lag_points = left.get_lines()
    exposure_curve, exposure_points = right.get_lines()
    assert list(lag_curve.get_ydata()) == pytest.approx([1000 * c for c in theory.values()])
    assert list(exposure_curve.get_ydata()) == pytest.approx([w * (c - 0.001) for w, c in theory.items()])
    assert list(lag_points.get_ydata()) == [1000 * sims[20].lag_s["db-r1"]]
    assert list(exposure_points.get_ydata()) == [sims[20].exposed["db-r1"]]


def test_an_overloaded_replicas_bar_is_cut_at_the_cap_and_its_label_keeps_the_true_lag():
    r = run_replication("single_az", n_replicas=1, write_rate_per_s=100, read_rate_per_s=300, duration_s=3,
                        crash_at_s=2.9, seed=1)
    assert r.lag_theory_s["db-r1"] == float("inf")  # 400 changes and reads a second at 4 ms each
    left, right = draw_lag_and_exposure(r, title="overloaded").axes
    (bar,) = left.patches
    assert bar.get_height() == 120 and left.texts[0].get_text() == f"{1000 * r.lag_s['db-r1']:.0f} (overloaded)"
    assert 1000 * r.lag_s["db-r1"] > 120
    labels = [t.get_text() for t in right.texts]
    assert labels == [f"mean {r.exposed[x]:.1f}, at crash {r.lost_on_failover[x]}" for x in sorted(r.exposed)]
    assert [p.get_height() for p in right.patches] == [min(r.exposed[x], 12) for x in sorted(r.exposed)]
