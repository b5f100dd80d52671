"""Seeded hourly usage histories: the shapes they promise, determinism, and input checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.cost.usage import HOURS_PER_DAY, SHAPES, hourly_usage


@settings(max_examples=40, deadline=None)
@given(shape=st.sampled_from(SHAPES), days=st.integers(1, 20), base=st.floats(0, 1000),
       noise=st.floats(0, 2), seed=st.integers(0, 2**32))
def test_every_history_is_finite_non_negative_and_one_value_per_hour(shape, days, base, noise, seed):
    u = hourly_usage(shape, days=days, base_usd=base, noise_fraction=noise, seed=seed)
    assert u.shape == (days * HOURS_PER_DAY,)
    assert np.all(np.isfinite(u)) and np.all(u >= 0)


@pytest.mark.parametrize("shape", SHAPES)
def test_same_seed_same_history_and_different_seed_different_history(shape):
    a = hourly_usage(shape, days=14, seed=7)
    assert np.array_equal(a, hourly_usage(shape, days=14, seed=7))
    assert not np.array_equal(a, hourly_usage(shape, days=14, seed=8))


def test_noise_free_shapes_follow_their_definitions():
    hours = np.arange(7 * 24)
    assert np.array_equal(hourly_usage("steady", days=7, base_usd=3.0, noise_fraction=0.0, seed=0), np.full(hours.size, 3.0))
    diurnal = hourly_usage("diurnal", days=7, base_usd=10.0, noise_fraction=0.0, seed=0)
    assert diurnal.argmax() % 24 == 14 and diurnal.argmin() % 24 == 2
    assert diurnal.max() == pytest.approx(14.0) and diurnal.min() == pytest.approx(6.0)
    weekday = hourly_usage("weekday", days=7, base_usd=10.0, noise_fraction=0.0, seed=0)
    busy = (hours // 24 < 5) & (hours % 24 >= 8) & (hours % 24 < 19)
    assert np.array_equal(weekday, np.where(busy, 15.0, 6.0))
    declining = hourly_usage("declining", days=28, base_usd=10.0, noise_fraction=0.0, seed=0)
    first, last = declining[:7 * 24].mean(), declining[-7 * 24:].mean()
    assert first > 1.15 * 10 * 0.9 and last < 0.85 * 10 * 1.1 and first > last


def test_bursty_usage_has_a_floor_and_bursts_of_twice_the_base():
    u = hourly_usage("bursty", days=60, base_usd=10.0, noise_fraction=0.0, seed=1)
    assert u.min() == pytest.approx(7.0)
    assert set(np.round(np.unique(u), 6)) <= {7.0, 27.0, 47.0, 67.0, 87.0}
    assert 0.05 < np.mean(u > 7.0) < 0.25  # about 4 % of hours start a burst lasting 3.5 h on average


@pytest.mark.parametrize("shape, mean", [("steady", 1.0), ("diurnal", 1.0), ("weekday", (55 * 1.5 + 113 * 0.6) / 168),
                                         ("bursty", 0.7 + 0.04 * 3.5 * 2.0), ("declining", 1.0)])
def test_long_run_mean_matches_the_documented_shape(shape, mean):
    u = hourly_usage(shape, days=364, base_usd=10.0, seed=3)
    assert u.mean() == pytest.approx(10.0 * mean, rel=0.05)


def test_noise_does_not_move_the_bursts():
    quiet = hourly_usage("bursty", days=30, noise_fraction=0.0, seed=4)
    noisy = hourly_usage("bursty", days=30, noise_fraction=0.05, seed=4)
    assert np.array_equal(quiet > 10.0, noisy > 10.0)  # 5 % noise cannot move 7 to 10 or 27 below 10


@pytest.mark.parametrize("kwargs, error, message", [
    ({"shape": "spiky"}, ValueError, "shape='spiky' is not a valid choice"),
    ({"shape": "steady", "days": 0}, ValueError, "days=0 is out of range; choose days >= 1"),
    ({"shape": "steady", "days": 2.5}, TypeError, "days must be an integer, not float"),
    ({"shape": "steady", "base_usd": -1.0}, ValueError, "base_usd=-1.0 is out of range; choose base_usd >= 0"),
    ({"shape": "steady", "noise_fraction": -0.1}, ValueError, "noise_fraction=-0.1 is out of range"),
])
def test_bad_input_names_the_parameter(kwargs, error, message):
    shape = kwargs.pop("shape")
    with pytest.raises(error, match=message.replace("(", r"\(").replace(".", r"\.")):
        hourly_usage(shape, **kwargs)
