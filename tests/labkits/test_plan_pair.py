"""Lab 8's kit for two plans at once: the bill in AWS's order, and the cheapest pair against brute force."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.labkits.plan_pair import (
    FAMILY_SHAPES,
    best_pair,
    pair_cost,
    two_family_usage,
)

hours = st.integers(1, 7)
amounts = st.floats(0, 40, allow_nan=False).map(lambda x: round(x, 1))


def bill_by_definition(usage_a, usage_b, x, y, di, dc):
    """Hour by hour: the instance plan covers up to x of a, then the compute plan up to y of what is left."""
    total = 0.0
    for a, b in zip(usage_a, usage_b):
        left_a = a - min(a, x)
        left = left_a + b
        total += (1 - di) * x + (1 - dc) * y + (left - min(left, y))
    return total


def brute_force(usage_a, usage_b, di, dc):
    """The cheapest bill over every corner of the bill: each crossing of two lines on which it bends."""
    xs = [0.0, *usage_a]                      # the instance plan covers exactly some hour of a
    ys = [0.0, *usage_b]                      # the compute plan covers exactly some hour of b (a fully covered)
    sums = [a + b for a, b in zip(usage_a, usage_b)]  # ... or exactly what the instance plan left of some hour
    corners = list(itertools.product(xs, ys))
    corners += [(x, s - x) for x in xs for s in sums if s >= x]
    corners += [(s - y, y) for y in ys for s in sums if s >= y]
    return min(bill_by_definition(usage_a, usage_b, x, y, di, dc) for x, y in corners)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), di=st.floats(0, 0.9), dc=st.floats(0, 0.9))
def test_the_best_pair_costs_what_brute_force_over_every_corner_finds(data, di, dc):
    n = data.draw(hours)
    usage_a = data.draw(st.lists(amounts, min_size=n, max_size=n))
    usage_b = data.draw(st.lists(amounts, min_size=n, max_size=n))
    instance, compute = best_pair((usage_a, usage_b), (di, dc))
    assert instance >= 0 and compute >= 0
    got = pair_cost((usage_a, usage_b), (instance, compute), (di, dc))
    assert got == pytest.approx(brute_force(usage_a, usage_b, di, dc), rel=1e-9, abs=1e-9)


def test_the_best_pair_is_no_dearer_than_any_pair_on_a_fine_grid_for_every_shape():
    for shape in FAMILY_SHAPES:
        usage = two_family_usage(shape, days=6, base_usd=10.0, seed=3)
        discounts = (0.375, 0.28125)
        best = pair_cost(usage, best_pair(usage, discounts), discounts)
        grid_a = np.linspace(0, 0.625 * usage[0].max(), 61)
        grid_b = np.linspace(0, 0.72 * (usage[0] + usage[1]).max(), 61)
        assert all(best <= pair_cost(usage, (a, b), discounts) + 1e-9 for a in grid_a for b in grid_b), shape


def test_the_bill_applies_the_instance_plan_to_a_first_and_the_compute_plan_to_the_rest():
    # instance 1.5 at 50 % covers 3 of a; compute 1.0 at 50 % covers 2 of (1 left of a + b)
    assert pair_cost(([4, 4], [2, 6]), (1.5, 1.0), (0.5, 0.5)) == 2 * 2.5 + (3 - 2) + (7 - 2)
    assert pair_cost(([4, 4], [2, 6]), (0.0, 0.0), (0.5, 0.5)) == 16.0
    # an instance plan never covers b: with only b running, it is paid for nothing
    assert pair_cost(([0, 0], [5, 5]), (2.0, 0.0), (0.5, 0.25)) == 2 * 2.0 + 10.0
    # applied first, the deeper instance discount covers a; the other order would leave the instance plan idle
    assert pair_cost(([4], [0]), (2.0, 3.0), (0.5, 0.25)) == 5.0


def test_a_steady_family_gets_the_instance_plan_and_a_migrating_one_the_compute_plan():
    steady = pair_cost(([4, 4, 4, 4], [0, 0, 8, 8]), best_pair(([4, 4, 4, 4], [0, 0, 8, 8]), (0.5, 0.25)),
                       (0.5, 0.25))
    assert best_pair(([4, 4, 4, 4], [0, 0, 8, 8]), (0.5, 0.25)) == (2.0, 0.0) and steady == 8 + 16
    assert best_pair(([8, 8, 0, 0], [0, 0, 8, 8]), (0.5, 0.25)) == (0.0, 6.0)
    usage = two_family_usage("migration", days=28, seed=4)
    instance, compute = best_pair(usage, (0.375, 0.28125))
    a_only = best_pair((usage[0], 0 * usage[1]), (0.375, 0.28125))
    assert instance < 0.5 * a_only[0] and compute > instance


def test_histories_are_seeded_and_have_their_shape():
    for shape in FAMILY_SHAPES:
        a, b = two_family_usage(shape, days=14, seed=5)
        again = two_family_usage(shape, days=14, seed=5)
        assert a.size == b.size == 14 * 24 and (a == again[0]).all() and (b == again[1]).all()
        assert (a >= 0).all() and (b >= 0).all()
    a, b = two_family_usage("growth", days=28, seed=5)
    assert b[-168:].mean() > 2 * b[:168].mean()
    a, b = two_family_usage("shift", days=28, seed=5)
    assert a[-168:].mean() < 0.5 * a[:168].mean() and b[-168:].mean() > 2 * b[:168].mean()


@pytest.mark.parametrize("usage, plans, discounts, message", [
    (([1, 2], [1]), (0, 0), (0.3, 0.2), "different lengths"),
    (([1, 2],), (0, 0), (0.3, 0.2), "not a pair"),
    (([1, -2], [1, 1]), (0, 0), (0.3, 0.2), "usage"),
    (([1, 2], [1, 1]), (-1, 0), (0.3, 0.2), "plans\\[0\\]"),
    (([1, 2], [1, 1]), (0, 0), (0.3, 1.0), "discounts\\[1\\]"),
])
def test_bad_input_names_what_is_wrong(usage, plans, discounts, message):
    with pytest.raises(ValueError, match=message):
        pair_cost(usage, plans, discounts)
