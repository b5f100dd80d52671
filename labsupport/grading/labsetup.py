"""The lab's own set-up values, computed by the grader from the lab's pristine notebook.

The exam paper's printed data table belongs to the examiner: a candidate
who rewrites the table in their copy does not change the numbers the
answers are marked against. A lab notebook's own cells define such data
(``KEYS``, ``example``, ``WORKLOAD``, ``baseline``); the grader reads them
from the generated student notebook shipped with the lab (never from the
submission) and computes them itself, in the grading process. Only names
the student is asked to define come from the submission's kernel.

Which names are whose, statement by statement (top-level statements of the
pristine notebook's code cells, otter's own calls removed):

* a statement of an answer cell (tag ``otter_answer_cell``) that holds a
  ``...`` placeholder binds *student* names (``def lamport(events): ...``,
  ``my_commitment = ...``);
* a statement that reads a student name, or a name such a statement bound,
  binds *derived* names (``first_bad = find_inversion(Coordinator, ...)``,
  ``lor_result = run_farm(LeastOutstanding(), ...)``): they depend on the
  answer, so they are the student's results and come from the kernel, like
  the answers themselves;
* every other statement binds *lab* names, computed here; a name bound by
  both kinds is not a lab name.

Lab statements run in notebook order, only those the tests need (a name's
binding statements and, backwards, the statements binding what they read),
with their printed output discarded; bare expressions are not run (they bind
nothing). A statement that fails leaves its names undefined, and a test that
reads them fails.

They run once per lab, not once per submission, when they can: ``labgrade``
computes them in its own process (:meth:`LabSetup.for_cases`), takes a
:meth:`~LabSetup.snapshot` of the values, and each submission's grading
process restores it (:meth:`~LabSetup.restore`) before any student code runs. Like a
photocopy of the examiner's data table handed to every room: the same
numbers, worked out once. A lab whose values cannot be copied exactly
(anything pickle cannot round-trip, other than a module) gets no snapshot,
and each submission computes them as before.
"""

from __future__ import annotations

import ast
import builtins
import copy
import importlib
import io
import pickle
import types
from contextlib import redirect_stderr, redirect_stdout

from labsupport.grading.rewrite import neutralise

__all__ = ["LabSetup", "pristine_cells", "code_cells", "bound_names", "case_names"]

ANSWER_TAG = "otter_answer_cell"
SETUP_MODULE = "__labgrade_setup__"


def code_cells(notebook: dict) -> list[tuple[str, dict]]:
    """``(source, metadata)`` of each code cell of a notebook, whatever shape its JSON has."""
    cells = []
    for cell in notebook.get("cells", []) if isinstance(notebook, dict) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(map(str, source)) if isinstance(source, list) else str(source)
        metadata = cell.get("metadata")
        cells.append((source, metadata if isinstance(metadata, dict) else {}))
    return cells


def pristine_cells(notebook: dict) -> list[list]:
    """``[source, is_answer_cell]`` for each code cell of a (generated, unanswered) lab notebook."""
    return [[source, ANSWER_TAG in (metadata.get("tags") or [])] for source, metadata in code_cells(notebook)]


def bound_names(node: ast.AST) -> set[str]:
    """Names a top-level statement binds in the module (not inside the functions and classes it defines)."""
    names: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(current.name)
            stack.extend(current.decorator_list)
            continue
        if isinstance(current, ast.Lambda):
            continue
        if isinstance(current, ast.Name) and isinstance(current.ctx, (ast.Store, ast.Del)):
            names.add(current.id)
        elif isinstance(current, ast.alias):
            names.add((current.asname or current.name).split(".")[0])
        elif isinstance(current, ast.ExceptHandler) and current.name:
            names.add(current.name)
        stack.extend(ast.iter_child_nodes(current))
    return names


def read_names(node: ast.AST) -> set[str]:
    """Every name a statement reads, anywhere inside it (a deliberate over-approximation)."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def case_names(code: str) -> list[str]:
    """The names a doctest-formatted test case reads and never assigns ([] if it does not parse)."""
    from labsupport.grading.autograder import examples
    from labsupport.grading.cases import free_names
    from labsupport.grading.rewrite import rewrite_test

    try:
        return free_names([rewrite_test(source) for source, _ in examples(code)])
    except SyntaxError:
        return []


class _Module:
    """A module in a snapshot, by name: modules are imported again, never pickled."""

    def __init__(self, name: str):
        self.name = name


def _placeholder(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Constant) and n.value is Ellipsis for n in ast.walk(node))


class LabSetup:
    """The lab's names and, on request, their values as the lab defines them.

    Parameters
    ----------
    cells : list of [str, bool]
        The pristine notebook's code cells and whether each is an answer cell
        (:func:`pristine_cells`).

    Examples
    --------
    >>> setup = LabSetup([["SEED = 7\\nKEYS = [SEED] * 3", False],
    ...                   ["def f(keys):\\n    ...\\n\\n\\nresult = f(KEYS)", True]])
    >>> sorted(setup.owned), sorted(setup.student)
    (['KEYS', 'SEED'], ['f', 'result'])
    >>> setup.prepare(["KEYS"]); setup.value("KEYS")
    [7, 7, 7]
    """

    def __init__(self, cells):
        self.statements: list[tuple[ast.stmt, set[str], set[str]]] = []
        self.student: set[str] = set()
        lab: set[str] = set()
        for source, answer in cells:
            try:
                tree = ast.parse(neutralise(source))
            except SyntaxError:
                continue
            for statement in tree.body:
                bound, reads = bound_names(statement), read_names(statement)
                if (answer and _placeholder(statement)) or reads & self.student:
                    self.student |= bound
                    continue
                lab |= bound
                if not isinstance(statement, ast.Expr):
                    self.statements.append((statement, bound, reads))
        self.owned = frozenset(lab - self.student)
        self.namespace: dict = {"__builtins__": builtins, "__name__": SETUP_MODULE}
        self.done: set[int] = set()

    def prepare(self, names) -> None:
        """Run the lab statements that ``names`` need (each statement at most once)."""
        wanted = set(names) & self.owned
        if not wanted:
            return
        needed: set[int] = set()
        for index in range(len(self.statements) - 1, -1, -1):
            statement, bound, reads = self.statements[index]
            if bound & wanted:
                needed.add(index)
                wanted |= reads
        for index in sorted(needed - self.done):
            self.done.add(index)
            code = compile(ast.Module(body=[self.statements[index][0]], type_ignores=[]), "<lab set-up>", "exec")
            try:
                with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                    exec(code, self.namespace)
            except Exception:
                continue

    @classmethod
    def for_cases(cls, cells, codes) -> "LabSetup":
        """A set-up that has run what the test cases ``codes`` need, case by case, as a grading run does."""
        setup = cls(cells)
        for code in codes:
            setup.prepare(case_names(code))
        return setup

    def snapshot(self) -> bytes | None:
        """The values computed so far and which statements ran, as bytes; None if they cannot be copied exactly."""
        state = {}
        for name, value in self.namespace.items():
            if name in ("__builtins__", "__name__"):
                continue
            if isinstance(value, types.ModuleType):
                state[name] = _Module(value.__name__)
                continue
            try:
                pickle.loads(pickle.dumps(value))
            except Exception:
                return None  # a function or class the notebook defines, a generator...: no snapshot for this lab
            state[name] = value
        try:
            return pickle.dumps((sorted(self.done), state))
        except Exception:
            return None

    def restore(self, blob: bytes) -> None:
        """Take the values and the record of statements run from :meth:`snapshot`'s bytes."""
        done, state = pickle.loads(blob)
        for name, value in state.items():
            self.namespace[name] = importlib.import_module(value.name) if isinstance(value, _Module) else value
        self.done.update(done)

    def value(self, name: str):
        """A fresh copy of the lab's value of ``name`` (NameError if its set-up failed)."""
        self.prepare([name])
        if name not in self.namespace:
            raise NameError(f"name {name!r}: the lab's own set-up for it did not run in the grader")
        value = self.namespace[name]
        try:
            return copy.deepcopy(value)
        except Exception:  # modules and other objects that cannot be copied are shared (the tests only read them)
            return value
