"""One ``make test`` assigns each lab once and grades each (notebook, tests, isolation mode) with labgrade once.

tests/test_labs.py writes ``_build/labs/<lab>/`` (tools/build_labs.py) and records labgrade's results of the
solution and student notebooks (tools/labgrade_records.py); tests/labs/test_gradescope.py reads them. Fast checks
that a record is read only for exactly the input it was made from, that a lab's folder is rebuilt when anything
it was made from or anything in it changed, and that the unit stage's two workers build the wheel once.
"""

import doctest
import json
import sys
import threading
import time
from pathlib import Path

import pytest

from labsupport.grading.autograder import Case, Question
from labsupport.grading.results import CaseResult, Result
from labsupport.grading.runner import Limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_labs  # noqa: E402
import labgrade_records  # noqa: E402

LAB = "lab01-clocks"


def test_the_examples_in_the_docstrings_run():
    for module in (labgrade_records, build_labs):
        assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0, module.__name__


@pytest.fixture
def inputs(tmp_path):
    notebook = tmp_path / "a.ipynb"
    notebook.write_text('{"cells": []}')
    questions = [Question("q1", (Case("q1", 0, ">>> 1", False, 1.0), Case("q1", 1, ">>> 2", True, 2.0)))]
    return {"notebook": notebook, "lab": LAB, "questions": questions, "limits": Limits(timeout_s=300),
            "mode": "none", "support_files": []}


def key(inputs) -> dict:
    return labgrade_records.key(**inputs)


def test_the_key_changes_with_every_input_of_the_grade(inputs, tmp_path, monkeypatch):
    first = key(inputs)
    assert key(inputs) == first
    support = tmp_path / "data.csv"
    support.write_text("1,2\n")
    other_points = [Question("q1", (Case("q1", 0, ">>> 1", False, 1.0), Case("q1", 1, ">>> 2", True, 3.0)))]
    for change in [{"mode": "user"}, {"limits": Limits(timeout_s=120)}, {"support_files": [support]},
                   {"questions": other_points}, {"lab": "lab06-iam"}]:
        assert key(inputs | change) != first, change
    inputs["notebook"].write_text('{"cells": [] }')  # one more byte
    assert key(inputs)["notebook"] != first["notebook"]
    grader = tmp_path / "grader"
    grader.mkdir()
    (grader / "runner.py").write_text("A = 1\n")
    monkeypatch.setattr(labgrade_records, "GRADER", grader)
    before = key(inputs)["grader"]
    (grader / "runner.py").write_text("A = 2\n")
    assert key(inputs)["grader"] != before
    pristine = tmp_path / "pristine.ipynb"
    pristine.write_text("{}")
    monkeypatch.setattr(labgrade_records, "pristine_notebook", lambda lab: pristine)
    before = key(inputs)["pristine"]
    pristine.write_text('{"cells": []}')
    assert key(inputs)["pristine"] != before


def test_bad_mode_or_limits_are_refused_naming_the_parameter(inputs):
    with pytest.raises(ValueError, match="mode="):
        key(inputs | {"mode": ""})
    with pytest.raises(TypeError, match="limits="):
        key(inputs | {"limits": 300})


def graded(fields: dict, earned: float) -> Result:
    return Result("a.ipynb", "graded", sha256=fields["notebook"],
                  cases=[CaseResult("q1", 0, False, 1.0, earned, earned == 1.0)])


def test_a_record_is_read_for_its_own_input_only(inputs, tmp_path):
    folder = tmp_path / "labgrade"
    fields = key(inputs)
    labgrade_records.record(folder, fields, graded(fields, 1.0))
    assert labgrade_records.recorded(folder, fields).question_scores(inputs["questions"]) == {"q1": 1.0}
    inputs["notebook"].write_text('{"cells": [], "metadata": {}}')  # another notebook: not this record's
    assert labgrade_records.recorded(folder, key(inputs)) is None
    assert labgrade_records.recorded(folder, fields | {"mode": "user"}) is None


def test_a_record_whose_stored_key_differs_is_not_read(inputs, tmp_path):
    """The file's name is a digest of the key; the key stored inside it is compared in full as well."""
    folder = tmp_path / "labgrade"
    fields = key(inputs)
    path = labgrade_records.record(folder, fields, graded(fields, 1.0))
    saved = json.loads(path.read_text())
    saved["key"]["tests"] = "0" * 64
    path.write_text(json.dumps(saved))
    assert labgrade_records.recorded(folder, fields) is None


def test_only_the_result_of_the_keyed_notebook_is_recorded(inputs, tmp_path):
    fields = key(inputs)
    with pytest.raises(ValueError, match="result.sha256"):
        labgrade_records.record(tmp_path, fields, graded(fields | {"notebook": "f" * 64}, 1.0))


def stamped(dest: Path) -> Path:
    """A lab folder as build_labs.write_build leaves it, without running otter."""
    (dest / "rehearsal").mkdir(parents=True)
    files = {f"{LAB}-autograder.zip": b"zip", f"{LAB}-solution.ipynb": b"{}", f"rehearsal/{LAB}.ipynb": b"{}"}
    for name, data in files.items():
        (dest / name).write_bytes(data)
    stamp = {"inputs": build_labs.inputs(LAB),
             "files": {name: build_labs.hashlib.sha256(data).hexdigest() for name, data in files.items()}}
    (dest / "build.json").write_text(json.dumps(stamp))
    return dest


def test_a_lab_folder_is_stale_when_a_file_in_it_or_an_input_changed(tmp_path, monkeypatch):
    dest = stamped(tmp_path / LAB)
    assert build_labs.up_to_date(LAB, dest)
    (dest / f"{LAB}-autograder.zip").write_bytes(b"otter's own zip, written over ours")
    assert not build_labs.up_to_date(LAB, dest)
    dest = stamped(tmp_path / "again" / LAB)
    monkeypatch.setattr(build_labs, "inputs", lambda lab: "another master")
    assert not build_labs.up_to_date(LAB, dest)
    monkeypatch.undo()
    (dest / "build.json").unlink()  # written halfway
    assert not build_labs.up_to_date(LAB, dest)


def test_the_inputs_of_a_lab_folder_include_its_master(tmp_path, monkeypatch):
    master = tmp_path / "instructor" / LAB
    master.mkdir(parents=True)
    (master / f"{LAB}.ipynb").write_text("{}")
    monkeypatch.setattr(build_labs, "MASTERS", tmp_path / "instructor")
    before = build_labs.inputs(LAB)
    (master / f"{LAB}.ipynb").write_text('{"cells": []}')
    assert build_labs.inputs(LAB) != before


def test_two_workers_build_the_wheel_once(tmp_path, monkeypatch):
    built = []

    def slow_build(folder):
        built.append(folder)
        time.sleep(0.3)
        folder.mkdir(parents=True)
        wheel = folder / "labsupport-0.1.0-py3-none-any.whl"
        wheel.write_bytes(b"a wheel")
        return wheel

    monkeypatch.setattr(build_labs.gradescope_bundle, "build_wheel", slow_build)
    found = []
    workers = [threading.Thread(target=lambda: found.append(build_labs.wheel(tmp_path))) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(built) == 1 and found[0] == found[1] and found[0].read_bytes() == b"a wheel"
