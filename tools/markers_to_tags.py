"""Move test scaffolding out of the code readers see: nbval's marker to a cell tag, alt text to metadata.

Usage:
    python tools/markers_to_tags.py book/*/*.ipynb            rewrite the notebooks in place
    python tools/markers_to_tags.py --check book/*/*.ipynb    only report notebooks that still show markers

A code cell that begins with the line ``# NBVAL_IGNORE_OUTPUT`` loses that line and gets the cell
tag ``nbval-ignore-output`` (nbval honours both); the comment line right after it, which says why
the output is not compared, moves to the cell metadata ``labsupport.ignore_reason``. A line
``# alt: ...`` leaves the code and becomes the figure's alternative text in
``mystnb.image.alt``, where the book reads it. Idempotent: a second run changes nothing.
Outputs and execution counts are kept, so the notebooks need no re-execution for nbval.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

IGNORE_LINE = "# NBVAL_IGNORE_OUTPUT"
IGNORE_TAG = "nbval-ignore-output"


def convert_cell(cell: dict) -> bool:
    """Move the markers of one code cell into its metadata; return whether anything changed."""
    if cell.get("cell_type") != "code":
        return False
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    lines = source.split("\n")
    metadata = cell.setdefault("metadata", {})
    changed = False
    if lines and lines[0].startswith(IGNORE_LINE):
        rest = lines[0][len(IGNORE_LINE):].lstrip(":- ").strip()
        lines = lines[1:]
        reason = rest
        if not reason and lines and lines[0].startswith("# "):
            reason, lines = lines[0][2:].strip(), lines[1:]
        tags = metadata.setdefault("tags", [])
        if IGNORE_TAG not in tags:
            tags.append(IGNORE_TAG)
        if reason:
            metadata.setdefault("labsupport", {})["ignore_reason"] = reason
        changed = True
    kept = []
    for line in lines:
        if line.strip().lower().startswith("# alt:"):
            metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = line.split(":", 1)[1].strip()
            changed = True
        else:
            kept.append(line)
    if changed:
        while kept and not kept[0].strip():
            kept.pop(0)
        text = "\n".join(kept)
        cell["source"] = text.splitlines(keepends=True) if isinstance(cell["source"], list) else text
    return changed


def shows_markers(cell: dict) -> bool:
    source = "".join(cell.get("source", ""))
    return cell.get("cell_type") == "code" and any(
        line.startswith(IGNORE_LINE) or line.strip().lower().startswith("# alt:") for line in source.split("\n"))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a notebook shows markers")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    dirty = []
    for path in args.notebooks:
        nb = json.loads(path.read_text())
        if args.check:
            if any(shows_markers(c) for c in nb["cells"]):
                dirty.append(path)
            continue
        if any([convert_cell(c) for c in nb["cells"]]):
            path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
            print(f"moved markers to metadata: {path}")
    for path in dirty:
        print(f"{path}: code cells still begin with '{IGNORE_LINE}' or hold '# alt:' lines; "
              f"run 'python tools/markers_to_tags.py {path}'", file=sys.stderr)
    return 1 if dirty else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
