"""The space-time diagram draws every fault a nemesis injects, and nothing extra when there are none."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from labsupport.sim import Node, Simulation, TraceEvent  # noqa: E402
from labsupport.sim.nemesis import Crash, Delay, Loss, Nemesis, Partition, Pause, Skew  # noqa: E402
from labsupport.viz.spacetime import draw_spacetime  # noqa: E402


class Sink(Node):
    def on_num(self, msg):
        pass


def faulty_trace(nemesis, until=8.0):
    sim = Simulation(seed=0, latency=0.1)
    a, _, _ = sim.add(Node("a")), sim.add(Sink("b")), sim.add(Sink("c"))
    for i in range(8):
        sim.at(i + 0.5, a.send, "b", "num", i)
    nemesis.apply(sim)
    sim.run(until=until)
    return sim.trace


def legends(fig):
    ax = fig.axes[0]
    found = [child for child in ax.get_children() if isinstance(child, matplotlib.legend.Legend)]
    return {legend.get_title().get_text(): [t.get_text() for t in legend.get_texts()] for legend in found}


def test_every_fault_kind_gets_a_mark_and_a_legend_entry():
    trace = faulty_trace(Nemesis([
        Partition(start_s=1.0, end_s=2.0, groups=[{"a"}, {"b", "c"}]),
        Crash(node="c", at_s=2.5, restart_s=3.5),
        Pause(node="b", at_s=4.0, duration_s=0.5),
        Loss(start_s=5.0, end_s=5.5, probability=0.5),
        Delay(start_s=6.0, end_s=6.5, latency=0.1),
        Skew(node="a", at_s=7.0, offset_s=0.2),
    ]))
    fig = draw_spacetime(trace, ["a", "b", "c"])
    assert legends(fig) == {"message": ["num"], "fault": ["partition", "crash, down, restart", "pause", "clock skew",
                                                          "loss burst", "delay burst"]}
    ax = fig.axes[0]
    bands = [line for line in ax.get_lines() if line.get_linewidth() == 7]
    assert [tuple(band.get_xdata()) for band in bands] == [(4.0, 4.5)]
    dotted = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert [(tuple(d.get_xdata()), tuple(d.get_ydata())) for d in dotted] == [((2.5, 3.5), (2, 2))]
    assert any(t.get_text() == "a | b,c" for t in ax.texts)
    plt.close(fig)


def test_a_pause_still_going_when_the_trace_ends_is_drawn_to_the_end():
    trace = faulty_trace(Nemesis([Pause(node="b", at_s=4.0, duration_s=10.0)]), until=6.0)
    fig = draw_spacetime(trace, ["a", "b", "c"])
    (band,) = [line for line in fig.axes[0].get_lines() if line.get_linewidth() == 7]
    assert band.get_xdata()[0] == 4.0 and band.get_xdata()[1] == max(e.time for e in trace)
    plt.close(fig)


def test_a_trace_without_faults_has_no_fault_legend():
    trace = [TraceEvent(0.0, "send", "a", "b", "num", 0), TraceEvent(0.1, "deliver", "b", "a", "num", 0)]
    fig = draw_spacetime(trace, faults=True)
    assert legends(fig) == {"message": ["num"]}
    plt.close(fig)


def test_crashes_and_partitions_alone_are_drawn_as_before_unless_faults_are_asked_for():
    """Chapters 1-8 crash nodes and partition networks: their figures keep their look."""
    trace = faulty_trace(Nemesis([Partition(start_s=1.0, end_s=2.0, groups=[{"a"}, {"b", "c"}]),
                                  Crash(node="c", at_s=2.5, restart_s=3.5)]))
    before = draw_spacetime(trace, ["a", "b", "c"])
    assert legends(before) == {"message": ["num"]} and [t.get_text() for t in before.axes[0].texts if t.get_text()] == []
    after = draw_spacetime(trace, ["a", "b", "c"], faults=True)
    assert legends(after)["fault"] == ["partition", "crash, down, restart"]
    plt.close(before), plt.close(after)


@pytest.mark.parametrize("nemesis, count", [
    (Nemesis([Crash(node="b", at_s=1.0, restart_s=2.0)]), 1),  # crashes alone: no fault legend
    (Nemesis([Pause(node="b", at_s=1.0, duration_s=1.0)]), 2),
])
def test_every_legend_is_inside_the_saved_figure(nemesis, count):
    # The message legend, kept as an artist, was clipped to the axes and so left out of the layout: it was drawn
    # outside the figure, and the pages' crash diagrams (2PC) had no message legend.
    fig = draw_spacetime(faulty_trace(nemesis))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width, height = fig.get_size_inches() * fig.dpi
    found = [c for c in fig.axes[0].get_children() if isinstance(c, matplotlib.legend.Legend)]
    assert len(found) == count
    for legend in found:
        box = legend.get_window_extent(renderer)
        assert 0 <= box.x0 and box.x1 <= width + 0.5 and 0 <= box.y0 and box.y1 <= height + 0.5, \
            (legend.get_title().get_text(), box, (width, height))
    plt.close(fig)
