"""Fixtures for the browser suite (run after 'make book'): a local server, one Chromium, axe-core.

See browserbook.py for what a visit to a page gathers.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from browserbook import (AXE, AXE_VERSION, CHROMIUM, CHROMIUM_ARGS, HTML, ROOT, SCREENSHOTS, TIMEOUT_MS, VIEWPORT, Book,
                         is_notebook, offline, toc_chapters, toc_pages)


# -- the server and the browser ---------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def book_url():
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built book at {HTML}: run 'make book' first (or set BOOK_HTML)")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(HTML)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run tools/ensure_browser.sh (installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm not found: it installs axe-core for the accessibility checks (tools/ensure_browser.sh)")
        subprocess.run([npm, "install", "--silent", "--no-audit", "--no-fund", "--save-exact",
                        "--prefix", str(ROOT / ".venv" / "npm"), f"axe-core@{AXE_VERSION}"], check=True)
    return AXE


@pytest.fixture
def new_page(browser):
    """``new_page()`` opens a page in a fresh context, cut off from the network."""
    contexts = []

    def make(**options):
        context = browser.new_context(**{"viewport": VIEWPORT, **options})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        return page, offline(page)

    yield make
    for context in contexts:
        context.close()


_BOOKS: list[Book] = []


@pytest.fixture(scope="session")
def book(browser, book_url, axe_script) -> Book:
    _BOOKS.append(Book(browser, book_url, axe_script))
    return _BOOKS[-1]


def pytest_terminal_summary(terminalreporter):
    """What the suite looked at, for the CI log."""
    visits = [v for b in _BOOKS for v in b.visits.values()]
    if visits:
        terminalreporter.write_line(
            f"browser suite: {len(visits)} pages, {sum(len(v.images) for v in visits)} figures, "
            f"{sum(len(v.widgets) for v in visits)} widget controls moved, "
            f"{sum(len(v.animations) for v in visits)} animations, "
            f"{sum(len(v.links) for v in visits)} links; screenshots in {SCREENSHOTS}")


def pytest_generate_tests(metafunc):
    if "page_file" in metafunc.fixturenames:
        metafunc.parametrize("page_file", toc_pages())  # one worker per page: tests/conftest.py
    if "notebook_file" in metafunc.fixturenames:
        metafunc.parametrize("notebook_file", [f for f in toc_pages() if is_notebook(f)])
    if "chapter_file" in metafunc.fixturenames:
        metafunc.parametrize("chapter_file", toc_chapters())
