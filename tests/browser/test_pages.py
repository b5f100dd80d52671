"""Every page of the book as a reader gets it: offline, error-free, figures shown, links alive, accessible.

Each page is opened once (conftest.Book.visit); each test asks one question of that visit.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from browserbook import HTML, ROOT, SERIOUS, is_notebook


def test_pages_load_offline_without_console_errors(book, page_file):
    network = book.visit(page_file).network
    assert not network.page_errors, f"uncaught JavaScript errors: {network.page_errors}"
    assert not network.console_errors, f"console errors: {network.console_errors}"


def test_pages_make_no_failed_or_outside_requests(book, page_file):
    network = book.visit(page_file).network
    assert not network.blocked, f"requests beyond the book (the page would break offline): {network.blocked}"
    assert not network.failed, f"failed requests: {network.failed}"
    assert not network.http_errors, f"HTTP errors: {network.http_errors}"


def test_every_figure_is_shown_and_described(book, page_file):
    visit = book.visit(page_file)
    for image in visit.images:
        assert image["width"] > 0, f"figure did not load: {image['src']}"
        assert (image["alt"] or "").strip(), f"figure without alternative text: {image['src']}"
    if page_file.startswith("book/") and is_notebook(page_file):
        assert visit.images, "a chapter page should show at least one figure"


def test_every_widget_control_changes_its_figure(book, page_file):
    visit = book.visit(page_file)
    source = ROOT / f"{page_file}.ipynb"
    expects_widget = source.exists() and "explore(" in source.read_text()
    assert bool(visit.widgets) == expects_widget, "each explore() widget in the notebook should be live on the page"
    for control in visit.widgets:
        assert control["loaded"], f"widget {control['widget']} shows no precomputed figure"
        assert control["values"] > 1, (
            f"control {control['control']!r} offers a single value: a slider that cannot move "
            "(fix that argument in the figure function instead of offering it to explore())")
        assert control["changed"] and control["alt_changed"], f"moving {control['control']} left the figure unchanged"
        assert control["restored"], f"moving {control['control']} back did not bring the first figure back"
    for animation in visit.animations:  # play and step are exercised in test_animation.py
        assert animation["ready"] and int(animation["step"]) >= 1, (
            f"animation {animation['id']} did not start its player on its first frame (step {animation['step']})")


@lru_cache(maxsize=None)
def anchors(path: Path) -> frozenset[str]:
    """The ids and names a page offers as link targets."""
    text = path.read_text(errors="replace")
    return frozenset(re.findall(r'\s(?:id|name)="([^"]+)"', text))


def target_file(url: str, base: str) -> Path | None:
    """The file under the built book that a same-site URL points to (None for other sites)."""
    if not url.startswith(base):
        return None
    path = unquote(urlsplit(url).path).lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return HTML / path


def test_internal_links_and_cross_references_resolve(book, page_file):
    visit = book.visit(page_file)
    broken = []
    for url in visit.links:
        target = target_file(url, book.url)
        if target is None:
            continue
        fragment = unquote(urlsplit(url).fragment)
        if not target.is_file():
            broken.append(f"{url} (no such file)")
        elif fragment and target.suffix == ".html" and fragment not in anchors(target):
            broken.append(f"{url} (no #{fragment} on that page)")
    assert not broken, f"links that lead nowhere: {broken}"


def test_no_serious_accessibility_violations(book, page_file):
    serious = [v for v in book.visit(page_file).violations if v["impact"] in SERIOUS]
    details = "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"][:5])
                        for v in serious)
    assert not serious, f"axe-core finds serious or critical violations:\n{details}"


def test_every_page_has_a_first_screen_screenshot(book, page_file):
    shot = book.visit(page_file).screenshot
    assert shot.exists() and shot.stat().st_size > 5_000, f"no screenshot of {page_file} at {shot}"


def test_the_site_root_leads_to_the_first_page(book, new_page):
    page, network = new_page()
    page.goto(book.url, wait_until="networkidle")
    assert page.url.endswith(".html") and page.url != book.url, "index.html should redirect to the book's root page"
    assert page.locator("h1").count() >= 1
    assert not (network.blocked or network.failed or network.console_errors or network.page_errors)


def test_a_page_that_reaches_out_is_caught(book, new_page):
    """The net is real: a request beyond 127.0.0.1 is blocked and recorded (the same recorder every visit uses)."""
    page, network = new_page()
    page.goto(book.page_url("book/preface"), wait_until="networkidle")
    page.evaluate("() => fetch('https://example.org/x.js').catch(() => null)")
    page.wait_for_timeout(200)
    assert network.blocked == ["https://example.org/x.js"]
    assert network.failed and network.console_errors
