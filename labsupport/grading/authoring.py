"""Building a lab's student version and autograder from its instructor master (otter assign)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
import shutil

__all__ = ["repo_root", "assign", "autograder_zip"]


def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def assign(master: Path, out: Path, *, run_tests: bool = False) -> None:
    """Run ``otter assign`` on one master notebook; raise with its output if it fails.

    otter's own run of the tests against the solutions is off by default: the
    authoring checks (tests/test_labs.py) grade the solutions with labgrade instead.
    """
    otter = Path(sys.executable).with_name("otter")
    flags = ["--no-pdfs"] + ([] if run_tests else ["--no-run-tests"])
    result = subprocess.run([str(otter), "assign", *flags, master.name, str(out)], cwd=master.parent,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"otter assign failed for {master}:\n{result.stdout}\n{result.stderr}")


def autograder_zip(lab: str, root: Path | None = None) -> Path:
    """The lab's autograder zip in _build/labs/<lab>/, built from its master if missing."""
    root = root or repo_root()
    target = root / "_build" / "labs" / lab / f"{lab}-autograder.zip"
    if target.exists():
        return target
    master = root / "instructor" / "labs" / lab / f"{lab}.ipynb"
    if not master.exists():
        known = sorted(p.name for p in (root / "instructor" / "labs").glob("*") if p.is_dir())
        raise ValueError(f"unknown lab {lab!r}: no {master.relative_to(root)}; labs are {known}, "
                         "or pass the path of an autograder zip")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent.parent, prefix=".assign-") as tmp:  # on the target's disk
        assign(master, Path(tmp) / lab)
        # Each file replaced whole (a rename): another process may be reading or writing the same lab's folder.
        built = Path(tmp) / lab / "autograder"
        for made, dest in ((built / f"{lab}.ipynb", target.with_name(f"{lab}-solution.ipynb")),
                           (next(built.glob("*.zip")), target)):
            staged = Path(tmp) / dest.name
            shutil.copy(made, staged)
            os.replace(staged, dest)
    return target
