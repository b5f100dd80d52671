"""The whole book as one PDF, printed by the Chromium that the browser suite uses ('make pdf').

Usage: python tools/make_pdf.py [--out _build/pdf/book.pdf]   (after 'make book')

Why Chromium and not LaTeX: the pages are already laid out for a browser, with their figures
(PNG at twice the column's resolution), their MathJax equations and the precomputed first frame
of every widget; printing them keeps the document identical to the web book, while the LaTeX
route would have to re-render widgets, animations and the theme's admonitions, and needs a TeX
installation of several hundred MB.

Each page is opened from a local server (nothing is fetched from outside), its math typeset,
then printed with a print stylesheet: no sidebars, buttons or widget controls; the widget shows
its starting figure. The solutions to the exercises are taken out of the pages and printed
together at the end of each chapter, as in a textbook. The pages are joined with pypdf.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import io
import sys
import threading
import time
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from book_toc import toc_pages  # noqa: E402

import yaml  # noqa: E402

HTML = ROOT / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
SOLUTION = ".admonition.dropdown"  # 'Solution to Exercise N.M' boxes (sphinx-togglebutton dropdowns)

PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .header-article, .prev-next-area, footer,
.bd-footer, .bd-footer-content, .explore-controls, .explore-note, .skip-link, .search-button, #pst-back-to-top,
button.toggle-button, .copybtn, .anim-controls, .headerlink, .theme-switch-button { display: none !important; }
.bd-main, .bd-content, .bd-article-container, article.bd-article { max-width: none !important; width: 100% !important;
  padding: 0 !important; margin: 0 !important; }
.bd-page-width { max-width: none !important; }
div.cell_output img, img.explore-figure { max-width: 100% !important; break-inside: avoid; }
div.cell, .admonition, table, figure { break-inside: avoid; }
h1, h2, h3 { break-after: avoid; }
details, .toggle-hidden { display: block !important; }
"""


def chapters() -> list[tuple[str, list[str]]]:
    """(chapter page, its pages) in reading order; the front matter and each part's chapters."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    out = [(toc["root"], [toc["root"]])]

    def files(entry):
        yield entry["file"]
        for section in entry.get("sections", []):
            yield from files(section)

    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            if "file" in chapter:
                out.append((chapter["file"], list(files(chapter))))
    return out


def solutions_of(file: str) -> list[str]:
    """The raw HTML of the page's solution boxes (math still as TeX, typeset again where it is printed)."""
    soup = BeautifulSoup((HTML / f"{file}.html").read_text(), "html.parser")
    found = []
    for box in soup.select(SOLUTION):
        title = box.select_one(".admonition-title")
        if title and title.get_text().strip().startswith("Solution"):
            for cls in ("dropdown", "toggle-hidden"):
                if cls in box.get("class", []):
                    box["class"].remove(cls)
            found.append(str(box))
    return found


def title_of(file: str) -> str:
    soup = BeautifulSoup((HTML / f"{file}.html").read_text(), "html.parser")
    h1 = soup.select_one("article h1") or soup.select_one("h1")
    return h1.get_text(" ", strip=True).replace("#", "").strip() if h1 else file


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve():
    handler = functools.partial(_Quiet, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


READY = """() => Promise.all([document.fonts.ready,
  window.MathJax && MathJax.startup && MathJax.startup.promise ? MathJax.startup.promise : null])"""
REMOVE_SOLUTIONS = f"""() => document.querySelectorAll('{SOLUTION}').forEach(box => {{
  const t = box.querySelector('.admonition-title');
  if (t && t.textContent.trim().startsWith('Solution')) box.remove(); }})"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "pdf" / "book.pdf")
    args = parser.parse_args(argv)
    if not (HTML / "index.html").exists():
        raise SystemExit("no built book: run 'make book' first")
    from playwright.sync_api import sync_playwright
    from pypdf import PdfWriter, PdfReader

    started = time.perf_counter()
    known = set(toc_pages())
    server = serve()
    url = f"http://127.0.0.1:{server.server_port}/"
    writer = PdfWriter()
    footer = '<div style="font-size:8px;width:100%;text-align:center;color:#555"><span class="pageNumber"></span></div>'

    def route(r):
        if r.request.url.startswith(url):
            r.continue_()
        else:
            r.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.route("**/*", route)

        def print_page(html_file: str, solutions: list[str] | None = None, heading: str = "") -> None:
            page.goto(f"{url}{html_file}.html", wait_until="load")
            page.evaluate(READY)
            page.add_style_tag(content=PRINT_CSS)
            if solutions is not None:
                body = f"<h1>{heading}</h1>" + "".join(solutions)
                page.evaluate("""([body, heading]) => { const a = document.querySelector('article.bd-article');
                  // the theme prints the page's title from a header of its own: give it the heading too
                  document.querySelectorAll('h1').forEach(h => { if (!a.contains(h)) h.textContent = heading; });
                  a.innerHTML = '<section>' + body + '</section>';
                  return window.MathJax && MathJax.typesetPromise ? MathJax.typesetPromise([a]) : null; }""", [body, heading])
            else:
                page.evaluate(REMOVE_SOLUTIONS)
            page.emulate_media(media="print")
            pdf = page.pdf(format="A4", print_background=True, display_header_footer=True,
                           header_template="<div></div>", footer_template=footer,
                           margin={"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"})
            reader = PdfReader(io.BytesIO(pdf))
            for sheet in reader.pages:
                writer.add_page(sheet)

        for chapter, files in chapters():
            solutions = []
            for file in files:
                if file not in known:
                    continue
                print_page(file)
                solutions += solutions_of(file)
                print(f"printed {file}")
            if solutions:
                print_page(chapter, solutions, f"Solutions to the exercises: {title_of(chapter)}")
                print(f"printed the solutions of {chapter} ({len(solutions)})")
        browser.close()
    server.shutdown()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "wb") as out:
        writer.write(out)
    seconds = time.perf_counter() - started
    print(f"wrote {args.out.relative_to(ROOT)}: {len(writer.pages)} pages in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
