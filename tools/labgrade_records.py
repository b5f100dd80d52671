"""labgrade's results kept beside the files it graded, so that one ``make test`` grades each notebook once.

The lab authoring checks (``tests/test_labs.py``) grade every lab's solution and untouched student notebook
with labgrade; the Gradescope rehearsal (``tests/labs/test_gradescope.py``) compares otter's scores for the
same two notebooks with labgrade's. The first records each result under a key that names everything the
grade depends on (:func:`key`): the notebook's bytes, the lab's tests, the isolation mode, the limits, the
support files, the lab's own student notebook (whose cells give its set-up values) and the grader's code, all
by sha256. The second uses a record only when the key it computes for its own input is equal field by field
(:func:`recorded`), and grades the notebook itself otherwise. A record for another notebook, other tests or
a changed grader is never read.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from labsupport.grading.results import Result  # noqa: E402
from labsupport.grading.runner import Limits, pristine_notebook  # noqa: E402

__all__ = ["key", "record", "recorded", "tree_digest"]

ROOT = Path(__file__).resolve().parents[1]
GRADER = ROOT / "labsupport"  # labgrade and the library the labs import


def tree_digest(paths) -> str:
    """The sha256 of these files and folders' contents and relative names (caches left out).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.py").write_text("x = 1")
    >>> before = tree_digest([folder])
    >>> _ = (folder / "a.py").write_text("x = 2")
    >>> before == tree_digest([folder])
    False
    """
    digest = hashlib.sha256()
    for top in paths:
        top = Path(top)
        files = sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else [top]
        for path in files:
            if "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            digest.update(f"{path.relative_to(top.parent)}\0{path.stat().st_size}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def key(notebook: Path, lab: str, questions, limits: Limits, mode: str, support_files) -> dict:
    """Everything labgrade's grade of ``notebook`` depends on, as a dict of strings.

    Examples
    --------
    >>> import tempfile
    >>> from labsupport.grading.autograder import Case, Question
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.ipynb").write_text('{"cells": []}')
    >>> q1 = [Question("q1", (Case("q1", 0, ">>> 1", False, 1.0),))]
    >>> first = key(folder / "a.ipynb", "lab01-clocks", q1, Limits(timeout_s=300), "none", [])
    >>> first == key(folder / "a.ipynb", "lab01-clocks", q1, Limits(timeout_s=300), "user", [])
    False
    >>> first["notebook"] == hashlib.sha256(b'{"cells": []}').hexdigest()
    True
    """
    if not isinstance(mode, str) or not mode:
        raise ValueError(f"mode={mode!r}: pass the isolation mode the notebook is graded in, e.g. 'none'")
    if not isinstance(limits, Limits):
        raise TypeError(f"limits={limits!r}: pass a labsupport.grading.runner.Limits")
    tests = json.dumps([[q.name, [dataclasses.astuple(c) for c in q.cases]] for q in questions])
    return {"notebook": _sha256(notebook), "lab": lab, "tests": hashlib.sha256(tests.encode()).hexdigest(),
            "mode": mode, "limits": json.dumps(dataclasses.asdict(limits), sort_keys=True),
            "support": json.dumps(sorted((Path(p).name, _sha256(p)) for p in support_files)),
            "pristine": _sha256(pristine_notebook(lab)), "grader": tree_digest([GRADER]),
            "python": sys.version}


def _path(folder: Path, fields: dict) -> Path:
    name = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:32]
    return Path(folder) / f"{name}.json"


def record(folder: Path, fields: dict, result: Result) -> Path:
    """Write ``result`` under ``fields`` (see :func:`key`) into ``folder``; return the record's path.

    Only a result of the very notebook the key names is recorded: ``ValueError`` otherwise.
    """
    if result.sha256 != fields["notebook"]:
        raise ValueError(f"result.sha256={result.sha256!r} is not the keyed notebook's {fields['notebook']!r}: "
                         "record the result of grading that very file")
    path = _path(folder, fields)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps({"key": fields, "result": json.loads(result.to_json())}, indent=1))
    os.replace(partial, path)  # a reader sees the whole record or none
    return path


def recorded(folder: Path, fields: dict) -> Result | None:
    """The result recorded in ``folder`` under exactly ``fields``, or None (no record, or any field differs).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> fields = {"notebook": "ab", "mode": "none"}
    >>> _ = record(folder, fields, Result("a.ipynb", "graded", sha256="ab"))
    >>> recorded(folder, fields).status
    'graded'
    >>> recorded(folder, fields | {"mode": "user"}) is None
    True
    """
    path = _path(folder, fields)
    try:
        saved = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if saved.get("key") != fields:
        return None
    return Result.from_json(json.dumps(saved["result"]))
