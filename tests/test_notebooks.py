"""Static checks of the committed chapter notebooks: nbval compares only what was executed."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").rglob("*.ipynb"))


def code_cells(path, *, setup=True):
    """The code cells, with or without the hidden Colab set-up cell (tools/colab_setup.py)."""
    nb = json.loads(path.read_text())
    return nb, [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()
                and (setup or not c["metadata"].get("labsupport", {}).get("colab_setup"))]


def test_there_are_chapter_notebooks():
    assert len(CHAPTERS) >= 4


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_code_cell_was_executed_without_error(path):
    _, cells = code_cells(path)
    unexecuted = [i for i, c in enumerate(cells) if c.get("execution_count") is None]
    assert not unexecuted, f"code cells {unexecuted} were never executed; run 'make notebooks'"
    errors = [o.get("ename") for c in cells for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, errors
    counts = [c["execution_count"] for c in cells]
    assert counts == list(range(1, len(cells) + 1)), "cells were not run top to bottom in a fresh kernel"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_first_code_cell_sets_the_seed_and_metadata_is_clean(path):
    nb, cells = code_cells(path, setup=False)
    assert "SEED = " in "".join(cells[0]["source"]), "the first code cell should import and set SEED"
    assert set(nb["metadata"]) <= {"kernelspec", "language_info"}, "saved widget state or editor noise"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_first_code_cell_imports_the_figures_module(path):
    """In the book every figure drawn after ``import labsupport.viz`` is a column figure: sharp, at the column's width,
    its smallest text recorded (labsupport.viz.figures), and the same picture as a widget's frame drawn the same way."""
    import re

    _, cells = code_cells(path, setup=False)
    draws = any("image/png" in o.get("data", {}) for c in cells for o in c["outputs"])
    first = "".join(cells[0]["source"])
    assert not draws or re.search(r"^(from labsupport\.viz\b|import labsupport\.viz\b)", first, re.M), (
        "the page draws figures: import labsupport.viz (e.g. 'from labsupport.viz import explore') in its first cell")


def ignored(cell) -> bool:
    """nbval skips the outputs of a cell tagged 'nbval-ignore-output' (or, the old way, starting with the comment)."""
    return ("nbval-ignore-output" in cell["metadata"].get("tags", [])
            or "".join(cell["source"]).split("\n", 1)[0] == "# NBVAL_IGNORE_OUTPUT")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_widget_cells_are_marked_and_everything_else_is_compared(path):
    _, cells = code_cells(path)
    for c in cells:
        source = "".join(c["source"])
        if "explore(" in source and "def " not in (source.split("explore(")[0].splitlines() or [""])[-1]:
            assert ignored(c), "a widget cell must carry the tag 'nbval-ignore-output' (tools/markers_to_tags.py)"
    assert sum(map(ignored, cells)) <= max(1, len(cells) // 4), "too many cells escape nbval's comparison"


@pytest.mark.parametrize("tool", [
    "markers_to_tags.py",  # nbval's marker and alt text in cell tags and metadata, not in the code readers see
    "show_tables.py",  # report tables displayed as HTML tables, not printed as padded text
    "format_notebooks.py",  # code formatted to fit the book's column
    "colab_setup.py",  # a hidden first cell installs labsupport on Colab
    "exercise_boxes.py",  # exercises in boxes, numbered <section>.<k> across the book
])
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebooks_are_clean_for_readers(path, tool):
    import subprocess
    import sys

    run = subprocess.run([sys.executable, str(ROOT / "tools" / tool), "--check", str(path)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_figure_has_alternative_text(path):
    _, cells = code_cells(path)
    for c in cells:
        if any("image/png" in o.get("data", {}) for o in c["outputs"]):
            alt = c["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
            assert len(alt) > 10, f"a figure without alt text in cell: {''.join(c['source'])[:80]!r}"


EVERY_NOTEBOOK = sorted(p for folder in ("book", "instructor", "labs") for p in (ROOT / folder).rglob("*.ipynb")
                        if ".ipynb_checkpoints" not in p.parts)


def control_characters(cell):
    """Control characters in a cell's source, other than newline (and tab in code cells), as (line, repr) pairs.

    A stray one is usually a backslash escape gone wrong: "\\times" written in a Python string becomes a tab and
    "imes", "\\approx" a BEL and "pprox", and the formula no longer renders.
    """
    allowed = {"\n", "\t"} if cell["cell_type"] == "code" else {"\n"}
    lines = "".join(cell["source"]).split("\n")
    return [(i + 1, repr(ch)) for i, line in enumerate(lines) for ch in line
            if (ord(ch) < 32 or 127 <= ord(ch) < 160) and ch not in allowed]


def test_the_control_character_check_finds_a_broken_escape():
    assert control_characters({"cell_type": "markdown", "source": ["$3 \times 0.01 \approx 0.03$\n"]}) == \
        [(1, "'\\t'"), (1, "'\\x07'")]
    assert control_characters({"cell_type": "code", "source": ["x = 1\t# tab\n"]}) == []


@pytest.mark.parametrize("path", EVERY_NOTEBOOK, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_cell_contains_control_characters(path):
    nb = json.loads(path.read_text())
    found = [(i, found) for i, c in enumerate(nb["cells"]) if (found := control_characters(c))]
    assert not found, f"cells with control characters (cell index, [(line, char)]): {found}"


# Student notebooks are read in JupyterLab, Binder and Colab, where MyST roles such as {ref}`sec-x` show as
# literal text: they link to the chapters with plain Markdown links (which the book build also resolves).
SPHINX_ROLE = re.compile(r"\{[a-z:-]+\}`")  # {ref}`...`, {doc}`...`, {numref}`...`
STUDENT_AND_MASTER = sorted([*ROOT.glob("labs/*/*.ipynb"), *ROOT.glob("instructor/labs/*/*.ipynb")])


def test_there_are_lab_notebooks():
    assert STUDENT_AND_MASTER, "no lab notebooks found"


@pytest.mark.parametrize("path", STUDENT_AND_MASTER, ids=lambda p: str(p.relative_to(ROOT)))
def test_lab_text_has_no_sphinx_roles(path):
    cells = json.loads(path.read_text())["cells"]
    found = [(i, role.group()) for i, cell in enumerate(cells) if cell["cell_type"] == "markdown"
             and (role := SPHINX_ROLE.search("".join(cell["source"])))]
    assert not found, (
        f"{path.relative_to(ROOT)}: cells {found} use a role (write [title](../../book/...ipynb))")
