"""A student object as the grader sees it: a ticket to something that stays in the kernel.

A sealed envelope in the examiner's hands: the examiner may ask the
candidate what is inside (an attribute, an item, a call), and each answer
comes back as plain data or as another envelope; but two envelopes are
"equal" only if they are the same envelope, whatever the candidate says.
Also here: :func:`resolve`, which swaps a library or standard-library
module, function or class the kernel names for the grader's own copy.
"""

from __future__ import annotations

import io
import sys
import types
from contextlib import redirect_stdout

__all__ = ["StudentProxy", "resolve", "TEST_MODULE", "importable", "library_object"]

TEST_MODULE = "__labgrade_test__"
RESOLVABLE = ("labsupport", "numpy")
NEVER_IMPORT = frozenset({"this", "antigravity", "idlelib", "turtle", "tkinter"})


def importable(obj) -> bool:
    module, name = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(name, str) or "<" in name or module == TEST_MODULE:
        return False
    target = sys.modules.get(module)
    for part in name.split("."):
        target = getattr(target, part, None)
    return target is obj


def library_object(obj) -> bool:
    module = getattr(type(obj), "__module__", "") or ""
    return module == "labsupport" or module.startswith("labsupport.")


class StudentProxy:
    """A student object seen from the grader: operations are forwarded, equality is identity."""

    __slots__ = ("_remote", "_handle", "_kind", "_typename", "__weakref__")
    _LOCAL = frozenset(__slots__) | {"__class__", "__reduce_ex__", "__reduce__", "__repr__", "__str__", "__eq__",
                                     "__ne__", "__hash__", "__bool__", "__len__", "__iter__", "__next__",
                                     "__call__", "__getitem__", "__contains__", "__format__", "_ask",
                                     "__copy__", "__deepcopy__"}

    def __init__(self, remote: "Remote", handle: int, *, kind: str, typename: str):
        object.__setattr__(self, "_remote", remote)
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_typename", typename[:60])

    def __getattribute__(self, name: str):
        if name in StudentProxy._LOCAL:
            return object.__getattribute__(self, name)
        remote = object.__getattribute__(self, "_remote")
        key = (object.__getattribute__(self, "_handle"), name)
        if key in remote.methods:
            return remote.methods[key]
        value = self._ask("getattr", name)
        if isinstance(value, StudentProxy) and object.__getattribute__(value, "_kind") == "function":
            remote.methods[key] = value  # a method is looked up once per test, then called directly
        return value

    def __setattr__(self, name, value):
        raise TypeError("a student object cannot be modified by a test")

    def _ask(self, op: str, *args):
        return object.__getattribute__(self, "_remote").request(op, object.__getattribute__(self, "_handle"), *args)

    def __call__(self, *args, **kwargs):
        return self._ask("call", args, kwargs)

    def __getitem__(self, key):
        return self._ask("getitem", key)

    def __iter__(self):
        return self._ask("iter")

    def __next__(self):
        return self._ask("next")

    def __len__(self):
        n = self._ask("len")
        if type(n) is not int or n < 0:
            raise TypeError("len() of a student object must be a non-negative int")
        return n

    def __bool__(self):
        answer = self._ask("bool")
        if type(answer) is not bool:
            raise TypeError("bool() of a student object must be a bool")
        return answer

    def __contains__(self, item):
        answer = self._ask("contains", item)
        if type(answer) is not bool:
            raise TypeError("'in' on a student object must give a bool")
        return answer

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __hash__(self):
        return id(self)

    def __repr__(self):
        return f"<student {object.__getattribute__(self, '_kind')} {object.__getattribute__(self, '_typename')}>"

    __str__ = __repr__

    def __format__(self, spec):
        return repr(self)

    def __reduce_ex__(self, protocol):
        raise TypeError("a student object cannot be pickled in the grader; it crosses the wire as a handle")

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        import copy

        return object.__getattribute__(self, "_remote").request("run", copy.deepcopy, (self,), {})


def resolve(module: str, qualname: str | None):
    """The grader's own module, function or class of that name, when it is the library's or numpy's."""
    top = module.split(".")[0]
    stdlib = top in getattr(sys, "stdlib_module_names", ()) and top not in NEVER_IMPORT
    if not (stdlib or top in RESOLVABLE) or module == "__main__":
        return None
    try:
        obj = sys.modules.get(module)
        if obj is None:
            import importlib

            with redirect_stdout(io.StringIO()):
                obj = importlib.import_module(module)
        if qualname is None:
            return obj
        if "<" in qualname:
            return None
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except Exception:
        return None
    if not isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType)) or not importable(obj):
        return None
    return obj
