"""Stable 64-bit hashes: the same number for the same key, on every machine, every run.

A library's call number is printed on the spine, so every branch shelves the
book in the same place without phoning head office. A placement scheme needs
the same thing from its hash: every client that routes a key must compute the
same number for it, today and after a restart. Python's built-in :func:`hash`
is the wrong tool: for ``str`` and ``bytes`` it is salted per process
(``PYTHONHASHSEED``), so two processes disagree about where a key lives.

Everything in :mod:`labsupport.data.hashing` uses :func:`stable_hash64`:
BLAKE2b (RFC 7693) with an 8-byte digest, read as a big-endian unsigned
integer in ``[0, 2**64)``. A ``str`` is hashed as its UTF-8 bytes, so
``"a"`` and ``b"a"`` hash alike. BLAKE2b-64 is its own parameterisation (the
digest length is part of BLAKE2's parameter block), not the first 8 bytes of
BLAKE2b-512.
"""

from __future__ import annotations

from hashlib import blake2b

from labsupport.checks import check_int, check_type

__all__ = [
    "HASH_BITS",
    "HASH_SPACE",
    "Key",
    "NodeId",
    "stable_hash64",
    "hash_mod_n",
    "mix64",
    "check_nodes",
]

HASH_BITS = 64
HASH_SPACE = 1 << HASH_BITS  # number of distinct hash values: positions 0 .. 2**64 - 1
_MASK64 = HASH_SPACE - 1

Key = str | bytes  # what clients route: an object name, a cache key, a user id
NodeId = str  # a server's name: "cache-3", "10.0.1.17:11211"


def key_bytes(key: Key) -> bytes:
    """The bytes that are hashed for ``key`` (UTF-8 for ``str``); TypeError otherwise."""
    if isinstance(key, str):
        return key.encode("utf-8")
    if isinstance(key, (bytes, bytearray, memoryview)):
        return bytes(key)
    return check_type("key", key, (str, bytes))


def stable_hash64(key: Key) -> int:
    """Hash ``key`` to an unsigned 64-bit integer that never changes between runs.

    Parameters
    ----------
    key : str or bytes
        A ``str`` is hashed as its UTF-8 encoding.

    Returns
    -------
    int
        BLAKE2b with ``digest_size=8``, read big-endian: ``0 <= h < 2**64``.

    Notes
    -----
    One BLAKE2b call on a short key costs about half a microsecond in CPython.
    Unlike :func:`hash`, the value does not depend on ``PYTHONHASHSEED``.

    Examples
    --------
    >>> stable_hash64("user:42") == stable_hash64(b"user:42")
    True
    >>> 0 <= stable_hash64("user:42") < 2**64
    True
    >>> stable_hash64("")
    16476032584258269876
    """
    return int.from_bytes(blake2b(key_bytes(key), digest_size=8).digest(), "big")


def hash_mod_n(key: Key, num_buckets: int) -> int:
    """The naive placement ``stable_hash64(key) % num_buckets``, kept for comparison.

    It balances well but is not consistent: going from ``n`` to ``n + 1``
    buckets moves about ``n / (n + 1)`` of all keys (see
    :func:`labsupport.data.hashing.theory.mod_n_join_fraction`).

    Examples
    --------
    >>> hash_mod_n("user:42", 10)
    2
    >>> hash_mod_n("user:42", 0)
    Traceback (most recent call last):
    ...
    ValueError: num_buckets=0 is out of range; choose num_buckets >= 1
    """
    check_int("num_buckets", num_buckets, low=1)
    return stable_hash64(key) % num_buckets


def mix64(x: int) -> int:
    """Scramble a 64-bit integer: the MurmurHash3 ``fmix64`` finaliser (Appleby).

    A bijection on ``[0, 2**64)`` whose every output bit depends on every input
    bit; :mod:`~labsupport.data.hashing.rendezvous` uses it to turn one key hash
    into one score per node without hashing the key again.

    Examples
    --------
    >>> mix64(0), mix64(1) != 1
    (0, True)
    """
    if type(x) is not int:  # the fast path skips the check: rendezvous calls this once per key and node
        x = check_int("x", x)
    x &= _MASK64
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & _MASK64
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & _MASK64
    return x ^ (x >> 33)


def check_nodes(nodes, *, what: str = "nodes") -> tuple[NodeId, ...]:
    """Validate a list of node names: non-empty, all ``str``, no duplicates.

    Examples
    --------
    >>> check_nodes(["a", "b"])
    ('a', 'b')
    >>> check_nodes(["a", "a"])
    Traceback (most recent call last):
    ...
    ValueError: nodes has duplicate name 'a'; every node name must be unique
    """
    if isinstance(nodes, (str, bytes)):  # a single name is not a list of names
        check_type(what, nodes, (list, tuple, set, frozenset, dict))
    names = tuple(nodes)
    if not names:
        raise ValueError(f"{what} is empty; give at least 1 node")
    seen: set[str] = set()
    for name in names:
        check_type("node name", name, str)
        if name in seen:
            raise ValueError(f"{what} has duplicate name {name!r}; every node name must be unique")
        seen.add(name)
    return names
