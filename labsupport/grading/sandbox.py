"""The room one submission is graded in: run its cells under limits, then the tests, in this process.

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

import base64
import ctypes
import json
import os
import queue
import re
import resource
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

PR_SET_DUMPABLE = 4


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
    # The guard takes the library's version of what the lab asks for out of the kernel, then starts it.
    argv = [*isolation.kernel_prefix(job["mode"]), sys.executable, "-I", "-m", "labsupport.grading.guard",
            json.dumps(list(job.get("asked", ()))), "-f", "{connection_file}"]
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
                msg = self.next_message(min(remaining, 0.5))
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

    def next_message(self, timeout_s: float) -> dict:
        """The next well-formed message on the kernel's output channel (queue.Empty if none in time).

        Student code can write garbage into the kernel's own sockets; a message that does not
        parse is skipped, never allowed to stop grading.
        """
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                msg = self.kc.get_iopub_msg(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise
            except Exception:
                if time.monotonic() >= deadline:
                    raise queue.Empty from None
                continue
            if isinstance(msg, dict) and isinstance(msg.get("parent_header"), dict) and "msg_type" in msg \
                    and isinstance(msg.get("content"), dict):
                return msg

    def launch(self, code: str, output_cap: int) -> None:
        """Start ``code`` (the grading agent) without waiting for it to finish; :meth:`watch` follows it."""
        self.agent_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        self.output_cap, self.produced = output_cap, 0

    def watch(self) -> None:
        """Raise KernelGone if the kernel died, the agent stopped serving, or a test printed too much."""
        from labsupport.grading.remote import KernelGone

        while True:
            try:
                msg = self.next_message(0)
            except queue.Empty:
                break
            if msg["parent_header"].get("msg_id") != getattr(self, "agent_id", None):
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content.get("execution_state") == "idle":
                raise KernelGone("the grading agent stopped: the submission ended it")
            if kind in ("stream", "display_data", "execute_result", "error"):
                self.produced += len(json.dumps(content))
                if self.produced > self.output_cap:
                    raise KernelGone(f"output too large: the test printed more than {self.output_cap} bytes")
        if not self.alive():
            raise KernelGone("the kernel died while running this test")

    def _interrupt(self, outcome: dict) -> dict:
        self.km.interrupt_kernel()
        until = time.monotonic() + 5
        while time.monotonic() < until:
            try:
                msg = self.next_message(0.5)
                if msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                    return outcome
            except queue.Empty:
                if not self.alive():
                    break
        outcome["kernel"] = "unresponsive"
        return outcome


def code_cells(notebook: dict) -> list[str]:
    """The notebook's non-empty code cells, with otter's own calls neutralised (never the whole cell)."""
    from labsupport.grading import labsetup
    from labsupport.grading.rewrite import neutralise

    return [neutralise(source) for source, _ in labsetup.code_cells(notebook) if source.strip()]


def trust_own_files(job: dict) -> None:
    """Import nothing from the submission's folder, and load the tests' library modules before it runs."""
    work = os.path.realpath(job["workdir"])
    sys.path[:] = [p for p in sys.path if p and not os.path.realpath(p).startswith(work)]
    for case in job["cases"]:
        for name in sorted(set(re.findall(r"\b(labsupport(?:\.\w+)*)", case["code"]))):
            try:
                __import__(name)
            except ImportError:
                pass


def hidden_feedback(code: str, message: str) -> str:
    """What a student may read of a failed hidden test: the property its author named, never its inputs.

    A hidden test names the property it checks as a plain string message of its ``assert`` (or of a
    ``raise AssertionError(...)``), written out or as a name the test binds to a plain string
    (``_WHY = '...'``, then ``assert ..., _WHY``); only such a constant, when it is what failed, is shown.
    Messages computed by the grader (both sides of a comparison) or by the test (f-strings, which may hold
    hidden inputs) are not.

    Examples
    --------
    >>> code = ">>> assert f(7) == 8, 'a send attaches a copy of the vector'\\n>>> assert g(3) == 1, f'got {g(3)}'\\n"
    >>> hidden_feedback(code, "a send attaches a copy of the vector")
    'failed: a send attaches a copy of the vector'
    >>> hidden_feedback(code, "got 2"), hidden_feedback(code, "f(7) == 8: expected == 8, got 9")
    ('failed', 'failed')
    >>> named = ">>> _WHY = 'ties are broken at random'\\n>>> assert f(1) == 2, _WHY\\n>>> _GOT = f'got {f(1)}'\\n"
    >>> hidden_feedback(named, "ties are broken at random"), hidden_feedback(named + ">>> assert f(2), _GOT\\n", "got 3")
    ('failed: ties are broken at random', 'failed')
    """
    import ast

    from labsupport.grading.autograder import examples

    trees = []
    for source, _ in examples(code):
        try:
            trees.append(ast.parse(source))
        except SyntaxError:
            continue
    nodes = [n for tree in trees for n in ast.walk(tree)]
    bound: dict[str, set[str]] = {}  # names the test binds to a plain string, and nothing else
    for n in nodes:
        if isinstance(n, ast.Assign):
            for target in n.targets:
                if isinstance(target, ast.Name):
                    plain = isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
                    bound.setdefault(target.id, set()).add(n.value.value if plain else None)

    def said(node) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.Name) and None not in bound.get(node.id, {None}):
            return bound[node.id]
        return set()

    named = set()
    for n in nodes:
        if isinstance(n, ast.Assert) and n.msg is not None:
            named |= said(n.msg)
        elif (isinstance(n, ast.Raise) and isinstance(n.exc, ast.Call) and isinstance(n.exc.func, ast.Name)
              and n.exc.func.id == "AssertionError" and len(n.exc.args) == 1):
            named |= said(n.exc.args[0])
    found = [p for p in named if p.strip() and message.strip().endswith(p.strip())]
    return f"failed: {max(found, key=len)}" if found else "failed"


class TestAlarm:
    """The per-test time limit, enforced in this (trusted) process with SIGALRM."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def _fire(self, signum, frame):
        from labsupport.grading.remote import CaseTimeout

        raise CaseTimeout()

    def __enter__(self):
        self.previous = signal.signal(signal.SIGALRM, self._fire)
        signal.setitimer(signal.ITIMER_REAL, max(0.01, self.seconds))
        return self

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.previous)
        return False


def grade(job: dict) -> dict:
    """Run the notebook's cells in the kernel, then every test case here, against the kernel's values.

    Public cases run first, then hidden ones. The tests never enter the kernel: see
    :mod:`labsupport.grading` for the design.
    """
    from labsupport.grading.autograder import examples
    from labsupport.grading.cases import Shown, run_case
    from labsupport.grading.labsetup import LabSetup, case_names
    from labsupport.grading.remote import CaseTimeout, KernelGone, Remote
    from labsupport.grading.rewrite import GRADER_STUB
    from labsupport.grading.sourcecheck import NotebookSource
    from labsupport.grading.wire import ProtocolError

    trust_own_files(job)
    notebook = json.loads((Path(job["workdir"]) / job["notebook"]).read_text())
    cells = code_cells(notebook)
    notebook_source = NotebookSource(cells)  # read before any student code runs: the reuse checks judge this text
    setup = LabSetup(job["setup_cells"])  # the lab's own values, from its pristine notebook, computed here
    if job.get("setup_snapshot"):  # ... or once for the whole class, by labgrade (see labsetup)
        setup.restore(base64.b64decode(job["setup_snapshot"]))
    for case in job["cases"]:
        setup.prepare(case_names(case["code"]))
    problems: list[str] = []
    session = Session(job)
    session.start()
    session.run(GRADER_STUB, 30, job["output_cap"])
    done: list[tuple[str, float]] = [(GRADER_STUB, 0.0)]  # the cells that ran, and the seconds each took
    budget_end = time.monotonic() + job["timeout_s"]
    restarts, replay_left = 0, job["timeout_s"]  # all replays together take at most the notebook's limit once more

    def replay() -> bool:
        """Restart the kernel and run again the cells that ran. They get time of their own: after a cell that ran
        to the limit, the notebook's budget is spent, and on it the replay would interrupt them at a moment that
        depends on the machine's speed, losing answers by chance. Twice what they took and 10 s for the new kernel,
        out of ``replay_left``."""
        nonlocal restarts, replay_left
        restarts += 1
        session.stop()
        if restarts > job["max_restarts"]:
            return False
        started = time.monotonic()
        session.start()
        replay_end = started + min(replay_left, 2 * sum(took for _, took in done) + 10)
        try:
            for source, _ in done:
                if session.run(source, replay_end - time.monotonic(), job["output_cap"])["state"] == "died":
                    return False
            return True
        finally:
            replay_left = max(0.0, replay_left - (time.monotonic() - started))

    for number, source in enumerate(cells):
        remaining = budget_end - time.monotonic()
        started = time.monotonic()
        outcome = session.run(source, remaining, job["output_cap"])
        took = time.monotonic() - started
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
            # What the cell allocated may still be held by the student's names, leaving later cells a
            # headroom that depends on chance: start afresh without it, as after a crash.
            problems.append(f"out of memory: cell {number + 1} exceeded the memory limit; it was skipped")
            if not replay():
                problems.append("out of memory: too many restarts; grading stopped")
                break
            continue
        done.append((source, took))

    remote = None

    def connect() -> Remote:
        from labsupport.grading import isolation

        link = Remote(str(Path(job["workdir"]) / ".runtime"), session.watch, asked=job.get("asked", ()))
        isolation.give_to_kernel(link.path, job["mode"])  # in root mode the kernel runs as another user
        try:
            session.launch(link.code, job["output_cap"])
            link.accept(60)
        except BaseException:
            link.close()
            raise
        return link

    def recover() -> None:
        nonlocal remote
        if remote is not None:
            remote.close()
            remote = None
        if session.km is None:
            return
        if not session.alive() or session._interrupt({}).get("kernel") == "unresponsive":
            if not replay():
                session.km = None

    cases: list[dict | None] = [None] * len(job["cases"])
    order = sorted(range(len(job["cases"])), key=lambda i: bool(job["cases"][i]["hidden"]))
    for position in order:
        case = job["cases"][position]
        result = {k: case[k] for k in ("question", "index", "hidden", "points")}
        result.update(earned=0.0, passed=False, message="")
        cases[position] = result
        if session.km is None:
            result["message"] = "not run: the kernel could not be restarted"
            continue
        broken = True
        try:
            with TestAlarm(job["test_timeout_s"]):
                if remote is None:
                    remote = connect()
                session.produced = 0
                passed, message = run_case(remote, examples(case["code"]), setup=setup, source=notebook_source)
            broken = False
        except CaseTimeout:
            passed, message = False, f"the test ran longer than {job['test_timeout_s']} s"
        except KernelGone as error:
            passed, message = False, str(error)
        except ProtocolError:
            passed, message = False, "the submission broke the grading protocol"
        except (OSError, EOFError) as error:
            passed, message = False, f"the connection to the kernel failed ({type(error).__name__})"
        if passed:
            result.update(earned=case["points"], passed=True)
        else:
            # Hidden tests explain nothing, except a protocol lab's broken property on a named schedule and seed,
            # and the property a hidden test's author named as its assert's constant message.
            if not case["hidden"] or isinstance(message, Shown):
                result["message"] = message
            else:
                result["message"] = hidden_feedback(case["code"], message)
        if broken:
            recover()
    if remote is not None:
        remote.close()
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
