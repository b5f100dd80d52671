"""Every lab's autograder works: the student version is what the master generates,
the master's solutions earn full marks, and the unmodified student version earns zero."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_labs  # noqa: E402

LABS = [m.stem for m in build_labs.masters()]
OTTER = str(Path(sys.executable).with_name("otter"))


def test_there_is_at_least_one_lab():
    assert LABS, "no lab masters found under instructor/labs/"


@pytest.fixture(scope="module", params=LABS)
def assigned(request, tmp_path_factory):
    lab = request.param
    out = tmp_path_factory.mktemp(lab) / "dist"
    build_labs.assign(ROOT / "instructor" / "labs" / lab / f"{lab}.ipynb", out)
    return lab, out


def grade(autograder_zip: Path, notebook: Path, out: Path) -> dict[str, float]:
    out.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([OTTER, "run", "-a", str(autograder_zip), "-o", str(out), str(notebook)],
                            cwd=out, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads((out / "results.json").read_text())
    return {t["name"]: t["score"] for t in results["tests"] if t["name"] != "Public Tests"}, results


def test_student_version_is_what_the_master_generates(assigned):
    lab, out = assigned
    committed = ROOT / "labs" / lab / f"{lab}.ipynb"
    assert committed.exists(), f"{committed} is missing; run 'make labs'"
    assert build_labs.normalised(committed) == build_labs.normalised(out / "student" / f"{lab}.ipynb"), (
        f"{committed.relative_to(ROOT)} differs from what its master generates; run 'make labs'")


def test_master_solutions_earn_full_marks(assigned, tmp_path):
    lab, out = assigned
    scores, results = grade(next((out / "autograder").glob("*.zip")), out / "autograder" / f"{lab}.ipynb", tmp_path)
    maxima = {t["name"]: t["max_score"] for t in results["tests"] if t["name"] != "Public Tests"}
    assert scores and scores == maxima


def test_unmodified_student_version_earns_zero_on_every_question(assigned, tmp_path):
    lab, out = assigned
    scores, _ = grade(next((out / "autograder").glob("*.zip")), ROOT / "labs" / lab / f"{lab}.ipynb", tmp_path)
    assert scores and all(score == 0 for score in scores.values()), scores


def test_student_version_holds_no_hidden_test_or_solution(assigned):
    lab, out = assigned
    student = (ROOT / "labs" / lab / f"{lab}.ipynb").read_text()
    assert '"hidden": true' not in student
    assert "BEGIN SOLUTION" not in student and "# HIDDEN" not in student
    master = json.loads((ROOT / "instructor" / "labs" / lab / f"{lab}.ipynb").read_text())
    hidden_cells = ["".join(c["source"]) for c in master["cells"]
                    if c["cell_type"] == "code" and "".join(c["source"]).lstrip().startswith("# HIDDEN")]
    assert hidden_cells, "the master should have hidden tests"
    for cell in hidden_cells:
        body = cell.split("\n", 1)[1].strip()
        assert body not in student, f"hidden test leaked into the student version: {body[:60]!r}"
