"""The grader's end of the connection to the kernel: requests, callbacks, deadlines and handles.

An examiner who never lets the candidate hold the answer sheet: the
examiner reads each question aloud (a call with its arguments), writes down
the candidate's answer (plain data, decoded by :mod:`labsupport.grading.wire`)
and marks it at the examiner's own desk (:mod:`.cases`). What comes back is
either data, the grader's own copy of a library object, or a
:class:`~.proxy.StudentProxy` whose equality is identity, so no student
object can lie its way through ``==``.
"""

from __future__ import annotations

import array
import builtins
import importlib
import io
import os
import pickle
import random
import secrets
import select
import socket
import types

from labsupport.grading import agent
from labsupport.grading.asked import Declared
from labsupport.grading.handles import UNARY, HandleTable
from labsupport.grading.proxy import StudentProxy, importable, library_object, resolve
from labsupport.grading.wire import ProtocolError, decode, loads, rebuild_exception, recv_frame, send_frame

__all__ = ["Remote", "KernelGone", "CaseTimeout", "AGENT_CODE"]

AGENT_CODE = "import labsupport.grading.agent as _labgrade_agent\n_labgrade_agent.serve({path!r}, {token!r})\n"
MAX_NESTING = 64
BUILTIN_ERRORS = frozenset(n for n in dir(builtins) if isinstance(getattr(builtins, n), type)
                           and issubclass(getattr(builtins, n), Exception))


class KernelGone(Exception):
    """The kernel died, stopped serving, or printed too much while a test was running."""


class CaseTimeout(BaseException):
    """The test case ran past its time limit (raised by the grader's own alarm)."""


_BY_VALUE = frozenset({type(None), bool, int, float, complex, str, bytes, list, tuple, dict, set, frozenset, range,
                       slice})


_TYPE_DECISIONS: dict[type, bool] = {}  # for instances, whose treatment depends on their type alone


class _Pickler(pickle.Pickler):
    """Grader to student: data by value, student objects as handles, test code only as references.

    Functions, classes and modules travel by name, so only the library's and the standard
    library's own code is ever rebuilt in the kernel; everything defined by a test stays here.
    """

    def __init__(self, file, remote: "Remote"):
        super().__init__(file, protocol=5)
        self.remote = remote

    def reducer_override(self, obj):
        if type(obj) in _BY_VALUE:
            return NotImplemented
        if isinstance(obj, StudentProxy):
            return agent._student_object, (object.__getattribute__(obj, "_handle"),)
        if isinstance(obj, types.ModuleType):
            return importlib.import_module, (obj.__name__,)
        if type(obj) is random.Random:  # copied, and its state comes back with the reply
            return agent._synced_random, self.remote.register_random(obj)
        if self.remote.by_reference(obj):
            return agent._grader_ref, (self.remote.refs.number(obj),)
        return NotImplemented


class Remote:
    """The grader's end of one agent connection: requests, callbacks, deadlines and handles."""

    def __init__(self, directory: str, watch, *, asked=()):
        self.path = os.path.join(directory, f"agent-{secrets.token_hex(6)}.sock")
        self.token = secrets.token_hex(16)
        self.watch = watch  # called while waiting; raises KernelGone when the kernel is lost
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(1)
        self.conn = None
        self.refs = HandleTable()  # grader objects the student's code may call back
        self.next_id = 0
        self.depth = 0
        self.proxies: dict[int, StudentProxy] = {}
        self.methods: dict[tuple, StudentProxy] = {}
        self.randoms: dict[int, random.Random] = {}
        self.known_states: dict[int, tuple] = {}
        self.declared = Declared(asked)  # what the lab asks for stays here: the kernel holds only stubs of it

    @property
    def code(self) -> str:
        return AGENT_CODE.format(path=self.path, token=self.token)

    def accept(self, timeout_s: float) -> None:
        """Wait for the agent to connect and prove it received the token."""
        self.listener.settimeout(0.25)
        waited = 0.0
        while self.conn is None:
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                waited += 0.25
                self.watch()
                if waited > timeout_s:
                    raise KernelGone("the grading agent did not start")
                continue
            conn.settimeout(None)
            self.conn = conn
            if self._receive_raw() != self.token.encode():
                raise ProtocolError("the agent did not present the token")
        self.listener.close()
        os.unlink(self.path)

    def close(self) -> None:
        for sock in (self.conn, self.listener):
            if sock is not None:
                try:
                    sock.close()
                except OSError:
                    pass
        if os.path.exists(self.path):
            os.unlink(self.path)

    def by_reference(self, obj) -> bool:
        """Whether ``obj`` must stay in the grader (test code, stateful helpers) rather than be copied."""
        if self.declared.covers(obj):
            return True
        t = type(obj)
        decided = _TYPE_DECISIONS.get(t)
        if decided is not None:
            return decided
        if isinstance(obj, type):
            return not (obj.__module__ == "builtins" or importable(obj))
        if isinstance(obj, types.FunctionType):
            return not importable(obj)
        if isinstance(obj, types.BuiltinFunctionType):
            owner = obj.__self__
            return not (owner is None or isinstance(owner, types.ModuleType))
        if isinstance(obj, types.MethodType):
            return not (library_object(obj.__self__) and importable(obj.__func__))
        if isinstance(obj, (types.GeneratorType, types.FrameType, types.TracebackType, types.CodeType)):
            decided = True
        else:
            decided = not (library_object(obj) or (t.__module__ or "").split(".")[0] in ("builtins", "numpy"))
        _TYPE_DECISIONS[t] = decided
        return decided

    def register_random(self, rng: random.Random) -> tuple:
        """(number, state), the state only when the kernel's copy is not already up to date."""
        number, state = id(rng), rng.getstate()
        self.randoms[number] = rng
        if self.known_states.get(number) == state:
            return number, None
        self.known_states[number] = state
        return number, state

    def _sync_randoms(self, states) -> None:
        """Apply the states of random generators the student side advanced (validated by ``setstate``)."""
        for entry in _items(states):
            number, version, words, gauss = _items(entry)
            rng = self.randoms.get(number) if type(number) is int else None
            data = self.decode(words)
            gauss = self.decode(gauss)
            if rng is None or type(version) is not int or type(data) is not bytes or len(data) != 625 * 4 \
                    or not (gauss is None or type(gauss) is float):
                raise ProtocolError("malformed random state")
            rng.setstate((version, tuple(array.array("I", data)), gauss))
            self.known_states[number] = rng.getstate()

    def proxy(self, handle: int, kind: str, typename: str) -> StudentProxy:
        known = self.proxies.get(handle)
        if known is None:
            known = self.proxies[handle] = StudentProxy(self, handle, kind=kind, typename=typename)
        return known

    def decode(self, node):
        return decode(node, self.proxy, self._resolve)

    def _resolve(self, module: str, qualname: str | None):
        """The grader's copy of a library object, except of what the lab asks for: that stays the kernel's stub."""
        if qualname is None and self.declared.covers_module(module):
            return None
        own = resolve(module, qualname)
        return None if own is not None and self.declared.covers(own) else own

    def _receive_raw(self) -> bytes:
        while True:
            ready, _, _ = select.select([self.conn], [], [], 0.25)
            if ready:
                return recv_frame(self.conn)
            self.watch()

    def _receive(self) -> list:
        try:
            message = loads(self._receive_raw())
        except EOFError:
            self.watch()
            raise KernelGone("the grading agent closed the connection") from None
        if type(message) is not list or len(message) < 3 or message[0] not in ("req", "ok", "err") \
                or type(message[1]) is not int:
            raise ProtocolError("malformed message from the submission")
        return message

    def _send(self, message) -> None:
        buffer = io.BytesIO()
        _Pickler(buffer, self).dump(message)
        send_frame(self.conn, buffer.getvalue())

    def request(self, op: str, *args):
        """Ask the agent for ``op``; serve its callbacks meanwhile; return the decoded answer."""
        self.next_id += 1
        mine = self.next_id
        self._send(("req", mine, op, *args))
        while True:
            message = self._receive()
            if message[0] == "req":
                self._serve(message)
                continue
            if message[1] != mine:
                raise ProtocolError("a reply to a request that was not asked")
            if len(message) > 3:
                try:
                    self._sync_randoms(message[3])
                except (TypeError, ValueError):
                    raise ProtocolError("malformed random state") from None
            if message[0] == "ok":
                return self.decode(message[2])
            raise rebuild_exception(message[2], iteration=op == "next")

    def fresh(self, names: list[str]) -> dict:
        """Start a test case: the kernel drops old handles and sends the notebook's values of ``names``."""
        self.refs.clear()
        self.proxies.clear()
        self.methods.clear()
        self.randoms.clear()
        self.known_states.clear()
        found = self.request("fresh", sorted(names))
        if type(found) is not dict or not all(type(k) is str for k in found):
            raise ProtocolError("malformed names")
        return found

    def _serve(self, message: list) -> None:
        """A callback from student code to a grader object that was passed to it."""
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise ProtocolError("callbacks nested too deeply")
            _, number, op, *args = message
            try:
                value = self._perform(op, args)
                reply = ("ok", number, value)
            except (ProtocolError, KernelGone):
                raise
            except Exception as error:
                name = type(error).__name__
                reply = ("err", number, name if name in BUILTIN_ERRORS else "RuntimeError")
            self._send(reply)
        finally:
            self.depth -= 1

    def _perform(self, op, args):
        if type(op) is not str or not args or type(args[0]) is not int or args[0] not in self.refs.objects:
            raise ProtocolError("a callback to an unknown grader object")
        target, rest = self.refs.objects[args[0]], args[1:]
        if op == "call":
            positional = [self.decode(a) for a in _items(rest[0])]
            keywords = {}
            for pair in _items(rest[1]):
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                    raise ProtocolError("malformed keyword argument")
                keywords[pair[0]] = self.decode(pair[1])
            return target(*positional, **keywords)
        if op == "getattr":
            if type(rest[0]) is not str or rest[0].startswith("_"):
                raise AttributeError("only public attributes of grader objects can be read")
            return getattr(target, rest[0])
        if op == "getitem":
            return target[self.decode(rest[0])]
        if op == "contains":
            return self.decode(rest[0]) in target
        if op in UNARY:
            return UNARY[op](target)
        raise ProtocolError(f"unknown callback {op!r}")


def _items(node) -> list:
    if type(node) is not list:
        raise ProtocolError("expected a list")
    return node
