"""Versions stamped with vector clocks, and the siblings that concurrent writes leave behind.

Two people edit the same shopping list on two phones while offline. When
the phones sync, neither list is "newer": each holds a change the other
lacks. A vector clock records, for every writer, how many of its writes a
version has seen, so the store can tell "this version replaces that one"
(one clock is entry-wise at least the other) from "these were written
concurrently" (neither is). Concurrent versions are kept side by side as
**siblings** and handed to the next reader to merge, who writes back a
version whose clock descends from all of them (DeCandia et al., "Dynamo",
SOSP 2007, section 4.4).

A clock here is a sorted tuple of ``(writer, counter)`` pairs, so versions
are hashable and print the same way every run; a missing writer counts 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from labsupport.checks import check_int
from labsupport.foundations.clocks import happened_before

__all__ = ["Clock", "Version", "as_clock", "descends", "merge_clocks", "advance", "reconcile"]

Clock = tuple[tuple[str, int], ...]


def as_clock(entries) -> Clock:
    """A canonical clock from a mapping or pairs, dropping zero entries.

    Examples
    --------
    >>> as_clock({"b": 1, "a": 2, "c": 0})
    (('a', 2), ('b', 1))
    """
    pairs = entries.items() if hasattr(entries, "items") else entries
    clock = {}
    for writer, count in pairs:
        check_int(f"counter for {writer!r}", count, low=0)
        clock[writer] = max(clock.get(writer, 0), count)
    return tuple(sorted((w, c) for w, c in clock.items() if c > 0))


def descends(a: Clock, b: Clock) -> bool:
    """True if a version with clock ``a`` has seen everything one with clock ``b`` has (``a >= b``).

    Examples
    --------
    >>> descends((("a", 2),), (("a", 1),)), descends((("a", 1),), (("b", 1),))
    (True, False)
    """
    return a == b or happened_before(dict(b), dict(a))


def merge_clocks(*clocks: Clock) -> Clock:
    """The entry-wise maximum: a clock that descends from all of ``clocks``.

    Examples
    --------
    >>> merge_clocks((("a", 1),), (("a", 0), ("b", 2)))
    (('a', 1), ('b', 2))
    """
    return as_clock([pair for clock in clocks for pair in clock])


def advance(context: Clock, writer: str, counter: int) -> Clock:
    """The clock of a new write by ``writer`` (its ``counter``-th) that has seen ``context``.

    Examples
    --------
    >>> advance((("a", 1),), "b", 1)
    (('a', 1), ('b', 1))
    """
    check_int("counter", counter, low=1)
    if counter <= dict(context).get(writer, 0):
        raise ValueError(f"counter={counter} for {writer!r} does not exceed the context's {dict(context)[writer]}; "
                         "a writer's counter must grow with every write")
    return merge_clocks(context, ((writer, counter),))


@dataclass(frozen=True, order=True)
class Version:
    """A value and the vector clock it was written with."""

    clock: Clock
    value: Any


def reconcile(versions: Iterable[Version]) -> tuple[Version, ...]:
    """Keep only versions no other version descends from: the current siblings, sorted.

    Duplicates collapse; a version that another strictly supersedes is dropped.

    Examples
    --------
    >>> old, new, other = Version((("a", 1),), "x"), Version((("a", 2),), "y"), Version((("b", 1),), "z")
    >>> [v.value for v in reconcile([old, new, other, new])]
    ['y', 'z']
    """
    unique = sorted(set(versions), key=lambda v: (v.clock, repr(v.value)))
    return tuple(v for v in unique
                 if not any(u.clock != v.clock and descends(u.clock, v.clock) for u in unique))
