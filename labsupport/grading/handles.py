"""Numbering objects that stay on one side of the wire, so the other side can name them.

A cloakroom: each coat gets a ticket number, the same coat handed in twice
gets the same ticket, and a ticket is only ever redeemed for its own coat.
Both ends of a grading connection keep one: the agent for student objects
the grader holds (:mod:`.agent`), the grader for its own objects the
student's code may call back (:mod:`.remote`).
"""

from __future__ import annotations

__all__ = ["HandleTable", "UNARY"]

#: Requests on a held object that take no argument, served the same way on both sides.
UNARY = {"iter": iter, "next": next, "len": len}


class HandleTable:
    """Objects by number, and numbers by object identity.

    Examples
    --------
    >>> table = HandleTable()
    >>> thing = object()
    >>> table.number(thing), table.number(thing), table.number([])
    (1, 1, 2)
    >>> table.objects[1] is thing
    True
    >>> table.clear(); table.objects
    {}
    """

    __slots__ = ("objects", "_numbers")

    def __init__(self):
        self.objects: dict[int, object] = {}
        self._numbers: dict[int, int] = {}

    def number(self, obj) -> int:
        """The ticket of ``obj``, issuing a new one the first time it is seen (or if its id was reused)."""
        number = self._numbers.get(id(obj))
        if number is None or self.objects.get(number) is not obj:
            number = len(self.objects) + 1
            self.objects[number], self._numbers[id(obj)] = obj, number
        return number

    def clear(self) -> None:
        self.objects.clear()
        self._numbers.clear()
