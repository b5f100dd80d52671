"""Export refuses a notebook whose saved file lacks cells the kernel ran, and drops only the kernel's start-up noise."""

import warnings

import nbformat
import pytest
from nbclient import NotebookClient

from labsupport.labkits import handin


def test_a_cell_run_but_not_saved_stops_the_export(tmp_path):
    """In a real kernel: first everything run is saved, then one more cell runs that the file does not hold."""
    path = tmp_path / "lab.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from labsupport.labkits import handin"),
        nbformat.v4.new_code_cell("def answer():\n    return 42"),
    ]
    nbformat.write(nb, path)
    nb.cells += [
        nbformat.v4.new_code_cell(f"print(handin.saved({path.name!r}))"),
        nbformat.v4.new_code_cell("def answer():\n    return 43  # edited, run, not saved"),
        nbformat.v4.new_code_cell(f"print(handin.saved({path.name!r}))"),
        nbformat.v4.new_code_cell("print(handin.saved('missing.ipynb'))"),
    ]
    NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp_path)}}).execute()
    said = ["".join(o.get("text", "") for o in cell.outputs) for cell in nb.cells[2:]]
    assert said[0].strip() == "True"
    assert said[2].startswith("Nothing was exported: lab.ipynb has unsaved changes (1 cell(s)")
    assert "'def answer():'" in said[2] and "Save the notebook" in said[2] and said[2].strip().endswith("False")
    assert said[3].startswith("Nothing was exported: there is no missing.ipynb")


def test_the_kernel_start_up_warning_is_dropped_and_every_other_kept():
    noise = "[IPKernelApp] WARNING | Kernel is running over TCP without encryption. All communication is plain."
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with handin.quiet_kernel_warnings():
            warnings.warn(noise + "\n", RuntimeWarning)
            warnings.warn(noise + "\nTraceback: NameError: x\n", RuntimeWarning)
            warnings.warn("something else", UserWarning)
    assert [(w.category, str(w.message)) for w in seen] == [
        (RuntimeWarning, "Traceback: NameError: x"),
        (UserWarning, "something else"),
    ]


def test_outside_a_notebook_a_missing_file_is_refused(tmp_path, capsys):
    assert handin.saved(str(tmp_path / "nowhere.ipynb")) is False
    assert "Nothing was exported" in capsys.readouterr().out
    with pytest.raises(FileNotFoundError):
        handin.stale_cells(tmp_path / "nowhere.ipynb", [])


class _Case:
    def __init__(self, passed, message=""):
        self.passed, self.message = passed, message


def _report(line, raised):
    return (f"Trying:\n    {line}\nExpecting nothing\n" + "*" * 70 + f"\nLine 1, in q1 0\nFailed example:\n    {line}\n"
            f"Exception raised:\n    Traceback (most recent call last):\n      File x\n    {raised}\n"
            "Trying:\n    assert True\nExpecting nothing\nok\n")


def test_a_check_says_in_one_line_what_an_unanswered_question_gave():
    def lamport(events):
        return None

    result = type("R", (), {"test_case_results": [_Case(False, _report("assert lamport([1]) == [1]", "AssertionError")),
                                                  _Case(False, _report("assert lamport([]) == []", "AssertionError"))]})
    shown = repr(handin.Checked("q1", result, {"lamport": lamport}))
    assert shown == ("q1: no public test passes yet. The first: `assert lamport([1]) == [1]` gave AssertionError: "
                     "lamport([1]) gave None, expected [1]")


def test_a_check_lists_each_failed_test_with_what_it_raised_and_not_its_message_code():
    line = 'assert f(2) == 4, f"f(2) should be 4, got {f(2)}"'
    result = type("R", (), {"test_case_results": [_Case(True), _Case(False, _report(line, "AssertionError: f(2) "
                                                                                            "should be 4, got 5"))]})
    assert repr(handin.Checked("q2", result)).splitlines() == [
        "q2: 1 of 2 public tests fail:", "  x `assert f(2) == 4` gave AssertionError: f(2) should be 4, got 5"]
    assert repr(handin.Checked("q2", type("R", (), {"test_case_results": [_Case(True)]}))) == (
        "q2: all 1 public tests pass (the hidden tests check more).")
