"""One randomness convention for the whole package.

Like a casino that deals every table from its own shuffled shoe, a simulation
draws each kind of randomness (arrivals, link delays, failures) from its own
stream, and every stream comes from one number: the seed.

Every public function that draws random numbers takes ``seed`` keyword-only,
with one default everywhere, ``seed: Seed = None``: an int (repeatable), a
:class:`random.Random` (drawn from), or None (fresh, unseeded: only for
exploring; pages, labs, tests and doctests always pass a seed). Inside, a
function turns ``seed`` into generators in one of three ways:

* :func:`as_rng` -- one :class:`random.Random` for the whole function;
* :func:`derive_rng` -- one independent stream per purpose (per link, per node);
* :func:`as_numpy_rng` -- a :class:`numpy.random.Generator` for one purpose.

There is no module-level ``random.*`` or ``np.random.<draw>`` call anywhere in
``labsupport`` (``tests/test_conventions.py`` checks).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported only by the functions that need it
    import numpy as np

__all__ = ["Seed", "as_rng", "root_seed", "derive_rng", "as_numpy_rng"]

Seed = int | random.Random | None


def as_rng(seed: Seed) -> random.Random:
    """Return a :class:`random.Random` for ``seed``.

    Examples
    --------
    >>> as_rng(7).random() == as_rng(7).random()
    True
    >>> rng = random.Random(1)
    >>> as_rng(rng) is rng
    True
    """
    if isinstance(seed, random.Random):
        return seed
    if seed is None or (isinstance(seed, int) and not isinstance(seed, bool)):
        return random.Random(seed)
    raise TypeError(
        f"seed must be an int, a random.Random or None, not {type(seed).__name__}"
    )


def root_seed(seed: Seed) -> int:
    """The int a run's streams are derived from: ``seed`` itself if it is an int.

    A :class:`random.Random` gives one draw from it; None gives a fresh draw.

    Examples
    --------
    >>> root_seed(2026)
    2026
    >>> root_seed(random.Random(1)) == root_seed(random.Random(1))
    True
    """
    if isinstance(seed, int) and not isinstance(seed, bool):
        return seed
    return as_rng(seed).getrandbits(63)


def derive_rng(seed: Seed, purpose: str) -> random.Random:
    """A generator for one purpose, independent of the others drawn from ``seed``.

    Deriving one stream per purpose (per link, per node) means that changing
    how often one part of a simulation draws never shifts another part's numbers.
    The stream depends only on the seed and the purpose's text, never on
    ``PYTHONHASHSEED``.

    Examples
    --------
    >>> derive_rng(1, "a->b").random() == derive_rng(1, "a->b").random()
    True
    >>> derive_rng(1, "a->b").random() == derive_rng(1, "b->a").random()
    False
    """
    return random.Random(f"{root_seed(seed)}/{purpose}")


def as_numpy_rng(seed: Seed, purpose: str = "numpy") -> np.random.Generator:
    """A :class:`numpy.random.Generator` for one purpose, derived from ``seed``.

    The one way numpy generators are made in ``labsupport``: the stream
    :func:`derive_rng` gives for ``purpose`` seeds numpy's generator.

    Examples
    --------
    >>> a, b = as_numpy_rng(7, "noise"), as_numpy_rng(7, "noise")
    >>> bool((a.normal(size=3) == b.normal(size=3)).all())
    True
    >>> bool(as_numpy_rng(7, "noise").random() == as_numpy_rng(7, "arrivals").random())
    False
    """
    import numpy as np

    return np.random.default_rng(derive_rng(seed, purpose).getrandbits(64))
