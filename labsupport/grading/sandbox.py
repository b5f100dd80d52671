"""The room one submission is graded in: run its cells under limits, then, only then, the tests.

Run by ``labgrade`` as ``python -m labsupport.grading.sandbox`` with a JSON
job on standard input (never on disk, so student code cannot read it), and
where the machine allows it inside new network, mount and PID namespaces and
a root file system holding only what grading needs (as root, or in a user
namespace: see :mod:`labsupport.grading.isolation`), with a kernel that has
fewer rights than this process. The result is the last line of standard
output, which the kernel cannot reach: the kernel's output goes to
/dev/null, and this process makes itself non-dumpable so its memory and
file descriptors are closed to the kernel even when both run as one user.
"""

from __future__ import annotations

import ctypes
import json
import os
import queue
import re
import resource
import secrets
import subprocess
import sys
import time
from pathlib import Path

PR_SET_DUMPABLE = 4
SKIP = re.compile(r"^\s*(grader\s*\.\s*(check|check_all|export)\s*\(|grader\s*=\s*otter\.Notebook\()", re.M)


def make_undumpable() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: best effort
        pass


def isolate(job: dict) -> None:
    """Move into the sandbox's own root (see :mod:`labsupport.grading.isolation` for what each mode gives).

    In every mode this process becomes a subreaper, so processes the submission
    detaches (``setsid``) stay its descendants and are killed at the end.
    Inside a sandbox root the work directory is ``/submission``: ``job["workdir"]`` is updated.
    """
    from labsupport.grading import isolation  # here, not at the top: this module's head belongs to the grading loop

    make_undumpable()
    isolation.become_subreaper()
    job["workdir"] = isolation.enter(job["mode"], root=job["root"], workdir=job["workdir"], readable=[job["private"]])


def kernel_spec(job: dict) -> str:
    """Write a kernel spec whose kernel runs with fewer rights than this process; return its name."""
    from labsupport.grading import isolation

    spec_dir = Path(job["private"]) / "kernels" / "labgrade"
    spec_dir.mkdir(parents=True, exist_ok=True)
    argv = [*isolation.kernel_prefix(job["mode"]), sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec_dir / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "labgrade", "language": "python"}))
    os.environ["JUPYTER_PATH"] = job["private"]
    return "labgrade"


def limit(job: dict) -> None:
    """Memory, file size, no core dumps; as root, also a cap on the kernel user's processes (fork bombs)."""
    memory = job["memory_bytes"]
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (job["file_bytes"], job["file_bytes"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if job["mode"] == "root":
        resource.setrlimit(resource.RLIMIT_NPROC, (256, 256))


class Session:
    """A kernel running the submission's cells, restartable when student code kills it."""

    def __init__(self, job: dict):
        self.job = job
        self.km = None
        self.kc = None

    def start(self) -> None:
        from jupyter_client import KernelManager

        workdir = Path(self.job["workdir"])
        runtime = workdir / ".runtime"
        runtime.mkdir(exist_ok=True)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir), "LANG": "C.UTF-8",
               "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(workdir / ".mpl"), "IPYTHONDIR": str(workdir / ".ipython"),
               "JUPYTER_RUNTIME_DIR": str(runtime), "PYTHONDONTWRITEBYTECODE": "1",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "LABSUPPORT_WIDGETS": "live"}
        self.km = KernelManager(kernel_name=self.job["kernel"], transport="ipc", ip=str(runtime / f"k{secrets.token_hex(4)}"),
                                connection_file=str(runtime / f"kernel-{secrets.token_hex(4)}.json"))
        self.km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                             env=env, cwd=str(workdir), independent=False)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def alive(self) -> bool:
        return self.km is not None and self.km.is_alive()

    def stop(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            self.km.shutdown_kernel(now=True)
        self.km = self.kc = None

    def run(self, code: str, timeout_s: float, output_cap: int) -> dict:
        """Execute ``code``; report outcome: ok, error (with ename), timeout, died or output."""
        msg_id = self.kc.execute(code, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + max(0.0, timeout_s)
        produced, text, outcome = 0, [], {"state": "ok"}
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return self._interrupt(outcome | {"state": "timeout"})
            try:
                msg = self.kc.get_iopub_msg(timeout=min(remaining, 0.5))
            except queue.Empty:
                if not self.alive():
                    return {"state": "died"}
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content.get("execution_state") == "idle":
                outcome["text"] = "".join(text)
                return outcome
            if kind in ("stream", "display_data", "execute_result", "error"):
                chunk = json.dumps(content)
                produced += len(chunk)
                if kind == "stream" and produced <= output_cap:
                    text.append(content.get("text", ""))
                if kind == "error":
                    outcome = {"state": "error", "ename": content.get("ename", ""), "evalue": str(content.get("evalue", ""))[:300]}
                if produced > output_cap:
                    return self._interrupt({"state": "output"})

    def _interrupt(self, outcome: dict) -> dict:
        self.km.interrupt_kernel()
        until = time.monotonic() + 5
        while time.monotonic() < until:
            try:
                msg = self.kc.get_iopub_msg(timeout=0.5)
                if msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                    return outcome
            except queue.Empty:
                if not self.alive():
                    break
        outcome["kernel"] = "unresponsive"
        return outcome


def code_cells(notebook: dict) -> list[str]:
    cells = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if source.strip() and not SKIP.search(source):
            cells.append(source)
    return cells


HARNESS = '''
def _labgrade_case(_examples):
    import sys as _sys, io as _io
    for _src, _want in _examples:
        _buffer, _saved = _io.StringIO(), _sys.stdout
        _sys.stdout = _buffer
        try:
            exec(compile(_src, "<test>", "single"), globals())
        except BaseException as _e:
            _sys.stdout = _saved
            return (type(_e).__name__ + ": " + str(_e))[:300]
        finally:
            _sys.stdout = _saved
        if _want.strip() and _buffer.getvalue().split() != _want.split():
            return ("expected " + repr(_want.strip()) + ", got " + repr(_buffer.getvalue().strip()))[:300]
    return None
_labgrade_r = _labgrade_case({examples!r})
print(("PASS {nonce}" if _labgrade_r is None else "FAIL {nonce} " + _labgrade_r))
del _labgrade_case, _labgrade_r
'''


def grade(job: dict) -> dict:
    from labsupport.grading.autograder import examples

    notebook = json.loads((Path(job["workdir"]) / job["notebook"]).read_text())
    cells = code_cells(notebook)
    problems: list[str] = []
    session = Session(job)
    session.start()
    done: list[str] = []
    budget_end = time.monotonic() + job["timeout_s"]
    restarts = 0

    def replay() -> bool:
        nonlocal restarts
        restarts += 1
        session.stop()
        if restarts > job["max_restarts"]:
            return False
        session.start()
        for source in done:
            if session.run(source, budget_end - time.monotonic(), job["output_cap"])["state"] == "died":
                return False
        return True

    for number, source in enumerate(cells):
        remaining = budget_end - time.monotonic()
        outcome = session.run(source, remaining, job["output_cap"])
        state = outcome["state"]
        if state == "timeout":
            problems.append(f"timed out: cell {number + 1} was still running at the time limit")
            if outcome.get("kernel") == "unresponsive" and not replay():
                break
            break
        if state == "died":
            problems.append(f"crashed: cell {number + 1} killed the kernel; it was skipped")
            if not replay():
                problems.append("crashed: too many kernel deaths; grading stopped")
                break
            continue
        if state == "output":
            problems.append(f"output too large: cell {number + 1} printed more than {job['output_cap']} bytes")
        if state == "error" and outcome.get("ename") == "MemoryError":
            problems.append(f"out of memory: cell {number + 1} exceeded the memory limit")
        done.append(source)

    cases = []
    for case in job["cases"]:
        result = {k: case[k] for k in ("question", "index", "hidden", "points")}
        result.update(earned=0.0, passed=False, message="")
        if session.km is None:
            result["message"] = "not run: the kernel could not be restarted"
            cases.append(result)
            continue
        nonce = secrets.token_hex(16)
        code = HARNESS.format(examples=examples(case["code"]), nonce=nonce)
        outcome = session.run(code, job["test_timeout_s"], job["output_cap"])
        lines = [line for line in outcome.get("text", "").splitlines() if nonce in line]
        if outcome["state"] == "ok" and lines and lines[-1].startswith(f"PASS {nonce}"):
            result.update(earned=case["points"], passed=True)
        elif lines and lines[-1].startswith(f"FAIL {nonce}"):
            result["message"] = lines[-1].split(nonce, 1)[1].strip()
        elif outcome["state"] == "timeout":
            result["message"] = f"the test ran longer than {job['test_timeout_s']} s"
        elif outcome["state"] == "died":
            result["message"] = "the kernel died while running this test"
            if not replay():
                session.km = None
        else:
            result["message"] = "the test did not complete"
        cases.append(result)
    session.stop()
    return {"problems": problems, "cases": cases, "cells": len(cells), "restarts": restarts}


def main() -> int:
    job = json.loads(sys.stdin.read())
    job["kernel"] = kernel_spec(job)  # before isolate(): the kernel spec's folder is read-only inside
    isolate(job)
    limit(job)
    try:
        result = grade(job)
    except Exception as error:  # reported as a grader error for this one submission only
        result = {"error": f"{type(error).__name__}: {error}"[:500]}
    from labsupport.grading.isolation import kill_descendants

    kill_descendants()
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
