"""Authoring checks for every lab, so a broken autograder is caught before a class sees it.

For each lab: the student version is exactly what the master generates; the Gradescope autograder zip is
produced and gives the master's solutions full marks under otter itself; the unmodified student version
earns zero on every question; every question has hidden tests; and for every question at least one
plausible wrong answer (instructor/labs/<lab>/wrong_answers.py) loses points.
"""

import json
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from labsupport.grading import load_autograder
from labsupport.grading.authoring import assign
from labsupport.grading.runner import Limits, grade_submission, isolation_available

ROOT = Path(__file__).resolve().parents[1]
LABS = sorted(p.stem for p in (ROOT / "instructor" / "labs").glob("*/*.ipynb"))
OTTER = str(Path(sys.executable).with_name("otter"))
sys.path.insert(0, str(ROOT / "tools"))
import build_labs  # noqa: E402


def test_there_is_at_least_one_lab():
    assert LABS, "no lab masters found under instructor/labs/"


@pytest.fixture(scope="module", params=LABS)
def lab(request, tmp_path_factory):
    name = request.param
    out = tmp_path_factory.mktemp(name) / "dist"
    assign(ROOT / "instructor" / "labs" / name / f"{name}.ipynb", out)
    zip_path = next((out / "autograder").glob("*.zip"))
    _, questions = load_autograder(zip_path)
    return name, out, zip_path, questions


def grade(path: Path, lab_name: str, questions) -> dict[str, float]:
    support = [p for p in (ROOT / "labs" / lab_name).glob("*") if p.is_file() and p.suffix != ".ipynb"]
    result = grade_submission(path, lab_name, questions, Limits(timeout_s=300), isolated=isolation_available(),
                              hide=[str(ROOT / "instructor"), str(ROOT / "_build")], support_files=support)
    assert result.status == "graded", (result.status, result.detail)
    return result.question_scores(questions)


def test_student_version_is_what_the_master_generates(lab):
    name, out, _, _ = lab
    committed = ROOT / "labs" / name / f"{name}.ipynb"
    assert committed.exists(), f"{committed} is missing; run 'make labs'"
    assert build_labs.normalised(committed) == build_labs.normalised(out / "student" / f"{name}.ipynb"), (
        f"{committed.relative_to(ROOT)} differs from what its master generates; run 'make labs'")


def test_gradescope_autograder_gives_the_solutions_full_marks(lab, tmp_path):
    name, out, zip_path, _ = lab
    run = subprocess.run([OTTER, "run", "-a", str(zip_path), "-o", str(tmp_path), str(out / "autograder" / f"{name}.ipynb")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    scored = [t for t in results["tests"] if t["name"] != "Public Tests"]
    assert scored and all(t["score"] == t["max_score"] for t in scored), [(t["name"], t["score"]) for t in scored]


def test_solutions_earn_full_marks_and_the_student_version_zero(lab):
    name, out, _, questions = lab
    full = grade(out / "autograder" / f"{name}.ipynb", name, questions)
    assert full == {q.name: q.points for q in questions}
    empty = grade(ROOT / "labs" / name / f"{name}.ipynb", name, questions)
    assert all(score == 0 for score in empty.values()), empty


def test_every_question_has_public_and_hidden_tests(lab):
    _, _, _, questions = lab
    for q in questions:
        assert any(c.hidden for c in q.cases), f"{q.name} has no hidden test"
        assert any(not c.hidden for c in q.cases), f"{q.name} has no public test"


def test_a_plausible_wrong_answer_loses_points_on_every_question(lab, tmp_path):
    name, out, _, questions = lab
    wrong_file = ROOT / "instructor" / "labs" / name / "wrong_answers.py"
    assert wrong_file.exists(), f"{wrong_file.relative_to(ROOT)} should list a wrong answer per question"
    wrong = runpy.run_path(str(wrong_file))["WRONG"]
    assert set(wrong) == {q.name for q in questions}, "every question needs at least one wrong answer"
    solution = json.loads((out / "autograder" / f"{name}.ipynb").read_text())
    for question in questions:
        for i, code in enumerate(wrong[question.name]):
            nb = json.loads(json.dumps(solution))
            nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "wrong-answer", "metadata": {},
                                "outputs": [], "source": code})
            path = tmp_path / f"{question.name}-{i}.ipynb"
            path.write_text(json.dumps(nb))
            scores = grade(path, name, questions)
            assert scores[question.name] < question.points, (
                f"wrong answer {i} to {question.name} still earns full marks: a test is vacuous")


def test_student_version_holds_no_hidden_test_or_solution(lab):
    name, _, _, questions = lab
    student = (ROOT / "labs" / name / f"{name}.ipynb").read_text()
    assert '"hidden": true' not in student
    assert "BEGIN SOLUTION" not in student and "# HIDDEN" not in student
    for q in questions:
        for case in q.cases:
            if case.hidden:
                for line in case.code.strip().splitlines():
                    body = line.removeprefix(">>> ").strip()
                    if len(body) > 25:
                        assert body not in student, f"hidden test line leaked into the student version: {body!r}"
