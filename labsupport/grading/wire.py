"""The wire between the grader and a submission's kernel: frames, and plain data the grader can trust.

A customs desk: whatever the submission hands over is unpacked by the
grader's own officer, item by item, and only goods on the list pass
(numbers, strings, bytes, lists, tuples, dicts, sets, numeric numpy arrays,
and records of the book's own library). Anything else stays on the other
side of the desk and is represented by a numbered claim ticket (a handle).

Student to grader: JSON of tagged lists, decoded by :func:`decode`, which
never unpickles, never calls student code and raises :class:`ProtocolError`
on anything unexpected. Grader to student: pickle (the kernel may unpickle
what the trusted grader sends). Each frame is a 4-byte big-endian length
followed by its payload.
"""

from __future__ import annotations

import base64
import builtins
import dataclasses
import enum
import importlib
import json
import socket
import sys

__all__ = ["ProtocolError", "RemoteError", "MAX_FRAME", "send_frame", "recv_frame", "encode", "decode",
           "exception_info", "rebuild_exception"]

MAX_FRAME = 64 * 2**20  # bytes: a larger frame is a protocol error, not a memory bomb in the grader
MAX_DEPTH = 200
LIBRARY = "labsupport"
NUMERIC_KINDS = "biufc"  # numpy dtype kinds that cross as data: bool, int, uint, float, complex


class ProtocolError(Exception):
    """The other side sent something that is not a well-formed message."""


class RemoteError(Exception):
    """An exception raised in the submission whose type is not a built-in exception."""


def send_frame(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(len(payload).to_bytes(4, "big") + payload)


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks, got = [], 0
    while got < size:
        chunk = sock.recv(min(size - got, 1 << 20))
        if not chunk:
            raise EOFError("the connection closed")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def recv_frame(sock: socket.socket) -> bytes:
    size = int.from_bytes(_recv_exactly(sock, 4), "big")
    if size > MAX_FRAME:
        raise ProtocolError(f"a frame of {size} bytes exceeds {MAX_FRAME}")
    return _recv_exactly(sock, size)


def _library(module: object) -> bool:
    return isinstance(module, str) and (module == LIBRARY or module.startswith(LIBRARY + "."))


def encode(obj, handle, depth: int = 0):
    """Student side: ``obj`` as JSON-ready tagged data; ``handle(obj)`` numbers anything else.

    Modules, functions and classes also carry their import name, so the grader
    can use its own copy when it has one.
    """
    if depth > MAX_DEPTH:
        return ["R", handle(obj), "object", type(obj).__name__]
    t = type(obj)
    if obj is None or t is bool or t is str or t is int:
        return obj
    if t is float:
        return ["f", repr(obj)]
    if t is complex:
        return ["C", repr(obj.real), repr(obj.imag)]
    if t is bytes or t is bytearray:
        return ["B", base64.b64encode(bytes(obj)).decode()]
    down = depth + 1
    if isinstance(obj, list):  # subclasses cross as their items only: their methods stay behind
        return ["L", [encode(x, handle, down) for x in list.__iter__(obj)]]
    if isinstance(obj, dict):
        return ["D", [[encode(k, handle, down), encode(v, handle, down)] for k, v in dict.items(obj)]]
    if isinstance(obj, (set, frozenset)):
        kind = set if isinstance(obj, set) else frozenset
        return ["S" if kind is set else "F", [encode(x, handle, down) for x in kind.__iter__(obj)]]
    if isinstance(obj, tuple):
        items = [encode(x, handle, down) for x in tuple.__iter__(obj)]
        if hasattr(t, "_fields") and _library(t.__module__):
            return ["N", t.__module__, t.__qualname__, items]
        return ["T", items]
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(obj, (numpy.ndarray, numpy.generic)) and obj.dtype.kind in NUMERIC_KINDS:
        array = numpy.ascontiguousarray(obj)
        return ["A" if isinstance(obj, numpy.ndarray) else "a", obj.dtype.str, list(array.shape),
                base64.b64encode(array.tobytes()).decode()]
    if isinstance(obj, enum.Enum) and _library(t.__module__):
        return ["E", t.__module__, t.__qualname__, obj.name]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type) and _library(t.__module__):
        fields = [[f.name, encode(getattr(obj, f.name), handle, down)] for f in dataclasses.fields(obj)]
        return ["O", t.__module__, t.__qualname__, fields]
    if t.__name__ == "module" and t.__module__ == "builtins":
        return ["M", obj.__name__, handle(obj)]
    kind = "class" if isinstance(obj, type) else "function" if callable(obj) else "object"
    name = getattr(obj, "__qualname__", None) if kind != "object" else None
    module = getattr(obj, "__module__", None) if kind != "object" else None
    if isinstance(name, str) and isinstance(module, str):
        return ["G", module, name, kind, handle(obj)]
    return ["R", handle(obj), kind, t.__name__]


def exception_info(error: BaseException) -> dict:
    """Student side: an exception as data: the names of its classes, and its message."""
    try:
        message = str(error)[:2000]
    except Exception:
        message = ""
    names = [c.__name__ for c in type(error).__mro__ if c.__module__ == "builtins"]
    return {"types": names, "message": message}


def rebuild_exception(info, *, iteration: bool = False) -> BaseException:
    """Grader side: the nearest built-in ``Exception`` subclass with the student's message (as text)."""
    if not isinstance(info, dict) or not isinstance(info.get("types"), list):
        raise ProtocolError("malformed error report")
    message = info.get("message", "")
    message = message if isinstance(message, str) else ""
    for name in info["types"]:
        cls = getattr(builtins, name, None) if isinstance(name, str) else None
        if isinstance(cls, type) and issubclass(cls, Exception) and not issubclass(cls, Warning):
            if issubclass(cls, (StopIteration, StopAsyncIteration)) and not iteration:
                return RuntimeError(f"the submission raised {name}")
            try:
                return cls(message)
            except Exception:
                continue
    return RemoteError(message)


def decode(node, proxy, resolve, depth: int = 0):
    """Grader side: rebuild plain data from :func:`encode`'s output; strict, no student code runs.

    ``proxy(handle, kind, typename)`` makes a remote reference; ``resolve(module, qualname)``
    returns the grader's own object of that name or None.
    """
    if depth > MAX_DEPTH + 2:
        raise ProtocolError("nesting too deep")
    t = type(node)
    if node is None or t is bool or t is str or t is int:
        return node
    if t is not list or not node or type(node[0]) is not str:
        raise ProtocolError(f"unexpected {t.__name__} in a value")
    tag, rest, down = node[0], node[1:], depth + 1
    try:
        if tag == "f":
            return float(_text(rest[0]))
        if tag == "C":
            return complex(float(_text(rest[0])), float(_text(rest[1])))
        if tag == "B":
            return base64.b64decode(_text(rest[0]), validate=True)
        if tag in ("L", "T", "S", "F"):
            items = [decode(x, proxy, resolve, down) for x in _list(rest[0])]
            return {"L": list, "T": tuple, "S": set, "F": frozenset}[tag](items)
        if tag == "D":
            pairs = _list(rest[0])
            return {decode(_list(p)[0], proxy, resolve, down): decode(_list(p)[1], proxy, resolve, down) for p in pairs}
        if tag in ("A", "a"):
            return _array(tag, rest)
        if tag == "N":
            cls = _library_class(rest[0], rest[1])
            if not (issubclass(cls, tuple) and hasattr(cls, "_make")):
                raise ProtocolError(f"{rest[1]} is not a named tuple")
            return cls._make(decode(x, proxy, resolve, down) for x in _list(rest[2]))
        if tag == "E":
            cls = _library_class(rest[0], rest[1])
            if not issubclass(cls, enum.Enum):
                raise ProtocolError(f"{rest[1]} is not an enum")
            return cls[_text(rest[2])]
        if tag == "O":
            return _record(_library_class(rest[0], rest[1]), _list(rest[2]), proxy, resolve, down)
        if tag == "M":
            own = resolve(_text(rest[0]), None)
            return own if own is not None else proxy(_int(rest[1]), "module", "module")
        if tag == "G":
            own = resolve(_text(rest[0]), _text(rest[1]))
            return own if own is not None else proxy(_int(rest[3]), _text(rest[2]), _text(rest[1]))
        if tag == "R":
            return proxy(_int(rest[0]), _text(rest[1]), _text(rest[2]))
    except (IndexError, KeyError, ValueError, TypeError, AttributeError, ImportError, OverflowError) as error:
        raise ProtocolError(f"malformed {tag!r} value: {type(error).__name__}") from None
    raise ProtocolError(f"unknown tag {tag!r}")


def _text(x) -> str:
    if type(x) is not str:
        raise ProtocolError("expected a string")
    return x


def _int(x) -> int:
    if type(x) is not int:
        raise ProtocolError("expected an integer")
    return x


def _list(x) -> list:
    if type(x) is not list:
        raise ProtocolError("expected a list")
    return x


def _array(tag: str, rest: list):
    import numpy

    dtype = numpy.dtype(_text(rest[0]))
    if dtype.kind not in NUMERIC_KINDS or dtype.hasobject:
        raise ProtocolError(f"dtype {dtype} is not numeric")
    shape = tuple(_int(n) for n in _list(rest[1]))
    if any(n < 0 for n in shape):
        raise ProtocolError("negative array dimension")
    data = numpy.frombuffer(base64.b64decode(_text(rest[2]), validate=True), dtype=dtype).copy()
    if tag == "a":
        if data.size != 1:
            raise ProtocolError("a numpy scalar holds exactly one value")
        return data[0]
    if int(numpy.prod(shape)) != data.size:
        raise ProtocolError("array shape does not match its data")
    return data.reshape(shape)


def _bad(what):
    raise ProtocolError(f"unexpected {what!r}")


_CLASSES: dict[tuple[str, str], type] = {}  # classes already found valid: a protocol run's log names a few, often


def _library_class(module, qualname) -> type:
    module, qualname = _text(module), _text(qualname)
    known = _CLASSES.get((module, qualname))
    if known is not None:
        return known
    if not _library(module) or "<" in qualname:
        raise ProtocolError(f"{module}.{qualname} is not a class of the book's library")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not isinstance(obj, type) or obj.__module__ != module:
        raise ProtocolError(f"{module}.{qualname} is not a class of the book's library")
    _CLASSES[module, qualname] = obj
    return obj


def _record(cls: type, fields: list, proxy, resolve, depth: int):
    if not dataclasses.is_dataclass(cls):
        raise ProtocolError(f"{cls.__qualname__} is not a dataclass")
    names = [f.name for f in dataclasses.fields(cls)]
    values = {}
    for pair in fields:
        name, value = _text(_list(pair)[0]), _list(pair)[1]
        if name not in names or name in values:
            raise ProtocolError(f"unexpected field {name!r} of {cls.__qualname__}")
        values[name] = decode(value, proxy, resolve, depth)
    if set(values) != set(names):
        raise ProtocolError(f"missing fields of {cls.__qualname__}")
    record = object.__new__(cls)
    for name, value in values.items():
        object.__setattr__(record, name, value)
    return record


def loads(payload: bytes):
    """Grader side: parse a student frame's JSON (no NaN tricks needed: floats travel as text)."""
    try:
        return json.loads(payload.decode("utf-8"), parse_constant=_bad)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ProtocolError(f"not JSON: {type(error).__name__}") from None
