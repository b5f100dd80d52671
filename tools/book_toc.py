"""The book's pages in _toc.yml order: one walk of the table of contents for every check that needs it."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

__all__ = ["toc_pages", "toc_chapters"]


def toc_pages(root: Path = ROOT) -> list[str]:
    """Every page of the book (root, chapters and sections), in reading order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))
            walk(entry.get("chapters", []))

    walk(toc.get("parts", []))
    walk(toc.get("chapters", []))
    return files


def toc_chapters(root: Path = ROOT) -> list[str]:
    """The top-level chapter pages (one per entry under a part)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    return [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", []) if "file" in c]
