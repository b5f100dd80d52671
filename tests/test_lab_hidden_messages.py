"""Every hidden test of every lab names the property it checks, and labgrade would show that name to the student.

A hidden test's failure shows a student only a plain-string message of its ``assert`` (written out, or a name the
test binds to a plain string: ``_WHY = '...'``, then ``assert ..., _WHY``); see ``hidden_feedback`` in
``labsupport/grading/sandbox.py``. An ``assert`` without such a message fails with a bare "failed". This check reads
the masters (no grading), and asks ``hidden_feedback`` itself whether each message would be shown.

Every lab's hidden asserts name their property (Labs 1 and 6-9 had 13 that did not until issue 19 was closed).
"""

import ast
import json
from pathlib import Path

import pytest

from labsupport.grading.sandbox import hidden_feedback

ROOT = Path(__file__).resolve().parents[1]
MASTERS = sorted((ROOT / "instructor" / "labs").glob("*/*.ipynb"))



def hidden_cells(master: Path) -> list[str]:
    cells = json.loads(master.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"
            and "".join(c["source"]).startswith("# HIDDEN")]


def unnamed(cell: str) -> list[str]:
    """The first line of each ``assert`` (or ``raise AssertionError``) whose failure would show the student nothing."""
    tree = ast.parse(cell)
    plain = {}  # name -> the plain string it is bound to, or None when it is ever bound to anything else
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    value = node.value.value if isinstance(node.value, ast.Constant) else None
                    plain[target.id] = value if isinstance(value, str) and plain.get(target.id, value) == value else None
    as_case = ">>> " + cell.replace("\n", "\n... ") + "\n"
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            message = node.msg
        elif (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
              and getattr(node.exc.func, "id", "") == "AssertionError"):
            message = node.exc.args[0] if node.exc.args else None
        else:
            continue
        if isinstance(message, ast.Constant):
            text = message.value
        elif isinstance(message, ast.Name):
            text = plain.get(message.id)
        else:
            text = None
        if not (isinstance(text, str) and hidden_feedback(as_case, f"AssertionError: {text}") == f"failed: {text}"):
            found.append(ast.get_source_segment(cell, node).splitlines()[0])
    return found


def test_a_plain_string_message_is_what_a_student_sees_and_an_f_string_is_not():
    assert unnamed("# HIDDEN\n_WHY = 'ties break at random'\nassert f(1) == 2, _WHY\n") == []
    assert unnamed("# HIDDEN\nassert f(1) == 2, 'ties break at random'\n") == []
    assert unnamed("# HIDDEN\nassert f(1) == 2\n") == ["assert f(1) == 2"]
    assert unnamed("# HIDDEN\nassert f(1) == 2, f'got {f(1)}'\n") == ["assert f(1) == 2, f'got {f(1)}'"]
    assert unnamed("# HIDDEN\n_WHY = 'a'\n_WHY = f'{x}'\nassert x, _WHY\n") == ["assert x, _WHY"]
    assert unnamed("# HIDDEN\nraise AssertionError(f'{x} should raise')\n") == ["raise AssertionError(f'{x} should raise')"]


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_every_hidden_assert_names_its_property(master):
    found = [line for cell in hidden_cells(master) for line in unnamed(cell)]
    assert not found, (
        f"{master.stem}: {len(found)} hidden asserts name no property; give each a plain-string "
        f"message (_WHY = '...'; assert ..., _WHY), which labgrade shows when it fails:\n  " + "\n  ".join(found))
