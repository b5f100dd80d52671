"""The ring figure: returns a figure, draws every mark, finds the same replicas as the ring."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402

from labsupport.data.hashing import HASH_SPACE, HashRing, stable_hash64  # noqa: E402
from labsupport.viz.ring import (  # noqa: E402
    draw_loads,
    draw_ring,
    draw_ring_with_loads,
    node_colours,
    replica_marks,
    ring_angle,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_draw_ring_returns_a_figure_with_one_tick_per_mark():
    ring = HashRing(["a", "b", "c"], vnodes=4)
    fig = draw_ring(ring)
    assert isinstance(fig, matplotlib.figure.Figure)
    ax = fig.axes[0]
    ticks = [segment for lines in ax.collections if (lines.get_color() == matplotlib.colors.to_rgba("black")).all()
             for segment in lines.get_segments() if len(segment) == 2]  # one collection: one artist for all marks
    assert len(ticks) == len(ring.points()) == 12
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "c"]


def test_painted_arcs_cover_the_whole_rim_once():
    ring = HashRing(["a", "b", "c", "d"], vnodes=3)
    ax = draw_ring(ring, legend=False).axes[0]
    arcs = [segment for lines in ax.collections if lines.get_linewidth()[0] > 5 for segment in lines.get_segments()]
    assert len(arcs) == len(ring.points())
    swept = 0.0
    for segment in arcs:
        x, y = segment[:, 0], segment[:, 1]
        angles = [math.atan2(b, a) for a, b in zip(x, y)]
        swept += sum((a0 - a1) % (2 * math.pi) for a0, a1 in zip(angles, angles[1:]))
    assert swept == pytest.approx(2 * math.pi, rel=1e-9)


def test_draw_ring_numbers_each_keys_replicas():
    ring = HashRing(["a", "b", "c", "d"], vnodes=5)
    fig = draw_ring(ring, keys=["k1", "k2"], replicas=3)
    numbers = sorted(t.get_text() for t in fig.axes[0].texts if t.get_text().isdigit() and t.get_text() != "0")
    assert numbers == ["1", "1", "2", "2", "3", "3"]
    labels = {t.get_text() for t in fig.axes[0].texts}
    assert {"k1", "k2"} <= labels


def test_draw_ring_into_a_given_axes():
    fig, ax = plt.subplots()
    assert draw_ring(HashRing(["a"], vnodes=2), ax=ax) is fig


@pytest.mark.parametrize("replicas", [0, 4])
def test_draw_ring_rejects_impossible_replica_counts(replicas):
    with pytest.raises(ValueError, match="replicas"):
        draw_ring(HashRing(["a", "b", "c"], vnodes=2), keys=["k"], replicas=replicas)


def test_draw_ring_rejects_a_non_ring():
    with pytest.raises(TypeError, match="HashRing"):
        draw_ring(["a", "b"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=8, unique=True),
       st.integers(1, 6), st.text(min_size=1, max_size=8), st.integers(1, 8))
def test_replica_marks_agree_with_the_preference_list(nodes, vnodes, key, n):
    ring = HashRing(nodes, vnodes=vnodes)
    n = min(n, len(nodes))
    marks = replica_marks(ring, key, n)
    assert [node for _, node in marks] == ring.preference_list(key, n)
    points = set(ring.points())
    assert all(mark in points for mark in marks)
    # each replica is the first mark of its node clockwise from the key
    h = stable_hash64(key)
    for position, node in marks:
        distance = (position - h) % HASH_SPACE
        own = [(p - h) % HASH_SPACE for p, owner in ring.points() if owner == node]
        assert distance == min(own)


def test_ring_angle_is_clockwise_from_twelve():
    assert ring_angle(0) == pytest.approx(math.pi / 2)
    assert ring_angle(HASH_SPACE // 4) == pytest.approx(0.0)
    assert ring_angle(HASH_SPACE // 2) == pytest.approx(-math.pi / 2)
    with pytest.raises(ValueError, match="off the rim"):
        ring_angle(HASH_SPACE)


def test_node_colours_are_distinct_and_limited():
    colours = node_colours([f"n{i}" for i in range(20)])
    assert len(set(colours.values())) == 20
    with pytest.raises(ValueError, match="20 distinct colours"):
        node_colours([f"n{i}" for i in range(21)])


def test_draw_loads_marks_mean_and_capacity():
    fig = draw_loads({"a": 10, "b": 30}, capacity=33)
    ax = fig.axes[0]
    assert len(ax.patches) == 2
    levels = sorted(line.get_ydata()[0] for line in ax.lines)
    assert levels == [20, 33]
    assert ax.get_title() == "max / mean = 1.50"
    with pytest.raises(ValueError, match="empty"):
        draw_loads({})


def test_draw_ring_with_loads_shows_shares_that_add_to_100():
    ring = HashRing(["a", "b", "c"], vnodes=7)
    fig = draw_ring_with_loads(ring, keys=["k"], replicas=2, title="t")
    assert len(fig.axes) == 2
    heights = [bar.get_height() for bar in fig.axes[1].patches]
    assert sum(heights) == pytest.approx(100)
    assert heights == pytest.approx([100 * s for s in ring.ownership().values()])


def test_the_rim_is_a_fixed_number_of_artists_however_many_virtual_nodes():
    """8 nodes x 32 vnodes drew 512 lines, a third of a second per live redraw (issue 20): arcs and marks are
    one collection each, so the artist count does not grow with the marks."""
    counts = []
    for vnodes in (1, 32):
        ax = draw_ring(HashRing([f"n{i}" for i in range(8)], vnodes=vnodes), legend=False).axes[0]
        counts.append(len(ax.lines) + len(ax.collections))
    assert counts[0] == counts[1] <= 4
