"""Sphinx extension: myst-nb merges a cell's streams into a copy, not into the notebook it writes.

With ``nb_merge_streams`` myst-nb 1.x merges each cell's stream outputs by appending to the first
stream output in place, so the executed notebook it writes to ``_build/jupyter_execute`` holds the
merged first stream and the original later ones: text appears twice and chunk boundaries are lost.
`make test` compares those executed notebooks with the committed outputs (tests/built), so the merge
must leave them as the kernel produced them. The page renders exactly as before. Enabled from
_config.yml (``sphinx: local_extensions``).
"""

import copy

__all__ = ["setup"]


def setup(app):
    from myst_nb.core import render

    merge = render.coalesce_streams
    if not getattr(merge, "copies_first", False):
        def coalesce_copies(outputs):
            return merge(copy.deepcopy(outputs))

        coalesce_copies.copies_first = True
        render.coalesce_streams = coalesce_copies
    return {"parallel_read_safe": True, "parallel_write_safe": True}
