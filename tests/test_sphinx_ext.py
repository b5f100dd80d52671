"""tools/sphinx_ext/dedupe_scripts.py: each inline script once per page, order kept."""

import importlib.util
from pathlib import Path

from sphinx.builders.html._assets import _JavaScript

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("dedupe_scripts", ROOT / "tools" / "sphinx_ext" / "dedupe_scripts.py")
dedupe_scripts = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dedupe_scripts)


def test_a_script_body_added_twice_is_written_once_and_the_order_is_kept():
    thebe = 'const THEBE_JS_URL = "x"'
    scripts = [_JavaScript("_static/doctools.js", priority=200), _JavaScript("", body=thebe),
               _JavaScript("_static/sphinx-thebe.js", **{"async": "async"}), _JavaScript(None, body=thebe),
               _JavaScript(None, body="var other = 1")]
    context = {"script_files": scripts}
    dedupe_scripts._dedupe(None, "page", "page.html", context, None)
    assert context["script_files"] == [scripts[0], scripts[1], scripts[2], scripts[4]]


def test_pages_without_scripts_are_left_alone():
    context = {"css_files": []}
    dedupe_scripts._dedupe(None, "page", "page.html", context, None)
    assert context == {"css_files": []}


def test_the_extension_hooks_into_every_html_page():
    calls = []

    class App:
        def connect(self, event, handler, priority=500):
            calls.append((event, handler, priority))

    metadata = dedupe_scripts.setup(App())
    assert calls == [("html-page-context", dedupe_scripts._dedupe, 900)]
    assert metadata["parallel_read_safe"] and metadata["parallel_write_safe"]


def test_merged_streams_leave_the_executed_notebook_as_the_kernel_wrote_it():
    """tools/sphinx_ext/executed_copies.py: myst-nb's stream merge works on a copy."""
    import nbformat
    from myst_nb.core import render

    spec = importlib.util.spec_from_file_location("executed_copies", ROOT / "tools" / "sphinx_ext" / "executed_copies.py")
    executed_copies = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(executed_copies)
    original = render.coalesce_streams
    try:
        outputs = [nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": "a"}),
                   nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": "\nb\n"})]
        before = [dict(o) for o in outputs]
        render.coalesce_streams(outputs)
        assert outputs[0]["text"] != before[0]["text"]  # myst-nb merges in place ...
        outputs = [nbformat.from_dict(o) for o in before]
        executed_copies.setup(None)
        executed_copies.setup(None)  # idempotent
        merged = render.coalesce_streams(outputs)
        assert [dict(o) for o in outputs] == before  # ... the extension merges a copy
        assert len(merged) == 1 and merged[0]["text"].startswith("a")
    finally:
        render.coalesce_streams = original
