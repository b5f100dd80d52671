"""The bench for protocol labs: students write a node's handlers, the lab runs them under faults.

A protocol lab is a driving test on a closed course: the student brings the
car (a :class:`~labsupport.sim.Node` subclass whose handlers are ordinary
methods), the examiner brings the course (a seeded simulation, a client
and a nemesis schedule) and watches what happens. Three pieces serve every
such lab (Lab 10's broadcast, Lab 11's Raft):

* :func:`protocol_lab` marks a lab's ``run_<scenario>(node_class, ...)``
  function. When a graded test hands it the student's class, ``labgrade``
  does not run it in the submission's kernel and trust the answer: the
  kernel records each node's inputs and effects, and the grader replays the
  same run in its own process (see :mod:`labsupport.grading.protocol_record`).
* :func:`lab_node` gives the student's class the lab's rules: handlers are
  plain methods (no ``yield``), and a payload, like a value written with
  ``persist``, must be plain data (numbers, strings, bytes, and lists,
  tuples, named tuples, dicts and sets of them; a named tuple reaches the
  grader's replay as a plain tuple) and is copied when sent, as a real network
  would, so a node that changes a set after sending it does not change the
  message in flight.
* :class:`PropertyFailure` is how a lab's check says which property broke,
  on which schedule and seed, and how to replay it. It is the one failure a
  hidden test may show the student: its text is built by the grader from
  the grader's own run.
"""

from __future__ import annotations

import copy
import inspect

from labsupport.checks import check_number, check_type, out_of_range

__all__ = ["protocol_lab", "is_protocol_lab", "lab_node", "PropertyFailure"]

_PROTOCOL_LABS: set[str] = set()
_SCALARS = (type(None), bool, int, str, bytes)


class PropertyFailure(AssertionError):
    """A protocol lab's property broke on a named schedule and seed (shown to students even by hidden tests)."""


def _key(function) -> str:
    return f"{getattr(function, '__module__', None)}.{getattr(function, '__qualname__', None)}"


def protocol_lab(function):
    """Mark ``function(node_class, ...)`` as a protocol lab's run: graded by record and replay.

    Examples
    --------
    >>> @protocol_lab
    ... def run_example(node_class, *, seed=None):
    ...     return node_class
    >>> is_protocol_lab(run_example)
    True
    """
    _PROTOCOL_LABS.add(_key(function))
    return function


def is_protocol_lab(function) -> bool:
    """True if ``function`` was marked with :func:`protocol_lab`.

    Examples
    --------
    >>> is_protocol_lab(print)
    False
    """
    return _key(function) in _PROTOCOL_LABS


def check_plain(value, what: str = "payload", depth: int = 0) -> None:
    """Raise TypeError unless ``value`` is plain data that could cross a real network (ValueError: NaN, inf).

    Examples
    --------
    >>> check_plain({"values": [1, 2], "from": ("n1", 3.5)})
    >>> check_plain({1, object()})
    Traceback (most recent call last):
    ...
    TypeError: every value in payload (plain data: None, bool, int, float, str, bytes, and lists, tuples, named \
tuples, dicts, sets and frozensets of them) must be None, bool, int, str, bytes or float, not object
    """
    kind = type(value)
    if kind in _SCALARS:
        return
    named = isinstance(value, tuple) and hasattr(kind, "_fields")
    if depth < 50 and (kind in (list, tuple, set, frozenset) or named):
        for item in (tuple.__iter__(value) if isinstance(value, tuple) else value):
            check_plain(item, what, depth + 1)
        return
    if depth < 50 and kind is dict:
        for key, item in value.items():
            check_plain(key, what, depth + 1)
            check_plain(item, what, depth + 1)
        return
    check_type(f"every value in {what} (plain data: None, bool, int, float, str, bytes, and lists, tuples, named "
               "tuples, dicts, sets and frozensets of them)", value, _SCALARS + (float,))
    check_number(f"a float in {what}", value)  # a float that is not finite: it has no place on a wire


def _plain_method(method, what: str) -> None:
    if inspect.isgeneratorfunction(method):
        raise out_of_range(what, "a def with yield", "a plain method without yield (set a timer to act later): "
                           "in this lab, handlers, timer callbacks, start and on_recover are plain methods",
                           why="is a generator function")


def lab_node(node_class: type) -> type:
    """A subclass of ``node_class`` that keeps the lab's rules: plain handlers, plain data, payloads copied.

    Examples
    --------
    >>> from labsupport.sim import Node, Simulation
    >>> class Sender(Node):
    ...     def start(self):
    ...         self.seen = [1]
    ...         self.send("b", "note", self.seen)
    ...         self.seen.append(2)  # too late: the message already left
    >>> class Receiver(Node):
    ...     def on_note(self, msg):
    ...         self.log(f"got {msg.payload}")
    >>> sim = Simulation(seed=1)
    >>> _ = sim.add(lab_node(Sender)("a")), sim.add(Receiver("b"))
    >>> sim.run()
    >>> sim.events("note")[0].detail
    'got [1]'
    """
    for attribute in dir(node_class):
        if attribute.startswith("on_") or attribute == "start":
            _plain_method(getattr(node_class, attribute), f"{node_class.__name__}.{attribute}")

    class LabNode(node_class):
        def send(self, dst, kind, payload=None, *, reply_to=None):
            check_plain(payload, f"the payload of {kind!r}")
            return super().send(dst, kind, copy.deepcopy(payload), reply_to=reply_to)

        def persist(self, **items):
            check_plain(items, "a value written with persist")
            return super().persist(**items)

        def set_timer(self, delay_s, callback, *args):
            _plain_method(callback, "a timer callback")
            return super().set_timer(delay_s, callback, *args)

        def set_local_timer(self, delay_s, callback, *args):
            _plain_method(callback, "a timer callback")
            return super().set_local_timer(delay_s, callback, *args)

        def spawn(self, generator):
            generator.close()
            raise out_of_range(f"{node_class.__name__}.spawn", "a process", "a plain method without yield (set a "
                               "timer to act later): in this lab, handlers, timer callbacks, start and on_recover "
                               "are plain methods", why="starts a process")

    LabNode.__name__ = LabNode.__qualname__ = node_class.__name__
    return LabNode
