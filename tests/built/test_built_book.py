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


# -- a widget replaces or extends the figure above it, never repeats it (issue 18) ---------------------------------
SAME_PICTURE = 0.002  # mean difference of two same-sized figures, as a share of full scale, below which they repeat


def repeats(first: bytes, second: bytes) -> bool:
    """Whether two PNG figures show the same picture: identical bytes, or the same size and (nearly) the same pixels.

    In the built book a static figure and a widget's frame are both drawn by labsupport.viz.figures.column_png, so
    the same drawing gives the same pixels; a moved curve, another title or another size does not.
    """
    import io

    import numpy as np
    from PIL import Image

    if first == second:
        return True
    with Image.open(io.BytesIO(first)) as a, Image.open(io.BytesIO(second)) as b:
        if a.size != b.size:
            return False
        a, b = (np.asarray(image.convert("L"), dtype=float) / 255 for image in (a, b))
    return float(abs(a - b).mean()) < SAME_PICTURE


def figures_in_order(html: str, folder: Path):
    """The page's figures top to bottom: ("static", png) for a cell's image, ("widget", png) for an explore() block's
    first frame."""
    import base64

    pattern = r'<div class="explore" id="explore-[0-9a-f]+">|<img [^>]*src="([^"]*_images/[^"]+\.png)"'
    for match in re.finditer(pattern, html):
        if match.group(1):
            yield "static", (folder / match.group(1)).resolve().read_bytes()
        else:
            data = re.search(r'<img class="explore-figure" src="data:image/png;base64,([^"]+)"', html[match.end():])
            yield "widget", base64.b64decode(data.group(1))


def repeated_figures(figures) -> list[int]:
    """Indexes (1-based, among widgets) of the widgets whose first frame repeats a static figure drawn since the
    previous widget: there the static figure should go (tag its cell 'remove-output') or the widget start elsewhere."""
    found, since, widgets = [], [], 0
    for kind, png in figures:
        if kind == "static":
            since.append(png)
            continue
        widgets += 1
        if any(repeats(static, png) for static in since):
            found.append(widgets)
        since = []
    return found


def test_the_repeat_check_can_fail():
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def png(slope, dpi=80):
        figure, ax = plt.subplots(figsize=(6, 3))
        ax.plot([0, 1], [0, slope])
        ax.set_ylim(0, 2)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi)
        plt.close(figure)
        return buffer.getvalue()

    line, steeper = png(1), png(2)
    assert repeated_figures([("static", line), ("widget", line)]) == [1]
    from PIL import Image

    reencoded = io.BytesIO()
    Image.open(io.BytesIO(line)).save(reencoded, format="png", compress_level=1)  # same pixels, other bytes
    assert reencoded.getvalue() != line
    assert repeated_figures([("static", line), ("widget", reencoded.getvalue())]) == [1]
    assert repeated_figures([("static", line), ("widget", png(1, dpi=150))]) == []  # another size: not a repeat
    assert repeated_figures([("static", line), ("widget", steeper)]) == []
    assert repeated_figures([("static", line), ("widget", steeper), ("widget", line)]) == []


@pytest.mark.parametrize("file", [f for f in PAGES if (ROOT / f"{f}.ipynb").exists()
                                  and "explore(" in (ROOT / f"{f}.ipynb").read_text()])
def test_no_widget_starts_by_repeating_the_figure_above_it(file):
    html_file = HTML / f"{file}.html"
    repeated = repeated_figures(figures_in_order(html_file.read_text(), html_file.parent))
    assert not repeated, (
        f"widget(s) {repeated} open on the same picture as the static figure above them: tag that figure's cell "
        "'remove-output' (the widget replaces it) or start the widget at a different, labelled setting")


# -- figure text at least as large as the body's small print (issue 18) ---------------------------------------------
def text_sizes(html: str, folder: Path):
    """(where, CSS px of the smallest text) for every figure of a page: its static figures and every precomputed
    widget frame, as recorded by labsupport.viz.figures.column_png (None: drawn some other way, unrecorded)."""
    import base64
    import io
    import json

    from PIL import Image

    from labsupport.viz.figures import TEXT_PX_KEY

    def recorded(png: bytes):
        with Image.open(io.BytesIO(png)) as image:
            value = image.info.get(TEXT_PX_KEY)
        return None if value is None else float(value)

    for n, src in enumerate(re.findall(r'<img [^>]*src="([^"]*_images/[^"]+\.png)"', html), 1):
        yield f"static figure {n}", recorded((folder / src).resolve().read_bytes())
    for n, frames in enumerate(re.findall(r'<script type="application/json" class="explore-frames">(.*?)</script>',
                                          html, re.S), 1):
        for key, uri in json.loads(frames).items():
            yield f"widget {n} frame {key}", recorded(base64.b64decode(uri.split(",", 1)[1]))


@pytest.mark.parametrize("file", [f for f in PAGES if f.startswith("book/") and (ROOT / f"{f}.ipynb").exists()])
def test_figure_text_is_at_least_the_body_s_small_print(file):
    from labsupport.viz.figures import MIN_TEXT_PX

    html_file = HTML / f"{file}.html"
    sizes = list(text_sizes(html_file.read_text(), html_file.parent))
    unrecorded = [where for where, px in sizes if px is None]
    small = [(where, px) for where, px in sizes if px is not None and px < MIN_TEXT_PX]
    assert not unrecorded, f"figures drawn before 'import labsupport.viz' (size unknown, not sharp): {unrecorded[:5]}"
    assert not small, (f"figure text smaller than the body's small print ({MIN_TEXT_PX:g} px at the column's width): "
                       f"{small[:5]}; draw the figure narrower (at most about 8 in) or its smallest text larger")
