"""The lab's set-up values and the simulations and reuse checks of student objects are out of the submission's reach.

Issue 13's two remaining attacks, graded by labgrade as root and as a user (like the hostile set in
test_labgrade.py): a submission that redefines the lab's own values (``KEYS``, ``history``, ``baseline``),
patches the library functions that drive or inspect its objects, or forges the grader's record of a
simulation scores nothing on the cases it attacks, while the lab's solution, graded beside it, keeps
full marks. tests/grading/integrity_attacks.py holds the attacks (run it on a checkout of the old grader to
see each one pass there).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from labsupport.grading import load_autograder
from labsupport.grading.authoring import autograder_zip
from test_labgrade import LABGRADE, as_mode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "grading"))
import integrity_attacks  # noqa: E402

LABS = sorted({lab for lab, _, _ in integrity_attacks.ATTACKS.values()})


@pytest.fixture(scope="module", params=["root", "user"])
def graded(request, tmp_path_factory):
    """Every attack and each attacked lab's solution, graded by labgrade in ``mode``: {lab: (out, questions)}."""
    mode = request.param
    prefix = as_mode(mode)
    subs = tmp_path_factory.mktemp(f"integrity-subs-{mode}")
    by_lab = integrity_attacks.write_all(subs)
    done = {}
    for lab in LABS:
        zip_path = autograder_zip(lab)
        (subs / lab / "solution.ipynb").write_text(zip_path.with_name(f"{lab}-solution.ipynb").read_text())
        out = tmp_path_factory.mktemp(f"integrity-out-{mode}-{lab}")
        run = subprocess.run([*prefix, LABGRADE, lab, str(subs / lab), "--out", str(out), "--workers", "2",
                              "--isolation", mode], capture_output=True, text=True, timeout=1200)
        assert run.returncode == 0, run.stdout + run.stderr
        done[lab] = (out, load_autograder(zip_path)[1], by_lab[lab])
    return done


def result(out: Path, name: str) -> dict:
    return json.loads((out / "results" / f"{name}.json").read_text())


@pytest.mark.parametrize("name", sorted(integrity_attacks.ATTACKS))
def test_each_attack_scores_nothing_on_the_cases_it_attacks(graded, name):
    lab, _, attacked = integrity_attacks.ATTACKS[name]
    out, _, _ = graded[lab]
    saved = result(out, name)
    assert saved["status"] == "graded", saved
    passed = [(c["question"], c["index"]) for c in saved["cases"] if c["passed"] and (c["question"], c["index"])
              in set(attacked)]
    assert not passed and integrity_attacks.attacked_points(saved, attacked) == 0


@pytest.mark.parametrize("lab", LABS)
def test_the_solution_graded_beside_the_attacks_keeps_full_marks(graded, lab):
    out, questions, _ = graded[lab]
    saved = result(out, "solution.ipynb")
    earned = {q.name: 0.0 for q in questions}
    for case in saved["cases"]:
        earned[case["question"]] += case["earned"]
    assert earned == pytest.approx({q.name: q.points for q in questions}), saved


@pytest.mark.parametrize("lab", LABS)
def test_no_feedback_shows_a_hidden_test(graded, lab):
    out, _, names = graded[lab]
    for name in names:
        assert "# HIDDEN" not in (out / "feedback" / f"{name}.md").read_text()
