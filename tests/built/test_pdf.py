"""The PDF of the whole book ('make pdf', tools/make_pdf.py): every chapter, solutions, no raw TeX."""

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PDF = ROOT / "_build" / "pdf" / "book.pdf"
sys.path.insert(0, str(ROOT / "tools"))
from make_pdf import chapters, title_of  # noqa: E402

RAW_TEX = re.compile(r"\\(frac|sum|sqrt|cdot|le|ge|leq|geq|binom|mathrm|text|begin|end|left|right)\b|\\\(|\\\[|\$\$")


@pytest.fixture(scope="module")
def text():
    if not PDF.exists():
        pytest.fail(f"no PDF at {PDF}: run 'make pdf'")
    from pypdf import PdfReader

    reader = PdfReader(PDF)
    return [page.extract_text() or "" for page in reader.pages]


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
    broken = [(number + 1, m.group(0)) for number, page in enumerate(text) for m in RAW_TEX.finditer(page)]
    assert not broken, f"raw TeX in the PDF (page, text): {broken[:10]}"
