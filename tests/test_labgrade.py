"""labgrade grades hostile and ordinary submissions correctly, in parallel, and never leaks hidden tests."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from labsupport.grading import load_autograder
from labsupport.grading.authoring import autograder_zip
from labsupport.grading import isolation, newroot
from labsupport.grading.runner import isolation_available

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "grading" / "hostile"
LABGRADE = str(Path(sys.executable).with_name("labgrade"))
PORT_IN_NOTEBOOK = "47811"  # network.ipynb's port, replaced by the port the answer server really got
POINTS = {"1": 3.0, "2": 3.0, "3": 2.0, "4": 2.0}

EXPECTED = {  # submission: (status, total points)
    "correct.ipynb": ("graded", 10),
    "partial.ipynb": ("graded", 5),
    "empty_answers.ipynb": ("graded", 0),
    "deleted_reordered.ipynb": ("graded", 10),
    "infinite_loop.ipynb": ("timed out", 3),
    "loop_ignoring_interrupts.ipynb": ("timed out", 6),
    "memory_bomb.ipynb": ("out of memory", 10),
    "sys_exit.ipynb": ("graded", 10),
    "os_exit.ipynb": ("crashed", 10),
    "kernel_crash.ipynb": ("crashed", 10),
    "huge_output.ipynb": ("output too large", 10),
    "syntax_error.ipynb": ("graded", 8),
    "invalid_json.ipynb": ("not a notebook", 0),
    "empty_file.ipynb": ("not a notebook", 0),
    "other_lab.ipynb": ("wrong lab", 0),
    "monkeypatch_grader.ipynb": ("graded", 0),
    "read_hidden_tests.ipynb": ("graded", 0),
    "network.ipynb": ("graded", 0),
    "write_outside.ipynb": ("graded", 10),
    "steal_credentials.ipynb": ("graded", 0),
    # Attacks on what the sandbox lets a submission see (a successful one scores 8 and leaks into feedback).
    "git_history.ipynb": ("graded", 0),
    "concurrent_spy.ipynb": ("graded", 0),  # graded together with concurrent_victim (first two, --workers 2)
    "concurrent_victim.ipynb": ("graded", 10),
    "dev_write.ipynb": ("graded", 0),
    "proc_sys_write.ipynb": ("graded", 0),
    "proc_environ.ipynb": ("graded", 0),
    "home_credentials.ipynb": ("graded", 0),
    "setsid_daemon.ipynb": ("graded", 0),
    # attacks on the verdict from inside the kernel (tests/grading/make_hostile.py, VERDICT_ATTACKS)
    "redefine_print.ipynb": ("graded", 0),
    "input_transformer.ipynb": ("graded", 0),
    "trace_hooks.ipynb": ("graded", 0),
    "patch_modules.ipynb": ("graded", 0),
    "lying_objects.ipynb": ("graded", 0),
    "gc_walk.ipynb": ("graded", 0),
    "forge_replies.ipynb": ("graded", 0),
    "exception_with_source.ipynb": ("graded", 0),
    "grader_check.ipynb": ("graded", 10),  # honest work ending each answer with grader.check("qN")
}
#: What labgrade's non-root run grades: every attack on isolation, and a correct notebook beside them.
NON_ROOT = ["correct.ipynb", "read_hidden_tests.ipynb", "network.ipynb", "write_outside.ipynb",
            "steal_credentials.ipynb", "git_history.ipynb", "concurrent_spy.ipynb", "concurrent_victim.ipynb",
            "dev_write.ipynb", "proc_sys_write.ipynb", "proc_environ.ipynb", "home_credentials.ipynb",
            "setsid_daemon.ipynb"]
FAKE_HOME = "/labgrade-fake-home"  # as in make_hostile.py: replaced with a home folder holding fake credentials
DAEMON_MARKER = "labgrade-daemon-7c1e"
VICTIM_MARKER = "labgrade-victim-5d2b"
SECRETS = {  # everything a submission must never get hold of, by where it lives
    "AWS_SECRET_ACCESS_KEY": "labgrade-fake-aws-secret-3e9c",
    "GITHUB_TOKEN": "ghp_labgradefaketoken8a41",
    ".aws/credentials": "[default]\naws_secret_access_key = labgrade-fake-aws-file-71d0\n",
    ".vault-token": "labgrade-fake-vault-token-2f6b",
    ".npmrc": "//registry.npmjs.org/:_authToken=labgrade-fake-npm-token-c93e\n",
}
MARKERS = ["labgrade-fake-aws-secret-3e9c", "ghp_labgradefaketoken8a41", "labgrade-fake-aws-file-71d0",
           "labgrade-fake-vault-token-2f6b", "labgrade-fake-npm-token-c93e", VICTIM_MARKER, "# HIDDEN"]
ESCAPES = [Path("/tmp/labgrade-escape.txt"), ROOT / "labgrade-escape.txt", Path("/root/labgrade-escape.txt"),
           Path("/var/tmp/labgrade-escape.txt"), Path("/dev/shm/labgrade-escape.txt"),
           Path("/dev/labgrade-escape.txt")]


def ordinary_expected(name: str) -> tuple[str, float]:
    solved = name.split("_")[2].split(".")[0]
    return "graded", sum(POINTS[q] for q in solved if q in POINTS)


def solution_code() -> str:
    nb = json.loads(autograder_zip("lab01-clocks").with_name("lab01-clocks-solution.ipynb").read_text())
    return "\n".join("".join(c["source"]) for c in nb["cells"]
                     if c["cell_type"] == "code" and "def " in "".join(c["source"]))


@pytest.fixture(scope="module")
def answer_server():
    """A loopback server handing out the solution: only a submission with network access can use it."""
    code = solution_code().encode()
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))  # any free port: parallel test runs never collide
    server.listen()
    server.settimeout(0.5)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.sendall(code)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield code.decode(), server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def fake_home(folder: Path) -> Path:
    """A home folder with fake credentials where an instructor keeps real ones."""
    for name, text in SECRETS.items():
        if name.startswith("."):
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text)
    return folder


def as_mode(mode: str) -> list[str]:
    """The prefix that runs labgrade so it takes ``mode``'s path: as root, or as a user (uid 1000)."""
    if mode == "root":
        if os.geteuid() != 0:
            pytest.skip("root mode needs root (CI runs as root)")
        return []
    if os.geteuid() == 0:  # uid 1000 inside maps to root outside: the venv stays readable, labgrade sees a user
        return ["unshare", "--user", "--map-user=1000", "--map-group=1000"]
    return []


def daemons() -> list[int]:
    """The processes setsid_daemon.ipynb started that are still alive."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if DAEMON_MARKER.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


def prepare(names, subs: Path, home: Path, port: int) -> None:
    """Copy hostile notebooks into ``subs``, pointing them at this run's answer server and fake home."""
    for name in names:
        text = (HOSTILE / name).read_text().replace(PORT_IN_NOTEBOOK, str(port)).replace(FAKE_HOME, str(home))
        (subs / name).write_text(text)


@pytest.fixture(scope="module", params=["root", "user"])
def graded(request, tmp_path_factory, answer_server):
    """The hostile set graded by labgrade as root (all of it) and as a user (every isolation attack)."""
    mode = request.param
    prefix = as_mode(mode)
    for escape in ESCAPES:
        escape.unlink(missing_ok=True)
    subs, out = tmp_path_factory.mktemp(f"subs-{mode}"), tmp_path_factory.mktemp(f"out-{mode}")
    home = fake_home(tmp_path_factory.mktemp(f"home-{mode}"))
    code, port = answer_server
    prepare(sorted(p.name for p in HOSTILE.iterdir()) if mode == "root" else NON_ROOT, subs, home, port)
    env = dict(os.environ, HOME=str(home), LABGRADE_TEST_SOLUTION=code,
               **{k: v for k, v in SECRETS.items() if not k.startswith(".")})
    command = [*prefix, LABGRADE, "lab01-clocks", str(subs), "--out", str(out), "--workers", "2", "--timeout", "20",
               "--test-timeout", "10", "--memory", "1024", "--output-limit", "256", "--isolation", mode]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stdout + run.stderr
    return subs, out, command, env, run, daemons(), home


def rows(out: Path) -> dict[str, dict]:
    import csv

    with open(out / "grades.csv") as f:
        return {row["submission"]: row for row in csv.DictReader(f)}


def test_isolation_is_available_where_ci_runs():
    if os.geteuid() != 0:
        pytest.skip("network and file isolation needs root (CI runs as root)")
    assert isolation_available()
    assert isolation.detect() == "root"


def test_labgrade_used_the_isolation_asked_for(graded):
    _, out, command, _, run, _, _ = graded
    mode = command[command.index("--isolation") + 1]
    assert f"isolation {mode}," in (out / "labgrade.log").read_text()
    assert "NOT isolated" not in run.stderr


def test_every_hostile_and_ordinary_submission_gets_the_right_status_and_score(graded):
    subs, out, _, _, run, _, _ = graded
    table = rows(out)
    names = {p.name for p in subs.iterdir()}
    expected = {name: want for name, want in EXPECTED.items() if name in names}
    expected.update({name: ordinary_expected(name) for name in names if name.startswith("ordinary_")})
    if len(names) > len(NON_ROOT):
        assert len([n for n in table if n.startswith("ordinary_")]) == 30
    assert set(table) == set(expected) == names
    wrong = {name: (table[name]["status"], float(table[name]["total"]), want)
             for name, want in expected.items()
             if (table[name]["status"], float(table[name]["total"])) != (want[0], float(want[1]))}
    assert not wrong, wrong
    assert "per minute" in run.stdout


def test_csv_has_points_per_question_total_and_percentage(graded):
    _, out, _, _, _, _, _ = graded
    header = (out / "grades.csv").read_text().splitlines()[0].split(",")
    assert header == ["submission", "status", "q1", "q2", "q3", "q4", "total", "possible", "percent", "detail"]
    assert rows(out)["correct.ipynb"]["percent"] == "100.0"


def test_nothing_escaped_the_sandbox(graded):
    *_, home = graded
    for escape in [*ESCAPES, home / "labgrade-escape.txt"]:
        assert not escape.exists(), f"a submission wrote {escape}"


def test_no_process_a_submission_started_outlives_the_batch(graded):
    _, _, _, _, _, alive, _ = graded
    assert alive == [], f"setsid_daemon.ipynb left processes {alive} running"


def test_no_secret_hidden_test_or_classmate_code_anywhere_in_the_output(graded):
    _, out, _, _, _, _, _ = graded
    _, questions = load_autograder(autograder_zip("lab01-clocks"))
    lines = [line.removeprefix(">>> ").strip() for q in questions for c in q.cases if c.hidden
             for line in c.code.strip().splitlines()]
    forbidden = MARKERS + [line for line in lines if len(line) > 25]
    leaks = [(path.relative_to(out), marker) for path in out.rglob("*") if path.is_file()
             for marker in forbidden if marker in path.read_text(errors="replace")]
    assert not leaks, leaks


def test_feedback_never_shows_hidden_tests(graded):
    subs, out, _, _, _, _, _ = graded
    _, questions = load_autograder(autograder_zip("lab01-clocks"))
    hidden = [c for q in questions for c in q.cases if c.hidden]
    public = [c for q in questions for c in q.cases if not c.hidden]
    assert hidden and public
    feedback = {p.name: p.read_text() for p in (out / "feedback").glob("*.md")}
    assert set(feedback) == {f"{p.name}.md" for p in subs.iterdir()}
    for case in hidden:
        for line in case.code.strip().splitlines():
            body = line.removeprefix(">>> ").strip()
            if len(body) > 25:  # a distinctive line of hidden test code
                leaks = [name for name, text in feedback.items() if body in text]
                assert not leaks, f"hidden test line {body!r} appears in {leaks}"
    assert "Hidden test 1: failed" in feedback["git_history.ipynb.md"]
    assert public[0].code.strip().splitlines()[0].removeprefix(">>> ") in feedback["git_history.ipynb.md"]


def test_rerunning_resumes_and_only_regrades_one(graded):
    subs, out, command, env, _, _, _ = graded
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert "graded 0 submissions" in again.stdout
    one = subprocess.run(command + ["--only", "correct.ipynb"], env=env, capture_output=True, text=True, timeout=600)
    assert "graded 1 submissions" in one.stdout, one.stdout + one.stderr
    assert len(rows(out)) == len(list(subs.iterdir()))


@pytest.mark.parametrize("mode", ["root", "user"])
def test_the_sandbox_root_holds_only_what_grading_needs(mode, tmp_path):
    """``ls`` from inside, as the kernel: the allow-list, an empty home, no repository, no host /dev."""
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "submission.ipynb").write_text("{}")
    script = (f"ls -A /; echo --; ls -A /etc; echo --; ls -A /dev; echo --; ls -A {ROOT}; echo --; ls -A /root; "
              "echo --; ls -A /tmp; echo --; ls /submission; echo --; id -u")
    run = subprocess.run([*as_mode(mode), sys.executable, "-m", "labsupport.grading.isolation", "run", mode,
                          str(tmp_path), "sh", "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    top, etc, dev, repo, root, tmp, work, uid = [part.split() for part in run.stdout.split("--")]
    allowed = newroot.allowed_paths()
    assert set(top) == {p.split("/")[1] for p in allowed} | {"dev", "etc", "proc", "tmp", "submission"}
    assert set(etc) <= set(newroot.ETC_FILES) | set(newroot.GENERATED)
    assert set(dev) == set(newroot.DEVICES) | {"fd", "shm", "stdin", "stdout", "stderr"}
    assert set(repo) == {Path(p).name for p in allowed if p.startswith(f"{ROOT}/")}
    assert ".git" not in repo and "instructor" not in repo and "_build" not in repo
    assert set(root) <= {".pyenv"} and work == ["submission.ipynb"]
    assert set(tmp) == {p.split("/")[2] for p in allowed if p.startswith("/tmp/")}  # a checkout under /tmp
    assert uid == [str(isolation.KERNEL_UID) if mode == "root" else "0"]


def labgrade(*args, env=None, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([LABGRADE, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env=env or dict(os.environ))


@pytest.mark.parametrize("case", ["empty folder", "--only matching nothing", "unknown lab", "all another lab"])
def test_bad_input_is_one_clear_error_and_writes_nothing(case, tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    lab, extra = "lab01-clocks", []
    if case != "empty folder":
        shutil.copy(HOSTILE / ("other_lab.ipynb" if case == "all another lab" else "correct.ipynb"), subs)
    if case == "--only matching nothing":
        extra = ["--only", "nobody.ipynb"]
    if case == "unknown lab":
        lab = "lab99-nothing"
    run = labgrade(lab, subs, "--out", out, *extra)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert run.stderr.startswith("labgrade: error: ")
    assert {"empty folder": "no submission", "--only matching nothing": "nobody.ipynb", "unknown lab": "lab99-nothing",
            "all another lab": "lab02-hashing"}[case] in run.stderr
    assert not out.exists()


def test_files_with_one_stem_get_their_own_feedback(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    shutil.copy(HOSTILE / "correct.ipynb", subs / "alice.ipynb")
    (subs / "alice.txt").write_text("my answers are in the notebook")
    run = labgrade("lab01-clocks", subs, "--out", out, "--workers", "1")
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (out / "feedback").iterdir()) == ["alice.ipynb.md", "alice.txt.md"]
    assert "10.0 / 10.0" in (out / "feedback" / "alice.ipynb.md").read_text()
    assert "not a notebook" in (out / "feedback" / "alice.txt.md").read_text()


def sandbox_processes(bases: set[str]) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().decode(errors="replace")
        except OSError:
            continue
        if any(base in text for base in bases):
            found.append(int(cmdline.parent.name))
    return found


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_stops_within_seconds_and_keeps_what_was_graded(signum, tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    shutil.copy(HOSTILE / "correct.ipynb", subs / "a_correct.ipynb")
    for name in ("b_loop.ipynb", "c_loop.ipynb", "d_loop.ipynb"):
        shutil.copy(HOSTILE / "loop_ignoring_interrupts.ipynb", subs / name)
    scratch = tmp_path / "scratch"  # labgrade's temporary folders, apart from other runs on this machine
    scratch.mkdir()
    process = subprocess.Popen([LABGRADE, "lab01-clocks", str(subs), "--out", str(out), "--workers", "1",
                                "--timeout", "120"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=dict(os.environ, TMPDIR=str(scratch)))
    bases = set()
    until = time.monotonic() + 120
    while not (out / "results" / "a_correct.ipynb.json").exists() or len(bases) < 2:
        assert time.monotonic() < until and process.poll() is None
        bases |= {str(p) for p in scratch.glob("labgrade-*") if not p.name.startswith("labgrade-probe")}
        time.sleep(0.1)
    time.sleep(1)  # b_loop is looping now
    process.send_signal(signum)
    sent = time.monotonic()
    stdout, stderr = process.communicate(timeout=30)
    assert time.monotonic() - sent < 10
    assert process.returncode == 130, stdout + stderr
    assert "Traceback" not in stderr and stderr.strip().splitlines()[-1].startswith("labgrade: interrupted: 1 of 4")
    assert list(rows(out)) == ["a_correct.ipynb"] and rows(out)["a_correct.ipynb"]["total"] == "10.0"
    assert sorted(p.name for p in (out / "results").iterdir()) == ["a_correct.ipynb.json"]
    time.sleep(0.5)
    assert sandbox_processes(bases) == []


def test_without_namespaces_labgrade_warns_and_still_protects_its_environment_and_kills_daemons(answer_server,
                                                                                              tmp_path):
    """In the fallback (as a user) the file system is open (the credentials and spy attacks score: the hostile tests
    can fail), except what the kernel's guard closes in every mode (a repository's ``.git``: the git attack scores
    0), labgrade's own environment is unreadable, no daemon survives, and the warning says what is exposed."""
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    home = fake_home(tmp_path / "home")
    prepare(["concurrent_spy.ipynb", "concurrent_victim.ipynb", "git_history.ipynb", "home_credentials.ipynb",
             "proc_environ.ipynb", "setsid_daemon.ipynb"], subs, home, answer_server[1])
    env = dict(os.environ, HOME=str(home), **{k: v for k, v in SECRETS.items() if not k.startswith(".")})
    run = subprocess.run([*as_mode("user"), LABGRADE, "lab01-clocks", str(subs), "--out", str(out), "--workers", "2",
                          "--isolation", "none"], env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "NOT isolated" in run.stderr and "credentials" in run.stderr and ".git" in run.stderr
    table = rows(out)
    assert float(table["git_history.ipynb"]["total"]) == 0, table["git_history.ipynb"]
    assert float(table["home_credentials.ipynb"]["total"]) == 8, table["home_credentials.ipynb"]
    assert float(table["concurrent_spy.ipynb"]["total"]) == 8, table["concurrent_spy.ipynb"]
    assert float(table["proc_environ.ipynb"]["total"]) == 0, table["proc_environ.ipynb"]
    assert daemons() == []


def run_unsandboxed(notebook: Path, env: dict) -> dict:
    """Execute a hostile notebook with no protection, to show its attack works when nothing stops it."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if "grader." not in c.source and "otter.Notebook" not in c.source]
    nb.cells.append(nbformat.v4.new_code_cell("print(lamport([('a','send','m'),('b','recv','m')]))"))
    old = dict(os.environ)
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=60, allow_errors=True, kernel_name="python3").execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    return "".join(o.get("text", "") for o in nb.cells[-1].outputs)


#: The harness labgrade used before tests moved out of the kernel: a printed line decided the verdict.
NAIVE_HARNESS = '''
def _labgrade_case(_examples):
    import sys as _sys, io as _io
    for _src, _want in _examples:
        _buffer, _saved = _io.StringIO(), _sys.stdout
        _sys.stdout = _buffer
        try:
            exec(compile(_src, "<test>", "single"), globals())
        except BaseException as _e:
            _sys.stdout = _saved
            return type(_e).__name__
        finally:
            _sys.stdout = _saved
    return None
_labgrade_r = _labgrade_case({examples!r})
print(("PASS {nonce}" if _labgrade_r is None else "FAIL {nonce} " + _labgrade_r))
'''


def naive_verdict(notebook: Path, case_code: str) -> str:
    """The last line a naive in-kernel harness prints for one test case after the notebook's cells."""
    import nbformat
    from nbclient import NotebookClient

    from labsupport.grading.autograder import examples

    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if "grader." not in c.source and "otter.Notebook" not in c.source]
    nb.cells.append(nbformat.v4.new_code_cell(NAIVE_HARNESS.format(examples=examples(case_code), nonce="0" * 32)))
    NotebookClient(nb, timeout=60, allow_errors=True, kernel_name="python3").execute()
    return "".join(o.get("text", "") for o in nb.cells[-1].outputs).strip().splitlines()[-1]


def test_redefining_print_fools_a_naive_in_kernel_harness(tmp_path):
    """So the redefine_print case can fail: the attack works wherever the kernel prints the verdict."""
    _, questions = load_autograder(autograder_zip("lab01-clocks"))
    public = next(c for q in questions for c in q.cases if not c.hidden)
    assert naive_verdict(HOSTILE / "empty_answers.ipynb", public.code).startswith("FAIL")
    assert naive_verdict(HOSTILE / "redefine_print.ipynb", public.code).startswith("PASS")


def test_honest_grader_check_calls_keep_full_marks_in_lab06(tmp_path):
    """Every answer cell of Lab 6's solution ends with grader.check("qN"), as students write it."""
    from labsupport.grading.runner import Limits, grade_submission

    solution = json.loads(autograder_zip("lab06-iam").with_name("lab06-iam-solution.ipynb").read_text())
    _, questions = load_autograder(autograder_zip("lab06-iam"))
    answered = 0
    for cell in solution["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and "BEGIN SOLUTION" in source:
            answered += 1
            cell["source"] = source.rstrip() + f"\n\ngrader.check(\"q{answered}\")\n"
    assert answered >= len(questions)
    path = tmp_path / "lab06-iam.ipynb"
    path.write_text(json.dumps(solution))
    result = grade_submission(path, "lab06-iam", questions, Limits(timeout_s=300), mode=isolation.detect(),
                              support_files=[])
    assert result.status == "graded", result.detail
    assert result.question_scores(questions) == {q.name: q.points for q in questions}


def test_after_a_cell_that_runs_to_the_limit_the_answers_before_it_keep_their_points(tmp_path):
    """A loop that ignores interrupts uses up the notebook's time; the kernel is restarted and the cells before it run
    again. They get time of their own: on the spent budget, a slow answer cell was interrupted in the replay and its
    points lost, by chance (the hostile class lost 3 of 6 points so on a busy machine). Here q1's cell is slow."""
    from labsupport.grading.runner import Limits, grade_submission

    sys.path.insert(0, str(ROOT / "tests" / "grading"))
    import make_hostile

    nb = make_hostile.notebook(("q1", "q2"), [
        "while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass"])
    [slow] = [c for c in nb["cells"] if c["cell_type"] == "code" and "def lamport" in "".join(c["source"])]
    slow["source"] = "import time\ntime.sleep(2)\n" + "".join(slow["source"])
    path = tmp_path / "lab01-clocks.ipynb"
    path.write_text(json.dumps(nb))
    _, questions = load_autograder(autograder_zip("lab01-clocks"))
    result = grade_submission(path, "lab01-clocks", questions, Limits(timeout_s=6), mode=isolation.detect(),
                              support_files=[])
    assert result.status == "timed out", result.detail
    scores = result.question_scores(questions)
    assert scores["q1"] == next(q.points for q in questions if q.name == "q1"), (scores, result.detail)
    assert scores["q2"] == next(q.points for q in questions if q.name == "q2"), (scores, result.detail)


@pytest.mark.parametrize("name", ["network.ipynb", "steal_credentials.ipynb", "read_hidden_tests.ipynb",
                                  "git_history.ipynb", "proc_environ.ipynb", "home_credentials.ipynb"])
def test_the_attacks_would_succeed_without_the_sandbox(name, answer_server, tmp_path):
    autograder_zip("lab01-clocks")  # make sure the files read_hidden_tests looks for exist
    code, port = answer_server
    home = fake_home(tmp_path / "home")
    prepare([name], tmp_path, home, port)
    env = {"AWS_SECRET_ACCESS_KEY": SECRETS["AWS_SECRET_ACCESS_KEY"], "LABGRADE_TEST_SOLUTION": code}
    output = run_unsandboxed(tmp_path / name, env)
    assert "[1, 2]" in output, f"{name} should obtain the solution when unprotected; got {output!r}"


def test_a_setsid_daemon_outlives_an_unprotected_run(tmp_path):
    """The daemon attack is real: run without labgrade, its process is still there after the kernel is gone."""
    assert daemons() == []
    run_unsandboxed(HOSTILE / "setsid_daemon.ipynb", {})
    time.sleep(0.5)
    alive = daemons()
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert alive, "setsid_daemon.ipynb should leave a process behind when nothing stops it"


def test_a_replay_gives_the_cells_that_ran_time_of_their_own(monkeypatch, tmp_path):
    """The mechanism behind the test above, without a race: after a cell runs to the limit, the kernel is restarted
    and every cell that ran is given time again (twice what it took and 10 s for the new kernel, at most the notebook's
    limit once more), not the spent budget, on which each was interrupted as soon as it was sent."""
    from labsupport.grading import sandbox

    given = []

    class Kernel:  # runs each cell at once, except the loop, which holds the kernel to the limit
        def __init__(self, job):
            self.km = object()

        def start(self):
            pass

        def stop(self):
            pass

        def run(self, code, timeout_s, output_cap):
            if "while True" in code:
                time.sleep(max(0.0, timeout_s))
                return {"state": "timeout", "kernel": "unresponsive"}
            given.append((code, timeout_s))
            return {"state": "ok"}

    monkeypatch.setattr(sandbox, "Session", Kernel)
    notebook = {"cells": [{"cell_type": "code", "source": source, "metadata": {}, "outputs": [],
                           "execution_count": None} for source in ("x = 1", "y = 2", "while True:\n    pass")]}
    (tmp_path / "n.ipynb").write_text(json.dumps(notebook))
    job = {"workdir": str(tmp_path), "notebook": "n.ipynb", "setup_cells": [], "cases": [], "output_cap": 10_000,
           "timeout_s": 1.0, "max_restarts": 3}
    report = sandbox.grade(job)
    assert report["restarts"] == 1 and report["problems"][0].startswith("timed out")
    replayed = [(code, timeout_s) for code, timeout_s in given if code in ("x = 1", "y = 2")][2:]  # after the restart
    assert [code for code, _ in replayed] == ["x = 1", "y = 2"]
    assert all(0.5 < timeout_s <= 1.0 for _, timeout_s in replayed), replayed  # the whole limit again, not ~0 s
