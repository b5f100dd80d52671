"""Helpers for the browser suite: where the book is, its pages, a network recorder, one visit per page.

One headless Chromium (Debian's /usr/bin/chromium, never a downloaded one) serves the
whole suite (fixtures in conftest.py). The book is served from ``_build/html`` (or ``$BOOK_HTML``) by a thread
HTTP server on 127.0.0.1, and every request that is not for 127.0.0.1 is aborted and
recorded: a page that works here works offline. Each page is opened once, in a fresh
browser context (as a first-time reader would see it), and everything the tests ask
about it is gathered in that one visit: console errors, failed requests, figures,
links, launch buttons, axe-core findings and what the widget controls do.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import sys

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from book_toc import toc_chapters, toc_pages  # noqa: E402,F401  (one walk of _toc.yml for all checks)

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
SCREENSHOTS = Path(os.environ.get("BOOK_SCREENSHOTS", HTML.parent / "screenshots"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE_VERSION = "4.14.1"
AXE = ROOT / ".venv" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 30_000

# axe rules switched off, each with the reason. Empty: the theme's findings are fixed in
# _static/reader-fixes.js instead (see its header).
AXE_DISABLED_RULES: dict[str, str] = {}
SERIOUS = ("serious", "critical")


def is_notebook(file: str) -> bool:
    return (ROOT / f"{file}.ipynb").exists()


@dataclass
class Network:
    """What a page asked the network for that it should not have, or did not get."""

    blocked: list[str] = field(default_factory=list)  # requests for anything but 127.0.0.1
    failed: list[str] = field(default_factory=list)  # requests that did not complete
    http_errors: list[str] = field(default_factory=list)  # 4xx/5xx answers
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)  # uncaught exceptions


def offline(page) -> Network:
    """Cut ``page`` off from everything but 127.0.0.1 and record what goes wrong."""
    record = Network()

    def route(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            record.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    page.route("**/*", route)
    page.on("requestfailed", lambda r: record.failed.append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: record.http_errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: record.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: record.page_errors.append(str(e)))
    return record


# -- one visit per page ---------------------------------------------------------------------
@dataclass
class Visit:
    file: str
    network: Network
    images: list[dict]
    links: list[str]
    launch: dict
    violations: list[dict]
    widgets: list[dict]
    animations: list[dict]
    screenshot: Path
    reading: dict


# Loaded, fonts in, and math typeset: what a reader sees once the page has settled.
READY_JS = """() => Promise.all([document.fonts.ready,
  window.MathJax && MathJax.startup && MathJax.startup.promise ? MathJax.startup.promise : null])"""

IMAGES_JS = """() => Promise.all(Array.from(document.images).map(img =>
  (img.complete ? Promise.resolve() : new Promise(done => { img.onload = img.onerror = done; }))
    .then(() => ({src: img.currentSrc.slice(0, 120), alt: img.getAttribute('alt'), width: img.naturalWidth}))))"""

LAUNCH_JS = """() => ({
  binder: Array.from(document.querySelectorAll('a[href^="https://mybinder.org/v2/gh/"]')).map(a => a.href),
  colab: Array.from(document.querySelectorAll('a[href^="https://colab.research.google.com/github/"]')).map(a => a.href),
  thebe: document.querySelectorAll('button.btn-launch-thebe').length,
  download: Array.from(document.querySelectorAll('.dropdown-download-buttons a[href]')).map(a => a.href),
})"""

# Each protocol animation (labsupport.viz.animate): did its player start, at the first event?
ANIMATIONS_JS = """() => Array.from(document.querySelectorAll('div.trace-animation')).map(root => ({
  id: root.id, ready: root.dataset.ready === '1', step: root.querySelector('.anim-caption').dataset.step}))"""

# Move every control (slider, checkbox, buttons, list) of every precomputed widget to another value:
# the figure must change, and come back when the control is moved back.
WIDGETS_JS = """() => Array.from(document.querySelectorAll('div.explore')).flatMap(root =>
  Array.from(root.querySelectorAll('[data-name]')).map(control => {
    const img = root.querySelector('img.explore-figure'), before = img.src, alt = img.alt;
    const values = JSON.parse(control.dataset.values);
    const radios = control.tagName === 'FIELDSET' ? Array.from(control.querySelectorAll('input[type=radio]')) : null;
    const get = () => control.type === 'checkbox' ? control.checked
                    : radios ? radios.findIndex(r => r.checked) : Number(control.value);
    const set = v => {
      if (control.type === 'checkbox') control.checked = v;
      else if (radios) radios[v].checked = true;
      else control.value = String(v);
      (radios ? radios[v] : control).dispatchEvent(new Event('change', {bubbles: true}));
    };
    const old = get(), last = values.length - 1;
    set(control.type === 'checkbox' ? !old : (old === last ? 0 : last));
    const result = {widget: root.id, control: control.dataset.name, values: values.length, changed: img.src !== before,
                    alt_changed: img.alt !== alt, loaded: img.src.startsWith('data:image/png')};
    set(old);
    result.restored = img.src === before;
    return result;
  }))"""

# What a reader sees of the page's layout at 1280 px: boxes wider than the column, figure sizes,
# the widget controls, warnings and test scaffolding in the code and outputs.
READING_JS = """() => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const column = article.getBoundingClientRect();
  const text = el => (el.innerText || el.textContent || '').slice(0, 100);
  const boxes = Array.from(article.querySelectorAll(
      'div.cell_input pre, div.cell_output pre, div.cell_output table, div.output pre, article table, div.explore'));
  const overflow = boxes.filter(el => el.offsetParent !== null).map(el => {
    const r = el.getBoundingClientRect();
    return {what: el.tagName.toLowerCase() + '.' + (el.className || el.parentNode.className || ''), text: text(el),
            width: Math.round(r.width), scroll: el.scrollWidth, client: el.clientWidth,
            right: Math.round(r.right), column_right: Math.round(column.right)};
  }).filter(b => b.scroll > b.client + 1 || b.right > b.column_right + 1);
  const size = img => ({src: img.currentSrc.slice(0, 60), shown: img.getBoundingClientRect().width,
                        natural: img.naturalWidth, alt: img.alt.slice(0, 60)});
  const statics = Array.from(article.querySelectorAll('div.cell_output img')).filter(i => i.offsetParent !== null
      && !i.closest('div.explore')).map(size);
  const frames = Array.from(article.querySelectorAll('img.explore-figure')).map(size);
  const controls = Array.from(article.querySelectorAll('div.explore [data-name]')).map(c => {
    const holder = c.closest('label, fieldset') || c;
    const out = holder.querySelector('output');
    const kind = c.tagName === 'FIELDSET' ? 'radio' : c.tagName === 'SELECT' ? 'dropdown' : c.type;
    const value = kind === 'checkbox' ? (c.checked ? 'on' : 'off') : kind === 'dropdown' ? c.selectedOptions[0].text
                : kind === 'radio' ? c.querySelector('input:checked').parentNode.textContent.trim() : out && out.textContent;
    return {name: c.dataset.name, kind, values: JSON.parse(c.dataset.values), label: c.dataset.label,
            label_visible: holder.innerText.includes(c.dataset.label), value, value_visible: !!value &&
            (kind !== 'range' && kind !== 'checkbox' || (out && out.offsetParent !== null && out.textContent === value))};
  });
  const inputs = Array.from(article.querySelectorAll('div.cell_input')).map(el => el.innerText);
  const outputs = Array.from(article.querySelectorAll('div.cell_output')).map(el => el.innerText);
  const scaffolding = inputs.filter(t => /NBVAL_IGNORE_OUTPUT|^\\s*# alt:|Initialize Otter|grader = otter\\.Notebook/m.test(t))
                            .map(t => t.slice(0, 120));
  const warnings = outputs.filter(t => /\\w+Warning: |Traceback \\(most recent call last\\)/.test(t))
                          .map(t => t.slice(0, 160));
  const stderr = article.querySelectorAll('div.output.stderr, div.stderr').length;
  const first = article.querySelector('h1');
  const before_title = first ? Array.from(article.querySelectorAll('div.cell')).filter(c =>
      c.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING && c.querySelector('div.cell_input')).length : 0;
  return {column: Math.round(column.width), overflow, statics, frames, controls, scaffolding, warnings, stderr, before_title};
}"""


def axe_findings(page, axe: Path) -> list[dict]:
    page.add_script_tag(path=str(axe))
    rules = {rule: {"enabled": False} for rule in AXE_DISABLED_RULES}
    return page.evaluate(
        """rules => axe.run(document, {resultTypes: ['violations'], rules}).then(r => r.violations.map(v => ({
             id: v.id, impact: v.impact, help: v.help,
             nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.html.slice(0, 160))})))""", rules)


class Book:
    """Visits each page once and keeps what was seen."""

    def __init__(self, browser, url: str, axe: Path):
        self.browser, self.url, self.axe = browser, url, axe
        self.visits: dict[str, Visit] = {}

    def page_url(self, file: str) -> str:
        return f"{self.url}{file}.html"

    def visit(self, file: str) -> Visit:
        if file not in self.visits:
            self.visits[file] = self._visit(file)
        return self.visits[file]

    def _visit(self, file: str) -> Visit:
        context = self.browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(TIMEOUT_MS)
        try:
            page = context.new_page()
            network = offline(page)
            page.goto(self.page_url(file), wait_until="load")
            page.evaluate(READY_JS)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = SCREENSHOTS / (re.sub(r"[^A-Za-z0-9_.-]+", "__", file) + ".png")
            page.screenshot(path=str(shot))
            images = page.evaluate(IMAGES_JS)
            links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
            launch = page.evaluate(LAUNCH_JS)
            violations = axe_findings(page, self.axe)
            animations = page.evaluate(ANIMATIONS_JS)
            reading = page.evaluate(READING_JS)
            widgets = page.evaluate(WIDGETS_JS)
            page.wait_for_timeout(50)  # let errors raised by the interactions reach the listeners
            return Visit(file, network, images, links, launch, violations, widgets, animations, shot, reading)
        finally:
            context.close()


