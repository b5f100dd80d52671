"""What theory predicts for key movement and load balance, to print beside measurements.

Think of a weather forecast printed next to the thermometer reading: the
forecast is a formula, the reading an experiment, and the gap between them
is itself information. Each function here is a closed form with its
derivation in the docstring; :mod:`~labsupport.data.hashing.analysis` measures the
same quantities. Throughout, the hash is modelled as a *random oracle*: every
key and every virtual-node label gets an independent uniform position. That
modelling step is the main approximation, and the measurements test it.
"""

from __future__ import annotations

import math

from labsupport.checks import check_int
from labsupport.stable_hash import HASH_SPACE

__all__ = [
    "optimal_join_fraction",
    "optimal_leave_fraction",
    "mod_n_join_fraction",
    "mod_n_leave_fraction",
    "ring_share_cv",
    "ring_load_cv",
    "uniform_load_cv",
]


def optimal_join_fraction(n: int) -> float:
    """``1 / (n + 1)``: the least fraction of keys that must move when a node joins ``n``.

    After the join a balanced scheme gives the newcomer ``1 / (n + 1)`` of
    the keys, and each of them had to come from somewhere; consistent schemes
    move exactly those, in expectation.

    Examples
    --------
    >>> optimal_join_fraction(9)
    0.1
    """
    check_int("n", n, low=1)
    return 1 / (n + 1)


def optimal_leave_fraction(n: int) -> float:
    """``1 / n``: the expected share of a node leaving a balanced set of ``n`` nodes.

    Examples
    --------
    >>> optimal_leave_fraction(10)
    0.1
    """
    check_int("n", n, low=2)
    return 1 / n


def mod_n_join_fraction(n: int, hash_space: int = HASH_SPACE) -> float:
    """The exact fraction of hash values whose bucket changes from ``h % n`` to ``h % (n + 1)``.

    Derivation. ``h % n`` and ``h % (n + 1)`` both depend only on
    ``r = h % (n * (n + 1))``, since ``n * (n + 1)`` is a multiple of both.
    Write ``r = a * (n + 1) + b`` with ``0 <= a < n`` and ``0 <= b <= n``.
    Then ``r % (n + 1) = b`` and ``r % n = (a + b) % n``. For ``b < n`` the two
    agree iff ``a % n == 0``, i.e. ``a = 0``; for ``b = n`` they never agree
    (``r % n < n``). So exactly the ``n`` residues ``r = 0 .. n-1`` stay, out of
    ``n * (n + 1)``, and a uniform ``h`` moves with probability exactly
    ``1 - 1 / (n + 1) = n / (n + 1)`` whenever ``hash_space`` is a multiple of
    ``n * (n + 1)``. For ``hash_space = 2**64`` this function counts the
    staying values exactly; the result differs from ``n / (n + 1)`` by less
    than ``n * (n + 1) / 2**64``. The ElastiCache guide quotes the same number
    as ``(N - 1) / N`` for ``N = n + 1`` nodes after the change.

    Examples
    --------
    >>> mod_n_join_fraction(9)
    0.9
    >>> mod_n_join_fraction(2, hash_space=6)  # h = 0..5: only h = 0, 1 stay
    0.6666666666666666
    """
    check_int("n", n, low=1)
    check_int("hash_space", hash_space, low=1)
    period = n * (n + 1)
    full, rest = divmod(hash_space, period)
    stay = full * n + min(rest, n)
    return (hash_space - stay) / hash_space


def mod_n_leave_fraction(n: int, hash_space: int = HASH_SPACE) -> float:
    """The fraction of hash values that move from ``h % n`` to ``h % (n - 1)``.

    This is the shrink of the highest-numbered bucket, the mirror image of
    :func:`mod_n_join_fraction` (``n - 1`` to ``n``): ``(n - 1) / n``.

    Examples
    --------
    >>> mod_n_leave_fraction(10)
    0.9
    """
    check_int("n", n, low=2)
    return mod_n_join_fraction(n - 1, hash_space)


def ring_share_cv(n: int, vnodes: int) -> float:
    """Coefficient of variation of one node's share of a ring: ``sqrt((n - 1) / (n * v + 1))``.

    Derivation. Put ``N = n * v`` independent uniform marks on a circle of
    length 1. The ``N`` gaps between neighbours are jointly Dirichlet(1, ..., 1)
    (uniform spacings), and which node owns which gap is independent of the
    gap lengths. A node with ``v`` marks owns ``v`` gaps, so its share ``S``
    is a sum of ``v`` of ``N`` exchangeable Dirichlet components:
    ``S ~ Beta(v, N - v)``, mean ``1 / n``, variance
    ``v (N - v) / (N**2 (N + 1))``. Hence
    ``CV(S) = sd / mean = sqrt((N - v) / (v (N + 1))) = sqrt((n - 1) / (n v + 1))``.

    What is approximated: the random-oracle model, and a continuous circle
    instead of ``2**64`` positions (error of order ``N / 2**64``). Within the
    model the formula is exact. The familiar ``~ 1 / sqrt(v)`` is its limit for
    many nodes: ``(n - 1) / (n v + 1) -> 1 / v`` as ``n -> oo``; with ``n = 10``
    and ``v = 100`` the exact value is 0.0948, against 0.1.

    Examples
    --------
    >>> round(ring_share_cv(10, 100), 4)
    0.0948
    >>> round(ring_share_cv(10**6, 100), 4)
    0.1
    """
    check_int("n", n, low=1)
    check_int("vnodes", vnodes, low=1)
    return math.sqrt((n - 1) / (n * vnodes + 1))


def ring_load_cv(n: int, vnodes: int, num_keys: int) -> float:
    """Expected CV of the number of keys per node, for ``num_keys`` keys on a ring.

    Given its share ``S`` a node's load is Binomial(m, S). By the law of total
    variance, ``Var(L) = m E[S (1 - S)] + m**2 Var(S)``; dividing by the mean
    ``m / n`` squared gives ``CV(L)**2 = c**2 + (n - 1 - c**2) / m`` with
    ``c = ring_share_cv(n, vnodes)``. The first term is the ring's own
    unevenness, the second the sampling noise of finitely many keys.

    The across-node CV measured on one ring (population sd over the ``n``
    loads, divided by ``m / n``) is a random quantity whose *mean square* is
    exactly this value squared; average ``CV**2`` over several rings before
    comparing.

    Examples
    --------
    >>> round(ring_load_cv(10, 100, 10**9), 4)
    0.0948
    >>> round(ring_load_cv(10, 100, 10_000), 4)
    0.0994
    """
    check_int("num_keys", num_keys, low=1)
    c2 = ring_share_cv(n, vnodes) ** 2
    return math.sqrt(c2 + (n - 1 - c2) / num_keys)


def uniform_load_cv(n: int, num_keys: int) -> float:
    """CV of keys per node when each key picks a node independently and uniformly.

    A load is Binomial(m, 1/n): ``CV**2 = (1 - 1/n) / (m / n) = (n - 1) / m``.
    This is the floor for any hash-based scheme, reached by ``hash mod n``,
    rendezvous and jump hashing (and by a ring only as ``v -> oo``).

    Examples
    --------
    >>> uniform_load_cv(10, 9000)
    0.03162277660168379
    """
    check_int("n", n, low=1)
    check_int("num_keys", num_keys, low=1)
    return math.sqrt((n - 1) / num_keys)
