"""The Gradescope rehearsal: each lab's autograder zip, run as Gradescope runs it, grades as labgrade does.

Gradescope unzips an autograder into ``/autograder/source``, builds its image with ``setup.sh`` (Miniforge,
then a conda environment from the zip's ``environment.yml``), puts the student's files in
``/autograder/submission`` and runs ``run_autograder``, which runs ``run_otter.py``: otter's
``run_autograder("/autograder")``, writing ``/autograder/results/results.json``.

Here the same steps run without root and without conda: a temporary folder stands for ``/autograder`` (every
path the zip names under ``/autograder`` is read as that folder, as if otter had rendered its templates with
``autograder_dir`` set to it); one clean virtual environment of the project's Python receives exactly the
``pip:`` lines of the zip's ``environment.yml`` (packages from the registry, ``labsupport`` only from the
wheel inside the zip; every lab's lines are the same, which the test checks, so one environment serves
all); and the zip's own ``run_otter.py`` grades each lab's solution (full marks) and its untouched student
notebook (zero). labgrade grades the same two notebooks, and the scores must agree question by question. The zips
of the labs whose otter tests do not run the library themselves grade in a guarded kernel
(``tools/gradescope_bundle.py``; their solutions' full marks show the guard leaves honest work alone): Lab 1's
solution with Q3 answered by the library's own functions through ``importlib`` (a shortcut from its
``wrong_answers.py``) scores zero on Q3 both ways, and the wheel is gone from the autograder folder once the guarded
``run_otter.py`` has run.
What is not rehearsed: the conda-only lines (``python=``, ``pip``, ``jupyter_server``) and otter's
``apt-get``/Miniforge steps in ``setup.sh``.

The lab stage of ``make test`` runs this file after the unit stage, whose lab authoring checks
(``tests/test_labs.py``) have written each lab's ``_build/labs/<lab>/`` and graded its solution and student
notebook with labgrade, recording the results there; the unit stage leaves ``tests/labs`` out. This file builds
whatever is missing or stale itself (``tools/build_labs.py --build-only``), and takes labgrade's score of a notebook
from a record only when the record's key (the notebook's and the tests' sha256, the isolation mode, the limits,
the grader's code: ``tools/labgrade_records.py``) is exactly the one of its own input, grading it otherwise. It
writes the scores and its own timings to ``_build/labs/gradescope-rehearsal.txt``.
"""

import json
import os
import runpy
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from labsupport.grading import isolation, load_autograder
from labsupport.grading.runner import Limits, grade_submission

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_labs  # noqa: E402
import labgrade_records  # noqa: E402

LABS = sorted(p.stem for p in (ROOT / "instructor" / "labs").glob("*/*.ipynb"))
BUILD = ROOT / "_build" / "labs"
AUTOGRADER_DIR = "/autograder"
WORKERS = 2  # the machine's cores; each job is one kernel


def zip_path(lab: str) -> Path:
    return BUILD / lab / f"{lab}-autograder.zip"


def pip_lines(archive: zipfile.ZipFile) -> list[str]:
    environment = yaml.safe_load(archive.read("environment.yml"))
    sections = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(sections) == 1, f"environment.yml should have one pip: section, not {len(sections)}"
    return sections[0]


def relocated(text: str, folder: Path) -> str:
    """``text`` with the autograder folder Gradescope uses replaced by ``folder``."""
    return text.replace(f"{AUTOGRADER_DIR}/", f"{folder}/").replace(f'"{AUTOGRADER_DIR}"', f'"{folder}"')


def clean_env(work: Path, venv: Path) -> dict:
    """An environment that reaches no project file: no PYTHONPATH or JUPYTER_PATH, Jupyter's folders in ``work``."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JUPYTER_PATH", "VIRTUAL_ENV")}
    return env | {"PATH": f"{venv / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}", "PYTHONNOUSERSITE": "1",
                  "JUPYTER_DATA_DIR": str(work / "jupyter-data"), "JUPYTER_CONFIG_DIR": str(work / "jupyter-config"),
                  "IPYTHONDIR": str(work / "ipython")}


def build_venv(work: Path) -> tuple[Path, float]:
    """One clean venv from the zips' pip lines alone; returns it and the seconds the install took."""
    lines = {lab: pip_lines(zipfile.ZipFile(zip_path(lab))) for lab in LABS}
    assert len({tuple(v) for v in lines.values()}) == 1, f"the labs' pip lines differ: {lines}"
    with zipfile.ZipFile(zip_path(LABS[0])) as archive:  # the wheel and constraints the lines name
        archive.extractall(work / "setup" / "source")
    requirements = work / "setup" / "requirements.txt"
    requirements.write_text("".join(relocated(line, work / "setup") + "\n" for line in lines[LABS[0]]))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    start = time.perf_counter()
    install = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", str(requirements)],
                             check=False, capture_output=True, text=True, cwd=work, env=clean_env(work, venv))
    assert install.returncode == 0, install.stdout + install.stderr
    return venv, time.perf_counter() - start


def run_bundle(lab: str, notebook: Path, work: Path, venv: Path) -> dict:
    """Grade ``notebook`` with the lab's zip as Gradescope would, in ``work`` standing for /autograder."""
    for sub in ("source", "submission", "results"):
        (work / sub).mkdir(parents=True)
    with zipfile.ZipFile(zip_path(lab)) as archive:
        archive.extractall(work / "source")
    (work / "submission" / notebook.name).write_bytes(notebook.read_bytes())
    entry = work / "source" / "run_otter.py"
    entry.write_text(relocated(entry.read_text(), work))
    run = subprocess.run([str(venv / "bin" / "python"), str(entry)], check=False, capture_output=True, text=True,
                         cwd=work, env=clean_env(work, venv), timeout=900)
    assert run.returncode == 0, f"{lab}: run_otter.py failed\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    if "labsupport.grading.guard" in entry.read_text():  # a guarded zip: the wheel must be gone
        assert not list((work / "source").glob("labsupport-*.whl")), f"{lab}: run_otter.py left the wheel readable"
    results = json.loads((work / "results" / "results.json").read_text())
    return {t["name"]: t["score"] for t in results["tests"] if t.get("max_score") is not None}


def run_labgrade(lab: str, notebook: Path) -> tuple[dict, bool]:
    """labgrade's scores of ``notebook``, and whether they come from the authoring checks' record of this very input."""
    _, questions = load_autograder(zip_path(lab))
    limits, mode = Limits(timeout_s=300), isolation.detect()
    result = labgrade_records.recorded(BUILD / lab / "labgrade",
                                       labgrade_records.key(notebook, lab, questions, limits, mode, []))
    reused = result is not None
    if result is None:
        result = grade_submission(notebook, lab, questions, limits, mode=mode, support_files=[])
    assert result.status == "graded", (lab, notebook.name, result.status, result.detail)
    return result.question_scores(questions), reused


SHORTCUT_LAB, SHORTCUT_QUESTION = "lab01-clocks", "q3"


def shortcut_notebook(folder: Path) -> Path:
    """Lab 1's solution with Q3 answered through ``importlib`` by the library's own functions, just before the
    ``grader.check("q3")`` cell (otter grades a question where its check cell runs)."""
    wrong = runpy.run_path(str(ROOT / "instructor" / "labs" / SHORTCUT_LAB / "wrong_answers.py"))["WRONG"]
    code = next(c for c in wrong[SHORTCUT_QUESTION] if "importlib" in c)
    notebook = json.loads((BUILD / SHORTCUT_LAB / f"{SHORTCUT_LAB}-solution.ipynb").read_text())
    at = next(i for i, cell in enumerate(notebook["cells"])
              if f'grader.check("{SHORTCUT_QUESTION}")' in "".join(cell["source"]))
    notebook["cells"].insert(at, {"cell_type": "code", "execution_count": None, "id": "shortcut", "metadata": {},
                                  "outputs": [], "source": code})
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{SHORTCUT_LAB}.ipynb"
    path.write_text(json.dumps(notebook))
    return path


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory):
    """Build the venv once, then grade every lab's solution and student notebook both ways, two at a time."""
    if not all(build_labs.up_to_date(lab) for lab in LABS):
        subprocess.run([sys.executable, str(ROOT / "tools" / "build_labs.py"), "--build-only"], check=True)
    work = tmp_path_factory.mktemp("gradescope")
    start = time.perf_counter()
    venv, install_s = build_venv(work)
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import labsupport; print(labsupport.__file__)"],
                           check=False, capture_output=True, text=True, cwd=work, env=clean_env(work, venv))
    notebooks = {}
    for lab in LABS:
        notebooks[(lab, "solution")] = BUILD / lab / f"{lab}-solution.ipynb"
        notebooks[(lab, "student")] = ROOT / "labs" / lab / f"{lab}.ipynb"
    notebooks[(SHORTCUT_LAB, "shortcut")] = shortcut_notebook(work / "shortcut")
    with ThreadPoolExecutor(WORKERS) as pool:
        bundle = {key: pool.submit(run_bundle, key[0], path, work / "ag" / key[0] / key[1], venv)
                  for key, path in notebooks.items()}
        labgrade = {key: pool.submit(run_labgrade, key[0], path) for key, path in notebooks.items()}
        scores = {key: (bundle[key].result(), labgrade[key].result()[0]) for key in notebooks}
        reused = {key for key in notebooks if labgrade[key].result()[1]}
    elapsed = time.perf_counter() - start
    lines = [f"Gradescope rehearsal: venv install {install_s:.0f} s, everything {elapsed:.0f} s; labgrade's scores of "
             f"{len(reused)} of {len(notebooks)} notebooks recorded by tests/test_labs.py for the same input"]
    lines += [f"  {lab} {kind}: bundle {sum(ours.values()):g}, labgrade {sum(theirs.values()):g}"
              f"{' (recorded)' if (lab, kind) in reused else ''}"
              for (lab, kind), (ours, theirs) in scores.items()]
    (BUILD / "gradescope-rehearsal.txt").write_text("\n".join(lines) + "\n")  # for the closing note
    print("\n" + "\n".join(lines))
    return {"venv": venv, "where": where, "scores": scores}


def test_labsupport_comes_from_the_wheel_in_the_zip(rehearsal):
    where = rehearsal["where"]
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(rehearsal["venv"]), where.stdout
    check = subprocess.run([str(rehearsal["venv"] / "bin" / "python"), "-m", "pip", "check"],
                           check=False, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("lab", LABS)
def test_bundle_gives_solution_full_marks_and_student_zero_as_labgrade_does(rehearsal, lab):
    _, questions = load_autograder(zip_path(lab))
    full = {q.name: q.points for q in questions}
    solution, student = rehearsal["scores"][(lab, "solution")], rehearsal["scores"][(lab, "student")]
    # labgrade adds up its cases' float points (3.999999999999999 where otter says 4.0): pytest.approx
    assert solution[0] == pytest.approx(full) and solution[1] == pytest.approx(full), (
        f"solution: bundle {solution[0]}, labgrade {solution[1]}, full {full}")
    assert student[0] == student[1] == dict.fromkeys(full, 0), f"student: bundle {student[0]}, labgrade {student[1]}"


def test_a_library_shortcut_scores_zero_through_the_zip_as_through_labgrade(rehearsal):
    """The zip's kernel is guarded: the library's clocks, reached through importlib, are stubs there."""
    _, questions = load_autograder(zip_path(SHORTCUT_LAB))
    full = {q.name: q.points for q in questions}
    bundle, labgrade = rehearsal["scores"][(SHORTCUT_LAB, "shortcut")]
    assert bundle[SHORTCUT_QUESTION] == labgrade[SHORTCUT_QUESTION] == 0, (bundle, labgrade)
    others = {q: v for q, v in full.items() if q != SHORTCUT_QUESTION}
    assert {q: bundle[q] for q in others} == pytest.approx(others), bundle
