"""Every page as a reader sees it at 1280 px: nothing wider than the column, sharp figures at the column's
width, the right control for each choice, no warnings and no test scaffolding.

Each test asks one question of the page's single visit (browserbook.READING_JS). The five pages that
issue 18 names are also photographed whole, at 1280 px and at a phone's 390 px, in
_build/screenshots/reading/ (test_reading_screenshots).
"""

from __future__ import annotations

import re

import pytest

from browserbook import SCREENSHOTS, VIEWPORT

READING_PAGES = ["book/01-foundations/concurrency", "book/03-data/quorums", "book/04-availability/load-balancing",
                 "book/05-security/iam", "book/07-cost/commitments"]
NUMBER = re.compile(r"^-?[0-9.,]+(e-?[0-9]+)?$")


def test_nothing_is_wider_than_the_column(book, page_file):
    reading = book.visit(page_file).reading
    details = "\n".join(f"{b['what']} {b['width']} px (scrolls {b['scroll']} in {b['client']}): {b['text']!r}"
                        for b in reading["overflow"][:8])
    assert not reading["overflow"], (
        f"{len(reading['overflow'])} code cells, outputs or tables are wider than the {reading['column']}-px column "
        f"(tools/format_notebooks.py, tools/show_tables.py):\n{details}")


def test_figures_fill_the_column_and_are_sharp(book, page_file):
    reading = book.visit(page_file).reading
    widest_static = max((f["shown"] for f in reading["statics"]), default=0)
    for frame in reading["frames"]:
        assert frame["shown"] >= widest_static - 1, (
            f"a widget figure is {frame['shown']} px wide, narrower than the page's static figures ({widest_static} px)")
        assert frame["natural"] >= 2 * frame["shown"] * 0.95, f"a widget figure is blurry on a 2x screen: {frame}"
    for figure in reading["statics"]:
        assert figure["natural"] >= figure["shown"], f"a figure is shown larger than it was drawn: {figure}"


def test_each_choice_has_the_right_control_with_a_visible_label_and_value(book, page_file):
    for control in book.visit(page_file).reading["controls"]:
        values = control["values"]
        if sorted(values) == ["False", "True"]:
            assert control["kind"] == "checkbox", f"{control['name']} is on/off: a checkbox, not a {control['kind']}"
        elif all(NUMBER.match(v) for v in values):
            assert control["kind"] == "range", f"{control['name']} takes ordered numbers: a slider"
        else:
            assert control["kind"] in ("radio", "dropdown"), (
                f"{control['name']} is a named choice ({values[:3]}...): buttons or a list, not a {control['kind']}")
        assert control["label_visible"], f"{control['name']}: its label {control['label']!r} is not shown"
        assert control["value_visible"], f"{control['name']}: its value is not shown"


def test_no_warnings_or_stderr_in_the_page(book, page_file):
    reading = book.visit(page_file).reading
    assert not reading["warnings"], f"warnings or errors in the outputs: {reading['warnings']}"
    assert reading["stderr"] == 0, f"{reading['stderr']} outputs written to stderr"


def test_no_test_scaffolding_is_shown(book, page_file):
    reading = book.visit(page_file).reading
    assert not reading["scaffolding"], (
        f"code cells show nbval markers, alt-text comments or otter's set-up: {reading['scaffolding']}")
    assert reading["before_title"] == 0, "a code cell comes before the page's title"


@pytest.mark.parametrize("file", READING_PAGES)
@pytest.mark.parametrize("width", [VIEWPORT["width"], 390])
def test_reading_screenshots(book, new_page, file, width):
    page, network = new_page(viewport={"width": width, "height": 900}, device_scale_factor=2 if width < 800 else 1)
    page.goto(book.page_url(file), wait_until="load")
    page.evaluate("() => document.fonts.ready")
    folder = SCREENSHOTS / "reading"
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / f"{file.rsplit('/', 1)[-1]}-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    assert not network.blocked and not network.page_errors
