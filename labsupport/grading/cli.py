"""``labgrade LAB SUBMISSIONS_DIR --out OUT_DIR``: grade a whole class, in parallel, safely.

Writes OUT_DIR/grades.csv (one row per submission), OUT_DIR/feedback/<name>.md
(public tests in full, hidden tests as pass/fail and points only),
OUT_DIR/results/<name>.json (what resuming reads) and OUT_DIR/labgrade.log.
Re-running skips submissions already graded unless --force (or --only NAME).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from labsupport.grading.authoring import autograder_zip, repo_root
from labsupport.grading.autograder import load_autograder
from labsupport.grading.results import Result, write_csv, write_feedback
from labsupport.grading.runner import Limits, grade_submission, isolation_available, sha256

__all__ = ["main"]

SECRET_HOME_PATHS = (".ssh", ".aws", ".config", ".docker", ".kube", ".netrc", ".git-credentials", ".pypirc")


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


def main(argv=None) -> int:
    args = parse_args(argv)
    out = args.out
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    (out / "results").mkdir(exist_ok=True)
    logging.basicConfig(filename=out / "labgrade.log", level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s", force=True)
    log = logging.getLogger("labgrade")

    zip_path = Path(args.lab) if args.lab.endswith(".zip") else autograder_zip(args.lab)
    lab, questions = load_autograder(zip_path)
    lab = lab or (args.lab if not args.lab.endswith(".zip") else "")
    isolated = isolation_available()
    root = repo_root()
    home = Path.home()
    hide = [str(p) for p in (root / "instructor", root / "_build", args.submissions.resolve(), out.resolve(),
                             zip_path.resolve().parent)]
    hide += [str(home / name) for name in SECRET_HOME_PATHS if (home / name).exists()]
    support = [p for p in (root / "labs" / lab).glob("*") if p.is_file() and p.suffix != ".ipynb"] if lab else []
    limits = Limits(args.timeout, args.test_timeout, args.memory, args.output_limit)
    log.info("lab %s, autograder %s, %d questions, isolation %s, limits %s", lab, zip_path, len(questions),
             "on" if isolated else "OFF (not root or no unshare: no network/file isolation)", limits)
    if not isolated:
        print("labgrade: warning: namespaces unavailable (run as root on Linux for network and file isolation)",
              file=sys.stderr)

    files = sorted(p for p in args.submissions.iterdir() if p.is_file() and not p.name.startswith("."))
    todo, results = [], {}
    for path in files:
        saved = out / "results" / f"{path.name}.json"
        previous = Result.from_json(saved.read_text()) if saved.exists() else None
        if args.only and path.name not in args.only:
            if previous is not None:
                results[path.name] = previous  # keep its row in grades.csv
            continue
        regrade = args.force or path.name in args.only
        if previous is not None and not regrade and previous.sha256 == sha256(path):
            results[path.name] = previous
            continue
        todo.append(path)
    log.info("%d submissions, %d to grade, %d already graded", len(files), len(todo), len(results))
    progress = Progress(len(todo))
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        futures = {pool.submit(grade_submission, path, lab, questions, limits, isolated=isolated, hide=hide,
                               support_files=support): path for path in todo}
        for future in as_completed(futures):
            path = futures[future]
            try:
                result = future.result()
            except Exception as error:  # one broken submission never stops the batch
                log.exception("grading %s failed", path.name)
                result = Result(path.name, "grader error", f"{type(error).__name__}: {error}"[:300], sha256(path))
            results[path.name] = result
            (out / "results" / f"{path.name}.json").write_text(result.to_json())
            write_feedback(result, questions, out / "feedback" / f"{Path(path.name).stem}.md")
            log.info("%s: %s %s", path.name, result.status, result.detail)
            progress.step(result)
    elapsed = time.monotonic() - started
    write_csv(list(results.values()), questions, out / "grades.csv")
    rate = len(todo) / elapsed * 60 if todo and elapsed > 0 else 0.0
    summary = f"graded {len(todo)} submissions in {elapsed:.1f} s ({rate:.1f} per minute, {args.workers} workers); " \
              f"{len(results)} rows in {out / 'grades.csv'}"
    log.info(summary)
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
