"""The submission's side of grading: a clerk in the exam room who runs the student's code on request.

Started in the kernel, after the notebook's cells, by one execute request:
``serve(path, token)`` connects to the grader's Unix socket and answers its
requests (look up a name, call a function, read an attribute, iterate) with
plain data (:func:`labsupport.grading.wire.encode`), numbering everything
else as a handle. It never sees a test: it only learns the arguments of the
calls the grader makes. Everything here runs inside the submission's process,
so nothing here is trusted; the grader treats every reply as a value for the
call that asked for it and nothing more.
"""

from __future__ import annotations

import builtins
import json
import array
import base64
import pickle
import random
import socket

from labsupport.grading.handles import UNARY, HandleTable
from labsupport.grading.wire import encode, exception_info, recv_frame, send_frame

__all__ = ["serve", "GraderRef"]

_AGENT = None  # the connection being served, for unpickling handles and grader references


def _student_object(handle: int):
    """Unpickled in the kernel: the student object the grader holds a handle to."""
    return _AGENT.handles.objects[handle]


def _grader_ref(number: int):
    """Unpickled in the kernel: an object that lives in the grader, reached by callbacks."""
    known = _AGENT.refs.get(number)
    if known is None:
        known = _AGENT.refs[number] = GraderRef(_AGENT, number)
    return known


def _synced_random(number: int, state: tuple):
    """Unpickled in the kernel: a copy of a grader's random generator, whose state is reported back."""
    rng = _AGENT.randoms.get(number)
    if rng is None:
        rng = _AGENT.randoms[number] = random.Random()
    if state is not None:
        rng.setstate(state)
        _AGENT.reported[number] = state
    if _AGENT.active:
        _AGENT.active[-1].add(number)
    return rng


class GraderRef:
    """A grader object (a test's lambda, a random generator) that student code may call or read."""

    __slots__ = ("_agent", "_number", "_methods")

    def __init__(self, agent: "Agent", number: int):
        self._agent, self._number, self._methods = agent, number, {}

    def _ask(self, op: str, *args):
        return self._agent.request(op, self._number, *args)

    def __call__(self, *args, **kwargs):
        return self._ask("call", [self._agent.pack(a) for a in args],
                         [[k, self._agent.pack(v)] for k, v in kwargs.items()])

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._methods:
            return self._methods[name]
        value = self._ask("getattr", name)
        if isinstance(value, GraderRef):
            self._methods[name] = value
        return value

    def __getitem__(self, key):
        return self._ask("getitem", self._agent.pack(key))

    def __iter__(self):
        return self._ask("iter")

    def __next__(self):
        return self._ask("next")

    def __len__(self):
        return self._ask("len")

    def __contains__(self, item):
        return self._ask("contains", self._agent.pack(item))

    def __repr__(self):
        return "<grader object>"


class Agent:
    """One connection to the grader: serves its requests, makes callbacks, keeps handles alive."""

    def __init__(self, sock: socket.socket, namespace: dict):
        self.sock, self.namespace = sock, namespace
        self.handles = HandleTable()
        self.refs: dict[int, GraderRef] = {}
        self.randoms: dict[int, random.Random] = {}
        self.reported: dict[int, tuple] = {}
        self.active: list[set] = []  # per request being served: the generators it received
        self.pending: set = set()  # generators in the message just received
        self.next_id = 0

    def pack(self, value):
        return encode(value, self.handles.number)

    def send(self, message) -> None:
        send_frame(self.sock, json.dumps(message, allow_nan=False).encode())

    def receive(self):
        self.active.append(set())
        try:
            return pickle.loads(recv_frame(self.sock))
        finally:
            self.pending = self.active.pop()

    def request(self, op: str, *args):
        """A callback to the grader; serve its own requests until the answer comes."""
        self.next_id += 1
        mine = self.next_id
        self.send(["req", mine, op, *args])
        while True:
            message = self.receive()
            if message[0] == "req":
                if not self.serve_one(message):
                    raise EOFError("the grader closed the connection")
                continue
            kind, number, value = message
            if number != mine:
                raise RuntimeError("reply out of order")
            if kind == "ok":
                return value
            error = getattr(builtins, value, None)
            raise error() if isinstance(error, type) and issubclass(error, BaseException) else RuntimeError(value)

    def random_states(self) -> list:
        """The grader's random generators whose copies advanced here, as [number, version, words, gauss]."""
        changed = []
        for number in self.active[-1]:
            rng = self.randoms[number]
            state = rng.getstate()
            if state != self.reported.get(number):
                self.reported[number] = state
                words = base64.b64encode(array.array("I", state[1]).tobytes()).decode()
                changed.append([number, state[0], ["B", words], self.pack(state[2])])
        return changed

    def serve_one(self, message) -> bool:
        _, number, op, *args = message
        if op == "close":
            return False
        self.active.append(set(self.pending))
        self.pending.clear()
        try:
            reply = ["ok", number, self.pack(self.perform(op, args))]
        except Exception as error:
            reply = ["err", number, exception_info(error)]
        changed = self.random_states()
        done = self.active.pop()
        if self.active:
            self.active[-1] |= done
        self.send(reply + [changed] if changed else reply)
        return True

    def perform(self, op: str, args: list):
        if op == "global":
            return self.namespace[args[0]]
        if op == "fresh":  # a new test case: forget its predecessors' objects, then read the names it uses
            self.handles.clear()
            self.refs.clear()
            self.randoms.clear()
            self.reported.clear()
            return {name: self.namespace[name] for name in args[0] if name in self.namespace}
        if op == "run":
            function, positional, keywords = args
            return function(*positional, **keywords)
        target = self.handles.objects[args[0]]
        if op == "call":
            return target(*args[1], **args[2])
        if op == "getattr":
            return getattr(target, args[1])
        if op == "getitem":
            return target[args[1]]
        if op in UNARY:
            return UNARY[op](target)
        if op == "bool":
            return bool(target)
        if op == "contains":
            return args[1] in target
        raise ValueError(f"unknown request {op!r}")


def serve(path: str, token: str, namespace: dict | None = None) -> None:
    """Connect to the grader at ``path`` and answer its requests until it closes the connection."""
    global _AGENT
    if namespace is None:
        from IPython import get_ipython

        namespace = get_ipython().user_ns
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    _AGENT = Agent(sock, namespace)
    try:
        send_frame(sock, token.encode())
        while _AGENT.serve_one(_AGENT.receive()):
            pass
    except EOFError:
        pass
    finally:
        sock.close()
        _AGENT = None
