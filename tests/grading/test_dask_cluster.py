"""labgrade --scheduler: a real Dask scheduler and workers on this machine grade as the local pool does,
a worker killed mid-task loses nothing and grades nothing twice, and a cluster that cannot grade is refused
before anything is written."""

import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "grading" / "hostile"
BIN = Path(sys.executable).parent
LABGRADE = str(BIN / "labgrade")
#: A small class: honest work, untouched and partial notebooks, and hostile ones (a loop, not JSON).
CLASS = ["correct.ipynb", "empty_answers.ipynb", "partial.ipynb", "infinite_loop.ipynb", "invalid_json.ipynb",
         "huge_output.ipynb"]
LIMITS = ["--timeout", "6", "--test-timeout", "10", "--memory", "1024", "--output-limit", "256"]
#: Starts a worker (no nanny) that cannot import MODULE: a cluster missing what grading needs.
BROKEN_WORKER = ("import sys; sys.modules[sys.argv[1]] = None; sys.argv[1:2] = []; "
                 "from distributed.cli.dask_worker import main; main()")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A scheduler and worker processes started here, each in its own session so all of it can be killed."""

    def __init__(self, scratch: Path):
        self.port, self.processes, self.scratch = free_port(), [], scratch
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.env = dict(os.environ, TMPDIR=str(scratch))

    def spawn(self, argv: list[str]) -> subprocess.Popen:
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env,
                                   start_new_session=True)
        self.processes.append(process)
        return process

    def start(self, workers: int = 2) -> "Cluster":
        self.spawn([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                    "--no-dashboard"])
        if workers:
            self.spawn([str(BIN / "dask"), "worker", self.address, "--nworkers", str(workers), "--nthreads", "1",
                        "--no-dashboard"])
        self.wait_for(workers)
        return self

    def add_broken_worker(self, module: str) -> None:
        self.spawn([sys.executable, "-c", BROKEN_WORKER, module, self.address, "--no-nanny", "--nthreads", "1",
                    "--no-dashboard"])

    def client(self):
        from distributed import Client

        return Client(self.address, timeout=20, set_as_default=False)

    def wait_for(self, workers: int) -> None:
        until = time.monotonic() + 60
        while True:
            try:
                with self.client() as client:
                    if workers:
                        client.wait_for_workers(workers, timeout=max(1, until - time.monotonic()))
                    return
            except OSError:
                assert time.monotonic() < until, "the Dask cluster did not start"
                time.sleep(0.5)

    def stop(self) -> None:
        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


def leftovers(scratch: Path) -> list[int]:
    """Processes (sandboxes, kernels) still working in this test's temporary folder."""
    found = []
    for cwd in Path("/proc").glob("[0-9]*/cwd"):
        try:
            if os.readlink(cwd).startswith(str(scratch)):
                found.append(int(cwd.parent.name))
        except OSError:
            continue
    return found


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("dask-scratch")
    running = Cluster(scratch)
    try:
        yield running.start(workers=2)
    finally:
        running.stop()
        time.sleep(1)
        for pid in leftovers(scratch):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def submissions(tmp_path_factory) -> Path:
    subs = tmp_path_factory.mktemp("subs")
    for name in CLASS:
        shutil.copy(HOSTILE / name, subs / name)
    return subs


def rows(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv") as f:
        return {row["submission"]: row for row in csv.DictReader(f)}


def labgrade(*args, timeout=300, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([LABGRADE, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env,
                          check=False)


@pytest.fixture(scope="module")
def local_grades(submissions, tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("out-local")
    run = labgrade("lab01-clocks", submissions, "--out", out, "--workers", "2", *LIMITS)
    assert run.returncode == 0, run.stderr
    return rows(out)


def kill_a_busy_worker(cluster: Cluster, until: float) -> int:
    """SIGKILL one worker process as soon as a labgrade task is running on it; return its pid."""
    with cluster.client() as client:
        while time.monotonic() < until:
            busy = client.run(lambda: bool(__import__("labsupport.grading.cluster", fromlist=["_"])._RUNNING))
            pids = client.run(os.getpid)
            for worker, running in sorted(busy.items()):
                if running:
                    os.kill(pids[worker], signal.SIGKILL)
                    return pids[worker]
            time.sleep(0.2)
    raise AssertionError("no labgrade task started on the cluster")


@pytest.fixture(scope="module")
def killed_run(cluster, submissions, tmp_path_factory):
    """The class graded on the cluster, one worker SIGKILLed while it grades: (out, stdout, killed pid, leftovers)."""
    out = tmp_path_factory.mktemp("out-dask") / "out"
    run = subprocess.Popen([LABGRADE, "lab01-clocks", str(submissions), "--out", str(out),
                            "--scheduler", cluster.address, *LIMITS],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        killed = kill_a_busy_worker(cluster, time.monotonic() + 120)
        stdout, stderr = run.communicate(timeout=300)
    finally:
        run.kill()
    assert run.returncode == 0, stderr
    return out, stdout, killed, leftovers(cluster.scratch)


def test_a_killed_worker_loses_nothing_and_grades_nothing_twice(cluster, killed_run, local_grades):
    out, stdout, killed, left = killed_run
    assert f"graded {len(CLASS)} submissions" in stdout and "Dask workers" in stdout
    with pytest.raises(ProcessLookupError):
        os.kill(killed, 0)
    assert left == []  # the killed worker's sandbox died with it
    graded = rows(out)
    assert sorted(graded) == sorted(CLASS)
    assert len((out / "grades.csv").read_text().splitlines()) == 1 + len(CLASS)  # a repeated row would show here
    same = ["status", "q1", "q2", "q3", "q4", "total", "possible", "percent"]
    for name in CLASS:
        assert [graded[name][k] for k in same] == [local_grades[name][k] for k in same], name
    log = (out / "labgrade.log").read_text()
    for name in CLASS:
        assert log.count(f" {name}: ") == 1, name  # one verdict recorded per submission
    assert sorted(p.name for p in (out / "results").iterdir()) == sorted(f"{n}.json" for n in CLASS)
    assert "Submissions by status" in (out / "report.html").read_text()
    assert len((out / "gradebook.csv").read_text().splitlines()) == 1 + len(CLASS)
    cluster.wait_for(2)  # the nanny restarted the killed worker


def test_only_regrades_one_submission_on_the_cluster_and_keeps_the_rest(cluster, killed_run, submissions, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(killed_run[0], out)
    before = {p.name: p.read_text() for p in (out / "results").iterdir()}
    run = labgrade("lab01-clocks", submissions, "--out", out, "--scheduler", cluster.address, "--only",
                   "correct.ipynb", *LIMITS)
    assert run.returncode == 0 and "graded 1 submissions" in run.stdout, run.stdout + run.stderr
    after = {p.name: p.read_text() for p in (out / "results").iterdir()}
    assert {name for name in before if before[name] != after[name]} == {"correct.ipynb.json"}  # its time differs
    assert sorted(rows(out)) == sorted(CLASS) and rows(out)["correct.ipynb"]["total"] == "10.0"


def in_process(argv: list, capsys) -> tuple[int, str]:
    """labgrade's main() here, not in a new process: its checks run before any grading, and otter loads once."""
    from labsupport.grading import cli

    code = cli.main([str(a) for a in argv])
    return code, capsys.readouterr().err


def one_clear_error(code: int, stderr: str, out: Path, *words: str) -> None:
    assert code == 2, stderr
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert stderr.startswith("labgrade: error: ")
    for word in words:
        assert word in stderr, stderr
    assert not out.exists()


def test_a_scheduler_that_does_not_answer_is_a_clear_error_within_seconds(submissions, tmp_path, capsys):
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    in_process(["lab01-clocks", submissions, "--out", tmp_path / "warm-up", "--scheduler", "tcp://127.0.0.1:1"],
               capsys)  # otter and the autograder loaded: what is left is labgrade asking the scheduler
    started = time.monotonic()
    code, stderr = in_process(["lab01-clocks", submissions, "--out", tmp_path / "out", "--scheduler", address],
                              capsys)
    one_clear_error(code, stderr, tmp_path / "out", "no Dask scheduler answers", address)
    assert time.monotonic() - started < 10


def test_workers_without_labsupport_or_the_sandbox_requirements_are_refused(submissions, tmp_path, capsys):
    broken = Cluster(tmp_path)
    try:
        broken.start(workers=0)
        broken.add_broken_worker("labsupport")
        broken.add_broken_worker("ipykernel")
        broken.wait_for(2)
        code, stderr = in_process(["lab01-clocks", submissions, "--out", tmp_path / "out",
                                   "--scheduler", broken.address], capsys)
    finally:
        broken.stop()
    one_clear_error(code, stderr, tmp_path / "out", "cannot import labsupport", "cannot import ipykernel")


def test_a_folder_of_another_lab_is_refused_before_the_cluster_is_asked(tmp_path, capsys):
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(HOSTILE / "other_lab.ipynb", subs)
    address = f"tcp://127.0.0.1:{free_port()}"
    code, stderr = in_process(["lab01-clocks", subs, "--out", tmp_path / "out", "--scheduler", address], capsys)
    one_clear_error(code, stderr, tmp_path / "out", "lab02-hashing")
