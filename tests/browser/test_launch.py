"""Binder-ready: every notebook page offers Binder, Colab and a download of its notebook; no Live Code button,
whose Thebe would load from a CDN (the book loads nothing from outside)."""

from __future__ import annotations

import re

from browserbook import ROOT


def test_notebook_pages_have_every_launch_button(book, notebook_file):
    launch = book.visit(notebook_file).launch
    notebook = f"{notebook_file}.ipynb"
    assert any(f"urlpath=lab/tree/{notebook}" in url for url in launch["binder"]), f"no Binder button: {launch}"
    assert any(url.endswith(f"/blob/main/{notebook}") for url in launch["colab"]), f"no Colab button: {launch}"
    assert launch["thebe"] == 0, "a 'live code' (Thebe) button, which would load Thebe from a CDN"
    assert any(url.endswith(f"_sources/{notebook}") for url in launch["download"]), f"no .ipynb download: {launch}"


def test_binder_builds_with_python_3_11():
    runtime = (ROOT / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.11(\.\d+)?", runtime), f"runtime.txt says {runtime!r}; Binder needs python-3.11"
    requirements = (ROOT / "requirements.txt").read_text()
    assert re.search(r"^-e \.$", requirements, re.M), "Binder installs labsupport itself from requirements.txt"
