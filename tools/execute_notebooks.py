"""Execute notebooks in place, the way they are committed: top to bottom in a fresh kernel.

Usage: python tools/execute_notebooks.py book/01-foundations/*.ipynb

Widgets run in live mode (no precomputed frames in the committed file) and no
widget state is saved; timing metadata is stripped so that re-running an
unchanged notebook leaves git with nothing to commit.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def clean(nb: nbformat.NotebookNode) -> None:
    nb.metadata = {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        cell.metadata.pop("lines_to_next_cell", None)
        if cell.cell_type == "code":
            for output in cell.outputs:
                output.get("metadata", {}).pop("execution", None)


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = KERNEL
    started = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - started
    clean(nb)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return seconds


def main(paths: list[str]) -> int:
    os.environ["LABSUPPORT_WIDGETS"] = "live"
    for p in paths:
        seconds = execute(Path(p))
        print(f"{seconds:6.1f} s  {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
