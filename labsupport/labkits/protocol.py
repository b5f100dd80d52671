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
import os
import sys

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


#: What a node may define for the kernel to call: its hooks. Every other public name of ``Node`` (``send``,
#: ``persist``, ``deliver``, ``now``, ``forgets_on_crash``...) belongs to the kernel and the lab.
_HOOKS = frozenset({"start", "on_crash", "on_recover"})
_LIBRARY = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # the labsupport package


def _kernel_names() -> frozenset[str]:
    from labsupport.sim import Node

    return frozenset(name for klass in Node.__mro__[:-1] for name in vars(klass)
                     if not name.startswith("_") and name not in _HOOKS)


def _library_code(value) -> bool:
    """True for a function (or method) whose code is in the library's own files."""
    code = getattr(getattr(value, "__func__", value), "__code__", None)
    return code is not None and os.path.realpath(code.co_filename).startswith(_LIBRARY + os.sep)


def _keeps_the_kernel(node_class: type) -> None:
    """Refuse a class written outside the library that redefines one of the kernel's names.

    The library's own classes (the kernel's, a lab's base class, the grader's recording wrapper) may.
    """
    reserved = _kernel_names()
    for klass in node_class.__mro__:
        module = sys.modules.get(klass.__module__)
        if klass.__module__.split(".")[0] == "labsupport" and getattr(module, klass.__qualname__, None) is klass:
            continue  # a class of the library's modules
        clashes = sorted(name for name in reserved & set(vars(klass)) if not _library_code(vars(klass)[name])
                         and (name, vars(klass)[name]) != ("forgets_on_crash", True))  # stricter: allowed
        if clashes:
            raise out_of_range(f"{klass.__name__}.{clashes[0]}", getattr(klass, clashes[0]),
                               "another name for your own method or attribute: the simulation itself uses "
                               f"{', '.join(clashes)} (the kernel's names: {', '.join(sorted(reserved))})",
                               why="redefines a name of the kernel's Node")


def lab_node(node_class: type) -> type:
    """A subclass of ``node_class`` that keeps the lab's rules: plain handlers, plain data, payloads copied.

    A class may define the hooks ``start``, ``on_crash``, ``on_recover`` and any ``on_<kind>`` handler, and
    names of its own; redefining one of the kernel's (``send``, ``persist``, ``now``, ``forgets_on_crash``...)
    would change the simulation itself, and is refused with a ``ValueError``.

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
    >>> class Sneaky(Receiver):
    ...     forgets_on_crash = False  # would keep everything across a crash
    >>> lab_node(Sneaky)
    Traceback (most recent call last):
    ...
    ValueError: Sneaky.forgets_on_crash=False redefines a name of the kernel's Node; choose another name ...
    """
    _keeps_the_kernel(node_class)
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
