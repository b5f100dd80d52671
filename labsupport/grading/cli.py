"""``labgrade LAB SUBMISSIONS_DIR --out OUT_DIR``: grade a whole class, in parallel, safely.

Writes OUT_DIR/grades.csv (one row per submission), OUT_DIR/feedback/<file name>.md
(public tests in full, hidden tests as pass/fail and points only),
OUT_DIR/results/<name>.json (what resuming reads), OUT_DIR/report.html (the class
at a glance), OUT_DIR/gradebook.csv (for an LMS) and OUT_DIR/labgrade.log.
Re-running skips submissions already graded unless --force (or --only NAME).
With --scheduler ADDRESS the submissions are graded on a Dask cluster's workers.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from . import cluster, isolation
from .authoring import autograder_zip, repo_root
from .autograder import load_autograder
from .report import load_drawing_early, write_gradebook, write_report
from .results import Result, write_csv, write_feedback
from .runner import Interrupted, Limits, Sandboxes, grade_submission, sha256

__all__ = ["main"]


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="labgrade", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lab", help="lab id (e.g. lab01-clocks) or the path of an otter autograder zip")
    parser.add_argument("submissions", type=Path, help="folder of submitted .ipynb files")
    parser.add_argument("--out", type=Path, required=True, help="folder for grades.csv, feedback/, results/, the log")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="submissions graded at once")
    parser.add_argument("--timeout", type=float, default=Limits.timeout_s, help="seconds for a notebook's own cells")
    parser.add_argument("--test-timeout", type=float, default=Limits.test_timeout_s, help="seconds per test case")
    parser.add_argument("--memory", type=int, default=Limits.memory_mb, help="memory limit in MB per submission")
    parser.add_argument("--output-limit", type=int, default=Limits.output_kb, help="printed output limit in KB")
    parser.add_argument("--force", action="store_true", help="regrade submissions already graded")
    parser.add_argument("--only", action="append", default=[], help="grade only this file name (repeatable); implies --force for it")
    parser.add_argument("--isolation", choices=["auto", *isolation.MODES], default="auto",
                        help="how submissions are shut away (default: the strongest this machine allows); "
                             "see the README's 'How submissions are contained'")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="grade on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786); "
                             "--workers is then the cluster's, not ours")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error(f"--workers={args.workers}; choose at least 1")
    if args.timeout <= 0 or args.test_timeout <= 0:
        parser.error("--timeout and --test-timeout must be positive seconds")
    if args.memory < 256:
        parser.error(f"--memory={args.memory} MB is too small for a Python kernel; choose at least 256")
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder of submissions")
    return args


class Progress:
    def __init__(self, total: int):
        self.total, self.done, self.started = total, 0, time.monotonic()
        self.tty = sys.stderr.isatty()

    def step(self, result: Result) -> None:
        self.done += 1
        width = 30
        filled = int(width * self.done / max(1, self.total))
        bar = "#" * filled + "-" * (width - filled)
        line = f"[{bar}] {self.done}/{self.total}  {result.submission}: {result.status}"
        if self.tty:
            sys.stderr.write("\r" + line[:110].ljust(110))
            if self.done == self.total:
                sys.stderr.write("\n")
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


class UsageError(Exception):
    """Bad input found before grading starts: reported in one line, nothing written."""


def select(args, lab: str) -> tuple[list[Path], dict[str, Result], list[Path]]:
    """The submission files, the saved results to keep, and the files to grade; UsageError if none fit."""
    files = sorted(p for p in args.submissions.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise UsageError(f"{args.submissions} holds no submission files")
    missing = sorted(set(args.only) - {p.name for p in files})
    if missing:
        raise UsageError(f"--only names {', '.join(missing)}, not in {args.submissions}")
    labs = Counter(notebook_lab(p) for p in files if p.suffix == ".ipynb")
    others = {name: n for name, n in labs.items() if name and name != lab}
    if lab and others and not labs.get(lab) and not labs.get(""):
        found = ", ".join(f"{name} ({n})" for name, n in sorted(others.items()))
        raise UsageError(f"no notebook in {args.submissions} is {lab}: they are {found}; check the LAB argument")
    todo, kept = [], {}
    for path in files:
        saved = args.out / "results" / f"{path.name}.json"
        previous = Result.from_json(saved.read_text()) if saved.exists() else None
        if args.only and path.name not in args.only:
            if previous is not None:
                kept[path.name] = previous  # keep its row in grades.csv
            continue
        regrade = args.force or path.name in args.only
        if previous is not None and not regrade and previous.sha256 == sha256(path):
            kept[path.name] = previous
            continue
        todo.append(path)
    return files, kept, todo


def notebook_lab(path: Path) -> str:
    """The otter assignment name a notebook declares ("" if it declares none or cannot be read)."""
    try:
        metadata = json.loads(path.read_bytes()).get("metadata") or {}
        return str((metadata.get("otter") or {}).get("assignment_name") or "")
    except (ValueError, AttributeError, UnicodeDecodeError, OSError):
        return ""


def load_lab(spec: str) -> tuple[Path, str, list]:
    """The autograder zip, lab id and questions for LAB (an id or a zip); UsageError naming the problem."""
    try:
        zip_path = Path(spec) if spec.endswith(".zip") else autograder_zip(spec)
        lab, questions = load_autograder(zip_path)
    except (ValueError, RuntimeError, OSError) as error:
        raise UsageError(str(error).strip().splitlines()[0]) from None
    return zip_path, lab or ("" if spec.endswith(".zip") else spec), questions


def feedback_path(out: Path, submission: str) -> Path:
    """``feedback/<file name>.md``: distinct files never share one (alice.ipynb.md, alice.txt.md)."""
    return out / "feedback" / f"{submission}.md"


def main(argv=None) -> int:
    args = parse_args(argv)
    isolation.make_undumpable()  # our environment may hold the instructor's tokens
    isolation.become_subreaper()
    client = None
    try:
        zip_path, lab, questions = load_lab(args.lab)
        files, results, todo = select(args, lab)
        if args.scheduler:
            client = cluster.connect(args.scheduler)
            mode = cluster.probe(client, args.isolation)  # every worker can grade, in the mode all of them give
        else:
            mode = isolation.detect(args.isolation)
    except (UsageError, ValueError, cluster.ClusterError) as error:
        _close(client)
        print(f"labgrade: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        _close(client)
        print("labgrade: interrupted before grading started; nothing was written", file=sys.stderr)
        return 130
    out = args.out
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    (out / "results").mkdir(exist_ok=True)
    logging.basicConfig(filename=out / "labgrade.log", level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s", force=True)
    log = logging.getLogger("labgrade")
    root = repo_root()
    support = [p for p in (root / "labs" / lab).glob("*") if p.is_file() and p.suffix != ".ipynb"] if lab else []
    limits = Limits(args.timeout, args.test_timeout, args.memory, args.output_limit)
    log.info("lab %s, autograder %s, %d questions, isolation %s, limits %s", lab, zip_path, len(questions), mode, limits)
    if isolation.warning(mode):
        print(isolation.warning(mode), file=sys.stderr)
        log.warning(isolation.warning(mode))
    wrong = [p.name for p in files if p.suffix == ".ipynb" and notebook_lab(p) not in ("", lab)]
    if wrong:
        print(f"labgrade: warning: {len(wrong)} notebook(s) belong to another lab and get status 'wrong lab': "
              f"{', '.join(wrong[:5])}{' ...' if len(wrong) > 5 else ''}", file=sys.stderr)
    log.info("%d submissions, %d to grade, %d already graded", len(files), len(todo), len(results))
    sandboxes = Sandboxes()
    interrupted = _on_signals(sandboxes)
    progress = Progress(len(todo))
    load_drawing_early()
    started = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=args.workers)
    if client is None:
        stream = _grade_here(pool, todo, lab, questions, limits, mode, support, sandboxes)
        where = f"{args.workers} workers"
    else:
        job = cluster.Job(lab, questions, limits, mode, {p.name: p.read_bytes() for p in support})
        where = f"{len(client.scheduler_info()['workers'])} Dask workers at {args.scheduler}"
        log.info("grading on %s", where)
        stream = cluster.grade_on_cluster(client, todo, job)
    try:
        for path, result in stream:
            results[path.name] = result
            (out / "results" / f"{path.name}.json").write_text(result.to_json())
            write_feedback(result, questions, feedback_path(out, path.name))
            log.info("%s: %s %s", path.name, result.status, result.detail)
            progress.step(result)
    except KeyboardInterrupt:
        sandboxes.stop_all()
    finally:
        stream.close()  # on the cluster: cancel what is left and kill its sandboxes there
        pool.shutdown(wait=True, cancel_futures=True)
        _close(client)
        isolation.kill_descendants()
    elapsed = time.monotonic() - started
    write_csv(list(results.values()), questions, out / "grades.csv")
    write_report(list(results.values()), questions, out / "report.html", lab=lab)
    write_gradebook(list(results.values()), questions, out / "gradebook.csv")
    if interrupted.is_set() or sandboxes.stopping.is_set():
        message = (f"labgrade: interrupted: {progress.done} of {len(todo)} graded in this run; "
                   f"{len(results)} rows in {out / 'grades.csv'}; run the same command again to grade the rest")
        log.warning(message)
        print(message, file=sys.stderr)
        return 130
    rate = len(todo) / elapsed * 60 if todo and elapsed > 0 else 0.0
    summary = f"graded {len(todo)} submissions in {elapsed:.1f} s ({rate:.1f} per minute, {where}); " \
              f"{len(results)} rows in {out / 'grades.csv'}"
    log.info(summary)
    print(summary)
    return 0


def _grade_here(pool, todo, lab, questions, limits, mode, support, sandboxes):
    """Grade ``todo`` in this machine's pool of threads; yield ``(path, result)`` as each finishes."""
    futures = {pool.submit(_timed, path, lab, questions, limits, mode=mode, support_files=support,
                           sandboxes=sandboxes): path for path in todo}
    for future in as_completed(futures):
        path = futures[future]
        try:
            result = future.result()
        except Interrupted:
            continue
        except Exception as error:  # one broken submission never stops the batch
            logging.getLogger("labgrade").exception("grading %s failed", path.name)
            result = Result(path.name, "grader error", f"{type(error).__name__}: {error}"[:300], sha256(path))
        yield path, result


def _timed(path, lab, questions, limits, **grading) -> Result:
    started = time.monotonic()
    result = grade_submission(path, lab, questions, limits, **grading)
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _close(client) -> None:
    if client is not None:
        try:
            client.close(timeout=5)
        except Exception:  # a scheduler that went away while we graded
            pass


def _on_signals(sandboxes: Sandboxes) -> threading.Event:
    """Make SIGINT and SIGTERM stop the batch: kill the sandboxes, then let main() keep what finished."""
    interrupted = threading.Event()

    def handler(signum, frame):
        if not interrupted.is_set():
            interrupted.set()
            sandboxes.stop_all()
            raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handler)
    return interrupted


if __name__ == "__main__":
    sys.exit(main())
