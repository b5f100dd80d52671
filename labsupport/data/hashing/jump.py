"""Jump consistent hash (Lamping & Veach, 2014): buckets numbered 0 .. n-1, no table.

Picture a row of numbered lockers that only ever grows or shrinks at the
far end. When locker ``n`` is added, each key independently decides, with
probability ``1 / (n + 1)``, to jump into the new locker; every other key
stays where it is. Following one key through all sizes from 1 to ``n``
would take ``n`` coin flips, but a key only needs the sizes at which it
jumps, and a pseudo-random generator seeded by the key can skip straight to
the next one; there are about ``ln n`` of them. The result needs no memory
at all and balances almost perfectly, but buckets have numbers, not names,
and only the last bucket can be removed. (Lamping & Veach, "A Fast, Minimal
Memory, Consistent Hash Algorithm", arXiv:1406.2294, 2014; Google's Guava
ships it as ``Hashing.consistentHash``.)

:func:`jump_hash` follows the paper's reference code bit for bit: a 64-bit
linear congruential generator with multiplier 2862933555777941757 and
increment 1, and the next candidate bucket computed in IEEE double precision
as ``(b + 1) * (2**31 / ((key >> 33) + 1))``, truncated. Python's float is
an IEEE double and every integer converted here is below ``2**53``, so the
results match the C++ reference; the tests check published vectors.
"""

from __future__ import annotations

from labsupport.checks import check_int
from labsupport.stable_hash import Key, stable_hash64

__all__ = ["jump_hash", "jump_bucket", "MAX_BUCKETS"]

_LCG_MULTIPLIER = 2862933555777941757  # from the paper's reference code
_MASK64 = (1 << 64) - 1
_TWO_POW_31 = float(1 << 31)
MAX_BUCKETS = (1 << 31) - 1  # the reference takes an int32_t bucket count


def jump_hash(key: int, num_buckets: int) -> int:
    """The bucket in ``[0, num_buckets)`` for a 64-bit unsigned integer ``key``.

    Parameters
    ----------
    key : int
        ``0 <= key < 2**64``. Hash strings first (see :func:`jump_bucket`);
        a signed 64-bit key from Java or Go maps to ``key % 2**64``.
    num_buckets : int
        ``1 <= num_buckets <= 2**31 - 1``, as in the reference's ``int32_t``.

    Returns
    -------
    int
        The bucket. Growing ``num_buckets`` by one moves a key only into the
        new bucket, and does so for a ``1 / (num_buckets + 1)`` fraction of
        keys in expectation.

    Notes
    -----
    Expected ``O(ln num_buckets)`` loop iterations, no memory.

    Examples
    --------
    >>> jump_hash(256, 1024)
    520
    >>> [jump_hash(1, n) for n in range(1, 8)]
    [0, 0, 0, 0, 0, 0, 6]
    >>> jump_hash(-1, 10)
    Traceback (most recent call last):
    ...
    ValueError: key=-1 is out of range; choose 0 <= key <= 18446744073709551615
    """
    check_int("key", key, low=0, high=_MASK64)  # hash str/bytes with jump_bucket; key % 2**64 if signed
    check_int("num_buckets", num_buckets, low=1, high=MAX_BUCKETS)
    bucket, candidate = -1, 0
    while candidate < num_buckets:
        bucket = candidate
        key = (key * _LCG_MULTIPLIER + 1) & _MASK64
        candidate = int((bucket + 1) * (_TWO_POW_31 / ((key >> 33) + 1)))
    return bucket


def jump_bucket(key: Key, num_buckets: int) -> int:
    """The bucket for a str/bytes key: ``jump_hash(stable_hash64(key), num_buckets)``.

    Examples
    --------
    >>> jump_bucket("user:42", 10)
    9
    >>> jump_bucket("user:42", 11) in (9, 10)
    True
    """
    return jump_hash(stable_hash64(key), num_buckets)
