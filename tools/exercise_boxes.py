"""Exercises as boxes, numbered one way across the book: Exercise <section>.<k>.

Usage:
    python tools/exercise_boxes.py book/*/*.ipynb            rewrite the Markdown cells in place
    python tools/exercise_boxes.py --check book/*/*.ipynb    only report pages not yet rewritten

A page titled "# 1.3 Concurrency ..." numbers its exercises 1.3.1, 1.3.2, ... in order (chapters had
used both 1.4 and 4.1.1). Each paragraph that begins with ``**Exercise N.**`` becomes an
``{admonition}`` box of class ``exercise``; its "Solution to Exercise N" dropdown and every mention
of "Exercise N" in the page take the new number. Idempotent: a second run changes nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

TITLE = re.compile(r"^# (\d+(?:\.\d+)*)\s", re.M)
BOLD = re.compile(r"^\*\*Exercise (\d+(?:\.\d+)*)\.?\*\*\s*", re.M)
BOX = re.compile(r"^:::\{admonition\} Exercise (\d+(?:\.\d+)*)\n:class: exercise$", re.M)


def section_number(cells: list[dict]) -> str | None:
    for cell in cells:
        if cell["cell_type"] == "markdown":
            match = TITLE.search("".join(cell["source"]))
            if match:
                return match.group(1)
    return None


def box_paragraphs(text: str) -> str:
    """``**Exercise N.** text...`` up to the next blank line or block becomes an exercise box."""
    out, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        match = BOLD.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        body = [lines[i][match.end():]]
        i += 1
        while i < len(lines) and lines[i].strip() and not lines[i].startswith((":::", "**Exercise", "#")):
            body.append(lines[i])
            i += 1
        out += [f":::{{admonition}} Exercise {match.group(1)}", ":class: exercise", *body, ":::"]
    return "\n".join(out)


def convert(nb: dict) -> bool:
    cells = nb["cells"]
    section = section_number(cells)
    if section is None:
        return False
    texts = ["".join(c["source"]) for c in cells]
    old = []
    for t in texts:
        if t and cells[texts.index(t)]["cell_type"] == "markdown":
            old += [m.group(1) for m in BOLD.finditer(t)] + [m.group(1) for m in BOX.finditer(t)]
    old = list(dict.fromkeys(old))
    renumber = {n: f"{section}.{k}" for k, n in enumerate(old, 1)}
    changed = False
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        new = box_paragraphs(text)
        if renumber:
            pattern = re.compile(r"\bExercises? (" + "|".join(map(re.escape, sorted(renumber, key=len, reverse=True)))
                                 + r")(?![\d.]*\d)")
            new = pattern.sub(lambda m: m.group(0).replace(m.group(1), renumber[m.group(1)]), new)
        if new != text:
            cell["source"] = new.splitlines(keepends=True)
            changed = True
    return changed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a page needs rewriting")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    stale = []
    for path in args.notebooks:
        nb = json.loads(path.read_text())
        if convert(nb):
            stale.append(path)
            if not args.check:
                path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
                print(f"exercise boxes: {path}")
    if args.check:
        for path in stale:
            print(f"{path}: exercises are not numbered boxes; run 'python tools/exercise_boxes.py {path}'",
                  file=sys.stderr)
        return 1 if stale else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
