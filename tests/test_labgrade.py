"""labgrade grades hostile and ordinary submissions correctly, in parallel, and never leaks hidden tests."""

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from labsupport.grading import load_autograder
from labsupport.grading.authoring import autograder_zip
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
ESCAPES = [Path("/tmp/labgrade-escape.txt"), ROOT / "labgrade-escape.txt", Path("/root/labgrade-escape.txt")]


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


@pytest.fixture(scope="module")
def graded(tmp_path_factory, answer_server):
    for escape in ESCAPES:
        escape.unlink(missing_ok=True)
    subs, out = tmp_path_factory.mktemp("subs"), tmp_path_factory.mktemp("out")
    code, port = answer_server
    for notebook in HOSTILE.iterdir():
        shutil.copy(notebook, subs / notebook.name)
    network = subs / "network.ipynb"
    network.write_text(network.read_text().replace(PORT_IN_NOTEBOOK, str(port)))
    env = dict(os.environ, AWS_SECRET_ACCESS_KEY="instructor-secret", LABGRADE_TEST_SOLUTION=code)
    command = [LABGRADE, "lab01-clocks", str(subs), "--out", str(out), "--workers", "2", "--timeout", "20",
               "--test-timeout", "10", "--memory", "1024", "--output-limit", "256"]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stdout + run.stderr
    return subs, out, command, env, run


def rows(out: Path) -> dict[str, dict]:
    import csv

    with open(out / "grades.csv") as f:
        return {row["submission"]: row for row in csv.DictReader(f)}


def test_isolation_is_available_where_ci_runs():
    if os.geteuid() != 0:
        pytest.skip("network and file isolation needs root (CI runs as root)")
    assert isolation_available()


def test_every_hostile_and_ordinary_submission_gets_the_right_status_and_score(graded):
    _, out, _, _, run = graded
    table = rows(out)
    expected = dict(EXPECTED)
    expected.update({name: ordinary_expected(name) for name in table if name.startswith("ordinary_")})
    assert len([n for n in table if n.startswith("ordinary_")]) == 30
    assert set(table) == set(expected)
    wrong = {name: (table[name]["status"], float(table[name]["total"]), want)
             for name, want in expected.items()
             if (table[name]["status"], float(table[name]["total"])) != (want[0], float(want[1]))}
    assert not wrong, wrong
    assert "per minute" in run.stdout


def test_csv_has_points_per_question_total_and_percentage(graded):
    _, out, _, _, _ = graded
    header = (out / "grades.csv").read_text().splitlines()[0].split(",")
    assert header == ["submission", "status", "q1", "q2", "q3", "q4", "total", "possible", "percent", "detail"]
    assert rows(out)["partial.ipynb"]["percent"] == "50.0"


def test_nothing_escaped_the_sandbox(graded):
    for escape in ESCAPES:
        assert not escape.exists(), f"a submission wrote {escape}"


def test_feedback_never_shows_hidden_tests(graded):
    _, out, _, _, _ = graded
    _, questions = load_autograder(autograder_zip("lab01-clocks"))
    hidden = [c for q in questions for c in q.cases if c.hidden]
    public = [c for q in questions for c in q.cases if not c.hidden]
    assert hidden and public
    feedback = {p.name: p.read_text() for p in (out / "feedback").glob("*.md")}
    assert len(feedback) == len(list(HOSTILE.iterdir()))
    for case in hidden:
        for line in case.code.strip().splitlines():
            body = line.removeprefix(">>> ").strip()
            if len(body) > 25:  # a distinctive line of hidden test code
                leaks = [name for name, text in feedback.items() if body in text]
                assert not leaks, f"hidden test line {body!r} appears in {leaks}"
    assert "Hidden test 1: failed" in feedback["empty_answers.md"]
    assert public[0].code.strip().splitlines()[0].removeprefix(">>> ") in feedback["empty_answers.md"]


def test_rerunning_resumes_and_only_regrades_one(graded):
    _, out, command, env, _ = graded
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert "graded 0 submissions" in again.stdout
    one = subprocess.run(command + ["--only", "partial.ipynb"], env=env, capture_output=True, text=True, timeout=600)
    assert "graded 1 submissions" in one.stdout
    assert len(rows(out)) == len(list(HOSTILE.iterdir()))


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
    result = grade_submission(path, "lab06-iam", questions, Limits(timeout_s=300), isolated=isolation_available(),
                              hide=[], support_files=[])
    assert result.status == "graded", result.detail
    assert result.question_scores(questions) == {q.name: q.points for q in questions}


@pytest.mark.parametrize("name", ["network.ipynb", "steal_credentials.ipynb", "read_hidden_tests.ipynb"])
def test_the_attacks_would_succeed_without_the_sandbox(name, answer_server, tmp_path):
    autograder_zip("lab01-clocks")  # make sure the files read_hidden_tests looks for exist
    code, port = answer_server
    notebook = tmp_path / name
    notebook.write_text((HOSTILE / name).read_text().replace(PORT_IN_NOTEBOOK, str(port)))
    output = run_unsandboxed(notebook, {"AWS_SECRET_ACCESS_KEY": "x", "LABGRADE_TEST_SOLUTION": code})
    assert "[1, 2]" in output, f"{name} should obtain the solution when unprotected; got {output!r}"
