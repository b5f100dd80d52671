"""The grader's side of remote evaluation: tests run here, the student's code runs there.

An examiner who never lets the candidate hold the answer sheet: the
examiner reads each question aloud (a call with its arguments), writes down
the candidate's answer (plain data, decoded by :mod:`labsupport.grading.wire`)
and marks it at the examiner's own desk. Names the test does not define are
looked up in the notebook's namespace on demand; what comes back is either
data, the grader's own copy of a library object, or a :class:`StudentProxy`
whose equality is identity, so no student object can lie its way through
``==``.
"""

from __future__ import annotations

import array
import builtins
import importlib
import io
import operator
import os
import pickle
import random
import secrets
import select
import socket
import sys
import types
from contextlib import redirect_stdout


from labsupport.grading import agent
from labsupport.grading.rewrite import rewrite_test
from labsupport.grading.wire import ProtocolError, decode, loads, rebuild_exception, recv_frame, send_frame

__all__ = ["Remote", "StudentProxy", "TestNamespace", "KernelGone", "CaseTimeout", "run_case", "STUDENT_SIDE",
           "AGENT_CODE"]

TEST_MODULE = "__labgrade_test__"
#: Library functions that drive or inspect the student's own classes and functions (simulations that
#: subclass them, checks that read their code): these run in the submission's process when given a
#: student object, and their verdict is only as trustworthy as that process (see the package docstring).
#: ``run_farm`` is here for speed: it calls a policy 20,000 times, too many round trips for a per-test limit.
STUDENT_SIDE = frozenset({"borrowed", "forbidden_uses", "borrowed_policy_names", "run_workload", "run_schedule",
                          "run_inversion", "run_repair", "run_slow_replica", "run_farm"})
AGENT_CODE = "import labsupport.grading.agent as _labgrade_agent\n_labgrade_agent.serve({path!r}, {token!r})\n"
MAX_NESTING = 64
RESOLVABLE = ("labsupport", "numpy")
NEVER_IMPORT = frozenset({"this", "antigravity", "idlelib", "turtle", "tkinter"})
BUILTIN_ERRORS = frozenset(n for n in dir(builtins) if isinstance(getattr(builtins, n), type)
                           and issubclass(getattr(builtins, n), Exception))


class KernelGone(Exception):
    """The kernel died, stopped serving, or printed too much while a test was running."""


class CaseTimeout(BaseException):
    """The test case ran past its time limit (raised by the grader's own alarm)."""


_BY_VALUE = frozenset({type(None), bool, int, float, complex, str, bytes, list, tuple, dict, set, frozenset, range,
                       slice})


_TYPE_DECISIONS: dict[type, bool] = {}  # for instances, whose treatment depends on their type alone


def _importable(obj) -> bool:
    module, name = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(name, str) or "<" in name or module == TEST_MODULE:
        return False
    target = sys.modules.get(module)
    for part in name.split("."):
        target = getattr(target, part, None)
    return target is obj


def _library(obj) -> bool:
    module = getattr(type(obj), "__module__", "") or ""
    return module == "labsupport" or module.startswith("labsupport.")


class StudentProxy:
    """A student object seen from the grader: operations are forwarded, equality is identity."""

    __slots__ = ("_remote", "_handle", "_kind", "_typename", "__weakref__")
    _LOCAL = frozenset(__slots__) | {"__class__", "__reduce_ex__", "__reduce__", "__repr__", "__str__", "__eq__",
                                     "__ne__", "__hash__", "__bool__", "__len__", "__iter__", "__next__",
                                     "__call__", "__getitem__", "__contains__", "__format__", "_ask",
                                     "__copy__", "__deepcopy__"}

    def __init__(self, remote: "Remote", handle: int, kind: str, typename: str):
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
            return agent._grader_ref, (self.remote.register(obj),)
        return NotImplemented


class Remote:
    """The grader's end of one agent connection: requests, callbacks, deadlines and handles."""

    def __init__(self, directory: str, watch):
        self.path = os.path.join(directory, f"agent-{secrets.token_hex(6)}.sock")
        self.token = secrets.token_hex(16)
        self.watch = watch  # called while waiting; raises KernelGone when the kernel is lost
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(1)
        self.conn = None
        self.refs: dict[int, object] = {}
        self.ref_numbers: dict[int, int] = {}
        self.next_id = 0
        self.depth = 0
        self.proxies: dict[int, StudentProxy] = {}
        self.methods: dict[tuple, StudentProxy] = {}
        self.randoms: dict[int, random.Random] = {}
        self.known_states: dict[int, tuple] = {}

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
        t = type(obj)
        decided = _TYPE_DECISIONS.get(t)
        if decided is not None:
            return decided
        if isinstance(obj, type):
            return not (obj.__module__ == "builtins" or _importable(obj))
        if isinstance(obj, types.FunctionType):
            return not _importable(obj)
        if isinstance(obj, types.BuiltinFunctionType):
            owner = obj.__self__
            return not (owner is None or isinstance(owner, types.ModuleType))
        if isinstance(obj, types.MethodType):
            return not (_library(obj.__self__) and _importable(obj.__func__))
        if isinstance(obj, (types.GeneratorType, types.FrameType, types.TracebackType, types.CodeType)):
            decided = True
        else:
            decided = not (_library(obj) or (t.__module__ or "").split(".")[0] in ("builtins", "numpy"))
        _TYPE_DECISIONS[t] = decided
        return decided

    def register(self, obj) -> int:
        number = self.ref_numbers.get(id(obj))
        if number is None or self.refs.get(number) is not obj:
            number = len(self.refs) + 1
            self.refs[number], self.ref_numbers[id(obj)] = obj, number
        return number

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
            known = self.proxies[handle] = StudentProxy(self, handle, kind, typename)
        return known

    def decode(self, node):
        return decode(node, self.proxy, resolve)

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
        self.ref_numbers.clear()
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
        if type(op) is not str or not args or type(args[0]) is not int or args[0] not in self.refs:
            raise ProtocolError("a callback to an unknown grader object")
        target, rest = self.refs[args[0]], args[1:]
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
        if op == "iter":
            return iter(target)
        if op == "next":
            return next(target)
        if op == "len":
            return len(target)
        raise ProtocolError(f"unknown callback {op!r}")


def _items(node) -> list:
    if type(node) is not list:
        raise ProtocolError("expected a list")
    return node


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
    if not isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType)) or not _importable(obj):
        return None
    return obj


class TestNamespace(dict):
    """A test's globals: its own names first, then the real builtins, then the notebook's names (fetched lazily)."""

    def __init__(self, remote: Remote, known: dict | None = None, absent=()):
        super().__init__(__builtins__=builtins, __name__=TEST_MODULE, _lg_call=self.call, _lg_compare=compare)
        self.remote, self.notebook, self.absent = remote, dict(known or {}), set(absent)

    def __missing__(self, name: str):
        if hasattr(builtins, name):
            return getattr(builtins, name)
        if name in self.notebook:
            value = self[name] = self.notebook.pop(name)
            return value
        if name in self.absent:
            raise NameError(f"name {name!r} is not defined in the notebook")
        try:
            value = self.remote.request("global", name)
        except KeyError:
            raise NameError(f"name {name!r} is not defined in the notebook") from None
        self[name] = value
        return value

    def call(self, function, /, *args, **kwargs):
        """Every call in a test goes through here: library drivers of student code run on the student side."""
        if isinstance(function, types.FunctionType) and function.__name__ in STUDENT_SIDE and _importable(function) \
                and function.__module__.startswith("labsupport.") and _mentions_student(args, kwargs):
            return self.remote.request("run", function, args, kwargs)
        return function(*args, **kwargs)


def _mentions_student(args, kwargs) -> bool:
    values = list(args) + list(kwargs.values())
    for value in list(values):
        if isinstance(value, (list, tuple)):
            values.extend(value)
    return any(isinstance(v, StudentProxy) for v in values)


COMPARISONS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
               ">=": operator.ge, "is": operator.is_, "is not": operator.is_not,
               "in": lambda a, b: a in b, "not in": lambda a, b: a not in b}


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 160 else text[:150] + " ..." + text[-6:]


def compare(left, op: str, right, source: str) -> None:
    """``assert left <op> right``, failing with both sides shown."""
    if not COMPARISONS[op](left, right):
        raise AssertionError(f"{source}: expected {op} {_short(right)}, got {_short(left)}")


def free_names(trees) -> list[str]:
    """Names the test reads but never assigns, other than builtins and the grader's helpers."""
    import ast

    loaded, stored = set(), set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                (loaded if isinstance(node.ctx, ast.Load) else stored).add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                stored.add(node.name)
            elif isinstance(node, ast.alias):
                stored.add((node.asname or node.name).split(".")[0])
            elif isinstance(node, ast.arg):
                stored.add(node.arg)
    return sorted(n for n in loaded - stored if not hasattr(builtins, n) and not n.startswith("_lg_"))


def run_case(remote: Remote, examples: list[tuple[str, str]]) -> tuple[bool, str]:
    """Run one test case's examples in a fresh namespace; (passed, why not).

    The notebook names the case reads are fetched in one request before it starts (and any
    other name on first use), so a case costs one round trip plus its calls.
    """
    try:
        trees = [rewrite_test(source) for source, _ in examples]
    except SyntaxError as error:
        return False, f"the test does not compile: {error}"
    wanted = free_names(trees)
    known = remote.fresh(wanted)
    namespace = TestNamespace(remote, known, set(wanted) - set(known))
    for tree, (source, want) in zip(trees, examples):
        code = compile(tree, "<test>", "single")
        shown = io.StringIO()
        try:
            with redirect_stdout(shown):
                exec(code, namespace)
        except (KernelGone, ProtocolError, CaseTimeout):
            raise
        except Exception as error:
            return False, f"{type(error).__name__}: {error}"[:400]
        if want.strip() and shown.getvalue().split() != want.split():
            return False, f"expected output {want.strip()!r}, got {shown.getvalue().strip()[:200]!r}"
    return True, ""
