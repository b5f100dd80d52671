"""Tests for labsupport.viz.histories and labsupport.viz.leases: what each mark means is drawn as such."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from labsupport.agreement.leases import run_lease  # noqa: E402
from labsupport.sim import History  # noqa: E402
from labsupport.viz.histories import draw_availability, draw_history  # noqa: E402
from labsupport.viz.leases import draw_lease_run  # noqa: E402


def test_history_bars_span_invocation_to_response_and_pending_runs_off_the_edge():
    h = History.from_tuples([("a", "write", 1, 0, 1, "ok"), ("b", "read", None, 2, 3, 0)])
    h.operations.append(type(h.operations[0])(2, "c", "write", 2, 0.5))  # never returned
    fig, ax = plt.subplots()
    draw_history(h, ax=ax)
    spans = [tuple(line.get_xdata()) for line in ax.lines]
    assert spans[:2] == [(0.0, 1.0), (2.0, 3.0)]
    assert spans[2][0] == 0.5 and spans[2][1] > 3.0 and ax.lines[2].get_alpha() < ax.lines[0].get_alpha()
    assert [t.get_text() for t in ax.texts] == ["w 1", "r → 0", "w 2"]
    plt.close(fig)


def test_availability_marks_refused_and_stale_operations_apart():
    h = History.from_tuples([("n1/0", "write", 1, 0, 1, "ok"), ("n2/0", "read", None, 2, 3, 0),
                             ("n3/0", "read", None, 2, float("inf"), None)])
    fig, ax = plt.subplots()
    draw_availability(h, ["n1", "n2", "n3"], ax=ax, stale=[1])
    marks = {line.get_label(): (list(line.get_xdata()), list(line.get_ydata())) for line in ax.lines}
    assert marks == {"answered": ([0.0], [0]), "answered stale": ([2.0], [-1]), "refused": ([2.0], [-2])}
    plt.close(fig)


def test_lease_run_marks_the_stale_write_and_the_fenced_one():
    fig, (top, bottom) = plt.subplots(2, 1)
    draw_lease_run(run_lease(pause_s=3.0, every_s=0.25, seed=1), ax=top)
    draw_lease_run(run_lease(pause_s=3.0, every_s=0.25, fencing=True, seed=1), ax=bottom)
    labels = [{line.get_label() for line in ax.lines} for ax in (top, bottom)]
    assert "write accepted, stale" in labels[0] and "write rejected (fenced)" not in labels[0]
    assert "write rejected (fenced)" in labels[1] and "write accepted, stale" not in labels[1]
    assert [t.get_text() for t in top.texts] == ["a's lease, token 1", "b's lease, token 2"]
    plt.close(fig)
