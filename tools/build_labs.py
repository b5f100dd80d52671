"""Generate each lab's student notebook and autograder from its instructor master.

Usage:
    python tools/build_labs.py            write labs/<lab>/<lab>.ipynb and _build/labs/<lab>/
    python tools/build_labs.py --check    only check that labs/ is what the masters generate
    python tools/build_labs.py --lab lab01-clocks    one lab only
    python tools/build_labs.py --build-only          write only the _build/labs/<lab>/ that are not up to date

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
import fcntl
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from labsupport.grading import authoring  # noqa: E402
import gradescope_bundle  # noqa: E402  (tools/ is on the path when this file runs as a script)
import labgrade_records  # noqa: E402

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


def wheel(build: Path = BUILD) -> Path:
    """The ``labsupport`` wheel of this checkout, built once for its contents (under a lock: the unit stage's two
    workers each build labs) into ``build/wheel/<digest>/``."""
    digest = labgrade_records.tree_digest([ROOT / name for name in gradescope_bundle.WHEEL_SOURCES])[:16]
    folder = build / "wheel" / digest
    build.mkdir(parents=True, exist_ok=True)
    with open(build / "wheel.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = sorted(folder.glob("labsupport-*.whl"))
        if found:
            return found[0]
        partial = folder.with_name(f"{digest}.{os.getpid()}.tmp")
        shutil.rmtree(partial, ignore_errors=True)
        built = gradescope_bundle.build_wheel(partial)
        partial.rename(folder)
        return folder / built.name


def inputs(lab: str) -> str:
    """A digest of everything ``_build/labs/<lab>/`` is made from: the master's folder, the lab's support files,
    this script, the bundler, the pins, the Python, the wheel's sources and otter's version.

    Examples
    --------
    >>> inputs("lab01-clocks") == inputs("lab01-clocks") != inputs("lab02-hashing")
    True
    """
    from importlib.metadata import version

    support = [p for p in sorted((STUDENT / lab).glob("*")) if p.is_file() and p.suffix != ".ipynb"]
    files = [MASTERS / lab, *support, Path(__file__), Path(gradescope_bundle.__file__), ROOT / "constraints.txt",
             ROOT / "runtime.txt", *(ROOT / name for name in gradescope_bundle.WHEEL_SOURCES)]
    return labgrade_records.tree_digest(files) + f" otter-grader {version('otter-grader')}"


def _replace(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    os.replace(partial, path)


def write_build(lab: str, out: Path, dest: Path | None = None) -> Path:
    """Write ``dest`` (default ``_build/labs/<lab>/``) from ``otter assign``'s output folder ``out``: the bundled
    autograder zip, the solutions and the Binder rehearsal's finished notebook; return ``dest``.

    Each file is replaced whole; ``build.json`` (what :func:`up_to_date` reads) goes first and comes back last,
    with the sha256 of every file written, so a folder written halfway, or a file changed since, reads as stale.
    The solutions are written before the zip: a reader that finds the zip finds them
    (:func:`labsupport.grading.authoring.autograder_zip`).
    """
    dest = dest or BUILD / lab
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "build.json").unlink(missing_ok=True)
    key = inputs(lab)
    files = {f"{lab}-solution.ipynb": (out / "autograder" / f"{lab}.ipynb").read_bytes()}
    with tempfile.TemporaryDirectory() as tmp:
        zip_path = Path(tmp) / f"{lab}-autograder.zip"
        shutil.copy(next((out / "autograder").glob("*.zip")), zip_path)
        gradescope_bundle.bundle(zip_path, wheel(dest.parent))
        files[zip_path.name] = zip_path.read_bytes()
    # A finished student notebook, with the lab's other files, for the Binder rehearsal.
    solved = filled_in(out / "student" / f"{lab}.ipynb", out / "autograder" / f"{lab}.ipynb")
    files[f"rehearsal/{lab}.ipynb"] = json.dumps(solved).encode()
    for support in sorted((STUDENT / lab).glob("*")):
        if support.is_file() and support.suffix != ".ipynb":
            files[f"rehearsal/{support.name}"] = support.read_bytes()
    rehearsal = dest / "rehearsal"
    rehearsal.mkdir(exist_ok=True)
    for old in rehearsal.iterdir():
        if f"rehearsal/{old.name}" not in files:
            old.unlink()
    for name, data in files.items():
        _replace(dest / name, data)
    stamp = {"inputs": key, "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}}
    _replace(dest / "build.json", json.dumps(stamp, indent=1).encode())
    return dest


def up_to_date(lab: str, dest: Path | None = None) -> bool:
    """Whether ``dest`` (default ``_build/labs/<lab>/``) holds what :func:`write_build` wrote from this checkout's
    inputs, every file unchanged since.

    Examples
    --------
    >>> import tempfile
    >>> up_to_date("lab01-clocks", Path(tempfile.mkdtemp()))  # nothing written there
    False
    """
    dest = dest or BUILD / lab
    try:
        stamp = json.loads((dest / "build.json").read_text())
        return stamp["inputs"] == inputs(lab) and all(
            hashlib.sha256((dest / name).read_bytes()).hexdigest() == digest for name, digest in stamp["files"].items())
    except (OSError, ValueError, KeyError):
        return False


def build(check_only: bool, only: str | None = None, build_only: bool = False) -> int:
    """Check or write each lab; ``build_only``: write only the ``_build/labs/`` folders not :func:`up_to_date`
    (the lab authoring checks write them as they test each lab)."""
    problems = []
    for master in masters():
        if only and master.stem != only:
            continue
        lab = master.stem
        if build_only and up_to_date(lab):
            print(f"{lab}: {(BUILD / lab).relative_to(ROOT)} is up to date")
            continue
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
            dest = write_build(lab, out)
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
