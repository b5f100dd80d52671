"""Handing a lab in: export only what is saved, without the kernel's noise.

A letter is posted in its envelope, not the draft left on the desk. Otter's
``grader.export`` zips the notebook *file*; in JupyterLab the file is what
was last saved, so a student who ran their answers but did not save handed
in the blank notebook without a word. Every lab imports this module in its
first cell, from which it notes each cell the kernel runs (its source and
when); the export cell then asks :func:`saved` first, which refuses, in one
clear message, when a cell run since the file was last written is not in
the file. What it cannot see: edits made but never run, and a notebook
opened in a kernel that did not run the first cell.

Otter's ``grader.check`` prints, for each failed test, doctest's full report
(a traceback of some fifteen lines, about forty for an unanswered question).
:func:`check` runs it and shows one line per failed test instead: the test's
line and what it raised; a question with no passing test gets one line.

Otter checks the zip by running it in a fresh kernel, whose start-up warning
("Kernel is running over TCP without encryption") it passes on as a warning
of the student's export; :func:`quiet_kernel_warnings` drops that one line
and keeps every other message.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import json
import os
import time
import warnings

__all__ = ["check", "Checked", "saved", "stale_cells", "quiet_kernel_warnings", "without_kernel_noise"]

_RUNS: list[tuple[float, str]] = []  # (when, source) of each cell this kernel ran since the import
NOISE = ("Kernel is running over TCP without encryption",)


def _record(result) -> None:
    info = getattr(result, "info", None)
    source = getattr(info, "raw_cell", None)
    if isinstance(source, str):
        _RUNS.append((time.time(), source))


def _watch() -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with every notebook kernel
        return
    shell = get_ipython()
    if shell is not None and _record not in shell.events.callbacks.get("post_run_cell", []):
        shell.events.register("post_run_cell", _record)


def _normal(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def _is_export(source: str) -> bool:
    return "grader.export(" in source or "handin.saved(" in source


def stale_cells(path, runs) -> list[str]:
    """Sources in ``runs`` (``(time, source)`` pairs) run after ``path`` was written and not among its code cells.

    Examples
    --------
    >>> import json, os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "lab.ipynb")
    >>> cell = {"cell_type": "code", "source": ["def f():\\n", "    return 1\\n"], "metadata": {}}
    >>> with open(path, "w") as f:
    ...     json.dump({"cells": [cell]}, f)
    >>> written = os.path.getmtime(path)
    >>> stale_cells(path, [(written + 1, "def f():\\n    return 1"), (written - 1, "scratch = 2")])
    []
    >>> stale_cells(path, [(written + 1, "def f():\\n    return 2")])
    ['def f():\\n    return 2']
    """
    written = os.path.getmtime(path)
    with open(path, encoding="utf-8") as f:
        notebook = json.load(f)
    on_disk = set()
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            on_disk.add(_normal("".join(source) if isinstance(source, list) else source))
    return [source for when, source in runs
            if when > written and _normal(source) and not _is_export(source) and _normal(source) not in on_disk]


def saved(notebook: str) -> bool:
    """True if the file ``notebook`` holds every cell run since it was written; otherwise say so and return False."""
    if not os.path.exists(notebook):
        print(f"Nothing was exported: there is no {notebook} in this folder. Save the notebook under that name "
              "(File > Save Notebook As...), then run this cell again.")
        return False
    stale = stale_cells(notebook, _RUNS)
    if stale:
        first = stale[0].strip().splitlines()[0][:60]
        print(f"Nothing was exported: {notebook} has unsaved changes ({len(stale)} cell(s) you ran are not in the "
              f"saved file, the first starting {first!r}). Save the notebook (File > Save Notebook, or Ctrl-S), "
              "then run this cell again.")
        return False
    return True


def without_kernel_noise(text: str) -> str:
    """``text`` without the lines of a kernel's start-up warnings that say nothing about the student's work.

    Examples
    --------
    >>> without_kernel_noise("[IPKernelApp] WARNING | Kernel is running over TCP without encryption. Use IPC.\\n")
    ''
    >>> without_kernel_noise("NameError: x\\n")
    'NameError: x'
    """
    return "\n".join(line for line in text.splitlines() if not any(n in line for n in NOISE)).strip()


@contextlib.contextmanager
def quiet_kernel_warnings():
    """Inside the block, warnings are passed on without the kernel start-up noise; empty ones are dropped."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        text = without_kernel_noise(str(warning.message))
        if text:
            warnings.warn_explicit(text, warning.category, warning.filename, warning.lineno)



def _failures(message: str) -> list[tuple[str, str]]:
    """``(test line, what happened)`` for each failed example in a doctest report.

    Examples
    --------
    >>> report = ("Trying:\\n    assert f(1) == 2\\nExpecting nothing\\n" + "*" * 70 + "\\nLine 1, in q1 0\\n"
    ...           "Failed example:\\n    assert f(1) == 2\\nException raised:\\n    Traceback (most recent call last):\\n"
    ...           "      File ...\\n    AssertionError: f(1) returned 3\\n")
    >>> _failures(report)
    [('assert f(1) == 2', 'AssertionError: f(1) returned 3')]
    """
    found = []
    for block in message.split("*" * 70):
        if "Failed example:" not in block:
            continue
        report = block.split("Failed example:", 1)[1].split("\nTrying:", 1)[0]  # the next example's report is not this one's
        lines = [line.strip() for line in report.splitlines() if line.strip()]
        if lines:
            found.append((lines[0], lines[-1] if len(lines) > 1 else "failed"))
    return found


def _explain(code: str, names: dict) -> str | None:
    """For ``assert left == right``: what ``left`` gives and what was expected, evaluated on ``names``."""
    try:
        test = ast.parse(code).body[0]
    except (SyntaxError, IndexError):
        return None
    if not (isinstance(test, ast.Assert) and isinstance(test.test, ast.Compare) and len(test.test.ops) == 1
            and isinstance(test.test.ops[0], ast.Eq)):
        return None
    try:
        got, want = (eval(compile(ast.Expression(side), "<check>", "eval"), dict(names))
                     for side in (test.test.left, test.test.comparators[0]))
        return f"{ast.unparse(test.test.left)} gave {_short(got)}, expected {_short(want)}"
    except Exception:
        return None


def _cut(code: str) -> str:
    """A test's line, without the message it carries (shown as what it raised)."""
    try:
        test = ast.parse(code).body[0]
        if isinstance(test, ast.Assert) and test.msg is not None:
            code = f"assert {ast.unparse(test.test)}"
    except (SyntaxError, IndexError):
        pass
    return code if len(code) <= 100 else code[:97] + "..."


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


class Checked:
    """A question's public tests, shown in a few lines: which failed, on which line, and what it raised."""

    def __init__(self, question: str, result, names: dict | None = None):
        self.question = question
        self.results = list(getattr(result, "test_case_results", []))
        self.names = names or {}

    def _outcome(self, code: str, raised: str) -> str:
        explained = _explain(code, self.names) if raised.startswith("AssertionError") else None
        return f"{raised}: {explained}" if explained and raised == "AssertionError" else raised

    def __repr__(self) -> str:
        failed = [r for r in self.results if not r.passed]
        if not failed:
            return f"{self.question}: all {len(self.results)} public tests pass (the hidden tests check more)."
        lines = [(code, outcome) for r in failed for code, outcome in _failures(r.message or "")] or [("", "failed")]
        if len(failed) == len(self.results):
            code, outcome = lines[0]
            return f"{self.question}: no public test passes yet. The first: `{_cut(code)}` gave {self._outcome(code, outcome)}"
        shown = [f"{self.question}: {len(failed)} of {len(self.results)} public tests fail:"]
        shown += [f"  x `{_cut(code)}` gave {self._outcome(code, outcome)}" for code, outcome in lines]
        return "\n".join(shown)


def check(grader, question: str):
    """Run otter's ``grader.check(question)`` on the caller's names; return the result as a :class:`Checked`.

    None if otter gave no result (as while a lab is graded).
    """
    caller = inspect.currentframe().f_back.f_globals  # otter would look one frame up, which is here
    result = grader.check(question, caller)
    return None if result is None else Checked(question, result, caller)


_watch()
