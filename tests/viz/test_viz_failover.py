"""The failover figures: a database failover's phases and outages (4.4), a leader failover's lost writes (3.2)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from labsupport.availability.failover.procedure import FailoverConfig, Faults, run_failover  # noqa: E402
from labsupport.data import replication  # noqa: E402
from labsupport.viz import draw_failover_timeline, draw_lost_writes  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_the_timeline_has_one_bar_per_phase_from_the_crash_then_each_clients_time_without_a_success():
    run = run_failover(FailoverConfig(), Faults(crash_s=20.4), clients=2, duration_s=50, seed=1)
    ax = draw_failover_timeline(run).axes[0]
    f, dns_s = run.failovers[0], run.dns_changes[0][0]
    bars = ax.patches
    assert [round(b.get_x(), 9) for b in bars[:3]] == [0.0, round(f["promote_s"] - 20.4, 9),
                                                        round(f["promoted_s"] - 20.4, 9)]
    assert [b.get_width() for b in bars[:3]] == pytest.approx(
        [f["suspected_s"] - 20.4, f["promoted_s"] - f["promote_s"], dns_s - f["promoted_s"]])
    for client, bar, dot in zip(("c1", "c2"), bars[3:], ax.get_lines()[:2], strict=True):
        first_after = min(op.complete_s for op in run.history
                          if op.client == client and isinstance(op.result, tuple) and op.complete_s > 20.4)
        assert bar.get_x() + bar.get_width() == pytest.approx(first_after - 20.4) == dot.get_xdata()[0]
        assert bar.get_x() < 0  # the last success came before the crash
    with pytest.raises(ValueError, match="result"):
        draw_failover_timeline(run_failover(FailoverConfig(), Faults(), clients=1, duration_s=5, seed=1))


def test_lost_writes_are_red_and_writes_never_acknowledged_grey():
    run = replication.run_failover("async", seed=1)
    ax = draw_lost_writes(run).axes[0]
    colour = {t.get_text(): to_hex(t.get_color()) for t in ax.texts if t.get_text().isdigit()}
    assert run.lost and all(colour[str(w)] == to_hex("crimson") for w in run.lost)
    assert sorted(int(w) for w, c in colour.items() if c == to_hex("crimson")) == sorted(run.lost)
    assert to_hex("0.6") in colour.values() and ax.get_title().startswith(f"async: {len(run.lost)} acknowledged")
    assert ax.get_xlim() == pytest.approx((run.crash_s - 0.15, run.crash_s + run.failover_s + 0.1))
