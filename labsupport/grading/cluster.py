"""Grading on a Dask distributed cluster: ``labgrade --scheduler ADDRESS``.

A marking centre with many rooms: the chief examiner (the client, where
``labgrade`` runs) hands out one script at a time to whichever examiner is
free (a Dask worker), each examiner grades it in the same sandbox, under the
same limits, as ``labgrade`` does on one machine, and hands back a plain
verdict. Only the chief examiner writes the marks book (``grades.csv``,
feedback, the saved results), so an examiner who collapses mid-script loses
nothing: the scheduler gives the script to another examiner, and a verdict is
recorded once, under the submission's name.

A task is a pure function of the submission's bytes and the job (lab,
questions, limits, isolation mode, support files): it reads and writes only
its own temporary folder, so running it twice is harmless (Dask re-runs the
tasks of a worker that dies). Before any grading starts a probe runs on every
worker: each must import ``labsupport`` (the same grading code as the client)
and what the sandbox needs, and support the isolation mode.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .results import Result
from .runner import Interrupted, Limits, Sandboxes, grade_submission, sha256

__all__ = ["ClusterError", "Job", "TiedSandboxes", "connect", "probe", "grade_on_cluster", "grade_bytes", "fingerprint"]

#: What the sandbox imports to run a notebook and its tests (labsupport itself comes first).
SANDBOX_NEEDS = ("labsupport.grading.sandbox", "labsupport.grading.remote", "labsupport.grading.cases",
                 "labsupport.grading.labsetup", "labsupport.grading.replay", "labsupport.grading.sourcecheck",
                 "jupyter_client", "ipykernel", "IPython", "numpy")
CONNECT_TIMEOUT_S = 5.0  # seconds to reach the scheduler and find a worker


class ClusterError(Exception):
    """The cluster cannot grade (no scheduler, no worker, a worker without what grading needs)."""


@dataclass(frozen=True)
class Job:
    """Everything a worker needs besides the submission: sent once to each worker, not with every task."""

    lab: str
    questions: list
    limits: Limits
    mode: str
    support: dict[str, bytes] = field(default_factory=dict)  # file name -> contents (data files the lab reads)


def fingerprint() -> str:
    """A digest of this installation's grading code: client and workers must grade with the same code.

    Examples
    --------
    >>> len(fingerprint())
    16
    """
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:16]


def connect(address: str, *, timeout_s: float = CONNECT_TIMEOUT_S):
    """A Dask client for the scheduler at ``address`` with at least one worker; ClusterError within seconds if not."""
    from distributed import Client

    for name in ("distributed", "tornado", "asyncio"):  # its retries and tracebacks are not the instructor's news
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        client = Client(address, timeout=timeout_s, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ClusterError(f"no Dask scheduler answers at {address} within {timeout_s:g} s ({reason[:160]}); "
                           "start one with 'dask scheduler' or check the address") from None
    try:
        client.wait_for_workers(1, timeout=timeout_s)
    except (TimeoutError, OSError):
        client.close()
        raise ClusterError(f"the Dask scheduler at {address} has no workers; start some with "
                           f"'dask worker {address}'") from None
    return client


def _probe_worker(requested: str) -> dict:
    """On a worker: what it lacks, its grading code's fingerprint, and the isolation it gives ``requested``."""
    import importlib

    report = {"missing": [], "fingerprint": "", "mode": "", "error": ""}
    for module in ("labsupport", *SANDBOX_NEEDS):
        try:
            importlib.import_module(module)
        except Exception as error:  # ImportError, or a module that breaks on import
            report["missing"].append(f"{module} ({type(error).__name__})")
    if report["missing"]:
        return report
    from labsupport.grading import cluster, isolation

    report["fingerprint"] = cluster.fingerprint()
    try:
        report["mode"] = isolation.detect(requested)
    except ValueError as error:
        report["error"] = str(error)
    return report


def probe(client, requested: str = "auto") -> str:
    """Check every worker can grade; return the isolation mode all of them use (the weakest any has).

    Raises ClusterError naming each worker that lacks ``labsupport``, a sandbox requirement,
    the client's grading code, or the requested isolation.
    """
    import cloudpickle

    # By value: a worker without labsupport must still be able to run the probe and say so.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        reports = client.run(_probe_worker, requested, on_error="return")
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    mine, problems, modes = fingerprint(), [], set()
    for worker, report in sorted(reports.items()):
        if isinstance(report, BaseException):
            problems.append(f"{worker}: the probe failed ({type(report).__name__}: {str(report)[:120]})")
        elif report["missing"]:
            problems.append(f"{worker} cannot import {', '.join(report['missing'])}")
        elif report["fingerprint"] != mine:
            problems.append(f"{worker} has other grading code than this labgrade (labsupport differs)")
        elif report["error"]:
            problems.append(f"{worker}: {report['error']}")
        else:
            modes.add(report["mode"])
    if problems:
        raise ClusterError("workers cannot grade: " + "; ".join(problems[:3]) + (" ..." if len(problems) > 3 else "")
                           + "; install this labsupport and its requirements on every worker")
    from .isolation import MODES

    return max(modes, key=MODES.index)  # MODES runs from strongest to weakest


PR_SET_PDEATHSIG = 1


class TiedSandboxes(Sandboxes):
    """Sandboxes that die with their worker: a worker killed mid-task leaves no grading running behind it.

    Each sandbox asks the kernel for SIGKILL when the worker thread that started it
    ends (``PR_SET_PDEATHSIG``); in namespaces, ``unshare --kill-child`` takes the rest.
    """

    def start(self, command: list[str], **popen):
        return super().start(command, preexec_fn=_die_with_parent, **popen)


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: best effort
        pass


_RUNNING: set[Sandboxes] = set()  # on a worker: the sandboxes of the tasks running there
_RUNNING_LOCK = threading.Lock()


def grade_bytes(name: str, content: bytes, job: Job) -> str:
    """The Dask task: grade one submission from its bytes in a private folder; return its Result as JSON.

    Writes nothing outside its temporary folder, so a re-run (after a worker died) is harmless.
    """
    sandboxes = TiedSandboxes()
    with _RUNNING_LOCK:
        _RUNNING.add(sandboxes)
    try:
        with tempfile.TemporaryDirectory(prefix="labgrade-task-") as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            support = []
            for support_name, data in job.support.items():
                (Path(folder) / "support").mkdir(exist_ok=True)
                support.append(Path(folder) / "support" / support_name)
                support[-1].write_bytes(data)
            started = time.monotonic()
            result = grade_submission(path, job.lab, job.questions, job.limits, mode=job.mode,
                                      support_files=support, sandboxes=sandboxes)
            result.seconds = round(time.monotonic() - started, 3)
            return result.to_json()
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(sandboxes)


def _stop_here() -> int:
    """On a worker: kill the sandboxes of every labgrade task running there; return how many."""
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for sandboxes in running:
        sandboxes.stop_all()
    return len(running)


def grade_on_cluster(client, todo: list[Path], job: Job) -> Iterator[tuple[Path, Result]]:
    """Submit one task per file and yield ``(path, result)`` as each finishes, in any order.

    A task whose workers keep dying (Dask gives up after a few) or that raises
    yields a ``grader error`` result. Closing the iterator (an interrupt) cancels
    what has not finished and kills the sandboxes still running on the workers.
    """
    from distributed import as_completed

    shared = client.scatter(job, broadcast=True, hash=False)
    futures = {}
    for path in todo:
        content = path.read_bytes()
        key = f"labgrade-{path.name}-{hashlib.sha256(content).hexdigest()[:12]}-{time.time_ns()}"
        futures[client.submit(grade_bytes, path.name, content, shared, key=key, pure=False)] = path
    try:
        for future in as_completed(futures, loop=client.loop):
            path = futures[future]
            try:
                result = Result.from_json(future.result())
            except Interrupted:
                continue
            except Exception as error:  # one broken submission (or a KilledWorker) never stops the batch
                result = Result(path.name, "grader error", f"{type(error).__name__}: {error}"[:300], sha256(path))
            future.release()
            yield path, result
    finally:
        unfinished = [f for f in futures if not f.done()]
        if unfinished:
            client.cancel(unfinished)
            try:
                client.run(_stop_here, on_error="ignore")
            except Exception:  # the cluster may be gone already
                pass
