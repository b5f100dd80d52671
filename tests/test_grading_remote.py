"""Remote evaluation: the wire's strict decoder, test rewriting, and tests run against an agent over a socket.

The agent here serves a plain dict from a thread of this process (no kernel), so each
behaviour of the protocol is checked quickly; tests/test_labgrade.py grades real notebooks.
"""

import math
import random
import tempfile
import threading

import numpy as np
import pytest

from labsupport.grading import agent
from labsupport.grading.cases import run_case
from labsupport.grading.proxy import StudentProxy
from labsupport.grading.remote import Remote
from labsupport.grading.rewrite import neutralise
from labsupport.grading.wire import ProtocolError, decode, encode, loads
from labsupport.grading.autograder import examples


def roundtrip(value):
    handles = []
    node = encode(value, lambda obj: handles.append(obj) or len(handles))
    return decode(loads(__import__("json").dumps(node).encode()), lambda h, k, t: ("proxy", h, k),
                  lambda m, q: None), handles


@pytest.mark.parametrize("value", [None, True, 3, -2**80, 1.5, math.inf, "s", b"\x00b", 1 + 2j, [1, (2, 3)],
                                   {"a": {1, 2}}, frozenset({"x"}), {(1, 2): [None]}])
def test_plain_data_crosses_unchanged_with_its_type(value):
    back, handles = roundtrip(value)
    assert back == value and type(back) is type(value) and not handles


def test_nan_numpy_and_library_records_are_rebuilt_in_the_grader():
    from labsupport.sim import TraceEvent

    back, _ = roundtrip([math.nan, np.float32(2.5), np.arange(6).reshape(2, 3), TraceEvent(0.0, "send", "a", "b")])
    assert math.isnan(back[0]) and type(back[1]) is np.float32 and back[2].shape == (2, 3)
    assert back[3] == TraceEvent(0.0, "send", "a", "b") and type(back[3]) is TraceEvent


def test_anything_else_becomes_a_handle_never_data():
    class Liar(list):
        def __eq__(self, other):
            return True

    class Other:
        pass

    back, handles = roundtrip([Liar([1]), Other(), np.array([Other()], dtype=object)])
    assert back[0] == [1] and type(back[0]) is list  # a list subclass crosses as its items only
    assert back[1][0] == "proxy" and back[2][0] == "proxy" and len(handles) == 2


@pytest.mark.parametrize("node", [["L"], ["X", 1], ["O", "os", "path", []], ["O", "labsupport.sim", "TraceEvent", []],
                                  ["A", "|O", [1], ""], ["D", [[["L", []], 1]]], ["R", "1", "object", "x"], 1.5,
                                  ["G", "labsupport.sim", "TraceEvent", "class", "no"]])
def test_the_decoder_refuses_anything_malformed(node):
    with pytest.raises(ProtocolError):
        decode(node, lambda h, k, t: object(), lambda m, q: None)


def test_a_frame_with_nan_constants_is_refused():
    with pytest.raises(ProtocolError):
        loads(b"[NaN]")


def test_neutralise_keeps_the_answer_and_drops_only_otters_calls():
    cell = "def f():\n    return 1\n\nif True:\n    grader.check('q1')\ngrader = otter.Notebook('x.ipynb')\n%time f()"
    out = neutralise(cell)
    assert "def f" in out and "grader.check" not in out and "otter.Notebook" not in out and "run_line_magic" in out
    assert neutralise("x = 1\n%time x") == "x = 1\n%time x"


NOTEBOOK = """
import random
example = [3, 1, 2]
def sort(values):
    return sorted(values)
def wrong(values):
    return values
class Liar:
    def __eq__(self, other):
        return True
    def __bool__(self):
        return True
def liar(*args):
    return Liar()
def pick(items, rng):
    return rng.choice(items)
def apply(f, xs):
    return [f(x) for x in xs]
def fail(x):
    raise ValueError(f"bad {x}")
"""


@pytest.fixture
def remote():
    namespace = {}
    exec(NOTEBOOK, namespace)
    with tempfile.TemporaryDirectory() as directory:
        link = Remote(directory, lambda: None)
        thread = threading.Thread(target=agent.serve, args=(link.path, link.token, namespace), daemon=True)
        thread.start()
        link.accept(10)
        yield link
        link._send(("req", 0, "close"))
        thread.join(5)
        link.close()


def case(remote, code: str):
    return run_case(remote, examples(code))


def test_names_resolve_lazily_also_in_nested_scopes(remote):
    assert case(remote, ">>> assert sort(example) == [1, 2, 3]\n") == (True, "")
    assert case(remote, ">>> assert all(sort([x]) == [x] for x in example)\n") == (True, "")
    assert case(remote, ">>> def _f():\n...     return sort(example)\n>>> assert _f() == [1, 2, 3]\n") == (True, "")
    assert case(remote, ">>> assert [sort([v]) for v in example] == [[3], [1], [2]]\n") == (True, "")


def test_calling_a_student_function_is_one_round_trip(remote):
    """Lab 4's tests call a policy some 20,000 times: each call is one request, with no question about its name."""
    ops = []
    send = remote.request
    remote.request = lambda op, *args: ops.append(op) or send(op, *args)
    assert case(remote, ">>> assert all(sort([x]) == [x] for x in range(50))\n") == (True, "")
    assert ops.count("call") == 50 and "getattr" not in ops, ops


def test_a_failing_comparison_reports_both_sides(remote):
    passed, message = case(remote, ">>> assert wrong(example) == [1, 2, 3]\n")
    assert not passed and "expected == [1, 2, 3], got [3, 1, 2]" in message and "wrong(example)" in message


def test_student_objects_cannot_lie_about_equality(remote):
    assert not case(remote, ">>> assert liar() == [1, 2, 3]\n")[0]
    assert not case(remote, ">>> assert [1] == liar()\n")[0]
    assert case(remote, ">>> assert liar()\n")[0]  # truthiness is the student's answer, as in Python


def test_callbacks_and_random_generators_keep_grader_semantics(remote):
    code = (">>> _seen = []\n>>> assert apply(lambda x: _seen.append(x) or x * 2, [1, 2]) == [2, 4]\n"
            ">>> assert _seen == [1, 2]\n"
            ">>> _r = random.Random(5)\n>>> _picks = [pick('abc', _r) for _ in range(300)]\n"
            ">>> assert set(_picks) == {'a', 'b', 'c'}\n"
            ">>> _again = random.Random(5)\n>>> assert _picks == [_again.choice('abc') for _ in range(300)]\n")
    assert case(remote, code) == (True, "")


def test_student_exceptions_arrive_as_builtin_exceptions(remote):
    code = ">>> try:\n...     fail(3)\n... except ValueError as _e:\n...     assert 'bad 3' in str(_e)\n"
    assert case(remote, code) == (True, "")
    assert not case(remote, ">>> fail(3)\n")[0]


def test_proxies_forward_calls_but_stay_opaque(remote):
    assert not case(remote, ">>> assert Liar() == Liar()\n")[0]  # two student objects: equal only if identical
    assert isinstance(remote.request("global", "Liar"), StudentProxy)
    assert remote.request("global", "example") == [3, 1, 2]
