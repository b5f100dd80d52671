"""The loop the page tools share: rewrite every code cell of some notebooks, or (--check) only report.

Each tool (format_notebooks.py, show_tables.py) supplies a function from a cell's source to its new
source; this module reads the notebooks, applies it, and writes a notebook back only when a cell changed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path


def rewrite_code_cells(paths: list[Path], rewrite: Callable[[Path, int, str], str], *, check: bool,
                       done: str, problem: str) -> int:
    """Apply ``rewrite(path, cell_number, source)`` to every code cell; return the exit status.

    Without ``check`` each changed notebook is written and ``done.format(path=...)`` printed; with it nothing is
    written and ``problem.format(path=..., cell=...)`` is printed to stderr for each cell that would change
    (exit status 1 if any).
    """
    problems = []
    for path in paths:
        nb = json.loads(path.read_text())
        changed = False
        for number, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            new = rewrite(path, number, source)
            if new != source:
                problems.append(problem.format(path=path, cell=number))
                cell["source"] = new.splitlines(keepends=True)
                changed = True
        if changed and not check:
            path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
            print(done.format(path=path))
    if check:
        for line in problems:
            print(line, file=sys.stderr)
        return 1 if problems else 0
    return 0
