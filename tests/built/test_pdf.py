"""The PDF of the whole book ('make pdf', tools/make_pdf.py): every chapter, solutions, no raw TeX."""

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PDF = ROOT / "_build" / "pdf" / "book.pdf"
sys.path.insert(0, str(ROOT / "tools"))
from make_pdf import chapters, title_of  # noqa: E402

MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.S)


def page_math() -> set[str]:
    """The TeX of every equation in the pages' prose (Markdown cells and .md pages), not in code."""
    found = set()
    for path in sorted((ROOT / "book").rglob("*")):
        if path.suffix == ".ipynb":
            import json

            texts = ["".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown"]
        elif path.suffix == ".md":
            texts = [path.read_text()]
        else:
            continue
        for text in texts:
            for match in MATH.finditer(text):
                tex = (match.group(1) or match.group(2)).strip()
                if "\\" in tex and len(tex) > 10 and re.search(r"[{}_^]", tex):
                    found.add(squash(tex))
    return found


def pages_text(start: int, stop: int) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(PDF)
    return [reader.pages[i].extract_text() or "" for i in range(start, min(stop, len(reader.pages)))]


@pytest.fixture(scope="module")
def text():
    """Each page's text, read by two processes (pypdf takes about 20 s a core for the book's 950 pages)."""
    if not PDF.exists():
        pytest.fail(f"no PDF at {PDF}: run 'make pdf'")
    from concurrent.futures import ProcessPoolExecutor

    from pypdf import PdfReader

    count = len(PdfReader(PDF).pages)
    half = (count + 1) // 2
    with ProcessPoolExecutor(2) as pool:
        parts = list(pool.map(pages_text, (0, half), (half, count)))
    text = parts[0] + parts[1]
    assert len(text) == count
    return text


def squash(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def test_the_pdf_has_every_chapter_in_order(text):
    whole = squash(" ".join(text))
    place = 0
    for chapter, _ in chapters():
        title = squash(title_of(chapter))
        found = whole.find(title, place)
        assert found >= 0, f"chapter {chapter!r} ({title!r}) is missing from the PDF, or out of order"
        place = found


def test_each_chapter_with_exercises_ends_with_their_solutions(text):
    whole = squash(" ".join(text))
    assert whole.count("Solutions to the exercises") >= 5
    assert "Solution to Exercise" in whole


def test_no_equation_is_left_as_raw_tex(text):
    """Every equation was typeset: none of the pages' TeX appears as text (code may hold TeX; it is not checked)."""
    math = page_math()
    assert len(math) > 20, "the pages should have equations to check"
    whole = squash(" ".join(text))
    raw = [tex for tex in math if tex in whole]
    assert not raw, f"equations printed as raw TeX: {raw[:10]}"
    assert "$$" not in whole
