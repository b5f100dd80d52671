"""Lab 8's kit: the bill of a plan bought in two steps, and the cheapest plan found by brute force."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.labkits.commitments import SHAPES, best_layered_plan, layered_cost, shaped_usage

usage_lists = st.lists(st.floats(0, 50, allow_nan=False).map(lambda x: round(x, 1)), min_size=1, max_size=10)


@settings(max_examples=150, deadline=None)
@given(usage=usage_lists, discount=st.floats(0, 0.9), data=st.data())
def test_the_best_plan_is_no_dearer_than_any_plan_on_a_fine_grid(usage, discount, data):
    k = data.draw(st.integers(0, len(usage)))
    first, added = best_layered_plan(usage, discount, switch_hour=k)
    assert first >= 0 and added >= 0
    best = layered_cost(usage, discount, (first, added), switch_hour=k)
    top = max(usage) * (1 - discount)
    grid = np.linspace(0, top, 41)
    assert all(best <= layered_cost(usage, discount, (a, b), switch_hour=k) + 1e-9
               for a in grid for b in grid)


def test_the_bill_charges_the_commitment_in_force_and_uncovered_usage():
    assert layered_cost([2, 2, 8, 8], 0.5, (1.0, 3.0), switch_hour=2) == 2 * 1 + 2 * 4 + 0
    assert layered_cost([2, 2, 8, 8], 0.5, (0.0, 0.0), switch_hour=2) == 20.0
    assert layered_cost([2, 2, 8, 8], 0.5, (1.0, 0.0), switch_hour=0) == 4 * 1 + 0 + 0 + 6 + 6


def test_falling_usage_adds_nothing_and_rising_usage_adds_something():
    for shape, adds in (("step_up", True), ("growth", True), ("step_down", False)):
        u, k = shaped_usage(shape, days=30, seed=2)
        assert (best_layered_plan(u, 0.3, switch_hour=k)[1] > 0) is adds, shape


def test_shapes_are_seeded_and_change_at_their_switch_hour():
    for shape in SHAPES:
        u, k = shaped_usage(shape, days=12, seed=5)
        v, _ = shaped_usage(shape, days=12, seed=5)
        assert u.size == 288 and 0 < k < u.size and (u == v).all()


def test_bad_plans_and_inputs_are_refused():
    with pytest.raises(ValueError, match="sold back"):
        layered_cost([1, 2], 0.2, (1.0, -0.5), switch_hour=1)
    with pytest.raises(ValueError, match="switch_hour"):
        best_layered_plan([1, 2], 0.2, switch_hour=3)
    with pytest.raises(ValueError, match="discount"):
        best_layered_plan([1, 2], 1.0, switch_hour=1)
    with pytest.raises(ValueError, match="usage"):
        best_layered_plan([], 0.2, switch_hour=0)
    with pytest.raises(ValueError, match="shape"):
        shaped_usage("flat")
