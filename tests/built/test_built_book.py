"""Checks of the built HTML book (run after 'make book')."""

import re
from pathlib import Path

import pytest
import sys

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "tools"))
from book_toc import toc_pages  # noqa: E402


PAGES = toc_pages()


def page(file):
    return (HTML / f"{file}.html").read_text()


def test_book_was_built():
    assert (HTML / "index.html").exists(), "run 'make book' first"


@pytest.mark.parametrize("file", PAGES)
def test_every_toc_entry_has_a_page_without_tracebacks(file):
    html = page(file)
    assert "Traceback (most recent call last)" not in html
    assert 'class="output error"' not in html and "output traceback" not in html


@pytest.mark.parametrize("file", [f for f in PAGES if f.startswith("book/") and (ROOT / f"{f}.ipynb").exists()])
def test_chapter_pages_show_their_figures_and_outputs(file):
    html = page(file)
    figures = re.findall(r'<img [^>]*src="[^"]*\.png"', html)
    assert figures, "a chapter page should show at least one static figure"
    assert "cell_output" in html


@pytest.mark.parametrize("file", [f for f in PAGES if (ROOT / f"{f}.ipynb").exists()
                                  and "explore(" in (ROOT / f"{f}.ipynb").read_text()])
def test_widgets_are_precomputed_in_the_static_page(file):
    html = page(file)
    blocks = re.findall(r'<div class="explore" id="(explore-[0-9a-f]+)">', html)
    assert blocks, "an explore() widget should appear as precomputed frames, not an empty widget area"
    assert html.count('class="explore-frames"') == len(blocks)
    assert "application/vnd.jupyter.widget-view+json" not in html
    for alt in re.findall(r'<img class="explore-figure" src="data:image/png;base64,[^"]+" alt="([^"]*)"', html):
        assert alt.strip()


def test_lab_page_shows_the_student_version_without_solutions():
    html = page("labs/lab01-clocks/lab01-clocks")
    assert "grader.check" in html
    assert "BEGIN SOLUTION" not in html and "carried[message] = now" not in html


@pytest.mark.parametrize("file", PAGES)
def test_pages_load_no_script_or_style_from_the_network(file):
    html = page(file)
    external = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?://[^"]+)"', html)
    assets = [url for url in external if re.search(r"\.(js|css|png|svg|woff2?)(\?|$)", url)]
    assert not assets, f"assets fetched from the network: {assets}"


def test_math_is_typeset_by_the_book_s_own_mathjax():
    html = page("book/01-foundations/scalability")
    assert re.search(r'<script [^>]*src="[./]*_static/\.\./mathjax/tex-mml-chtml\.js', html)
    assert (HTML / "mathjax" / "tex-mml-chtml.js").exists()
    assert list((HTML / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))


def test_no_hidden_test_or_solution_appears_anywhere_in_the_book():
    from labsupport.grading import load_autograder
    from labsupport.grading.authoring import autograder_zip

    text = "\n".join(p.read_text(errors="replace") for p in HTML.rglob("*.html"))
    import html as html_module

    text = html_module.unescape(re.sub(r"<[^>]+>", "", text))
    labs = sorted(p.name for p in (ROOT / "instructor" / "labs").iterdir() if p.is_dir())
    assert labs
    for lab in labs:
        _, questions = load_autograder(autograder_zip(lab))
        for case in (c for q in questions for c in q.cases if c.hidden):
            for line in case.code.strip().splitlines():
                body = line.removeprefix(">>> ").strip()
                if len(body) > 30:
                    assert body not in text, f"{lab}: hidden test line {body!r} appears in the built book"


def _text(html_fragment: str) -> str:
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", html_fragment))


@pytest.mark.parametrize("file", PAGES)
def test_no_warnings_or_stderr_in_any_page(file):
    """A warning raised while the book was built (e.g. matplotlib's 'More than 20 figures') shows as output."""
    html = page(file)
    assert "output stderr" not in html, "an output written to stderr (a warning?) is shown in the page"
    outputs = _text(" ".join(re.findall(r'<div class="cell_output[^"]*">(.*?)</div>\s*</div>', html, re.S)))
    found = re.findall(r"\b\w*Warning: .{0,80}", outputs)  # a page may print a caught error on purpose
    assert not found, f"warnings or errors in the outputs: {found[:3]}"


@pytest.mark.parametrize("file", PAGES)
def test_no_test_scaffolding_in_any_page(file):
    """nbval markers and alt-text comments live in cell metadata; otter's set-up cell is hidden in the book."""
    html = page(file)
    code = _text(" ".join(re.findall(r'<div class="cell_input[^"]*">(.*?)</div>\s*</div>', html, re.S)))
    assert "NBVAL_IGNORE_OUTPUT" not in code
    assert not re.search(r"^\s*# alt:", code, re.M), "a '# alt:' comment is shown in a code cell"
    assert "Initialize Otter" not in code and "otter.Notebook(" not in code
