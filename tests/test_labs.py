"""Authoring checks for every lab, so a broken autograder is caught before a class sees it.

For each lab: the student version is exactly what the master generates; the autograder zip is produced;
graded by labgrade, the master's solutions earn full marks and the unmodified student version zero; every
question has public and hidden tests; and for every question each plausible wrong answer listed in
instructor/labs/<lab>/wrong_answers.py loses points, so no test passes vacuously. One lab is also graded
by otter itself, as Gradescope would, to keep the bundles compatible.

The lab fixture also writes the lab's ``_build/labs/<lab>/`` (``tools/build_labs.py``: the bundled zip, the
solutions, the Binder rehearsal's notebook) from the very ``otter assign`` it checks, and records labgrade's results
of the solution and student notebooks there, keyed by their exact input (``tools/labgrade_records.py``), for the
Gradescope rehearsal (``tests/labs``), which then neither assigns nor grades them again.

Each notebook is graded once. A wrong answer, appended to the solution, is graded on its own question's
tests alone (the checks read nothing else of it), and without the cells after that question's check when
none of them can change what those tests read (:func:`up_to`): Lab 9's drills run once, in the solution.
"""

import ast
import builtins
import json
import pickle
import runpy
import subprocess
import symtable
import sys
import types
import zipfile
from pathlib import Path

import pytest

from labsupport.grading import load_autograder
from labsupport.grading.authoring import assign
from labsupport.grading.labsetup import LabSetup, case_names, pristine_cells
from labsupport.grading import isolation
from labsupport.grading.rewrite import neutralise
from labsupport.grading.runner import Limits, grade_submission

ROOT = Path(__file__).resolve().parents[1]
LABS = sorted(p.stem for p in (ROOT / "instructor" / "labs").glob("*/*.ipynb"))
OTTER = str(Path(sys.executable).with_name("otter"))
sys.path.insert(0, str(ROOT / "tools"))
import build_labs  # noqa: E402
import labgrade_records  # noqa: E402


def test_there_is_at_least_one_lab():
    assert LABS, "no lab masters found under instructor/labs/"


def wrong_answers(name: str) -> dict[str, list[str]]:
    path = ROOT / "instructor" / "labs" / name / "wrong_answers.py"
    assert path.exists(), f"{path.relative_to(ROOT)} should list plausible wrong answers for every question"
    return runpy.run_path(str(path))["WRONG"]


def statements(cells: list[dict]) -> list[ast.stmt]:
    """The top-level statements of these notebook cells' code, otter's calls removed (cells that do not parse: none)."""
    found = []
    for cell in cells:
        if cell["cell_type"] == "code":
            try:
                found += ast.parse(neutralise("".join(cell["source"]))).body
            except SyntaxError:
                pass
    return found


def globals_of(statement: ast.stmt) -> tuple[set[str], set[str]]:
    """(the module-level names a statement binds, those it or the functions and classes it defines read)."""
    module = symtable.symtable(ast.unparse(statement), "<cell>", "exec")
    bound = {s.get_name() for s in module.get_symbols() if s.is_assigned() or s.is_imported()}
    read = {s.get_name() for s in module.get_symbols() if s.is_referenced()}
    tables = list(module.get_children())
    while tables:
        table = tables.pop()
        tables += table.get_children()
        read |= {s.get_name() for s in table.get_symbols() if s.is_global() and s.is_referenced()}
        bound |= {s.get_name() for s in table.get_symbols() if s.is_declared_global() and s.is_assigned()}
    return bound, read


def changed(statement: ast.stmt) -> set[str]:
    """The names whose attributes or items a statement assigns or deletes (``math.floor = ...``: math)."""
    found = set()
    for node in ast.walk(statement):
        if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, (ast.Store, ast.Del)):
            while isinstance(node, (ast.Attribute, ast.Subscript)):
                node = node.value
            if isinstance(node, ast.Name):
                found.add(node.id)
    return found


def up_to(solution: dict, question, lab_names) -> dict:
    """The solution notebook without the cells after ``question``'s check, when those cells cannot change its score.

    A wrong answer to one question is appended to the solution and graded on that question's tests alone, so the
    cells after the question's check only cost time (Lab 9's drills), unless one of them binds or reads a
    module-level name those tests read from the kernel, or a name the statements binding those read, and so on
    (a builtin or an imported module may be read, not changed): then the whole notebook. The names the grader computes
    itself (``lab_names``, see grading/labsetup.py) do not come from the kernel.
    """
    checks = [i for i, c in enumerate(solution["cells"]) if c["cell_type"] == "code"
              and "".join(c["source"]).strip() == f'grader.check("{question.name}")']
    if len(checks) != 1:
        return solution
    kept = [globals_of(s) for s in statements(solution["cells"][:checks[0] + 1])]
    dropped = [globals_of(s) for s in statements(solution["cells"][checks[0] + 1:])]
    wanted = set().union(*(case_names(case.code) for case in question.cases)) - set(lab_names)
    while True:  # what the tests read, and what the statements binding it read
        more = set().union(*(read for bound, read in kept if bound & wanted))  # the kernel's own names
        if more <= wanted:
            break
        wanted |= more
    # builtins and imported modules may be read by a later cell (never rebound by it)
    shared = {name for name in wanted if hasattr(builtins, name)} | {
        name for s in statements(solution["cells"][:checks[0] + 1]) if isinstance(s, (ast.Import, ast.ImportFrom))
        for name in globals_of(s)[0]}
    for statement, (bound, read) in zip(statements(solution["cells"][checks[0] + 1:]), dropped):
        if bound & wanted or read & (wanted - shared) or changed(statement) & wanted:
            return solution
    return solution | {"cells": solution["cells"][:checks[0] + 1]}


def test_a_wrong_answer_is_graded_without_later_cells_only_when_they_cannot_change_its_score():
    """``up_to`` cuts the cells after a question's check unless one of them touches what its tests read."""

    def notebook(*sources):
        return {"cells": [{"cell_type": "code", "source": source} for source in sources]}

    question = types.SimpleNamespace(name="q1", cases=[types.SimpleNamespace(code=">>> assert double(2) == 4\n")])
    head = ["import math\nSCALE = 2", "def double(x):\n    return SCALE * math.floor(x)", 'grader.check("q1")']
    for later, cut in [("slow = [math.sqrt(i) for i in range(10**6)]\nprint(len(slow))", True),
                       ("SCALE = 3", False),  # rebinds what double reads
                       ("def double(x):\n    return 0", False),  # rebinds what the test reads
                       ("double.__code__ = (lambda x: 0).__code__", False),  # reads it: may change it
                       ("def again():\n    global SCALE\n    SCALE = 5\nagain()", False),
                       ("math.floor = round", False)]:  # changes the module double reads
        full = notebook(*head, later)
        assert len(up_to(full, question, set())["cells"]) == (3 if cut else 4), later
    # a name the test reads that the grader computes itself (LIMIT) comes from the grader, not the kernel
    question.cases.append(types.SimpleNamespace(code=">>> assert double(LIMIT) <= 2 * LIMIT\n"))
    assert len(up_to(notebook(*head, "LIMIT = 3"), question, {"LIMIT"})["cells"]) == 3
    assert len(up_to(notebook(*head, "LIMIT = 3"), question, set())["cells"]) == 4
    assert len(up_to(notebook(*head, "SCALE = 3"), question, {"SCALE", "LIMIT"})["cells"]) == 4  # double reads it


@pytest.fixture(scope="module", params=LABS)
def lab(request, tmp_path_factory):
    """Assign the lab and write its ``_build/labs/<lab>/`` (what the Gradescope and Binder rehearsals read), then grade
    its solutions, its student version and every wrong answer once (on its question), recording the solutions' and
    the student version's results there for the Gradescope rehearsal (tools/labgrade_records.py)."""
    name = request.param
    work = tmp_path_factory.mktemp(name)
    out = work / "dist"
    assign(ROOT / "instructor" / "labs" / name / f"{name}.ipynb", out)
    dest = build_labs.write_build(name, out)
    zip_path = dest / f"{name}-autograder.zip"
    _, questions = load_autograder(zip_path)
    solution = json.loads((out / "autograder" / f"{name}.ipynb").read_text())
    # label -> (notebook, the questions whose tests it is graded on)
    variants = {"solution": (out / "autograder" / f"{name}.ipynb", questions),
                "student": (ROOT / "labs" / name / f"{name}.ipynb", questions)}
    by_name = {q.name: q for q in questions}
    lab_names = LabSetup(pristine_cells(json.loads((ROOT / "labs" / name / f"{name}.ipynb").read_text()))).owned
    for question, codes in wrong_answers(name).items():
        for i, code in enumerate(codes):
            nb = json.loads(json.dumps(up_to(solution, by_name[question], lab_names) if question in by_name
                                       else solution))
            nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "wrong-answer", "metadata": {},
                                "outputs": [], "source": code})
            path = work / f"wrong-{question}-{i}.ipynb"
            path.write_text(json.dumps(nb))
            # Only its own question's tests: the checks read nothing of a wrong answer's result but its status (the
            # cells decide it) and that question's score, which its own tests give, each in a fresh namespace.
            variants[f"wrong {question} {i}"] = (path, [by_name[question]] if question in by_name else questions)
    support = [p for p in (ROOT / "labs" / name).glob("*") if p.is_file() and p.suffix != ".ipynb"]
    mode, limits = isolation.detect(), Limits(timeout_s=300)
    keys = {label: labgrade_records.key(variants[label][0], name, questions, limits, mode, support)
            for label in ("solution", "student")}
    results = {label: grade_submission(path, name, graded_on, limits, mode=mode, support_files=support)
               for label, (path, graded_on) in variants.items()}
    for label, fields in keys.items():
        if results[label].sha256 == fields["notebook"]:  # the file graded is the one keyed
            labgrade_records.record(dest / "labgrade", fields, results[label])
    return name, out, zip_path, questions, results


def test_student_version_is_what_the_master_generates(lab):
    name, out, _, _, _ = lab
    committed = ROOT / "labs" / name / f"{name}.ipynb"
    assert committed.exists(), f"{committed} is missing; run 'make labs'"
    assert build_labs.normalised(committed) == build_labs.normalised(out / "student" / f"{name}.ipynb"), (
        f"{committed.relative_to(ROOT)} differs from what its master generates; run 'make labs'")


def test_make_labs_writes_the_committed_bytes(lab):
    """A clean tree stays clean after ``make labs``: the committed student notebook is, byte for byte, what it writes."""
    name, out, _, _, _ = lab
    committed = ROOT / "labs" / name / f"{name}.ipynb"
    assert committed.read_text() == build_labs.cleaned(out / "student" / f"{name}.ipynb"), (
        f"{committed.relative_to(ROOT)} is not byte for byte what 'make labs' writes; run it and commit the result")


@pytest.mark.parametrize("lab", ["lab01-clocks"], indirect=True)
def test_generating_twice_gives_byte_identical_notebooks(lab, tmp_path):
    """otter assign gives every cell a new random id on each run; the notebooks make labs writes do not change.
    The first run is the lab fixture's."""
    name, first, _, _, _ = lab
    assign(ROOT / "instructor" / "labs" / name / f"{name}.ipynb", tmp_path / "second")
    generated = [out / "student" / f"{name}.ipynb" for out in (first, tmp_path / "second")]
    assert generated[0].read_text() != generated[1].read_text(), "otter's output is reproducible now: drop this check"
    assert build_labs.cleaned(generated[0]) == build_labs.cleaned(generated[1])


def test_the_export_cell_refuses_an_unsaved_notebook(lab):
    """Every lab notes the cells its kernel runs, its export zips only a saved notebook, quietly, and its checks
    say in a line what failed."""
    name, _, _, _, _ = lab
    cells = ["".join(c["source"]) for c in json.loads((ROOT / "labs" / name / f"{name}.ipynb").read_text())["cells"]
             if c["cell_type"] == "code"]
    assert any(c.startswith("# Initialize Otter") and build_labs.HANDIN_IMPORT in c for c in cells)
    assert not [c for c in cells if c.strip().startswith("grader.check(")], "a check cell shows doctest's full report"
    assert any(c.startswith("handin.check(grader, ") for c in cells)
    [export] = [c for c in cells if "grader.export(" in c]
    assert f"if handin.saved({name + '.ipynb'!r}):" in export and "handin.quiet_kernel_warnings()" in export


def test_the_autograder_bundle_is_produced(lab):
    _, _, zip_path, questions, _ = lab
    names = zipfile.ZipFile(zip_path).namelist()
    assert {"run_autograder", "setup.sh", "otter_config.json"} <= set(names)
    assert {f"tests/{q.name}.py" for q in questions} <= set(names)


def test_solutions_earn_full_marks_and_the_student_version_zero(lab):
    _, _, _, questions, results = lab
    for label in ("solution", "student"):
        assert results[label].status == "graded", (label, results[label].status, results[label].detail)
    assert results["solution"].question_scores(questions) == {q.name: q.points for q in questions}
    assert all(score == 0 for score in results["student"].question_scores(questions).values()), \
        results["student"].question_scores(questions)


def test_the_lab_s_values_computed_once_are_those_each_submission_would_compute(lab):
    """labgrade computes a lab's own values once and copies them to every submission (see grading/labsetup.py)."""
    name, _, _, questions, _ = lab
    cells = pristine_cells(json.loads((ROOT / "labs" / name / f"{name}.ipynb").read_text()))
    codes = [c.code for q in questions for c in q.cases]
    fresh = LabSetup.for_cases(cells, codes)
    blob = fresh.snapshot()
    if blob is None:
        return  # values pickle cannot copy: every submission computes them itself, as before
    restored = LabSetup(cells)
    restored.restore(blob)
    assert restored.done == fresh.done
    for key, value in fresh.namespace.items():
        if isinstance(value, types.ModuleType):
            assert restored.namespace[key] is value, key
        else:
            assert same(restored.namespace[key], value), key


def same(a, b) -> bool:
    """Equal pickles, or equal values: a copied set may iterate, and so pickle, in another order."""
    if pickle.dumps(a) == pickle.dumps(b):
        return True
    try:
        return bool(a == b)
    except ValueError:  # numpy arrays: equal ones pickle alike, so these differ
        return False


def test_every_question_has_public_and_hidden_tests(lab):
    _, _, _, questions, _ = lab
    for q in questions:
        assert any(c.hidden for c in q.cases), f"{q.name} has no hidden test"
        assert any(not c.hidden for c in q.cases), f"{q.name} has no public test"


def test_a_plausible_wrong_answer_loses_points_on_every_question(lab):
    name, _, _, questions, results = lab
    wrong = wrong_answers(name)
    assert set(wrong) == {q.name for q in questions}, "every question needs at least one wrong answer"
    print(f"\n{name}: wrong answers and their scores")  # shown with pytest -s, for the closing note's table
    for q in questions:
        for i in range(len(wrong[q.name])):
            result = results[f"wrong {q.name} {i}"]
            print(f"  {q.name} wrong {i}: {result.status}, {result.question_scores(questions).get(q.name)}/{q.points}")
    for q in questions:
        for i in range(len(wrong[q.name])):
            result = results[f"wrong {q.name} {i}"]
            assert result.status == "graded", (q.name, i, result.status, result.detail)
            assert sorted((c.question, c.index) for c in result.cases) == sorted(
                (c.question, c.index) for c in q.cases), f"wrong answer {i} to {q.name}: not every one of its tests ran"
            assert result.question_scores(questions)[q.name] < q.points, (
                f"wrong answer {i} to {q.name} still earns full marks: a test is vacuous")


def test_student_version_holds_no_hidden_test_or_solution(lab):
    name, _, _, questions, _ = lab
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


@pytest.mark.parametrize("lab", ["lab01-clocks"], indirect=True)
def test_otter_itself_gives_lab01_solutions_full_marks(lab, tmp_path):
    """The Gradescope path: the bundle otter generates (the lab fixture's ``otter assign``) grades the solutions as
    labgrade does."""
    name, out, _, _, _ = lab
    run = subprocess.run([OTTER, "run", "-a", str(next((out / "autograder").glob("*.zip"))), "-o", str(tmp_path),
                          str(out / "autograder" / f"{name}.ipynb")], cwd=tmp_path, capture_output=True,
                         text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    scored = [t for t in results["tests"] if t["name"] != "Public Tests"]
    assert scored and all(t["score"] == t["max_score"] for t in scored), [(t["name"], t["score"]) for t in scored]
