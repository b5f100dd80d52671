"""Running one test case in the grading process, against the kernel's values.

The examiner's desk: each case gets a fresh sheet (a namespace) whose
unknown names are looked up, in order, in the real builtins, the lab's own
set-up values (computed here, see :mod:`.labsetup`), and only then the
student's notebook. ``assert a == b`` is rewritten to report both sides, and
every call goes through :meth:`TestNamespace.call`, which hands library
checks and simulations that would drive the student's objects to
:mod:`.verdicts`, so they are judged here and never in the kernel.
"""

from __future__ import annotations

import builtins
import io
import operator
from contextlib import redirect_stdout

from labsupport.grading import verdicts
from labsupport.grading.proxy import TEST_MODULE
from labsupport.grading.remote import CaseTimeout, KernelGone, Remote
from labsupport.grading.rewrite import rewrite_test
from labsupport.grading.wire import ProtocolError
from labsupport.labkits.protocol import PropertyFailure

__all__ = ["TestNamespace", "run_case", "free_names", "Shown"]


class Shown(str):
    """A failure message a hidden test may show: a protocol lab's broken property, built here from the grader's run.

    Only a :class:`~labsupport.labkits.protocol.PropertyFailure` raised in this process gives one (the kernel's
    exceptions arrive as built-in types), so a submission cannot make a hidden test show text of its choosing
    beyond what the lab's check writes about the grader's own run.
    """


class TestNamespace(dict):
    """A test's globals: its own names, then the real builtins, the lab's set-up values, the notebook's names.

    ``setup`` (a :class:`~.labsetup.LabSetup`) answers for the lab's own names; the kernel is asked only for
    the others, and ``fetched`` remembers what each of those names gave (the reuse checks read a name's
    source). ``source`` is the submitted notebook's code (a :class:`~.sourcecheck.NotebookSource`).
    """

    def __init__(self, remote: Remote, known: dict | None = None, absent=(), *, setup=None, source=None):
        super().__init__(__builtins__=builtins, __name__=TEST_MODULE, _lg_call=self.call, _lg_compare=compare)
        self.remote, self.notebook, self.absent = remote, dict(known or {}), set(absent)
        self.setup, self.source, self.fetched = setup, source, {}

    def __missing__(self, name: str):
        if hasattr(builtins, name):
            return getattr(builtins, name)
        if self.setup is not None and name in self.setup.owned:
            value = self[name] = self.setup.value(name)
            return value
        if name in self.notebook:
            value = self[name] = self.fetched[name] = self.notebook.pop(name)
            return value
        if name in self.absent:
            raise NameError(f"name {name!r} is not defined in the notebook")
        try:
            value = self.remote.request("global", name)
        except KeyError:
            raise NameError(f"name {name!r} is not defined in the notebook") from None
        self[name] = self.fetched[name] = value
        return value

    def call(self, function, /, *args, **kwargs):
        """Every call in a test goes through here: checks and simulations of student objects are judged here."""
        handler = verdicts.judge(function, args, kwargs)
        if handler is not None:
            return handler(self, function, args, kwargs)
        return function(*args, **kwargs)


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


def run_case(remote: Remote, examples: list[tuple[str, str]], *, setup=None, source=None) -> tuple[bool, str]:
    """Run one test case's examples in a fresh namespace; (passed, why not).

    The notebook names the case reads are fetched in one request before it starts (and any
    other name on first use), so a case costs one round trip plus its calls.
    """
    try:
        trees = [rewrite_test(code) for code, _ in examples]
    except SyntaxError as error:
        return False, f"the test does not compile: {error}"
    wanted = free_names(trees)
    if setup is not None:
        wanted = [name for name in wanted if name not in setup.owned]
    known = remote.fresh(wanted)
    namespace = TestNamespace(remote, known, set(wanted) - set(known), setup=setup, source=source)
    for tree, (_, want) in zip(trees, examples):
        code = compile(tree, "<test>", "single")
        shown = io.StringIO()
        try:
            with redirect_stdout(shown):
                exec(code, namespace)
        except (KernelGone, ProtocolError, CaseTimeout):
            raise
        except Exception as error:
            text = f"{type(error).__name__}: {error}"
            if type(error) is PropertyFailure:
                return False, Shown(text[:1200])
            return False, text[:400]
        if want.strip() and shown.getvalue().split() != want.split():
            return False, f"expected output {want.strip()!r}, got {shown.getvalue().strip()[:200]!r}"
    return True, ""
