"""Execute notebooks in place, the way they are committed: top to bottom in a fresh kernel.

Usage: python tools/execute_notebooks.py book/01-foundations/*.ipynb

Widgets run in live mode (no precomputed frames in the committed file) and no
widget state is saved; timing metadata is stripped so that re-running an
unchanged notebook leaves git with nothing to commit.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


TITLE = re.compile(r"""(?:set_title|suptitle|title=)\(?\s*f?(["'])(.+?)\1""")


def alt_text(cell, previous_markdown: str) -> str:
    """Alternative text for a figure: a '# alt:' comment, else its title, else the text before it."""
    for line in cell.source.splitlines():
        if line.strip().lower().startswith("# alt:"):
            return line.split(":", 1)[1].strip()
    match = TITLE.search(cell.source)
    if match and "{" not in match.group(2):
        return f"Figure: {match.group(2)}"
    text = re.sub(r"^\(\S+\)=\s*$", "", previous_markdown, flags=re.M)  # MyST labels
    headings = [h.lstrip("#").strip() for h in text.splitlines() if h.startswith("#")]
    sentence = headings[-1] if headings else re.split(r"(?<=[.!?])\s", " ".join(text.split()))[0]
    sentence = re.sub(r"[*`$]|\{[a-z]+\}", "", sentence).strip()
    return f"Figure: {sentence[:150]}" if sentence else "Figure"


def add_alt_text(nb: nbformat.NotebookNode) -> None:
    """Give every cell that draws a figure alternative text (myst-nb reads it from the cell metadata)."""
    previous = ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            previous = cell.source
            continue
        draws = any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))
        image = cell.metadata.get("mystnb", {}).get("image", {})
        if draws and (not image.get("alt") or image.get("alt", "").startswith("Figure")):
            cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = alt_text(cell, previous)


def mark_ignored_outputs(cell) -> None:
    """nbval honours '# NBVAL_IGNORE_OUTPUT' only as a whole comment line: keep the reason on the next line."""
    first, _, rest = cell.source.partition("\n")
    if first.startswith("# NBVAL_IGNORE_OUTPUT") and first.strip() != "# NBVAL_IGNORE_OUTPUT":
        reason = first[len("# NBVAL_IGNORE_OUTPUT"):].lstrip(":- ").strip()
        cell.source = "# NBVAL_IGNORE_OUTPUT\n# " + reason[:1].upper() + reason[1:] + ("\n" + rest if rest else "")


def clean(nb: nbformat.NotebookNode) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code":
            mark_ignored_outputs(cell)
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
    add_alt_text(nb)
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
