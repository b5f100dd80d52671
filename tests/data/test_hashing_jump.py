"""Jump consistent hash: published vectors, the jump property, balance, bad input."""

import math

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.data.hashing.jump import MAX_BUCKETS, jump_bucket, jump_hash
from labsupport.data.hashing.theory import optimal_join_fraction

U64 = st.integers(min_value=0, max_value=2**64 - 1)

# Guava, guava-tests/test/com/google/common/hash/HashingTest.java,
# testConsistentHash_linearCongruentialGeneratorCompatibility ("golden values
# to see that implementations across languages are equivalent"):
# Hashing.consistentHash(i, 100) for i = 0..19, then six single values.
GUAVA_GOLDEN_100 = [0, 55, 62, 8, 45, 59, 86, 97, 82, 59, 73, 37, 17, 56, 86, 21, 90, 37, 38, 83]
GUAVA_SINGLES = [
    (10863919174838991, 11, 6),
    (2016238256797177309, 11, 3),
    (1673758223894951030, 11, 5),
    (2, 100001, 80343),
    (2201, 100001, 22152),
    (2202, 100001, 15018),
]

# dgryski/go-jump, jump_test.go, "Generated from the reference C++ code":
# key -> [Hash(key, n) for n = 1, 2, ...].
GO_JUMP_VECTORS = {
    0: [0] * 20,
    1: [0, 0, 0, 0, 0, 0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 17, 17],
    0xDEADBEEF: [0, 1, 2, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 16, 16, 16],
    0x0DDC0FFEEBADF00D: [0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 15, 15, 15, 15],
}

# lithammer/go-jump-consistent-hash, jump_test.go (TestHashInBucketRange), and
# ClickHouse tests/queries/0_stateless/00580_consistent_hashing_functions
# (.sql/.reference: jumpConsistentHash), which adds the 64-bit key below.
PORT_SINGLES = [
    (1, 1, 0),
    (42, 57, 43),
    (0xDEAD10CC, 1, 0),
    (0xDEAD10CC, 666, 361),
    (256, 1024, 520),
    (16045690984833335023, 255, 237),
]


def test_guava_golden_values():
    assert [jump_hash(i, 100) for i in range(20)] == GUAVA_GOLDEN_100
    for key, buckets, expected in GUAVA_SINGLES:
        assert jump_hash(key, buckets) == expected, (key, buckets)


@pytest.mark.parametrize("key", sorted(GO_JUMP_VECTORS))
def test_go_jump_reference_vectors(key):
    expected = GO_JUMP_VECTORS[key]
    assert [jump_hash(key, n) for n in range(1, len(expected) + 1)] == expected


@pytest.mark.parametrize("key, buckets, expected", PORT_SINGLES)
def test_port_single_values(key, buckets, expected):
    assert jump_hash(key, buckets) == expected


def _jump_exact_rational(key: int, num_buckets: int) -> int:
    """The same recurrence with exact fractions instead of doubles (for contrast)."""
    from fractions import Fraction

    b, j = -1, 0
    while j < num_buckets:
        b = j
        key = (key * 2862933555777941757 + 1) % 2**64
        j = math.floor((b + 1) * Fraction(2**31, (key >> 33) + 1))
    return b


def test_exact_arithmetic_variant_agrees_on_vectors():
    # The double rounding rarely matters; this checks our reading of the recurrence.
    for key, buckets, expected in GUAVA_SINGLES + PORT_SINGLES:
        assert _jump_exact_rational(key, buckets) == expected


@settings(max_examples=300, deadline=None, database=None)
@given(key=U64, n=st.integers(min_value=1, max_value=5000))
def test_growing_moves_keys_only_into_the_new_bucket(key, n):
    old, new = jump_hash(key, n), jump_hash(key, n + 1)
    assert 0 <= old < n and 0 <= new <= n
    assert new in (old, n)


@settings(max_examples=100, deadline=None, database=None)
@given(key=U64, n=st.integers(min_value=2, max_value=2000))
def test_removing_the_last_bucket_moves_only_its_keys(key, n):
    old, new = jump_hash(key, n), jump_hash(key, n - 1)
    if old != n - 1:
        assert new == old
    else:
        assert 0 <= new < n - 1


@settings(max_examples=10, deadline=None, database=None, derandomize=True)
@given(n=st.integers(min_value=1, max_value=40), salt=st.integers(min_value=0, max_value=10**6))
def test_move_fraction_is_one_over_n_plus_one(n, salt):
    # Each key moves independently with probability p = 1/(n+1):
    # tolerance 5 binomial standard deviations.
    keys = [f"{salt}:{i}" for i in range(4000)]
    moved = sum(jump_bucket(k, n) != jump_bucket(k, n + 1) for k in keys)
    p = optimal_join_fraction(n)
    assert abs(moved / len(keys) - p) <= 5 * math.sqrt(p * (1 - p) / len(keys))


def test_buckets_are_balanced():
    n, m = 16, 32000
    counts = [0] * n
    for i in range(m):
        counts[jump_bucket(f"k{i}", n)] += 1
    sd = math.sqrt(m * (1 / n) * (1 - 1 / n))
    assert max(abs(c - m / n) for c in counts) <= 5 * sd


def test_large_bucket_counts_work():
    assert 0 <= jump_hash(2**64 - 1, MAX_BUCKETS) < MAX_BUCKETS


@pytest.mark.parametrize("buckets", [0, -1, MAX_BUCKETS + 1])
def test_bad_bucket_counts_are_rejected(buckets):
    with pytest.raises(ValueError, match=r"num_buckets=.*1 <= num_buckets <= 2147483647"):
        jump_hash(1, buckets)


@pytest.mark.parametrize("key", [-1, 2**64])
def test_keys_outside_64_bits_are_rejected(key):
    with pytest.raises(ValueError, match=r"key=.*0 <= key <= 18446744073709551615"):
        jump_hash(key, 10)


def test_wrong_types_are_rejected():
    with pytest.raises(TypeError, match="key must be an int"):
        jump_hash("user:1", 10)
    with pytest.raises(TypeError, match="num_buckets must be an int"):
        jump_hash(1, 2.0)
    with pytest.raises(TypeError):
        jump_hash(True, 3)
