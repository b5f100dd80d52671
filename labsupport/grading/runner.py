"""Grading one submission: checks before running, the sandboxed run, and its verdict."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from . import isolation
from .asked import asked_for
from .autograder import Question
from .labsetup import LabSetup, pristine_cells
from .results import CaseResult, Result

__all__ = ["Limits", "Sandboxes", "Interrupted", "isolation_available", "grade_submission", "precheck",
           "pristine_notebook"]


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 120.0  # for the notebook's own cells
    test_timeout_s: float = 20.0  # for each test case
    memory_mb: int = 2048
    output_kb: int = 1024
    file_mb: int = 64
    max_restarts: int = 3


class Interrupted(Exception):
    """Grading was stopped (Ctrl-C, SIGTERM) while this submission was running; it has no result."""


class Sandboxes:
    """The sandboxes running now, so that an interrupt can end them all at once.

    Like the invigilators' list of occupied rooms: when the exam is called
    off, every room on the list is cleared, and no new room is opened.
    """

    def __init__(self):
        self._running: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self.stopping = threading.Event()

    def start(self, command: list[str], **popen) -> subprocess.Popen:
        with self._lock:
            if self.stopping.is_set():
                raise Interrupted("grading was interrupted before this submission started")
            process = subprocess.Popen(command, start_new_session=True, **popen)
            self._running.add(process)
        return process

    def finish(self, process: subprocess.Popen) -> None:
        _kill_group(process)
        with self._lock:
            self._running.discard(process)

    def stop_all(self) -> None:
        """Refuse new sandboxes and kill every running one (its whole namespace, or its process group)."""
        self.stopping.set()
        with self._lock:
            running = list(self._running)
        for process in running:
            _kill_group(process, wait=False)


def isolation_available() -> bool:
    """True where submissions can be shut in namespaces (as root, or in a user namespace)."""
    return isolation.detect() != "none"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def precheck(path: Path, lab: str) -> Result | None:
    """A result for files that cannot be graded at all (not a notebook, wrong lab), else None."""
    name = path.name
    if path.suffix != ".ipynb":
        return Result(name, "not a notebook", f"expected a .ipynb file, got {path.suffix or 'no extension'}")
    raw = path.read_bytes()
    if not raw.strip():
        return Result(name, "not a notebook", "the file is empty", sha256(path))
    try:
        notebook = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        return Result(name, "not a notebook", f"not valid JSON ({str(error)[:80]})", sha256(path))
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return Result(name, "not a notebook", "JSON without a list of cells", sha256(path))
    assignment = (notebook.get("metadata") or {}).get("otter", {}).get("assignment_name")
    if assignment and lab and assignment != lab:
        return Result(name, "wrong lab", f"this notebook is {assignment}, not {lab}", sha256(path))
    return None


def pristine_notebook(lab: str) -> Path:
    """The lab's generated student notebook (``labs/<lab>/<lab>.ipynb``), whose own cells define its set-up values."""
    from .authoring import repo_root

    return repo_root() / "labs" / lab / f"{lab}.ipynb"


_snapshots: dict[tuple, bytes | None] = {}
_snapshots_lock = threading.Lock()


def setup_snapshot(setup_cells: list, codes: list[str]) -> bytes | None:
    """The lab's set-up values for these test cases, computed once per lab and process (see :mod:`.labsetup`).

    Lab code from the pristine notebook runs here, in the grader, as it does in every grading process; the
    lock makes a class's worker threads wait for the first to compute it instead of each computing it.
    """
    key = (json.dumps(setup_cells), tuple(codes))
    with _snapshots_lock:
        if key not in _snapshots:
            _snapshots[key] = LabSetup.for_cases(setup_cells, codes).snapshot()
        return _snapshots[key]


def grade_submission(path: Path, lab: str, questions: list[Question], limits: Limits, *, mode: str,
                     support_files: list[Path], sandboxes: Sandboxes | None = None,
                     pristine: Path | None = None) -> Result:
    """Run one notebook in its own sandbox (``mode``: see :mod:`labsupport.grading.isolation`) into a Result.

    ``pristine`` is the lab's unanswered student notebook (default :func:`pristine_notebook`): the grader
    computes the lab's own set-up values from it, never from the submission.
    Raises :class:`Interrupted` if ``sandboxes`` was stopped while it ran.
    """
    early = precheck(path, lab)
    if early is not None:
        return early
    digest = sha256(path)
    pristine = Path(pristine) if pristine is not None else pristine_notebook(lab)
    try:
        setup_cells = pristine_cells(json.loads(pristine.read_text()))
    except (OSError, ValueError) as error:
        return Result(path.name, "grader error", f"cannot read the lab's own notebook {pristine} "
                      f"({type(error).__name__}); its set-up values are computed from it", digest, _zero(questions))
    cases = [{"question": c.question, "index": c.index, "code": c.code, "hidden": c.hidden, "points": c.points}
             for q in questions for c in q.cases]
    snapshot = setup_snapshot(setup_cells, [case["code"] for case in cases])
    sandboxes = sandboxes or Sandboxes()
    base = Path(tempfile.mkdtemp(prefix="labgrade-"))
    try:
        workdir, private, root = base / "work", base / "private", base / "root"
        workdir.mkdir()
        private.mkdir(mode=0o700)
        root.mkdir(mode=0o700)
        shutil.copy(path, workdir / "submission.ipynb")
        for support in support_files:
            shutil.copy(support, workdir / support.name)
        job = {
            "notebook": "submission.ipynb", "workdir": str(workdir), "private": str(private), "root": str(root),
            "mode": mode, "isolated": mode != "none", "timeout_s": limits.timeout_s,
            "test_timeout_s": limits.test_timeout_s,
            "memory_bytes": limits.memory_mb * 2**20, "output_cap": limits.output_kb * 1024,
            "file_bytes": limits.file_mb * 2**20, "max_restarts": limits.max_restarts,
            "setup_cells": setup_cells, "asked": list(asked_for(lab)),
            "setup_snapshot": base64.b64encode(snapshot).decode() if snapshot is not None else None,
            "cases": cases,
        }
        command = [*isolation.command(mode), sys.executable, "-m", "labsupport.grading.sandbox"]
        env = isolation.clean_environment(str(workdir)) | {"PYTHONPATH": _package_root()}
        # the notebook's cells, its replays after a crash or a timeout (as long again, at most), every test, slack
        hard_limit = 2 * limits.timeout_s + limits.test_timeout_s * max(1, len(job["cases"])) + 90
        process = sandboxes.start(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=env, cwd=str(workdir))
        try:
            out, err = process.communicate(json.dumps(job).encode(), timeout=hard_limit)
        except subprocess.TimeoutExpired:
            return Result(path.name, "timed out", f"the whole grading run exceeded {hard_limit:.0f} s and was killed",
                          digest, _zero(questions))
        finally:
            sandboxes.finish(process)
        if sandboxes.stopping.is_set():
            raise Interrupted(f"grading {path.name} was interrupted")
        return _verdict(path.name, digest, out.decode(errors="replace"), err.decode(errors="replace"), questions)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _package_root() -> str:
    return str(Path(__file__).resolve().parents[2])


def _kill_group(process: subprocess.Popen, *, wait: bool = True) -> None:
    """SIGKILL the sandbox's process group; in a PID namespace this ends every process in it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if wait:
        process.wait()


def _zero(questions: list[Question]) -> list[CaseResult]:
    return [CaseResult(c.question, c.index, c.hidden, c.points, 0.0, False, "not run")
            for q in questions for c in q.cases]


def _verdict(name: str, digest: str, out: str, err: str, questions: list[Question]) -> Result:
    lines = [line for line in out.splitlines() if line.strip()]
    try:
        report = json.loads(lines[-1])
    except (IndexError, ValueError):
        return Result(name, "grader error", f"the sandbox returned no result ({err.strip()[-200:]})", digest,
                      _zero(questions))
    if "error" in report:
        return Result(name, "grader error", report["error"], digest, _zero(questions))
    cases = [CaseResult(**c) for c in report["cases"]]
    problems = report["problems"]
    status = "graded"
    for kind in ("timed out", "out of memory", "crashed", "output too large"):
        if any(p.startswith(kind) for p in problems):
            status = kind
            break
    return Result(name, status, "; ".join(problems), digest, cases)
