"""Generate each lab's student notebook and autograder from its instructor master.

Usage:
    python tools/build_labs.py            write labs/<lab>/<lab>.ipynb and _build/labs/<lab>/
    python tools/build_labs.py --check    only check that labs/ is what the masters generate
    python tools/build_labs.py --lab lab01-clocks    one lab only

A master lives in instructor/labs/<lab>/<lab>.ipynb in otter-grader's
notebook format (solutions, public and hidden tests). ``otter assign`` runs
the master's tests against its own solutions, writes the student version
(solutions replaced by ``...``, hidden tests removed) and the autograder
zip, which tools/gradescope_bundle.py then makes install ``labsupport`` (a
wheel of this checkout, built once per run) and the pinned packages on
Gradescope.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from labsupport.grading import authoring  # noqa: E402
import gradescope_bundle  # noqa: E402  (tools/ is on the path when this file runs as a script)

ROOT = Path(__file__).resolve().parents[1]
MASTERS = ROOT / "instructor" / "labs"
STUDENT = ROOT / "labs"
BUILD = ROOT / "_build" / "labs"
NOISE = ("lines_to_next_cell", "execution", "collapsed", "scrolled")


def masters() -> list[Path]:
    return sorted(MASTERS.glob("*/*.ipynb"))


def hide_otter_setup(nb: dict) -> None:
    """Put the lab's title first and hide otter's setup cell in the book (tag 'remove-cell').

    In Jupyter the cell stays where students run it, right under the title, before any question.
    """
    cells = nb["cells"]
    setup = next((i for i, c in enumerate(cells)
                  if c["cell_type"] == "code" and "".join(c["source"]).startswith("# Initialize Otter")), None)
    if setup is None:
        return
    tags = cells[setup].setdefault("metadata", {}).setdefault("tags", [])
    if "remove-cell" not in tags:
        tags.append("remove-cell")
    title = next((i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
                  and "".join(c["source"]).lstrip().startswith("# ")), None)
    if title is not None and title > setup:
        cells.insert(title, cells.pop(setup))


HANDIN_IMPORT = "from labsupport.labkits import handin  # the export cell refuses a notebook with unsaved changes"
EXPORT = """# Save your notebook first (File > Save Notebook), then run this cell to export your submission.
if handin.saved({notebook!r}):
    with handin.quiet_kernel_warnings():
        {call}
"""


def guard_export(nb: dict, notebook: str) -> None:
    """Make otter's export refuse an unsaved notebook, without the kernel's start-up warning, and its
    checks say in a line or two what failed (idempotent).

    The setup cell imports :mod:`labsupport.labkits.handin`, which notes every cell the kernel runs; the
    export cell zips only when the saved file holds them all (otter itself zips whatever is on disk).
    Each ``grader.check("q1")`` cell becomes ``handin.check(grader, "q1")``: otter's check, shown as one line
    per failed test instead of doctest's report.
    """
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        if source.startswith("# Initialize Otter") and HANDIN_IMPORT not in source:
            source = source.rstrip("\n") + "\n" + HANDIN_IMPORT
        elif re.fullmatch(r"grader\.check\((['\"])\w+\1\)", source.strip()):
            source = source.strip().replace("grader.check(", "handin.check(grader, ", 1)
        elif "grader.export(" in source and "handin.saved(" not in source:
            call = next(line.strip() for line in source.splitlines() if line.strip().startswith("grader.export("))
            source = EXPORT.format(notebook=notebook, call=call).rstrip("\n")
        else:
            continue
        cell["source"] = [line + "\n" for line in source.split("\n")[:-1]] + [source.split("\n")[-1]]


def cleaned(path: Path, *, keep_ids: bool = True) -> str:
    """The notebook as JSON without editor noise (and without cell ids, for comparing versions)."""
    nb = json.loads(path.read_text())
    hide_otter_setup(nb)
    guard_export(nb, path.name)
    for number, cell in enumerate(nb["cells"]):
        if keep_ids:  # otter writes random ids; ours depend only on the lab and the cell's place
            cell["id"] = hashlib.sha256(f"{path.stem}/{number}".encode()).hexdigest()[:8]
        else:
            cell.pop("id", None)
        for key in NOISE:
            cell.get("metadata", {}).pop(key, None)
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def normalised(path: Path) -> str:
    return cleaned(path, keep_ids=False)


def assign(master: Path, out: Path) -> None:
    """Run otter assign on one master; stop with its output if it fails."""
    try:
        authoring.assign(master, out)
    except RuntimeError as error:
        raise SystemExit(str(error)) from None


def filled_in(student: Path, solution: Path) -> dict:
    """The student notebook (as ``make labs`` writes it) with every answer cell replaced by the solution's:
    what a finished student hands in."""
    nb, solved = json.loads(cleaned(student)), json.loads(solution.read_text())
    if len(nb["cells"]) != len(solved["cells"]):
        raise SystemExit(f"{student} and {solution} have different cells; regenerate both with 'make labs'")
    for cell, answer in zip(nb["cells"], solved["cells"]):
        if "otter_answer_cell" in cell.get("metadata", {}).get("tags", []):
            cell["source"] = answer["source"]
    return nb


def build(check_only: bool, only: str | None = None, build_only: bool = False) -> int:
    problems = []
    wheel = None
    for master in masters():
        if only and master.stem != only:
            continue
        lab = master.stem
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / lab
            assign(master, out)
            generated = out / "student" / f"{lab}.ipynb"
            target = STUDENT / lab / f"{lab}.ipynb"
            fresh = normalised(generated)
            if check_only:
                if not target.exists() or normalised(target) != fresh:
                    problems.append(f"{target.relative_to(ROOT)} is not what {master.relative_to(ROOT)} generates; "
                                    "run 'make labs' and commit the result")
                continue
            if not build_only:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(cleaned(generated))
            dest = BUILD / lab
            shutil.rmtree(dest, ignore_errors=True)
            dest.mkdir(parents=True)
            zips = list((out / "autograder").glob("*.zip"))
            shutil.copy(zips[0], dest / f"{lab}-autograder.zip")
            wheel = wheel or gradescope_bundle.build_wheel(BUILD / "wheel")
            gradescope_bundle.bundle(dest / f"{lab}-autograder.zip", wheel)
            shutil.copy(out / "autograder" / f"{lab}.ipynb", dest / f"{lab}-solution.ipynb")
            # A finished student notebook, with the lab's other files, for the Binder rehearsal.
            rehearsal = dest / "rehearsal"
            rehearsal.mkdir()
            solved = filled_in(generated, out / "autograder" / f"{lab}.ipynb")
            (rehearsal / f"{lab}.ipynb").write_text(json.dumps(solved))
            for support in (STUDENT / lab).glob("*"):
                if support.is_file() and support.suffix != ".ipynb":
                    shutil.copy(support, rehearsal / support.name)
            print(f"{lab}: wrote {'' if build_only else str(target.relative_to(ROOT)) + ' and '}"
                  f"{(dest / f'{lab}-autograder.zip').relative_to(ROOT)}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="check labs/ against the masters; write nothing")
    parser.add_argument("--lab", help="only this lab (e.g. lab01-clocks)")
    parser.add_argument("--build-only", action="store_true", help="write _build/labs/ only, leave labs/ alone")
    args = parser.parse_args()
    sys.exit(build(args.check, args.lab, args.build_only))
