"""The book's own search (Sphinx's index, no server) finds each chapter by words it contains."""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

from browserbook import HTML


def title_words(file: str) -> str:
    """Up to three words of four letters or more from the page's main heading."""
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", (HTML / f"{file}.html").read_text(), re.S).group(1)
    text = html.unescape(re.sub(r"<[^>]+>", " ", heading))
    return " ".join(re.findall(r"[A-Za-z]{4,}", text)[:3])


SUMMARY = ("() => /found|did not match/i.test("
           "(document.querySelector('#search-results .search-summary') || {}).textContent || '')")


def search(page, book, query: str) -> list[str]:
    page.goto(f"{book.url}search.html?q={quote(query)}", wait_until="networkidle")
    page.wait_for_function(SUMMARY)
    links = page.eval_on_selector_all("#search-results ul.search li a", "a => a.map(x => x.href)")
    return [urlsplit(h).path for h in links]


def test_search_finds_each_chapter(book, new_page, chapter_file):
    page, network = new_page()
    query = title_words(chapter_file)
    assert query, f"{chapter_file} has no heading to search for"
    found = search(page, book, query)
    assert f"/{chapter_file}.html" in found, f"searching {query!r} found {found}, not {chapter_file}"
    assert not (network.blocked or network.failed or network.console_errors or network.page_errors)


def test_search_for_a_word_no_page_contains_finds_nothing(book, new_page):
    page, _ = new_page()
    assert search(page, book, "zyxwvutsrq") == []


def test_search_snippets_come_from_the_page_body(book, new_page):
    """Snippets quote the article, not the sidebars or the header's buttons (_static/reader-search.js)."""
    page, _ = new_page()
    search(page, book, "quorum")  # without the fix: "3.3 Quorums: N, R and W ... Contents" (the page's sidebar)
    page.wait_for_function("() => document.querySelectorAll('#search-results p.context').length > 0")
    snippets = page.eval_on_selector_all("#search-results p.context", "ps => ps.map(p => p.textContent)")
    assert snippets
    for text in snippets:
        for chrome in ("Contents", "Print to PDF", "Fullscreen mode", "Binder", "Open issue"):
            assert chrome not in text, f"a snippet quotes the page's buttons or sidebars ({chrome!r}): {text[:200]}"
