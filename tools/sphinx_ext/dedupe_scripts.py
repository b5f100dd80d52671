"""Sphinx extension: write each inline <script> once per page.

With Sphinx 7.4, a script body that an extension adds after the builder has started
(sphinx-thebe's ``const THEBE_JS_URL = ...``, sphinx-togglebutton's selector) reaches the
page twice: once from the registry (file name ``''``) and once from the builder (``None``),
which Sphinx does not recognise as the same asset. A second ``const`` declaration is a
SyntaxError in every reader's console. Enabled from _config.yml (``sphinx: local_extensions``).
"""

__all__ = ["setup"]


def _dedupe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        key = (getattr(js, "filename", None) or "", getattr(js, "priority", 500),
               tuple(sorted(getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
