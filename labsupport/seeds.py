"""One randomness convention for the whole package.

Every function that draws random numbers takes ``seed``: an int, a
:class:`random.Random`, or None (fresh, unseeded: only for exploring).
There is no module-level ``random.*`` call anywhere in ``labsupport``.
"""

from __future__ import annotations

import random

__all__ = ["Seed", "as_rng", "derive_rng"]

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


def derive_rng(seed: int, purpose: str) -> random.Random:
    """A generator for one purpose, independent of the others drawn from ``seed``.

    Deriving one stream per purpose (per link, per node) means that changing
    how often one part of a simulation draws never shifts another part's numbers.

    Examples
    --------
    >>> derive_rng(1, "a->b").random() == derive_rng(1, "a->b").random()
    True
    >>> derive_rng(1, "a->b").random() == derive_rng(1, "b->a").random()
    False
    """
    return random.Random(f"{seed}/{purpose}")
