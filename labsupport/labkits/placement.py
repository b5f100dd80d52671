"""A placement as a table: what Lab 2's tests hand a student's code instead of the book's ring.

While Lab 2 is graded, the book's rings exist in the student's kernel only as
stubs (:mod:`labsupport.grading.guard`), so a test cannot give the student's
``load_per_node`` a ring's ``lookup`` to call. It gives the answers instead,
looked up beforehand in the grader: a :class:`Placement` maps each key to its
node and is called like ``lookup``, in the kernel, as fast as a dictionary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from labsupport.checks import check_type

__all__ = ["Placement"]


class Placement:
    """A key -> node table that is called like a placement function.

    Examples
    --------
    >>> place = Placement.of(str.upper, ["a", "b"])
    >>> place("a"), len(place)
    ('A', 2)
    >>> place("c")
    Traceback (most recent call last):
    ...
    KeyError: "key 'c' is not in this placement's table"
    >>> Placement(["a"])
    Traceback (most recent call last):
    ...
    TypeError: table must be Mapping, not list
    """

    def __init__(self, table: Mapping):
        check_type("table", table, Mapping)
        self.table = dict(table)

    @classmethod
    def of(cls, place: Callable, keys: Iterable) -> "Placement":
        """The table of ``place(key)`` for every key in ``keys``."""
        return cls({key: place(key) for key in keys})

    def __call__(self, key):
        try:
            return self.table[key]
        except KeyError:
            raise KeyError(f"key {key!r} is not in this placement's table") from None

    def __len__(self) -> int:
        return len(self.table)
