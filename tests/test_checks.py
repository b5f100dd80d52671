"""labsupport.checks, and the rule that it is the only place that checks arguments.

The rule, made precise so that an AST scan can enforce it, for every module of
labsupport except checks.py itself, seeds.py (the seed convention, which
rejects a bad seed in its one place) and grading/ (which judges student
notebooks, not arguments); in the IAM policy parser only rule 3 applies (it reports
malformed JSON documents by path, as ValueError, the way AWS does):

1. No private validator: no function named like one (``_check*``,
   ``_positive``, ``_number``, ``_integer``, ``_probability``, ``_fraction``,
   ``_int_in``, ``_require*``, ``_count``, ``_availability``, ``_finite``,
   ``_validate``) raises ``TypeError`` or ``ValueError`` itself.
2. No ``if`` whose test calls ``isinstance`` raises ``TypeError`` or
   ``ValueError`` in its body: a type test belongs in ``check_type``,
   ``check_number`` and their kin.
3. No ``raise TypeError`` at all: every wrong type is reported by checks.py,
   in one wording.
"""

from __future__ import annotations

import ast
import math
import pathlib
import re

import numpy as np
import pytest
from hypothesis import given, strategies as st

from labsupport.checks import (check_choice, check_int, check_number, check_numbers, check_probability,
                               check_type, describe_range, out_of_range)

ROOT = pathlib.Path(__file__).resolve().parents[1] / "labsupport"
EXEMPT = {ROOT / "checks.py", ROOT / "seeds.py"}  # seeds.py owns the seed convention and its one TypeError
# The IAM policy parser checks JSON documents, not arguments: its errors name a path in the document
# ("Statement[0].Condition.IpAddress: ...") the way AWS reports a malformed policy.
DOCUMENT_PARSERS = {ROOT / "security" / "iam" / f for f in ("conditions.py", "values.py", "match.py", "principals.py")}
EXEMPT_DIRS = {ROOT / "grading"}
VALIDATOR_NAME = re.compile(r"_(check|positive|number|integer|probability|fraction$|int_in|require|count$|"
                            r"availability$|finite|validate)")
ERRORS = {"TypeError", "ValueError"}


def _raised(node: ast.Raise) -> str | None:
    exc = node.exc
    if isinstance(exc, ast.Call):
        exc = exc.func
    return exc.id if isinstance(exc, ast.Name) else None


def _calls_isinstance(test: ast.expr) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "isinstance"
               for n in ast.walk(test))


def violations(source: str, where: str = "<string>") -> list[str]:
    """Every place in ``source`` that checks an argument by hand (rules 1-3 above)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and VALIDATOR_NAME.match(node.name):
            if any(isinstance(n, ast.Raise) and _raised(n) in ERRORS for n in ast.walk(node)):
                found.append(f"{where}:{node.lineno}: private validator {node.name}()")
        if isinstance(node, ast.If) and _calls_isinstance(node.test):
            if any(isinstance(s, ast.Raise) and _raised(s) in ERRORS for s in node.body):
                found.append(f"{where}:{node.lineno}: isinstance test followed by raise")
        if isinstance(node, ast.Raise) and _raised(node) == "TypeError":
            found.append(f"{where}:{node.lineno}: raise TypeError outside labsupport.checks")
    return sorted(set(found))


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        if path in EXEMPT or any(d in path.parents for d in EXEMPT_DIRS):
            continue
        yield path



def test_one_module_checks_arguments():
    found = [v for path in _modules()
             for v in violations(path.read_text(), str(path.relative_to(ROOT.parent)))
             if path not in DOCUMENT_PARSERS or "raise TypeError" in v]
    assert not found, "check arguments with labsupport.checks:\n" + "\n".join(found)


@pytest.mark.parametrize("source", [
    "def _positive(name, x):\n    if x <= 0:\n        raise ValueError(name)\n    return x\n",
    "def _check_m_n(m, n):\n    for v in (m, n):\n        if v < 1:\n            raise ValueError('m')\n",
    "def f(x):\n    if not isinstance(x, int):\n        raise ValueError('x')\n",
    "def f(x):\n    if isinstance(x, bool) or x < 0:\n        raise TypeError('x')\n",
    "def f(x):\n    try:\n        return x + 1\n    except KeyError:\n        raise TypeError('x') from None\n",
])
def test_the_scan_catches_hand_written_checks(source):
    assert violations(source)


@pytest.mark.parametrize("source", [
    "from labsupport.checks import check_number\ndef f(x):\n    return check_number('x', x, low=0)\n",
    "def _fraction_with_k_up(a):\n    return sum(a) / len(a)\n",  # computes a fraction, checks nothing
    "def f(r, n):\n    if r > n:\n        raise out_of_range('R', r, '1 <= R <= N')\n",  # a domain rule
    "def f(x):\n    if isinstance(x, str):\n        x = [x]\n    return x\n",  # dispatch, not a check
])
def test_the_scan_spares_what_is_not_a_hand_written_check(source):
    assert not violations(source)


# ---- the checkers themselves ---------------------------------------------------------------

def test_numbers_are_returned_as_floats_and_counts_as_ints():
    assert check_number("x", 3) == 3.0 and isinstance(check_number("x", np.int64(3)), float)
    assert check_int("n", np.int32(4)) == 4 and type(check_int("n", np.int32(4))) is int
    assert check_probability("p", 1) == 1.0


@pytest.mark.parametrize("bad", [True, "1", None, [1], 1j, np.bool_(False)])
def test_wrong_types_are_type_errors_naming_the_parameter(bad):
    for check in (check_number, check_int, check_probability):
        with pytest.raises(TypeError, match=r"^rate_per_s must be"):
            check("rate_per_s", bad)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_nan_and_inf_are_value_errors_even_without_bounds(bad):
    with pytest.raises(ValueError, match=r"^x=(nan|inf|-inf) is not a finite number; choose a finite x$"):
        check_number("x", bad)


@given(st.floats(allow_nan=False, allow_infinity=False), st.floats(-10, 10), st.floats(0, 10),
       st.booleans(), st.booleans())
def test_bounds_accept_exactly_the_range_they_describe(x, low, width, low_open, high_open):
    high = low + width
    inside = (low < x if low_open else low <= x) and (x < high if high_open else x <= high)
    if inside:
        assert check_number("x", x, low=low, high=high, low_open=low_open, high_open=high_open) == x
    else:
        with pytest.raises(ValueError, match=r"^x=.* is out of range; choose "):
            check_number("x", x, low=low, high=high, low_open=low_open, high_open=high_open)


def test_ranges_read_as_a_reader_writes_them():
    assert describe_range("p", 0, 1) == "0 <= p <= 1"
    assert describe_range("q", 0, 1, low_open=True, high_open=True) == "0 < q < 1"
    assert describe_range("n", high=5) == "n <= 5"
    assert str(out_of_range("R", 4, "1 <= R <= N", why="exceeds N=3 replicas")) == \
        "R=4 exceeds N=3 replicas; choose 1 <= R <= N"


def test_choices_and_types():
    assert check_choice("mode", "a", ["a", "b"]) == "a"
    with pytest.raises(ValueError, match="^mode='c' is not a valid choice; choose one of 'a', 'b'$"):
        check_choice("mode", "c", ["a", "b"])
    with pytest.raises(TypeError, match="^mode must be str, not float$"):
        check_choice("mode", math.nan, ["a", "b"])
    with pytest.raises(TypeError, match="^term must be int, not str$"):
        check_choice("term", "1", (1, 3))
    assert check_type("x", None, (int, type(None))) is None


def test_sequences_of_numbers():
    assert check_numbers("u", (1, 2)).tolist() == [1.0, 2.0]
    assert check_numbers("u", np.array([1, 2])).dtype == float
    assert check_numbers("u", [], nonempty=False).size == 0
    for bad, error, message in [
        ([], ValueError, "^u is empty"), ([1, "2"], TypeError, r"^u\[1\] must be a number, not str"),
        ([1, math.nan], ValueError, r"^u\[1\]=nan is not a finite number"),
        (np.array([0.0, -1.0]), ValueError, r"^u\[1\]=-1.0 is out of range; choose u\[i\] >= 0"),
        (np.zeros((2, 2)), ValueError, "^u must be one-dimensional"), (3.0, TypeError, "^u must be a sequence"),
        ({1: 2}, TypeError, "^u must be a sequence"), (np.array([True]), TypeError, r"^u\[0\] must be a number"),
    ]:
        with pytest.raises(error, match=message):
            check_numbers("u", bad, low=0)


def test_a_number_in_range_is_accepted_without_wording_its_rule(monkeypatch):
    """Simulations check numbers in their inner loops (issue 20): the rule's sentence is written only for an error."""
    import labsupport.checks as checks

    worded = []
    monkeypatch.setattr(checks, "describe_range", lambda *a, **k: worded.append(a) or "rule")
    assert checks.check_number("rate_per_s", 2, low=0, low_open=True) == 2.0
    assert checks.check_numbers("usage", [1.0, 2.0], low=0).tolist() == [1.0, 2.0]
    assert worded == []
    with pytest.raises(ValueError, match="choose rule"):
        checks.check_number("rate_per_s", -1, low=0)
    with pytest.raises(TypeError, match="not bool"):  # the fast path for plain numbers still refuses a bool
        checks.check_number("rate_per_s", True)
    assert checks.check_number("rate_per_s", np.float32(0.5)) == 0.5 and check_int("n", np.int64(3)) == 3
