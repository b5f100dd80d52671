"""Grading one submission: checks before running, the sandboxed run, and its verdict."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from labsupport.grading.autograder import Question
from labsupport.grading.results import CaseResult, Result

__all__ = ["Limits", "isolation_available", "grade_submission", "precheck"]


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 120.0  # for the notebook's own cells
    test_timeout_s: float = 20.0  # for each test case
    memory_mb: int = 2048
    output_kb: int = 1024
    file_mb: int = 64
    max_restarts: int = 3


def isolation_available() -> bool:
    """True where namespaces can hide files and the network (root on Linux with unshare and setpriv)."""
    if os.name != "posix" or os.geteuid() != 0 or not (shutil.which("unshare") and shutil.which("setpriv")):
        return False
    probe = subprocess.run(["unshare", "--net", "--mount", "--pid", "--fork", "--kill-child", "true"],
                           capture_output=True)
    return probe.returncode == 0


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


def grade_submission(path: Path, lab: str, questions: list[Question], limits: Limits, *, isolated: bool,
                     hide: list[str], support_files: list[Path]) -> Result:
    """Run one notebook in its own sandbox and turn what came back into a Result."""
    early = precheck(path, lab)
    if early is not None:
        return early
    digest = sha256(path)
    base = Path(tempfile.mkdtemp(prefix="labgrade-"))
    try:
        workdir, private = base / "work", base / "private"
        workdir.mkdir()
        private.mkdir(mode=0o700)
        shutil.copy(path, workdir / "submission.ipynb")
        for support in support_files:
            shutil.copy(support, workdir / support.name)
        job = {
            "notebook": "submission.ipynb", "workdir": str(workdir), "private": str(private), "isolated": isolated,
            "hide": hide, "timeout_s": limits.timeout_s, "test_timeout_s": limits.test_timeout_s,
            "memory_bytes": limits.memory_mb * 2**20, "output_cap": limits.output_kb * 1024,
            "file_bytes": limits.file_mb * 2**20, "max_restarts": limits.max_restarts,
            "cases": [{"question": c.question, "index": c.index, "code": c.code, "hidden": c.hidden, "points": c.points}
                      for q in questions for c in q.cases],
        }
        command = [sys.executable, "-m", "labsupport.grading.sandbox"]
        if isolated:
            command = ["unshare", "--net", "--mount", "--pid", "--fork", "--kill-child", *command]
        env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
               "HOME": str(workdir), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": _package_root()}
        hard_limit = limits.timeout_s + limits.test_timeout_s * max(1, len(job["cases"])) + 90
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=env, cwd=str(workdir), start_new_session=True)
        try:
            out, err = process.communicate(json.dumps(job).encode(), timeout=hard_limit)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            return Result(path.name, "timed out", f"the whole grading run exceeded {hard_limit:.0f} s and was killed",
                          digest, _zero(questions))
        finally:
            _kill_group(process)
        return _verdict(path.name, digest, out.decode(errors="replace"), err.decode(errors="replace"), questions)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _package_root() -> str:
    return str(Path(__file__).resolve().parents[2])


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
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
