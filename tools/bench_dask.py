"""Throughput of ``labgrade --scheduler`` on 1, 2 and 4 Dask worker processes, against the local pool.

Grades the same class of Lab 1 notebooks (copies of a few honest and partial
ones from tests/grading/hostile) with ``labgrade --workers <cores>`` and with a
Dask scheduler and N single-threaded worker processes started on this machine.
The rate is labgrade's own (submissions graded / grading time), which leaves out
its start-up (loading otter and the autograder, connecting and probing).

``tools/bench.py`` calls :func:`bench_dask_grading` (``make bench``); run alone,
``python tools/bench_dask.py [--copies N]`` prints the table.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "grading" / "hostile"
BIN = Path(sys.executable).parent
LAB = "lab01-clocks"
NOTEBOOKS = ["correct.ipynb", "partial.ipynb", "empty_answers.ipynb", "ordinary_00_12.ipynb", "ordinary_02_13.ipynb"]
WORKER_COUNTS = (1, 2, 4)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rate(stdout: str) -> float:
    """Submissions per minute from labgrade's summary line ('graded 20 submissions in 41.0 s (29.3 per minute')."""
    return float(re.search(r"\(([\d.]+) per minute", stdout).group(1))


def _labgrade(subs: Path, out: Path, *extra: str) -> float:
    run = subprocess.run([str(BIN / "labgrade"), LAB, str(subs), "--out", str(out), "--force", *extra],
                         capture_output=True, text=True, check=True)
    return _rate(run.stdout)


def _on_cluster(subs: Path, out: Path, workers: int) -> float:
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    started = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                 "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)]
    try:
        started.append(subprocess.Popen([str(BIN / "dask"), "worker", address, "--nworkers", str(workers),
                                         "--nthreads", "1", "--no-dashboard"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True))
        _wait_for_workers(address, workers)
        return _labgrade(subs, out, "--scheduler", address)
    finally:
        for process in started:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


def _wait_for_workers(address: str, workers: int, timeout_s: float = 120) -> None:
    from distributed import Client

    until = time.monotonic() + timeout_s
    while True:
        try:
            with Client(address, timeout=10, set_as_default=False) as client:
                client.wait_for_workers(workers, timeout=max(1, until - time.monotonic()))
                return
        except OSError:
            if time.monotonic() > until:
                raise
            time.sleep(0.5)


def bench_dask_grading(quick: bool = False, copies: int | None = None) -> list[dict]:
    """Rows for tools/bench.py (its ``Row`` fields): subs/min for the local pool and 1, 2, 4 Dask workers."""
    copies = copies or (1 if quick else 4)
    cores = os.cpu_count() or 1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        subs.mkdir()
        for copy in range(copies):
            for name in NOTEBOOKS:
                shutil.copy(HOSTILE / name, subs / f"c{copy:02d}_{name}")
        n = copies * len(NOTEBOOKS)
        local = _labgrade(subs, Path(tmp) / "local", "--workers", str(cores))
        rows.append({"group": "grading", "name": f"{LAB}: local pool, {cores} workers", "value": local,
                     "unit": "subs/min", "note": f"labgrade --workers {cores}, {n} submissions"})
        for workers in WORKER_COUNTS:
            rate = _on_cluster(subs, Path(tmp) / f"dask{workers}", workers)
            rows.append({"group": "grading", "name": f"{LAB}: Dask, {workers} worker process(es)", "value": rate,
                         "unit": "subs/min", "peer": "local pool", "ratio": rate / local if local else None,
                         "note": f"labgrade --scheduler, --nthreads 1, {n} submissions, {cores} cores"})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=4, help="copies of each of the notebooks")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    for row in bench_dask_grading(copies=args.copies):
        ratio = f"  ({row['ratio']:.2f} x local)" if row.get("ratio") else ""
        print(f"{row['name']:<45} {row['value']:6.1f} {row['unit']}{ratio}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
