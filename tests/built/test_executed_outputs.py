"""The book build's execution reproduces every committed output: nbval's check, on the build's one execution.

`make test` executes each chapter once, in the book build (in the Binder-rehearsal kernel, built from
requirements.txt alone), and this module compares what that execution printed with the outputs committed
in the notebooks, by nbval's rules: every code cell is compared unless it is marked to be ignored (the
comment ``# NBVAL_IGNORE_OUTPUT`` or the cell tag ``nbval-ignore-output``); streams, text and HTML are
compared exactly, images, metadata and widget ids are not.
"""

from __future__ import annotations

import difflib
import json
import sys
from collections import defaultdict
from pathlib import Path

import pytest
import nbformat
from nbval.plugin import coalesce_streams, find_comment_markers, find_metadata_tags, transform_streams_for_comparison

ROOT = Path(__file__).resolve().parents[2]
EXECUTED = ROOT / "_build" / "jupyter_execute"
sys.path.insert(0, str(ROOT / "tools"))
from book_toc import toc_pages  # noqa: E402

CHAPTERS = [f for f in toc_pages() if f.startswith("book/") and (ROOT / f"{f}.ipynb").exists()]
SKIP = {"metadata", "traceback", "prompt_number", "output_type", "name", "execution_count",
        "application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg"}


class Output(dict):
    """An output with attribute access, the form nbval's stream transform expects."""

    __getattr__ = dict.get


def ignored(cell: dict) -> bool:
    source = "".join(cell.get("source", ""))
    markers = dict(find_comment_markers(source)) | dict(find_metadata_tags(cell.get("metadata", {})))
    return bool(markers.get("check") is False or markers.get("skip"))


def flattened(outputs: list[dict]) -> dict[str, list]:
    """nbval's view of a cell's outputs: each key (MIME types flattened out of 'data') to its values, in order."""
    flat = defaultdict(list)
    for output in transform_streams_for_comparison([Output(o) for o in outputs]):
        for key, value in output.items():
            if key == "data":
                for mime, data in value.items():
                    if mime not in SKIP:
                        flat[mime].append("".join(data) if isinstance(data, list) else data)
            elif key not in SKIP:
                flat[key].append("".join(value) if isinstance(value, list) else value)
    return dict(flat)


def code_cells(path: Path) -> list[dict]:
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def merged(outputs: list[dict]) -> list:
    """nbval's view of a cell's stream outputs: consecutive chunks of one stream joined into one text."""
    nodes = [nbformat.from_dict(json.loads(json.dumps(o))) for o in outputs]
    for node in nodes:
        if node.get("output_type") == "stream" and isinstance(node.get("text"), list):
            node["text"] = "".join(node["text"])
    return coalesce_streams(nodes)


def test_every_chapter_was_executed_by_the_build():
    assert CHAPTERS, "no chapter notebooks found in _toc.yml"
    missing = [f for f in CHAPTERS if not (EXECUTED / f"{f}.ipynb").exists()]
    assert not missing, f"the build wrote no executed notebook for {missing}: run 'make book' first"


@pytest.mark.parametrize("page", CHAPTERS)
def test_the_build_reproduces_the_committed_outputs(page):
    committed, executed = code_cells(ROOT / f"{page}.ipynb"), code_cells(EXECUTED / f"{page}.ipynb")
    assert len(committed) == len(executed), f"{page}: {len(committed)} code cells committed, {len(executed)} executed"
    for number, (ref, new) in enumerate(zip(committed, executed), start=1):
        if ignored(ref):
            continue
        want, got = flattened(merged(ref["outputs"])), flattened(merged(new["outputs"]))
        if want != got:
            diff = "\n".join(difflib.unified_diff(json.dumps(want, indent=1).splitlines(),
                                                  json.dumps(got, indent=1).splitlines(),
                                                  "committed", "executed by the build", lineterm="", n=2))
            pytest.fail(f"{page}, code cell {number}: the build's output differs from the committed one "
                        f"(re-execute with 'make notebooks' if the change is intended)\n{diff[:4000]}")


def test_a_changed_output_is_caught():
    """The comparison is not vacuous: a changed number, a missing output and an ignored cell behave as nbval's."""
    stream = {"output_type": "stream", "name": "stdout", "text": ["mean 1.00\n"]}
    changed = dict(stream, text=["mean 1.01\n"])
    assert flattened([stream]) != flattened([changed])
    split = [dict(stream, text=["mean "]), dict(stream, text=["1.00\n"])]
    assert flattened(merged(split)) == flattened(merged([stream])) != flattened(merged([changed]))
    assert flattened([stream]) != flattened([])
    picture = {"output_type": "display_data", "data": {"image/png": "AAAA", "text/plain": ["<Figure>"]}, "metadata": {}}
    assert flattened([picture]) == flattened([dict(picture, data={"image/png": "BBBB", "text/plain": ["<Figure>"]})])
    assert ignored({"source": "# NBVAL_IGNORE_OUTPUT\nexplore(f)", "metadata": {}})
    assert ignored({"source": "explore(f)", "metadata": {"tags": ["nbval-ignore-output"]}})
    assert not ignored({"source": "print(1)", "metadata": {}})
